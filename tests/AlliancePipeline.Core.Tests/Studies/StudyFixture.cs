using System.Text.Json.Nodes;
using AlliancePipeline.Core.Instruments;
using AlliancePipeline.Core.Studies;

namespace AlliancePipeline.Core.Tests.Studies;

/// <summary>A small two-site study file whose line numbers the tests rely on (see the numbers in the comments).</summary>
internal static class StudyFixture
{
    public const string Yaml = """
        id: test-study
        name: Test study
        instruments:
          practitioner: wai-s-practitioner
          client: wai-s-client
        meetings:
          - { number: 1, expectedDay: 0, windowDays: 7 }
          - { number: 2, expectedDay: 14, windowDays: 7 }
          - { number: 3, expectedDay: 28, windowDays: 7 }
        arms:
          - { id: ips, name: IPS }
          - { id: tvs, name: TVS }
        sites:
          - id: site-a
            name: Site A
            coordinators:
              - { email: coord.a@example.org, language: en }
          - id: site-b
            name: Site B
            coordinators:
              - { email: coord.b@example.org, language: fr }
        raters:
          - { id: p-001, role: practitioner, site: site-a, email: p-001@example.org, language: en }
          - { id: p-002, role: practitioner, site: site-b, email: p-002@example.org, language: fr-CA }
          - { id: c-001, role: client, site: site-a, email: c-001@example.org, language: en }
        dyads:
          - { id: d-001, practitioner: p-001, client: c-001, site: site-a, arm: ips, enrolled: 2026-03-02 }
          - { id: d-002, practitioner: p-002, site: site-b, arm: tvs, enrolled: 2026-03-04 }
        reminders: { firstAfterDays: 3, everyDays: 7, maxCount: 3 }
        reports:
          schedule: "0 0 6 * * 1"
          recipients:
            - { email: research@example.org, language: en }
        alerts:
          practitioner: { drop: 1.0, cutoff: 4.0, notifyRater: true }

        """;

    // Line numbers in Yaml.
    public const int RatersLine = 22;
    public const int FirstDyadLine = 27;
    public const int SecondDyadLine = 28;

    public static StudyFileResult Parse(string yaml, IReadOnlyDictionary<string, string>? files = null) =>
        StudyFile.Parse(yaml, "study.yaml", path => files is not null && files.TryGetValue(path, out var text) ? text : null);

    public static StudyDefinition Valid(string yaml = Yaml, IReadOnlyDictionary<string, string>? files = null)
    {
        var result = Parse(yaml, files);
        Assert.True(result.IsValid, string.Join(Environment.NewLine, result.Errors));
        return result.Definition;
    }

    /// <summary>Replaces one exact piece of the fixture (failing if it is not there exactly once).</summary>
    public static string With(string find, string replace, string yaml = Yaml)
    {
        Assert.Equal(1, CountOf(yaml, find));
        return yaml.Replace(find, replace, StringComparison.Ordinal);
    }

    public static StudyFileError SingleError(StudyFileResult result)
    {
        Assert.False(result.IsValid);
        Assert.Null(result.Definition);
        return Assert.Single(result.Errors);
    }

    /// <summary>A shipped instrument's JSON with another id (a study's own instrument).</summary>
    public static JsonObject OwnInstrument(string shipped = "wai-s-client", string id = "test-study-client")
    {
        var json = JsonNode.Parse(InstrumentCatalog.ShippedDefinitionTexts()[shipped + ".json"])!.AsObject();
        json["id"] = id;
        return json;
    }

    private static int CountOf(string text, string find)
    {
        var count = 0;
        for (var i = text.IndexOf(find, StringComparison.Ordinal); i >= 0; i = text.IndexOf(find, i + find.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
