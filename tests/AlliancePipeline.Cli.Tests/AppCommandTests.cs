using System.Globalization;
using System.Text.Json.Nodes;
using AlliancePipeline.Cli.Commands;
using AlliancePipeline.Core.Access;
using AlliancePipeline.Functions.Scoring;
using AlliancePipeline.Functions.Tests.Infrastructure;
using AlliancePipeline.Functions.Tests.Studies;

namespace AlliancePipeline.Cli.Tests;

/// <summary>
/// The commands that talk to the app, against its HTTP functions on Azurite: refusals in the command line's terms, each
/// error once; <c>keys list</c> as a table and as JSON; <c>outcomes record --employed oui</c>; <c>recluster</c>'s
/// figures; and rehearsing a study (<c>clock set|advance</c>, <c>run reminders|recluster</c>), refused in plain words
/// where the clock cannot be moved.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class AppCommandTests(AzuriteFixture azurite)
{
    /// <summary>Runs <c>alliance</c> with <paramref name="args"/>: its exit code, output and error output.</summary>
    internal static async Task<(int Exit, string Output, string Error)> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = await AllianceCli.RunAsync(args, output, error);
        return (exit, output.ToString(), error.ToString());
    }

    private static Task<TestApp> StartAsync(AzuriteFixture azurite, bool adjustableClock = false) =>
        TestApp.StartAsync(azurite, values => values["AlliancePipeline:Clock:Adjustable"] = adjustableClock ? "true" : "false");

    private static async Task<(string Study, string[] App)> ApplyAsync(TestApp app, string prefix)
    {
        var study = AzuriteFixture.UniqueName(prefix);
        await app.ApplyStudyAsync(study, StudyFiles.Example(study));
        return (study, ["--url", app.Client.BaseAddress!.ToString(), "--key", await app.KeyAsync(AccessScope.Admin)]);
    }

    [Fact]
    public async Task Refusals_name_the_options_not_the_API_s_fields_and_say_each_error_once()
    {
        await using var app = await StartAsync(azurite);
        var (study, admin) = await ApplyAsync(app, "cli-terms");

        var (exit, output, error) = await RunAsync(["keys", "issue", "--role", "site", "--study", study, "--site", "site-nowhere", "--label", "a coordinator", .. admin]);
        Assert.Equal(1, exit);
        Assert.Equal("", output);
        Assert.Equal($"alliance keys issue: Invalid key request: --site 'site-nowhere' is not a site of study '{study}'.", error.Trim());

        (exit, _, error) = await RunAsync(["keys", "issue", "--role", "researcher", "--label", "a researcher", .. admin]);
        Assert.Equal(1, exit);
        Assert.Equal("alliance keys issue: Invalid key request: a researcher key needs a --study.", error.Trim());

        var csv = Path.Combine(Directory.CreateTempSubdirectory("cli-terms").FullName, "outcomes.csv");
        await File.WriteAllTextAsync(csv, "dyad;employed;date\nd-001;peut-être;\nd-002;oui;\nd-003;non;\n");
        (exit, _, error) = await RunAsync(["outcomes", "import", "--study", study, csv, .. admin]);
        Assert.Equal(1, exit);
        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal("alliance outcomes import: Outcomes refused: 2 line(s) refused; nothing was recorded.", lines[0]);
        Assert.Equal(
            ["line 2: employed must be yes or no (or oui/non, true/false, 1/0), not 'peut-être'", "line 3: the date the job started is missing: it is required when employed is yes"],
            lines[1..]);
        Assert.DoesNotContain("The first", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Responses_import_names_every_bad_line_then_imports_and_says_when_nothing_changed()
    {
        await using var app = await StartAsync(azurite);
        var (study, admin) = await ApplyAsync(app, "cli-import");
        var folder = Directory.CreateTempSubdirectory("cli-import").FullName;
        var header = "dyad;meeting;role;date;" + string.Join(";", Enumerable.Range(1, 12).Select(i => $"item{i}")) + "\n";
        var bad = Path.Combine(folder, "bad.csv");
        await File.WriteAllTextAsync(bad, header + "d-001;1;practitioner;2026-01-13;5;5;5;5;5;5;5;5;5;5;5;5\nd-001;1;therapist;2026-01-13;5;5;5;5;5;5;5;5;5;5;5;\n");
        var (exit, output, error) = await RunAsync(["responses", "import", "--study", study, bad, .. admin]);
        Assert.Equal((1, ""), (exit, output));
        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal("alliance responses import: Responses refused: 1 line(s) refused; nothing was recorded.", lines[0]);
        Assert.Equal(["line 3: role must be client or practitioner (the study's rater roles), not 'therapist'"], lines[1..]);

        var good = Path.Combine(folder, "good.csv");
        await File.WriteAllTextAsync(good, header + "d-001;1;practitioner;2026-01-13;5;5;5;5;5;5;5;5;5;5;5;5\nd-001;1;client;2026-01-14;6;6;6;6;6;6;6;6;6;6;6;6\n");
        (exit, output, error) = await RunAsync(["responses", "import", "--study", study, good, .. admin]);
        Assert.True(exit == 0, error);
        // Meeting 1 of d-001 had no recorded date: the day of its first rating (13 January) is recorded.
        Assert.Equal("2 response(s) stored and scored as imported. 1 meeting date(s) recorded from the days of their ratings.", output.Trim());
        (exit, output, _) = await RunAsync(["responses", "import", "--study", study, good, .. admin]);
        Assert.Equal((0, "Nothing changed: all 2 response(s) of the file were already stored as given."), (exit, output.Trim()));
    }

    [Fact]
    public async Task Keys_list_is_a_table_for_people_and_json_for_scripts()
    {
        await using var app = await StartAsync(azurite);
        var (study, admin) = await ApplyAsync(app, "cli-keys");
        var (exit, issued, error) = await RunAsync(["keys", "issue", "--role", "study", "--study", study, "--label", "the study's coordinator", "--days", "7", .. admin]);
        Assert.True(exit == 0, error);
        var keyId = issued.Trim().Substring("ak_".Length, 16);

        (exit, var table, error) = await RunAsync(["keys", "list", "--study", study, .. admin]);
        Assert.True(exit == 0, error);
        var lines = table.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["KEY", "ID", "ROLE", "STUDY", "SITE", "STATE", "EXPIRES", "LABEL"], lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        var row = Assert.Single(lines[1..]);
        Assert.Equal([keyId, "study", study, "-", "active", DateTimeOffset.UtcNow.AddDays(7).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), "the", "study's", "coordinator"],
            row.Split(' ', StringSplitOptions.RemoveEmptyEntries));

        (exit, var json, error) = await RunAsync(["keys", "list", "--study", study, "--json", .. admin]);
        Assert.True(exit == 0, error);
        var key = Assert.Single(JsonNode.Parse(json)!["keys"]!.AsArray())!;
        Assert.Equal((keyId, "study", "active"), (key["keyId"]!.GetValue<string>(), key["role"]!.GetValue<string>(), key["state"]!.GetValue<string>()));
    }

    [Fact]
    public async Task An_outcome_is_recorded_with_oui_as_with_yes()
    {
        await using var app = await StartAsync(azurite);
        var (study, admin) = await ApplyAsync(app, "cli-oui");
        var (exit, output, error) = await RunAsync(["outcomes", "record", "--study", study, "--dyad", "d-001", "--employed", "oui", "--date", "2026-05-04", .. admin]);
        Assert.True(exit == 0, error);
        Assert.Equal("Recorded the outcome of dyad d-001.", output.Trim());
        var json = JsonNode.Parse(await app.AdminClient.GetStringAsync($"/api/studies/{study}/export?format=json"))!;
        var outcome = Assert.Single(json["outcomes"]!.AsArray())!;
        Assert.True(outcome["employed"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Recluster_prints_k_and_the_cluster_sizes()
    {
        await using var app = await StartAsync(azurite);
        var study = AzuriteFixture.UniqueName("cli-recluster");
        var links = await app.SeedAsync(study, 8, 3);
        // Dyads 1-4 answer high and steady, 5-8 low and steady.
        foreach (var link in links)
        {
            var high = int.Parse(link.Assessment.DyadId[^1..], CultureInfo.InvariantCulture) <= 4;
            var items = Enumerable.Range(0, 12).Select(i => high ? 6 + (i + link.Assessment.Meeting) % 2 : 3 + (i + link.Assessment.Meeting) % 2).ToArray();
            var text = new SubmissionMessage { StudyId = study, AssessmentId = link.Assessment.Id, LinkVersion = 1, Items = items, SubmittedAt = DateTimeOffset.UtcNow }.ToJson();
            await app.Function<ScoreResponse>().Run(text, Guid.NewGuid().ToString(), 1, default);
        }

        var (exit, output, error) = await RunAsync("recluster", "--study", study, "--url", app.Client.BaseAddress!.ToString(), "--key", await app.KeyAsync(AccessScope.Admin));
        Assert.True(exit == 0, error);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("Run ", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("k = 2: ", lines[1], StringComparison.Ordinal);
        Assert.Matches(@"^Clusters \(dyads\): [A-Z]{3} 4, [A-Z]{3} 4\.$", lines[2]);
        Assert.StartsWith("Clusters × employment: no test", lines[3], StringComparison.Ordinal);
        Assert.StartsWith("Report: ", lines[4], StringComparison.Ordinal);
    }

    [Fact]
    public void The_outcome_test_s_p_is_printed_exact_or_Monte_Carlo()
    {
        var clusters = JsonNode.Parse("""
            {"status":"clustered","k":3,"kReason":"k = 3: the largest jump.","clusters":[{"label":"SHA","n":12},{"label":"SLA","n":8},{"label":"LIA","n":5}],
             "outcome":{"fisherP":0.012345678,"fisherExact":true,"fisherReplicates":null}}
            """)!.AsObject();
        Assert.Equal("k = 3: k = 3: the largest jump.\nClusters (dyads): SHA 12, SLA 8, LIA 5.\nClusters × employment: Fisher's exact test p = 0.01235 (exact).\n", ReportCommands.Summary(clusters));
        clusters["outcome"]!["fisherExact"] = false;
        clusters["outcome"]!["fisherReplicates"] = 2000;
        Assert.EndsWith("p = 0.01235 (Monte Carlo, 2000 tables).\n", ReportCommands.Summary(clusters), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_study_is_rehearsed_by_setting_and_advancing_the_clock_and_running_its_timers()
    {
        await using var app = await StartAsync(azurite, adjustableClock: true);
        var (study, admin) = await ApplyAsync(app, "cli-rehearse");

        var (exit, output, error) = await RunAsync(["clock", "set", "--at", "2026-01-12T09:00:00Z", .. admin]);
        Assert.True(exit == 0, error);
        Assert.StartsWith("The app's clock reads 2026-01-12 09:0", output, StringComparison.Ordinal);
        Assert.Matches(@"\(\d+(\.\d+)? day\(s\) (ahead of|behind) the system clock\)\.$", output.Trim());

        (exit, output, error) = await RunAsync(["clock", "advance", "--days", "3", .. admin]);
        Assert.True(exit == 0, error);
        Assert.StartsWith("The app's clock reads 2026-01-15 09:0", output, StringComparison.Ordinal);

        (exit, output, error) = await RunAsync(["run", "reminders", "--study", study, .. admin]);
        Assert.True(exit == 0, error);
        Assert.Matches($@"^reminders for {study} at 2026-01-15 09:0\dZ: [1-9]\d* invitation\(s\), \d+ reminder\(s\), \d+ digest\(s\) queued", output);
        // Run again at the same clock: nothing is queued twice.
        (_, output, _) = await RunAsync(["run", "reminders", "--study", study, .. admin]);
        Assert.Contains(": 0 invitation(s), 0 reminder(s)", output, StringComparison.Ordinal);

        (exit, output, error) = await RunAsync(["run", "recluster", "--study", study, .. admin]);
        Assert.True(exit == 0, error);
        Assert.Contains("nothing new since the last report: no run", output, StringComparison.Ordinal);

        (exit, _, error) = await RunAsync(["run", "reminders", "--study", "no-such-study", .. admin]);
        Assert.Equal(1, exit);
        Assert.Equal("alliance run reminders: No such study: No study file was applied for study 'no-such-study'.", error.Trim());
    }

    [Theory]
    [InlineData("clock", "set", "--at", "2026-03-01T09:00:00Z")]
    [InlineData("clock", "advance", "--days", "7")]
    [InlineData("run", "reminders", "--study", "any-study")]
    [InlineData("run", "recluster", "--study", "any-study")]
    public async Task Where_the_clock_cannot_be_moved_rehearsing_is_refused_in_plain_words(params string[] args)
    {
        await using var app = await StartAsync(azurite);
        var (exit, output, error) = await RunAsync([.. args, "--url", app.Client.BaseAddress!.ToString(), "--key", await app.KeyAsync(AccessScope.Admin)]);
        Assert.Equal(1, exit);
        Assert.Equal("", output);
        Assert.Equal($"alliance {args[0]} {args[1]}: {RehearsalCommands.NotAdjustable}", error.Trim());
    }

    [Fact]
    public async Task Values_that_are_not_dates_or_answers_are_refused_here_all_at_once_before_anything_is_sent()
    {
        // Nothing listens on port 9: each refusal below comes before any request.
        var (exit, output, error) = await RunAsync("outcomes", "record", "--study", "s", "--dyad", "d-001", "--employed", "maybe", "--date", "01/05/2026", "--url", "http://127.0.0.1:9/");
        Assert.Equal(1, exit);
        Assert.Equal("", output);
        Assert.Equal(
        [
            "alliance outcomes record: --employed 'maybe': give yes or no (or oui/non, true/false, 1/0).",
            "alliance outcomes record: --date '01/05/2026' is not a date: write it as yyyy-MM-dd, e.g. 2026-03-31.",
            "(alliance outcomes record --help lists its options.)",
        ], error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

        (exit, _, error) = await RunAsync("meetings", "record", "--study", "s", "--dyad", "d-001", "--meeting", "two", "--date", "2026-13-01");
        Assert.Equal(1, exit);
        Assert.Contains("alliance meetings record: --meeting two: give a meeting number: 1, 2, 3…", error, StringComparison.Ordinal);
        Assert.Contains("alliance meetings record: --date '2026-13-01' is not a date", error, StringComparison.Ordinal);

        (exit, _, error) = await RunAsync("keys", "bootstrap", "--days", "abc", "--storage", "UseDevelopmentStorage=true");
        Assert.Equal(1, exit);
        Assert.Equal("alliance keys bootstrap: --days abc: give a whole number of days from 1 to 3650 (default 30).", error.Split('\n')[0].Trim());
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);

        (exit, _, error) = await RunAsync("clock", "set", "--at", "next tuesday");
        Assert.Equal(1, exit);
        Assert.Contains("alliance clock set: --at next tuesday: give an instant between the years 2000 and 2199, written like 2026-03-01T09:00:00Z.", error, StringComparison.Ordinal);
    }
}
