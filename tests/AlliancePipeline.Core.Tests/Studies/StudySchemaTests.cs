using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using AlliancePipeline.Core.Instruments;
using AlliancePipeline.Core.Studies;
using Json.Schema;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace AlliancePipeline.Core.Tests.Studies;

/// <summary>The two schemas are the one source of the shape of study files and instrument files: they are valid JSON Schema, and what they describe is what is read.</summary>
public class StudySchemaTests
{
    private static readonly JsonElement Schema = JsonDocument.Parse(StudyFile.SchemaText()).RootElement;

    private static JsonElement At(string pointer) =>
        pointer.TrimStart('#').Split('/', StringSplitOptions.RemoveEmptyEntries).Aggregate(Schema, (e, p) => e.GetProperty(p));

    /// <summary>Both schemas built by JsonSchema.Net as an editor or another tool would: from their text alone, no download.</summary>
    private static (JsonSchema Study, JsonSchema Instrument) Built()
    {
        var options = new BuildOptions { SchemaRegistry = new SchemaRegistry { Fetch = (_, _) => null } };
        var instrument = JsonSchema.FromText(InstrumentCatalog.SchemaText(), options);
        return (JsonSchema.FromText(StudyFile.SchemaText(), options), instrument);
    }

    private static string Failures(EvaluationResults results) =>
        string.Join(Environment.NewLine, results.Details?.Where(d => d.Errors is not null)
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation} {d.EvaluationPath}: {e.Key} {e.Value}")) ?? []);

    [Fact]
    public void Schema_is_draft_2020_12()
    {
        Assert.Equal("https://json-schema.org/draft/2020-12/schema", Schema.GetProperty("$schema").GetString());
        Assert.Equal("https://alliance-pipeline.example/schemas/study.schema.json", Schema.GetProperty("$id").GetString());
    }

    [Theory]
    [InlineData("study")]
    [InlineData("instrument")]
    public void Both_schemas_are_valid_JSON_Schema_documents_that_JsonSchema_Net_loads(string which)
    {
        var text = which == "study" ? StudyFile.SchemaText() : InstrumentCatalog.SchemaText();
        var metaSchema = MetaSchemas.Draft202012.Evaluate(JsonDocument.Parse(text).RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
        Assert.True(metaSchema.IsValid, Failures(metaSchema));

        var (study, instrument) = Built();
        Assert.Equal(JsonDocument.Parse(text).RootElement.GetProperty("$id").GetString(), (which == "study" ? study : instrument).BaseUri.ToString());
    }

    [Fact]
    public void The_example_study_file_is_valid_against_the_schema_as_an_editor_reads_it()
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "examples", "study.example.yaml"))));
        var instance = JsonSerializer.SerializeToElement(AsJson(stream.Documents[0].RootNode));

        var results = Built().Study.Evaluate(instance, new EvaluationOptions { OutputFormat = OutputFormat.List, RequireFormatValidation = true });

        Assert.True(results.IsValid, Failures(results));
        Assert.True(instance.GetProperty("dyads").GetArrayLength() > 3);
    }

    [Fact]
    public void A_json_study_file_is_valid_against_the_schema_as_it_stands()
    {
        var json = """
            {
              "$schema": "https://alliance-pipeline.example/schemas/study.schema.json",
              "id": "json-study", "name": "JSON study",
              "instruments": { "practitioner": "wai-sr-practitioner", "client": { "file": "instruments/client.json" } },
              "meetings": [ { "number": 1, "expectedDay": 0, "windowDays": 3 } ],
              "arms": [ { "id": "only", "name": "Only arm" } ],
              "sites": [ { "id": "s1", "name": "S1", "coordinators": [ { "email": "c@example.org", "language": "en" } ] } ],
              "raters": [], "dyads": [],
              "reminders": { "firstAfterDays": 1, "everyDays": 2, "maxCount": 10 },
              "alerts": { "client": { "cutoff": 2.5 } }
            }
            """;
        var results = Built().Study.Evaluate(JsonDocument.Parse(json).RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
        Assert.True(results.IsValid, Failures(results));

        var unknown = Built().Study.Evaluate(JsonDocument.Parse(json.Replace("\"raters\": []", "\"raters\": [], \"colour\": 1", StringComparison.Ordinal)).RootElement);
        Assert.False(unknown.IsValid);
    }

    [Theory]
    [MemberData(nameof(ShippedFiles))]
    public void Every_shipped_instrument_is_valid_against_the_instrument_schema(string file)
    {
        var results = Built().Instrument.Evaluate(JsonDocument.Parse(InstrumentCatalog.ShippedDefinitionTexts()[file]).RootElement,
            new EvaluationOptions { OutputFormat = OutputFormat.List });
        Assert.True(results.IsValid, Failures(results));
    }

    public static TheoryData<string> ShippedFiles => new(InstrumentCatalog.ShippedDefinitionTexts().Keys);

    [Theory]
    [InlineData("colour: blue\n", 1, "colour", "'colour' is not a field of the study; the fields are: id, name, instruments, meetings, arms, sites, raters, dyads, reminders, $schema, reports, alerts, linkLifetimeDays, digests, handOver, analysis, covariates")]
    [InlineData("reminders: { firstAfterDays: 3, everyDays: 7, maxCount: 3, often: yes }\n", 1, "reminders.often",
        "'often' is not a field of reminders; the fields are: firstAfterDays, everyDays, maxCount")]
    [InlineData("alerts:\n  practitioner: { drop: 1, cutoff: 4, loud: true }\n", 2, "alerts.practitioner.loud",
        "'loud' is not a field of alert thresholds; the fields are: drop, cutoff, notifyRater")]
    public void A_study_file_with_an_unknown_property_is_refused_naming_it(string yaml, int line, string field, string message)
    {
        var text = StudyFixture.Yaml.Replace("reminders: { firstAfterDays: 3, everyDays: 7, maxCount: 3 }\n", "", StringComparison.Ordinal)
            .Replace("alerts:\n  practitioner: { drop: 1.0, cutoff: 4.0, notifyRater: true }\n", "", StringComparison.Ordinal);
        if (!yaml.StartsWith("reminders", StringComparison.Ordinal))
        {
            text = "reminders: { firstAfterDays: 3, everyDays: 7, maxCount: 3 }\n" + text;
        }

        var error = StudyFixture.SingleError(StudyFixture.Parse(yaml + text));
        Assert.Equal((line, field, message), (error.Line, error.Field, error.Message));
    }

    [Fact]
    public void The_longest_dyad_code_and_meeting_the_schema_accepts_make_valid_assessment_ids()
    {
        var longestCode = At("#/$defs/dyadId").GetProperty("maxLength").GetInt32();
        var lastMeeting = At("#/properties/meetings").GetProperty("maxItems").GetInt32();
        Assert.Equal(At("#/$defs/meeting/properties/number").GetProperty("maximum").GetInt32(), lastMeeting);
        Assert.Equal((StudyFile.MaxDyadIdLength, StudyFile.MaxMeetings), (longestCode, lastMeeting));
        foreach (var role in RaterRoles.All)
        {
            Assert.True(StudyIds.IsValid(EnrolmentPlan.AssessmentId(new string('d', longestCode), lastMeeting, role)));
        }
    }

    [Theory]
    [InlineData("a", true)]
    [InlineData("site-a", true)]
    [InlineData("p-001", true)]
    [InlineData("-a", false)]
    [InlineData("a-", false)]
    [InlineData("A", false)]
    [InlineData("a_b", false)]
    [InlineData("", false)]
    public void The_schema_id_pattern_agrees_with_StudyIds(string id, bool valid)
    {
        var pattern = At("#/$defs/id").GetProperty("pattern").GetString()!;
        Assert.Equal(valid, System.Text.RegularExpressions.Regex.IsMatch(id, pattern));
        Assert.Equal(valid, StudyIds.IsValid(id));
        Assert.False(StudyIds.IsValid(new string('a', 64)));
        Assert.DoesNotMatch(pattern, new string('a', 64));
    }

    [Theory]
    [InlineData("en", true)]
    [InlineData("fr-CA", true)]
    [InlineData("zh-Hant-TW", true)]
    [InlineData("EN", false)]
    [InlineData("english", false)]
    [InlineData("fr_CA", false)]
    public void The_schema_language_pattern_agrees_with_StudyRules(string tag, bool valid)
    {
        var pattern = At("#/$defs/language").GetProperty("pattern").GetString()!;
        Assert.Equal(valid, System.Text.RegularExpressions.Regex.IsMatch(tag, pattern));
        Assert.Equal(valid, StudyRules.IsLanguageTag(tag));
    }

    [Theory]
    [InlineData("p-001@example.org", true)]
    [InlineData("first.last+study@sub.example.org", true)]
    [InlineData("o'brien@example.org", true)]
    [InlineData("p-001@example", false)]
    [InlineData("p..q@example.org", false)]
    [InlineData(".p@example.org", false)]
    [InlineData("p.@example.org", false)]
    [InlineData("p@-example.org", false)]
    [InlineData("Name <p@example.org>", false)]
    public void The_schema_email_rule_agrees_with_StudyRules(string email, bool valid)
    {
        var rule = At("#/$defs/email");
        var schemaSays = email.Length <= rule.GetProperty("maxLength").GetInt32() &&
                         System.Text.RegularExpressions.Regex.IsMatch(email, rule.GetProperty("pattern").GetString()!);
        Assert.Equal(valid, schemaSays);
        Assert.Equal(valid, StudyRules.IsEmail(email));
        Assert.Equal(StudyRules.MaxEmailLength, rule.GetProperty("maxLength").GetInt32());
    }

    /// <summary>YAML as a JSON tool reads it (the YAML 1.2 core schema): plain scalars typed, quoted ones text.</summary>
    private static JsonNode? AsJson(YamlNode node) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children.Select(p => KeyValuePair.Create(((YamlScalarNode)p.Key).Value!, AsJson(p.Value)))),
        YamlSequenceNode list => new JsonArray(list.Children.Select(AsJson).ToArray()),
        YamlScalarNode { Style: not ScalarStyle.Plain } quoted => quoted.Value,
        YamlScalarNode { Value: null or "" or "~" or "null" } => null,
        YamlScalarNode { Value: "true" or "false" } boolean => boolean.Value == "true",
        YamlScalarNode scalar when long.TryParse(scalar.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) => n,
        YamlScalarNode scalar when double.TryParse(scalar.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
        YamlScalarNode scalar => scalar.Value,
        _ => null,
    };
}
