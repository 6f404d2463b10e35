using AlliancePipeline.Cli.Commands;
using AlliancePipeline.Core.Access;
using AlliancePipeline.Functions.Tests.Infrastructure;
using AlliancePipeline.Functions.Tests.Studies;

namespace AlliancePipeline.Cli.Tests;

/// <summary><c>alliance dyads show</c> against the app's HTTP functions on Azurite: the schedule as a table, or as the app's JSON.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class DyadsShowCommandTests(AzuriteFixture azurite)
{
    private static async Task<(int Exit, string Output, string Error)> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = await AllianceCli.RunAsync(args, output, error);
        return (exit, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task Dyads_show_prints_the_schedule_as_a_table_or_as_JSON_and_another_sites_dyad_as_not_found()
    {
        await using var app = await TestApp.StartAsync(azurite);
        var study = AzuriteFixture.UniqueName("cli-show");
        await app.ApplyStudyAsync(study, StudyFiles.Example(study));
        var key = await app.KeyAsync(AccessScope.ForSite(study, "site-north"));
        string[] Args(string dyad, params string[] more) => ["dyads", "show", "--study", study, "--dyad", dyad, "--url", app.Client.BaseAddress!.ToString(), "--key", key, .. more];

        var (exit, output, error) = await RunAsync(Args("d-001"));
        Assert.True(exit == 0, error);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.StartsWith($"Dyad d-001 of study {study}, site site-north, arm ips, enrolled 2026-01-12.", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("meeting  date", lines[1], StringComparison.Ordinal);
        Assert.Equal(8, lines.Length); // the line about the dyad, the header, 3 meetings × 2 forms
        Assert.Matches(@"^1\s+2026-01-12 planned\s+practitioner\s+p-001\s+(pending|overdue)\s+-\s+2026-01-19\s+0\s+v1\s", lines[2]);

        (exit, output, error) = await RunAsync(Args("d-001", "--json"));
        Assert.True(exit == 0, error);
        Assert.Contains("\"dyadId\":\"d-001\"", output, StringComparison.Ordinal);

        (exit, _, error) = await RunAsync(Args("d-003"));
        Assert.Equal(1, exit);
        Assert.Contains("has no dyad 'd-003'", error, StringComparison.Ordinal);
    }
}
