using System.Text.Json.Nodes;
using AlliancePipeline.Core.Instruments;

namespace AlliancePipeline.Core.Tests.Instruments;

public class InstrumentLoaderTests
{
    private static JsonObject Shipped(string id = "wai-sr-client") =>
        JsonNode.Parse(InstrumentCatalog.ShippedDefinitionTexts()[id + ".json"])!.AsObject();

    private static InstrumentDefinitionException Refused(JsonObject json) =>
        Assert.Throws<InstrumentDefinitionException>(() => InstrumentLoader.Parse(json.ToJsonString(), "study.json"));

    private static void AssertError(InstrumentDefinitionException ex, string path, string fragment) =>
        Assert.Contains(ex.Errors, e => e.Path == path && e.Message.Contains(fragment, StringComparison.Ordinal));

    [Fact]
    public void Not_json_names_the_line()
    {
        var ex = Assert.Throws<InstrumentDefinitionException>(() => InstrumentLoader.Parse("{\n  \"id\": \n}", "bad.json"));
        Assert.Equal("line 3", ex.Errors.Single().Path);
        Assert.Contains("bad.json", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_translation_names_the_item_path()
    {
        var json = Shipped();
        json["items"]![4]!["text"]!.AsObject().Remove("fr");
        AssertError(Refused(json), "$.items[4].text.fr", "missing");
    }

    [Fact]
    public void Undeclared_language_and_unknown_property_are_refused()
    {
        var json = Shipped();
        json["title"]!["de"] = "Titel";
        json["extra"] = 1;
        var ex = Refused(json);
        AssertError(ex, "$.title.de", "not declared");
        AssertError(ex, "$.extra", "not a known property");
    }

    [Fact]
    public void Item_with_unknown_subscale_and_duplicate_item_id()
    {
        var json = Shipped();
        json["items"]![2]!["subscale"] = "trust";
        json["items"]![5]!["id"] = "1";
        var ex = Refused(json);
        AssertError(ex, "$.items[2].subscale", "item '3' names subscale 'trust'");
        AssertError(ex, "$.items[5].id", "item id '1' is used twice");
    }

    [Theory]
    [InlineData("Meeting")]
    [InlineData("SUBMITTEDAT")]
    [InlineData("Item07")]
    [InlineData("ITEM13")]
    [InlineData("Cluster")]
    [InlineData("Items")]
    public void A_score_column_may_not_take_the_name_of_another_stored_column(string column)
    {
        var json = Shipped();
        json["subscales"]![1]!["column"] = column;
        json["global"]!["column"] = column == "Items" ? "RaterRole" : column;
        var ex = Refused(json);
        AssertError(ex, "$.subscales[1].column", $"column '{column}' is the name of another column of a stored response");
        AssertError(ex, "$.global.column", "is the name of another column of a stored response");
    }

    [Fact]
    public void Score_columns_of_other_names_load_and_the_stored_names_are_listed()
    {
        var json = Shipped();
        json["subscales"]![1]!["column"] = "Itemized";
        json["global"]!["column"] = "Total";
        var definition = InstrumentLoader.Parse(json.ToJsonString(), "study.json");
        Assert.Equal(("Itemized", "Total"), (definition.Subscales[1].Column, definition.Global.Column));
        Assert.Equal("Item09", ResponseColumns.Item(9));
        Assert.True(ResponseColumns.IsItem("Item99", out var n) && n == 99);
        Assert.False(ResponseColumns.IsItem("Item00", out _) || ResponseColumns.IsItem("item01", out _) || ResponseColumns.IsItem("Item1", out _));
        Assert.Throws<ArgumentOutOfRangeException>(() => ResponseColumns.Item(100));
    }

    [Fact]
    public void Missing_required_fields_are_each_named()
    {
        var json = Shipped();
        json.Remove("copyright");
        json.Remove("scale");
        var ex = Refused(json);
        AssertError(ex, "$.copyright", "is required");
        AssertError(ex, "$.scale", "is required");
    }

    [Fact]
    public void Anchors_must_lie_on_the_scale_and_label_its_ends()
    {
        var json = Shipped();
        json["scale"]!["anchors"]![4]!["value"] = 6;
        var ex = Refused(json);
        AssertError(ex, "$.scale.anchors[4].value", "outside the scale 1–5");
        AssertError(ex, "$.scale.anchors", "ends (1 and 5)");
    }

    [Fact]
    public void Score_rules_must_be_satisfiable()
    {
        var json = Shipped();
        json["subscales"]![0]!["score"]!["minAnswered"] = 5;
        json["subscales"]![1]!["score"]!["prorate"] = false;
        json["global"]!["score"]!["method"] = "median";
        var ex = Refused(json);
        AssertError(ex, "$.subscales[0].score.minAnswered", "subscale 'goal' has 4 items");
        AssertError(ex, "$.subscales[1].score.minAnswered", "subscale 'task' is not prorated");
        AssertError(ex, "$.global.score.method", "'median' is not a method");
    }

    [Fact]
    public void Default_language_must_be_declared_and_subscales_must_have_items()
    {
        var json = Shipped();
        json["defaultLanguage"] = "de";
        ((JsonArray)json["subscales"]!).Add(JsonNode.Parse("""{"id":"extra","column":"Extra","label":{"en":"x","fr":"x"},"score":{"method":"mean","minAnswered":1,"prorate":true}}"""));
        var ex = Refused(json);
        AssertError(ex, "$.defaultLanguage", "'de' is not one of the declared languages");
        AssertError(ex, "$.subscales[3]", "subscale 'extra' has no items");
    }

    [Fact]
    public void A_study_can_add_its_own_instrument_with_its_own_text()
    {
        var json = Shipped();
        json["id"] = "study-a-wai-sr-client";
        json["items"]![0]!["text"]!["en"] = "Our meetings help me see how I could change.";
        var catalog = InstrumentCatalog.Shipped.WithStudyInstrument(json.ToJsonString(), "study-a.json");

        Assert.Equal("Our meetings help me see how I could change.", catalog.Get("study-a-wai-sr-client").Items[0].Text.Get("en"));
        Assert.Equal(5, catalog.All.Count());
        Assert.Equal(4, InstrumentCatalog.Shipped.All.Count());
    }

    [Fact]
    public void A_study_instrument_cannot_take_a_shipped_id()
    {
        var ex = Assert.Throws<InstrumentDefinitionException>(() =>
            InstrumentCatalog.Shipped.WithStudyInstrument(Shipped().ToJsonString(), "study-a.json"));
        AssertError(ex, "$.id", "'wai-sr-client' is the id of a shipped instrument");
    }

    [Fact]
    public void Unknown_instrument_lists_known_ids()
    {
        var ex = Assert.Throws<KeyNotFoundException>(() => InstrumentCatalog.Shipped.Get("wai-36"));
        Assert.Contains("wai-s-client, wai-s-practitioner, wai-sr-client, wai-sr-practitioner", ex.Message, StringComparison.Ordinal);
    }
}
