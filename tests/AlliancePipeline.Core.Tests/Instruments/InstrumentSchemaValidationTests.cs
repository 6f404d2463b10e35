using System.Text.Json.Nodes;
using AlliancePipeline.Core.Instruments;

namespace AlliancePipeline.Core.Tests.Instruments;

/// <summary>
/// The instrument schema executed: each kind of problem JsonSchema.Net finds comes back as the loader's message at its
/// JSON path, and problems are listed in the order the definition is read.
/// </summary>
public class InstrumentSchemaValidationTests
{
    private static JsonObject Shipped() => JsonNode.Parse(InstrumentCatalog.ShippedDefinitionTexts()["wai-sr-client.json"])!.AsObject();

    private static InstrumentDefinitionException Refused(JsonNode json) =>
        Assert.Throws<InstrumentDefinitionException>(() => InstrumentLoader.Parse(json.ToJsonString(), "own.json"));

    /// <summary>Sets (or, with no value, removes) the value at a JSON Pointer.</summary>
    private static JsonObject With(string pointer, string? json)
    {
        var root = Shipped();
        var segments = pointer.Split('/')[1..];
        JsonNode parent = root;
        foreach (var segment in segments[..^1])
        {
            parent = parent is JsonArray list ? list[int.Parse(segment, System.Globalization.CultureInfo.InvariantCulture)]! : parent[segment]!;
        }

        var last = segments[^1];
        if (json is null)
        {
            parent.AsObject().Remove(last);
        }
        else if (parent is JsonArray array)
        {
            array[int.Parse(last, System.Globalization.CultureInfo.InvariantCulture)] = JsonNode.Parse(json);
        }
        else
        {
            parent[last] = JsonNode.Parse(json);
        }

        return root;
    }

    [Theory]
    [InlineData("/scale", "5", "$.scale", "must be an object")]
    [InlineData("/items", "{}", "$.items", "must be an array")]
    [InlineData("/scale/min", "1.0", "$.scale.min", "must be an integer")]
    [InlineData("/scale/max", "2147483648", "$.scale.max", "must be an integer")]
    [InlineData("/items/0/reverse", "\"yes\"", "$.items[0].reverse", "must be true or false")]
    [InlineData("/version", "\" \"", "$.version", "must be a non-empty string")]
    [InlineData("/version", "1", "$.version", "must be a non-empty string")]
    [InlineData("/title/fr", "\"\"", "$.title.fr", "must be a non-empty string")]
    [InlineData("/id", "\"Bad Id\"", "$.id", "'Bad Id' is not allowed: use lower-case letters, digits, '.', '_' or '-'")]
    [InlineData("/items/0/id", "\"1 a\"", "$.items[0].id", "'1 a' is not allowed: use letters, digits, '_' or '-'")]
    [InlineData("/subscales/0/column", "\"goal\"", "$.subscales[0].column", "'goal' is not allowed: use a PascalCase identifier such as \"Goal\"")]
    [InlineData("/global/column", "\"global\"", "$.global.column", "'global' is not allowed: use a PascalCase identifier such as \"Global\"")]
    [InlineData("/global/score/method", "\"\"", "$.global.score.method", "must be a non-empty string")]
    [InlineData("/languages/1", "\"FR\"", "$.languages[1]", "must be a lower-case ISO 639 language code such as \"en\" or \"fr\"")]
    [InlineData("/languages", "[]", "$.languages", "must declare at least one language")]
    [InlineData("/source", null, "$.source", "is required")]
    [InlineData("/scale/anchors/0/colour", "\"red\"", "$.scale.anchors[0].colour", "is not a known property")]
    public void Each_kind_of_schema_problem_names_its_path(string pointer, string? json, string path, string message)
    {
        var ex = Refused(With(pointer, json));
        Assert.Contains(ex.Errors, e => e.Path == path && e.Message == message);
        Assert.Single(ex.Errors, e => e.Path == path);
    }

    [Fact]
    public void A_definition_that_is_not_an_object_is_refused_whole()
    {
        var ex = Refused(new JsonArray());
        Assert.Equal("$: the definition must be a JSON object", Assert.Single(ex.Errors).ToString());
    }

    [Fact]
    public void At_most_99_items()
    {
        var json = Shipped();
        var items = json["items"]!.AsArray();
        for (var i = 13; i <= 100; i++)
        {
            var item = items[0]!.DeepClone();
            item["id"] = $"{i}";
            items.Add(item);
        }

        Assert.Equal("$.items: has 100 items; at most 99 are allowed", Assert.Single(Refused(json).Errors).ToString());
    }

    [Fact]
    public void Problems_are_listed_in_the_order_the_definition_is_read()
    {
        var json = With("/subscales/1/label/fr", "\"\"");
        json["items"]![0]!["reverse"] = "yes";
        json.Remove("copyright");
        Assert.Equal(
        [
            "$.copyright: is required",
            "$.subscales[1].label.fr: must be a non-empty string",
            "$.items[0].reverse: must be true or false",
        ], Refused(json).Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void A_text_in_a_language_not_declared_has_that_problem_only()
    {
        var ex = Refused(With("/title/de", "5"));
        Assert.Equal("$.title.de: language 'de' is not declared in $.languages", Assert.Single(ex.Errors).ToString());
    }

    [Fact]
    public void The_anchors_are_not_judged_while_the_scale_ends_are_wrong()
    {
        var json = With("/scale/min", "\"one\"");
        json["scale"]!["anchors"]![0]!["label"] = 5;
        Assert.Equal("$.scale.min: must be an integer", Assert.Single(Refused(json).Errors).ToString());

        json["scale"]!["min"] = 5;
        Assert.Equal("$.scale: min (5) must be less than max (5)", Assert.Single(Refused(json).Errors).ToString());
    }
}
