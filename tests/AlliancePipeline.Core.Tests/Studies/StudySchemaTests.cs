using System.Text.Json;
using AlliancePipeline.Core.Studies;
using YamlDotNet.RepresentationModel;

namespace AlliancePipeline.Core.Tests.Studies;

/// <summary>The schema documents the study file; these tests keep it equal to what the parser accepts.</summary>
public class StudySchemaTests
{
    private static readonly JsonElement Schema = JsonDocument.Parse(StudyFile.SchemaText()).RootElement;

    private static JsonElement At(string pointer) =>
        pointer.TrimStart('#').Split('/', StringSplitOptions.RemoveEmptyEntries).Aggregate(Schema, (e, p) => e.GetProperty(p));

    private static string[] Names(JsonElement obj, string property) =>
        property == "required"
            ? obj.GetProperty("required").EnumerateArray().Select(e => e.GetString()!).Order(StringComparer.Ordinal).ToArray()
            : obj.GetProperty("properties").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal).ToArray();

    [Fact]
    public void Schema_is_draft_2020_12()
    {
        Assert.Equal("https://json-schema.org/draft/2020-12/schema", Schema.GetProperty("$schema").GetString());
        Assert.Equal("https://alliance-pipeline.example/schemas/study.schema.json", Schema.GetProperty("$id").GetString());
    }

    [Fact]
    public void Every_object_shape_matches_the_parser()
    {
        Assert.Equal(13, StudyFile.Shapes.Length);
        foreach (var shape in StudyFile.Shapes)
        {
            var node = At(shape.SchemaPointer);
            Assert.Equal(shape.Required.Order(StringComparer.Ordinal), Names(node, "required"));
            Assert.Equal(shape.Allowed.Order(StringComparer.Ordinal), Names(node, "properties"));
            Assert.False(node.GetProperty("additionalProperties").GetBoolean(), shape.SchemaPointer);
        }
    }

    [Fact]
    public void Schema_bounds_match_the_parser()
    {
        Assert.Equal(StudyFile.MaxMeetings, At("#/properties/meetings").GetProperty("maxItems").GetInt32());
        Assert.Equal(StudyFile.MaxMeetings, At("#/$defs/meeting/properties/number").GetProperty("maximum").GetInt32());
        Assert.Equal(StudyFile.MaxExpectedDay, At("#/$defs/meeting/properties/expectedDay").GetProperty("maximum").GetInt32());
        Assert.Equal(StudyFile.MaxWindowDays, At("#/$defs/meeting/properties/windowDays").GetProperty("maximum").GetInt32());
        Assert.Equal(StudyFile.MaxLinkLifetimeDays, At("#/properties/linkLifetimeDays").GetProperty("maximum").GetInt32());
        var reminders = At("#/properties/reminders/properties");
        Assert.Equal(ReminderPolicy.MaxDays, reminders.GetProperty("firstAfterDays").GetProperty("maximum").GetInt32());
        Assert.Equal(ReminderPolicy.MaxDays, reminders.GetProperty("everyDays").GetProperty("maximum").GetInt32());
        Assert.Equal(ReminderPolicy.MaxReminders, reminders.GetProperty("maxCount").GetProperty("maximum").GetInt32());
        Assert.Equal(RaterRoles.All.Order(StringComparer.Ordinal),
            At("#/$defs/rater/properties/role").GetProperty("enum").EnumerateArray().Select(e => e.GetString()!).Order(StringComparer.Ordinal));
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

    [Fact]
    public void The_example_uses_only_fields_the_schema_allows()
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "examples", "study.example.yaml"))));
        var root = (YamlMappingNode)stream.Documents[0].RootNode;
        var shapeOf = new Dictionary<string, ObjectShape>
        {
            ["instruments"] = StudyFile.Instruments, ["meetings"] = StudyFile.Meeting, ["arms"] = StudyFile.Arm, ["sites"] = StudyFile.Site,
            ["coordinators"] = StudyFile.Contact, ["raters"] = StudyFile.Rater, ["dyads"] = StudyFile.Dyad, ["reminders"] = StudyFile.Reminders,
            ["reports"] = StudyFile.Reports, ["recipients"] = StudyFile.Contact, ["alerts"] = StudyFile.Alerts,
        };
        var checkedObjects = 0;
        void Check(YamlMappingNode map, ObjectShape shape)
        {
            checkedObjects++;
            var schemaNames = Names(At(shape.SchemaPointer), "properties");
            foreach (var (key, value) in map.Children)
            {
                var name = ((YamlScalarNode)key).Value!;
                Assert.Contains(name, schemaNames);
                var inner = shape == StudyFile.Alerts ? StudyFile.AlertRule : shapeOf.GetValueOrDefault(name);
                if (inner is null)
                {
                    continue;
                }

                foreach (var child in value is YamlSequenceNode list ? list.Children : [value])
                {
                    if (child is YamlMappingNode m)
                    {
                        Check(m, inner);
                    }
                }
            }
        }

        Check(root, StudyFile.Study);
        Assert.True(checkedObjects > 20, $"only {checkedObjects} objects checked");
    }
}
