using System.Text.Json.Nodes;
using AlliancePipeline.Core.Instruments;
using AlliancePipeline.Core.Studies;
using static AlliancePipeline.Core.Tests.Studies.StudyFixture;

namespace AlliancePipeline.Core.Tests.Studies;

public class StudyInstrumentTests
{
    private const string ClientLine = "  client: wai-s-client";

    private static string WithClient(string replacement) => With(ClientLine, replacement);

    [Fact]
    public void A_study_file_instrument_is_read_through_the_delegate_and_loaded()
    {
        var own = OwnInstrument().ToJsonString();
        var requested = new List<string>();
        var result = StudyFile.Parse(WithClient("  client: { file: instruments/client.json }"), "study.yaml", path =>
        {
            requested.Add(path);
            return path == "instruments/client.json" ? own : null;
        });
        Assert.True(result.IsValid, string.Join(Environment.NewLine, result.Errors));
        Assert.Equal(["instruments/client.json"], requested);
        var client = result.Definition.Instruments["client"];
        Assert.Equal((InstrumentSourceKind.File, "instruments/client.json", "test-study-client", own),
            (client.Source, client.FilePath, client.InstrumentId, client.Json));

        var catalog = InstrumentCatalog.Shipped.WithStudyInstrument(client.Json!, "study.yaml: instruments.client");
        Assert.Equal("client", catalog.Get("test-study-client").RaterRole);
        Assert.True(catalog.TryGet("wai-s-practitioner", out _));
    }

    [Fact]
    public void A_missing_instrument_file_is_named_at_its_reference()
    {
        var error = SingleError(Parse(WithClient("  client:\n    file: instruments/nope.json")));
        Assert.Equal((6, 11, "instruments.client.file"), (error.Line, error.Column, error.Field));
        Assert.Equal("there is no instrument file 'instruments/nope.json' (the path is relative to the study file)", error.Message);
    }

    [Theory]
    [InlineData("/etc/instrument.json")]
    [InlineData("../shared/instrument.json")]
    [InlineData("instruments\\\\client.json")]
    [InlineData("c:/instrument.json")]
    public void Instrument_paths_stay_beside_the_study_file(string path)
    {
        var read = false;
        var result = StudyFile.Parse(WithClient($"  client: {{ file: \"{path}\" }}"), "study.yaml", _ =>
        {
            read = true;
            return null;
        });
        Assert.False(read);
        Assert.Contains("must be a path relative to the study file", SingleError(result).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Loader_errors_of_a_file_carry_the_reference_line_and_the_line_inside_the_file()
    {
        var json = OwnInstrument();
        json["items"]![4]!["text"]!.AsObject().Remove("fr");
        var text = json.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true });
        var itemLine = text.Split('\n').Select((l, i) => (l, i)).Where(p => p.l.Contains("\"id\": \"5\"", StringComparison.Ordinal)).Single().i + 1;
        var error = SingleError(Parse(WithClient("  client: { file: client.json }"), new Dictionary<string, string> { ["client.json"] = text }));
        Assert.Equal((5, "instruments.client.file"), (error.Line, error.Field));
        Assert.Equal($"instrument file 'client.json' line {itemLine + 1}, $.items[4].text.fr: text in declared language 'fr' is missing", error.Message);
    }

    [Fact]
    public void An_instrument_file_that_is_not_json_is_named_without_exception_text()
    {
        var error = SingleError(Parse(WithClient("  client: { file: client.json }"), new Dictionary<string, string> { ["client.json"] = "{\n  \"id\": \n}" }));
        Assert.Equal("instrument file 'client.json' is not valid JSON (line 3, position 1)", error.Message);
    }

    [Fact]
    public void An_inline_instrument_is_loaded_and_kept_as_json()
    {
        var inline = OwnInstrument(id: "inline-client").ToJsonString();
        var study = Valid(WithClient($"  client: {inline}"));
        var client = study.Instruments["client"];
        Assert.Equal((InstrumentSourceKind.Inline, "inline-client"), (client.Source, client.InstrumentId));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(inline), JsonNode.Parse(client.Json!)));
        Assert.Equal(12, InstrumentCatalog.Shipped.WithStudyInstrument(client.Json!, "study.yaml: instruments.client").Get("inline-client").Items.Length);
    }

    [Fact]
    public void Inline_instrument_errors_point_at_the_line_inside_the_study_file()
    {
        var json = OwnInstrument(id: "inline-client");
        json["items"]![2]!["subscale"] = "trust";
        json["extra"] = 1;
        var indented = json.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true })
            .Replace("\n", "\n  ", StringComparison.Ordinal);
        var yaml = WithClient($"  client: {indented}");
        var lines = yaml.Split('\n');
        var subscaleLine = Array.FindIndex(lines, l => l.Contains("\"trust\"", StringComparison.Ordinal)) + 1;
        var extraLine = Array.FindIndex(lines, l => l.Contains("\"extra\"", StringComparison.Ordinal)) + 1;
        var result = Parse(yaml);
        Assert.Equal(
        [
            (subscaleLine, "instruments.client.items[2].subscale", "item '3' names subscale 'trust', which is not declared in $.subscales"),
            (extraLine, "instruments.client.extra", "is not a known property"),
        ], result.Errors.Select(e => (e.Line, e.Field, e.Message)).OrderBy(e => e.Line));
    }

    [Fact]
    public void The_instrument_rater_role_must_match_the_role_it_serves()
    {
        var error = SingleError(Parse(WithClient("  client: wai-sr-practitioner")));
        Assert.Equal((5, "instruments.client", "instrument 'wai-sr-practitioner' is for raters in role 'practitioner', not 'client'"),
            (error.Line, error.Field, error.Message));
    }

    [Fact]
    public void An_own_instrument_may_not_reuse_a_shipped_id()
    {
        var json = OwnInstrument(id: "wai-s-client").ToJsonString();
        var error = SingleError(Parse(WithClient("  client: { file: client.json }"), new Dictionary<string, string> { ["client.json"] = json }));
        Assert.Equal(("instruments.client", "'wai-s-client' is the id of a shipped instrument: give the study's instrument its own id"), (error.Field, error.Message));
    }

    [Fact]
    public void A_list_is_not_an_instrument()
    {
        var error = SingleError(Parse(WithClient("  client: [wai-s-client]")));
        Assert.Equal("must be a shipped instrument id, file: path, or an instrument written out here, not a list", error.Message);
    }

    [Fact]
    public void The_runtime_study_record_knows_each_role_instrument()
    {
        var study = Valid().ToStudy();
        Assert.Equal(("test-study", "wai-s-practitioner"), (study.Id, study.InstrumentId));
        Assert.Equal(["site-a", "site-b"], study.SiteIds);
        Assert.Equal("wai-s-client", study.InstrumentIdFor("client"));
        Assert.Equal("wai-s-practitioner", study.InstrumentIdFor("practitioner"));
        Assert.Equal("wai-x", new Study("s", "S", "wai-x", []).InstrumentIdFor("client"));
    }
}
