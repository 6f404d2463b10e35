using System.Text.Json;
using AlliancePipeline.Core.Instruments;

namespace AlliancePipeline.Core.Tests.Instruments;

public class ShippedInstrumentTests
{
    public static TheoryData<string> ShippedIds => ["wai-s-client", "wai-s-practitioner", "wai-sr-client", "wai-sr-practitioner"];

    [Fact]
    public void The_four_WAI_short_forms_are_shipped()
    {
        Assert.Equal(["wai-s-client", "wai-s-practitioner", "wai-sr-client", "wai-sr-practitioner"], InstrumentCatalog.Shipped.All.Select(d => d.Id));
        Assert.Equal(4, InstrumentCatalog.ShippedDefinitionTexts().Count);
    }

    [Theory]
    [MemberData(nameof(ShippedIds))]
    public void Twelve_items_three_subscales_of_four_mean_scores_Item01_to_Item12(string id)
    {
        var d = InstrumentCatalog.Shipped.Get(id);
        Assert.Equal(12, d.Items.Length);
        Assert.Equal(Enumerable.Range(1, 12).Select(i => $"Item{i:D2}"), d.Items.Select(i => i.Column));
        Assert.Equal(["goal", "task", "bond"], d.Subscales.Select(s => s.Id));
        Assert.Equal(["Goal", "Task", "Bond"], d.Subscales.Select(s => s.Column));
        Assert.Equal(["4", "6", "8", "11"], d.Subscales[0].ItemIds.ToArray());
        Assert.Equal(["1", "2", "10", "12"], d.Subscales[1].ItemIds.ToArray());
        Assert.Equal(["3", "5", "7", "9"], d.Subscales[2].ItemIds.ToArray());
        Assert.Equal("Global", d.Global.Column);
        Assert.All(d.Subscales, s => Assert.Equal(new ScoreRule(ScoreMethod.Mean, 3, true), s.Rule));
        Assert.Equal(new ScoreRule(ScoreMethod.Mean, 10, true), d.Global.Rule);
        Assert.Equal(["en", "fr"], d.Languages.ToArray());
        Assert.Equal("en", d.DefaultLanguage);
    }

    [Theory]
    [InlineData("wai-s-client", 7, "client", new[] { "4", "10" })]
    [InlineData("wai-s-practitioner", 7, "practitioner", new[] { "4", "10" })]
    [InlineData("wai-sr-client", 5, "client", new string[0])]
    [InlineData("wai-sr-practitioner", 5, "practitioner", new string[0])]
    public void Scale_rater_and_reverse_scored_items(string id, int max, string role, string[] reversed)
    {
        var d = InstrumentCatalog.Shipped.Get(id);
        Assert.Equal(1, d.Scale.Min);
        Assert.Equal(max, d.Scale.Max);
        Assert.Equal(Enumerable.Range(1, max), d.Scale.Anchors.Select(a => a.Value));
        Assert.Equal(role, d.RaterRole);
        Assert.Equal(reversed, d.Items.Where(i => i.Reverse).Select(i => i.Id));
    }

    [Fact]
    public void Anchor_labels_are_the_published_ones()
    {
        var s = InstrumentCatalog.Shipped.Get("wai-s-client").Scale.Anchors;
        Assert.Equal(["Never", "Rarely", "Occasionally", "Sometimes", "Often", "Very often", "Always"], s.Select(a => a.Label.Get("en")));
        Assert.Equal(["Jamais", "Rarement", "Occasionnellement", "Parfois", "Souvent", "Très souvent", "Toujours"], s.Select(a => a.Label.Get("fr")));
        var sr = InstrumentCatalog.Shipped.Get("wai-sr-client").Scale.Anchors;
        Assert.Equal(["Seldom", "Sometimes", "Fairly often", "Very often", "Always"], sr.Select(a => a.Label.Get("en")));
        Assert.Equal(["Rarement", "Parfois", "Assez souvent", "Très souvent", "Toujours"], sr.Select(a => a.Label.Get("fr")));
    }

    [Theory]
    [MemberData(nameof(ShippedIds))]
    public void Every_text_is_translated_and_the_note_states_permission_and_source(string id)
    {
        var d = InstrumentCatalog.Shipped.Get(id);
        var texts = d.Items.Select(i => i.Text).Append(d.Title).Append(d.Instructions).Append(d.Copyright)
            .Concat(d.Subscales.Select(s => s.Label)).Append(d.Global.Label);
        Assert.All(texts, t => Assert.NotEqual(t.Get("en"), t.Get("fr")));
        Assert.Equal(12, d.Items.Select(i => i.Text.Get("fr")).Distinct().Count());
        Assert.Contains("copyrighted", d.Copyright.Get("en"), StringComparison.Ordinal);
        Assert.Contains("permission", d.Copyright.Get("en"), StringComparison.Ordinal);
        Assert.Contains("droit d'auteur", d.Copyright.Get("fr"), StringComparison.Ordinal);
        Assert.Contains(id.StartsWith("wai-sr", StringComparison.Ordinal) ? "Hatcher" : "Tracey", d.Source, StringComparison.Ordinal);
        Assert.Contains("reverse", d.Source, StringComparison.Ordinal);
    }

    [Fact]
    public void Negatively_worded_items_are_the_reversed_ones()
    {
        Assert.Equal("My practitioner does not understand what I am trying to accomplish.", InstrumentCatalog.Shipped.Get("wai-s-client").Items[3].Text.Get("en"));
        Assert.Contains("different ideas", InstrumentCatalog.Shipped.Get("wai-s-client").Items[9].Text.Get("en"), StringComparison.Ordinal);
        Assert.Contains("doutes", InstrumentCatalog.Shipped.Get("wai-s-practitioner").Items[3].Text.Get("fr"), StringComparison.Ordinal);
    }
}

/// <summary>The schema file documents the format; these tests keep it equal to what the loader enforces.</summary>
public class InstrumentSchemaTests
{
    private static readonly JsonElement Schema = JsonDocument.Parse(InstrumentCatalog.SchemaText()).RootElement;

    private static string[] Properties(JsonElement obj) => obj.GetProperty("properties").EnumerateObject().Select(p => p.Name).Order().ToArray();

    [Fact]
    public void Schema_is_draft_2020_12_and_closed()
    {
        Assert.Equal("https://json-schema.org/draft/2020-12/schema", Schema.GetProperty("$schema").GetString());
        Assert.False(Schema.GetProperty("additionalProperties").GetBoolean());
    }

    [Fact]
    public void Every_shipped_file_uses_only_schema_properties_and_loads()
    {
        foreach (var (name, json) in InstrumentCatalog.ShippedDefinitionTexts())
        {
            var root = JsonDocument.Parse(json).RootElement;
            Assert.All(root.EnumerateObject(), p => Assert.Contains(p.Name, Properties(Schema)));
            Assert.Equal(name, InstrumentLoader.Parse(json, name).Id + ".json");
        }
    }
}
