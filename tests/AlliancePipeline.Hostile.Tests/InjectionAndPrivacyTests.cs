using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using AlliancePipeline.Contracts.Storage;
using AlliancePipeline.EndToEnd.Tests;
using AlliancePipeline.Functions.Tests.Infrastructure;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;
using Azure.Data.Tables;

namespace AlliancePipeline.Hostile.Tests;

/// <summary>
/// The hostile study's names (HTML and spreadsheet formulas) as the people who read them get them: text in the dashboard,
/// the report and the invitation mails, never markup; no live formula in the CSV exports. And the logs: every line of the
/// host and the worker, all categories, holds no rater's or coordinator's address and no answers.
/// </summary>
[Collection(HostileCollection.Name)]
public sealed class InjectionAndPrivacyTests(HostileFixture app)
{
    /// <summary>The markup the names carry: none of it may reach a page or a mail as markup.</summary>
    private static readonly string[] Markup = ["<script>alert(", "<img src=x", "<b>north</b>", "<svg onload", "<i>arm</i>", "<iframe"];

    /// <summary>A distinctive set of answers, to look for in the logs.</summary>
    private static readonly int[] Answers = [1, 2, 3, 4, 5, 6, 7, 7, 6, 5, 4, 3];

    [Fact]
    public async Task Names_with_HTML_and_formulas_are_text_in_the_dashboard_the_report_and_the_mails_and_the_CSV_holds_no_live_formula()
    {
        // Assessments no other test of the collection answers or expects pending.
        string[] answered = ["d-a5-m1-practitioner", "d-a3-m2-practitioner", "d-b1-m1-practitioner", "d-b1-m2-practitioner"];
        foreach (var assessment in answered) await AnswerAsync(assessment, [5, 5, 4, 5, 6, 5, 4, 5, 5, 6, 5, 4]);
        foreach (var assessment in answered) await StoredAsync(assessment);

        using (var dashboard = await app.Admin.GetAsync($"api/studies/{HostileFixture.StudyId}/dashboard"))
        {
            Assert.Equal(HttpStatusCode.OK, dashboard.StatusCode);
            AssertNamesAreText(await dashboard.Content.ReadAsStringAsync(), "the dashboard", HostileFixture.StudyName, HostileFixture.SiteAName, HostileFixture.SiteBName);
        }

        using (var run = await app.Admin.PostAsync($"api/manage/studies/{HostileFixture.StudyId}/recluster", null))
        {
            var body = await run.Content.ReadAsStringAsync();
            Assert.True(run.StatusCode == HttpStatusCode.OK, $"recluster: {(int)run.StatusCode} {body}");
            var report = JsonNode.Parse(body)!["report"]!.GetValue<string>();
            using var html = await app.Admin.GetAsync(report);
            Assert.Equal(HttpStatusCode.OK, html.StatusCode);
            AssertNamesAreText(await html.Content.ReadAsStringAsync(), "the report", HostileFixture.StudyName, HostileFixture.SiteAName, HostileFixture.SiteBName);
        }

        // The invitations of both sites' raters (queued by the hourly Reminders run) carry the study's name: as text in the
        // HTML part, and no markup of it.
        await app.RunFunctionAsync("Reminders");
        foreach (var rater in new[] { "p-a1", "p-b1" })
        {
            // The same raters also rate in the other study: its mails carry its own, harmless name.
            var all = await app.Mails.WaitForAsync(HostileFixture.Emails[rater], 2, TimeSpan.FromSeconds(60));
            var mails = all.Where(m => m.Subject.Contains(HostileFixture.StudyName, StringComparison.Ordinal)).ToArray();
            Assert.NotEmpty(mails);
            foreach (var mail in mails)
            {
                Assert.False(string.IsNullOrEmpty(mail.Html), $"a mail to {rater} without an HTML part");
                AssertNamesAreText(mail.Html, $"the mail '{mail.Subject}' to {rater}", HostileFixture.StudyName);
                // The subject and the text part are plain text: the name stands there as written, which a mail reader shows as text.
                Assert.Contains(HostileFixture.StudyName, mail.Text, StringComparison.Ordinal);
            }
        }

        // The exports: no cell a spreadsheet would run as a formula.
        foreach (var path in new[] { $"api/studies/{HostileFixture.StudyId}/export?format=csv" })
        {
            using var csv = await app.Admin.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, csv.StatusCode);
            var text = await csv.Content.ReadAsStringAsync();
            var rows = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.True(rows.Length > answered.Length, $"{path}: {rows.Length} rows");
            foreach (var cell in rows.SelectMany(Cells))
                Assert.False(IsLiveFormula(cell), $"{path}: the cell '{cell}' would run as a formula");
        }
    }

    [Fact]
    public async Task No_rater_or_coordinator_address_and_no_answers_reach_any_log_line_of_the_host_or_the_worker()
    {
        const string assessment = "d-b4-m1-practitioner";
        await AnswerAsync(assessment, Answers);
        await StoredAsync(assessment);
        await app.RunFunctionAsync("Reminders");
        await app.Mails.WaitForAsync(HostileFixture.Emails["p-a1"], 1, TimeSpan.FromSeconds(60));
        await app.Mails.WaitForAsync(HostileFixture.Emails["p-b1"], 1, TimeSpan.FromSeconds(60));

        // The worker's lines come over gRPC after its storage calls: wait for those of this very submission and of a mail.
        var arrived = await Task.WhenAll(
            app.Log.WaitForAsync(r => r.Says($"{HostileFixture.StudyId}/{assessment}"), HostileFixture.Patience),
            app.Log.WaitForAsync(r => r.Says("Sent mail"), HostileFixture.Patience));
        Assert.True(arrived.All(a => a), $"Timed out after {HostileFixture.Patience.TotalSeconds:0} s waiting for the worker's log lines of the submission and a mail.");

        var log = app.Log.GetSnapshot().Select(r => r.Text()).ToArray();
        Assert.True(log.Length > 50, $"only {log.Length} log lines: the check would prove little");
        var forbidden = HostileFixture.Emails.Values
            .Append("7c1f@example.org")                                   // every address's domain part, whatever came before it
            .Append(string.Join(",", Answers))                            // the answers as JSON or CSV
            .Append(string.Join(", ", Answers))
            .Append(string.Join("&", Answers.Select((a, i) => $"item-{i + 1}={a}"))) // as the form posts them
            .ToArray();
        foreach (var line in log)
        {
            foreach (var secret in forbidden)
                Assert.False(line.Contains(secret, StringComparison.OrdinalIgnoreCase), $"a log line carries '{secret}': {line}");
        }
    }

    private async Task AnswerAsync(string assessment, int[] items)
    {
        var link = await app.LinkAsync(assessment);
        using var post = await app.Http.PostAsync(link, new StringContent($"{{\"items\":[{string.Join(',', items)}]}}", Encoding.UTF8, "application/json"));
        Assert.True(post.StatusCode is HttpStatusCode.Accepted or HttpStatusCode.Conflict, $"{assessment}: {(int)post.StatusCode}");
    }

    private async Task StoredAsync(string assessment)
    {
        var responses = app.Tables.GetTableClient(StorageNames.ResponsesTable);
        await PipelineFixture.EventuallyAsync(async () => (await responses.GetEntityIfExistsAsync<TableEntity>(HostileFixture.StudyId, assessment)).HasValue, HostileFixture.Patience, $"{assessment} stored");
    }

    /// <summary>
    /// The page shows each name as text (the parsed document's text holds it whole), and neither the page's source nor its
    /// document holds the names' markup: no element or event handler of theirs.
    /// </summary>
    private static void AssertNamesAreText(string html, string what, params string[] shown)
    {
        foreach (var markup in Markup)
            Assert.False(html.Contains(markup, StringComparison.OrdinalIgnoreCase), $"{what} holds the markup '{markup}' unescaped");
        var document = new HtmlParser().ParseDocument(html);
        var text = document.Body?.TextContent ?? "";
        foreach (var name in shown)
            Assert.True(text.Contains(name, StringComparison.Ordinal), $"{what} does not show '{name}' as text");
        Assert.Empty(document.QuerySelectorAll("img[onerror], svg[onload], iframe"));
        Assert.DoesNotContain(document.QuerySelectorAll("script"), s => s.TextContent.Contains("alert(", StringComparison.Ordinal));
        Assert.DoesNotContain(document.All, e => e.Attributes.Any(a => a.Name.StartsWith("on", StringComparison.OrdinalIgnoreCase)
            && a.Value.Contains("alert", StringComparison.Ordinal)));
    }

    /// <summary>The cells of one CSV row (RFC 4180: quoted cells may hold commas and doubled quotes).</summary>
    private static IEnumerable<string> Cells(string row)
    {
        var cell = new StringBuilder();
        var quoted = false;
        var line = row.TrimEnd('\r');
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"') { cell.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else cell.Append(c);
            }
            else if (c == '"') quoted = true;
            else if (c == ',') { yield return cell.ToString(); cell.Clear(); }
            else cell.Append(c);
        }
        yield return cell.ToString();
    }

    /// <summary>What a spreadsheet runs: a cell that starts with = + @ (or - not followed by a plain number), tab or CR.</summary>
    private static bool IsLiveFormula(string cell) =>
        cell.Length > 0 && (cell[0] is '=' or '+' or '@' or '\t' or '\r'
            || (cell[0] == '-' && !double.TryParse(cell, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out _)));
}
