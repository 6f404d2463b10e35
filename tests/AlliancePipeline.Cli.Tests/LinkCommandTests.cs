using System.Net;
using AlliancePipeline.Cli.Commands;
using AlliancePipeline.Core.Access;
using AlliancePipeline.Functions.Questionnaires;
using AlliancePipeline.Functions.Tests.Infrastructure;
using AlliancePipeline.Functions.Tests.Studies;
using Microsoft.Extensions.DependencyInjection;

namespace AlliancePipeline.Cli.Tests;

/// <summary>
/// <c>alliance links reissue</c> and <c>alliance links hand-over</c> against the app's HTTP functions on Azurite (security
/// finding 3): a reissue prints what was done and when the link is mailed, never a link; a hand-over prints the link,
/// once, where the study allows it, and otherwise the app's reason.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class LinkCommandTests(AzuriteFixture azurite)
{
    private static async Task<(int Exit, string Output, string Error)> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = await AllianceCli.RunAsync(args, output, error);
        return (exit, output.ToString(), error.ToString());
    }

    private static async Task<string> ApplyAsync(TestApp app, string prefix, bool handOver)
    {
        var study = AzuriteFixture.UniqueName(prefix);
        await app.ApplyStudyAsync(study, StudyFiles.Example(study, handOver));
        return study;
    }

    [Fact]
    public async Task Links_reissue_prints_the_new_version_and_when_it_is_mailed_and_no_link()
    {
        await using var app = await TestApp.StartAsync(azurite);
        var study = await ApplyAsync(app, "cli-reissue", handOver: true);
        var key = await app.KeyAsync(AccessScope.ForSite(study, "site-north"));

        var (exit, output, error) = await RunAsync("links", "reissue", "--study", study, "--assessment", "d-001-m2-client", "--url", app.Client.BaseAddress!.ToString(), "--key", key);
        Assert.True(exit == 0, error);
        Assert.Empty(LinkScan.Links(output + error, app.Services.GetRequiredService<ILinkTokens>(), DateTimeOffset.UtcNow));
        Assert.Contains("Reissued d-001-m2-client: link version 2", output, StringComparison.Ordinal);
        Assert.Contains("goes to the rater by e-mail with the Reminders run of", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Links_hand_over_prints_a_working_link_once_where_the_study_allows_it_and_the_reason_where_it_does_not()
    {
        await using var app = await TestApp.StartAsync(azurite);
        var open = await ApplyAsync(app, "cli-handover", handOver: true);
        var closed = await ApplyAsync(app, "cli-closed", handOver: false);
        var tokens = app.Services.GetRequiredService<ILinkTokens>();
        string[] Args(string study, string key) =>
            ["links", "hand-over", "--study", study, "--dyad", "d-001", "--meeting", "1", "--role", "client", "--reason", "reached by phone", "--url", app.Client.BaseAddress!.ToString(), "--key", key];

        var (exit, output, error) = await RunAsync(Args(open, await app.KeyAsync(AccessScope.ForSite(open, "site-north"))));
        Assert.True(exit == 0, error);
        Assert.Contains("Hand-over link for d-001-m1-client (version 2", output, StringComparison.Ordinal);
        var link = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[^1];
        Assert.Single(LinkScan.Links(output, tokens, DateTimeOffset.UtcNow), w => link.EndsWith(w, StringComparison.Ordinal));
        using (var form = await app.Client.GetAsync(new Uri(link).PathAndQuery)) Assert.Equal(HttpStatusCode.OK, form.StatusCode);

        (exit, output, error) = await RunAsync(Args(closed, await app.KeyAsync(AccessScope.ForStudy(closed))));
        Assert.Equal(1, exit);
        Assert.Equal("", output);
        Assert.Contains("alliance links hand-over:", error, StringComparison.Ordinal);
        Assert.Contains("does not allow hand-over links", error, StringComparison.Ordinal);
        Assert.Empty(LinkScan.Links(error, tokens, DateTimeOffset.UtcNow));
    }
}
