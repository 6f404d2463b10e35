using AlliancePipeline.Core.Instruments;

namespace AlliancePipeline.Core.Tests.Instruments;

public class InstrumentFormTests
{
    private static readonly InstrumentDefinition WaiS = InstrumentCatalog.Shipped.Get("wai-s-client");

    [Theory]
    [InlineData("fr", "fr")]
    [InlineData("FR", "fr")]
    [InlineData("fr-CA", "fr")]
    [InlineData("fr_BE", "fr")]
    [InlineData("en-GB", "en")]
    [InlineData("de", "en")]
    [InlineData("", "en")]
    [InlineData(null, "en")]
    public void Language_falls_back_to_primary_subtag_then_default(string? requested, string expected) =>
        Assert.Equal(expected, WaiS.ResolveLanguage(requested));

    [Fact]
    public void French_form_has_items_in_order_with_field_names_and_every_scale_point()
    {
        var form = InstrumentForm.Create(WaiS, "fr-CA");

        Assert.Equal("fr", form.Language);
        Assert.Equal(Enumerable.Range(1, 12), form.Items.Select(i => i.Number));
        Assert.Equal("item-4", form.Items[3].FieldName);
        Assert.Equal("Mon intervenant ne comprend pas ce que j'essaie d'accomplir.", form.Items[3].Text);
        Assert.Equal([1, 2, 3, 4, 5, 6, 7], form.Scale.Select(a => a.Value));
        Assert.Equal("Jamais", form.Scale[0].Label);
        Assert.Equal("Toujours", form.Scale[6].Label);
        Assert.Contains("droit d'auteur", form.Copyright, StringComparison.Ordinal);
        Assert.StartsWith("Inventaire de l'alliance de travail", form.Title, StringComparison.Ordinal);
    }

    [Fact]
    public void Unlabelled_middle_points_are_still_offered()
    {
        var json = System.Text.Json.Nodes.JsonNode.Parse(InstrumentCatalog.ShippedDefinitionTexts()["wai-sr-client.json"])!.AsObject();
        json["id"] = "ends-only";
        var anchors = json["scale"]!["anchors"]!.AsArray();
        anchors.RemoveAt(3);
        anchors.RemoveAt(2);
        anchors.RemoveAt(1);
        var form = InstrumentForm.Create(InstrumentLoader.Parse(json.ToJsonString(), "ends-only"), "en");
        Assert.Equal([1, 2, 3, 4, 5], form.Scale.Select(a => a.Value));
        Assert.Equal(["Seldom", null, null, null, "Always"], form.Scale.Select(a => a.Label));
    }
}
