using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using AlliancePipeline.Contracts.Storage;
using AlliancePipeline.Functions.Exports;
using AlliancePipeline.Functions.Reports;
using AlliancePipeline.Functions.Scoring;
using AlliancePipeline.Functions.Tests.Infrastructure;
using AlliancePipeline.Functions.Tests.Studies;
using AngleSharp.Html.Parser;
using Azure.Data.Tables;
using Azure.Storage.Blobs.Models;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;

namespace AlliancePipeline.Functions.Tests;

/// <summary>The <c>Recluster</c> timer function and <see cref="ReportWriter"/> on Azurite: runs, skipping, latest/, ClusterRuns.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class ReclusterTests(AzuriteFixture azurite)
{
    private async Task<List<string>> BlobNamesAsync(string study)
    {
        var names = new List<string>();
        await foreach (var blob in azurite.Blobs.GetBlobContainerClient(StorageNames.ReportsContainer).GetBlobsAsync(new GetBlobsOptions { Prefix = study + "/" })) names.Add(blob.Name);
        return names;
    }

    private async Task<string> BlobAsync(string name) =>
        (await azurite.Blobs.GetBlobContainerClient(StorageNames.ReportsContainer).GetBlobClient(name).DownloadContentAsync()).Value.Content.ToString();

    private async Task<List<TableEntity>> RunsAsync(string study)
    {
        var runs = new List<TableEntity>();
        await foreach (var run in azurite.Tables.GetTableClient(StorageNames.ClusterRunsTable).QueryAsync<TableEntity>(e => e.PartitionKey == study)) runs.Add(run);
        return runs.OrderBy(r => r.GetDateTimeOffset("GeneratedAt")).ThenBy(r => r.RowKey, StringComparer.Ordinal).ToList();
    }

    private static async Task AnswerAsync(TestApp app, string study, IEnumerable<(SeededLink Link, int[] Items)> answers)
    {
        foreach (var (link, items) in answers)
        {
            var text = new SubmissionMessage { StudyId = study, AssessmentId = link.Assessment.Id, LinkVersion = 1, Items = items, SubmittedAt = DateTimeOffset.UtcNow }.ToJson();
            await app.Function<ScoreResponse>().Run(text, Guid.NewGuid().ToString(), 1, default);
        }
    }

    [Fact]
    public void A_run_covers_the_study_only_while_no_dyad_s_covariates_were_recorded_or_changed_since()
    {
        var at = new DateTimeOffset(2026, 8, 1, 12, 0, 0, TimeSpan.Zero);
        var now = new StudyWatermark(10, at, 2, at, 1, at, CovariateCount: 3, LastCovariateAt: at);
        var run = new TableEntity("s", "r")
        {
            ["ResponseCount"] = 10,
            ["LastSubmittedAt"] = at,
            ["OutcomeCount"] = 2,
            ["LastOutcomeAt"] = at,
            ["AlertCount"] = 1,
            ["LastAlertAt"] = at,
            ["CovariateCount"] = 3,
            ["LastCovariateAt"] = at,
        };
        Assert.True(ReportWriter.Covers(run, now));
        Assert.False(ReportWriter.Covers(run, now with { CovariateCount = 4 })); // a dyad's covariates recorded
        Assert.False(ReportWriter.Covers(run, now with { LastCovariateAt = at.AddMinutes(1) })); // a value changed
        run.Remove("CovariateCount");
        run.Remove("LastCovariateAt");
        Assert.True(ReportWriter.Covers(run, now with { CovariateCount = 0, LastCovariateAt = null })); // a run of a study without covariates
        Assert.False(ReportWriter.Covers(run, now)); // covariates recorded after a run that had none
    }

    [Fact]
    public async Task A_seeded_study_gets_its_set_under_the_run_and_latest_a_ClusterRuns_row_and_a_new_run_only_for_new_responses_outcomes_or_alerts()
    {
        await using var app = await TestApp.StartAsync(azurite);
        var study = AzuriteFixture.UniqueName("timer");
        var links = await app.SeedAsync(study, 8, 3);
        // Dyads 1-4 answer high and steady, 5-8 low and steady; dyad 8 never answers meeting 3.
        await AnswerAsync(app, study, links.Where(l => !(l.Assessment.DyadId == "dyad-08" && l.Assessment.Meeting == 3))
            .Select(l => (l, Enumerable.Range(0, 12).Select(i => int.Parse(l.Assessment.DyadId[^1..], System.Globalization.CultureInfo.InvariantCulture) <= 4 ? 6 + (i + l.Assessment.Meeting) % 2 : 3 + (i + l.Assessment.Meeting) % 2).ToArray())));
        var timer = new TimerInfo { IsPastDue = true, ScheduleStatus = new ScheduleStatus { Last = DateTime.UtcNow.AddDays(-1), Next = DateTime.UtcNow } };
        await app.Function<Recluster>().Run(timer, default);
        Assert.Contains(app.Logs.GetSnapshot(), r => r.Says("Report sets written") && r.Says(study) && r.Says("(past-due run)"));

        var names = await BlobNamesAsync(study);
        var runId = names.Select(n => n.Split('/')[1]).First(r => r != "latest");
        Assert.Equal(StudyReportBuilder.FileNames.Select(f => $"{study}/{runId}/{f}").Concat(StudyReportBuilder.FileNames.Select(f => $"{study}/latest/{f}")).Order(StringComparer.Ordinal), names.Order(StringComparer.Ordinal));
        var html = await azurite.Blobs.GetBlobContainerClient(StorageNames.ReportsContainer).GetBlobClient($"{study}/latest/report.html").GetPropertiesAsync();
        Assert.StartsWith("text/html", html.Value.ContentType, StringComparison.Ordinal);
        foreach (var file in StudyReportBuilder.FileNames) Assert.Equal(await BlobAsync($"{study}/{runId}/{file}"), await BlobAsync($"{study}/latest/{file}"));

        var clusters = JsonNode.Parse(await BlobAsync($"{study}/latest/clusters.json"))!;
        Assert.Equal(23, clusters["responseCount"]!.GetValue<int>());
        Assert.Equal("clustered", clusters["status"]!.GetValue<string>());
        Assert.Equal(["dyad-08"], clusters["dyads"]!["incomplete"]!.AsArray().Select(v => v!.GetValue<string>()));
        var csv = await BlobAsync($"{study}/latest/responses.csv");
        Assert.Equal(24, csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Length);

        var run = Assert.Single(await RunsAsync(study));
        Assert.Equal(runId, run.RowKey);
        Assert.Equal(23, run.GetInt32("ResponseCount"));
        Assert.Equal(0, run.GetInt32("OutcomeCount"));
        Assert.Equal("clustered", run.GetString("Status"));
        Assert.Equal(clusters["k"]!.GetValue<int>(), run.GetInt32("K"));
        Assert.Equal(7, run.GetInt32("DyadsClustered"));
        Assert.Equal(1, run.GetInt32("DyadsIncomplete"));
        Assert.True(run.GetBoolean("CertifiedEqualToR"));
        Assert.Equal($"reports/{study}/{runId}/", run.GetString("BlobPrefix"));
        Assert.False(string.IsNullOrEmpty(run.GetString("Clusters")));

        // Nothing new: no new run, nothing written.
        var writer = app.Services.GetRequiredService<ReportWriter>();
        Assert.Null(await writer.RunAsync(study, force: false, default));
        Assert.Equal(names.Count, (await BlobNamesAsync(study)).Count);

        // A recorded outcome is new.
        await azurite.Tables.GetTableClient(StorageNames.OutcomesTable).AddEntityAsync(new OutcomeEntity
        {
            PartitionKey = study,
            RowKey = "dyad-01",
            Employed = true,
            JobDate = DateTimeOffset.UtcNow.Date,
            RecordedAt = DateTimeOffset.UtcNow,
            Source = "api",
        });
        var second = await writer.RunAsync(study, force: false, default);
        Assert.NotNull(second);
        Assert.Null(await writer.RunAsync(study, force: false, default));
        Assert.Equal(1, (await RunsAsync(study)).Last().GetInt32("OutcomeCount"));
        Assert.Contains("dyad-01", await BlobAsync($"{study}/latest/responses.csv"), StringComparison.Ordinal);

        // So is an alert; the report lists it (raised after the previous run).
        await azurite.Tables.GetTableClient(StorageNames.AlertsTable).AddEntityAsync(new AlertEntity
        {
            PartitionKey = study,
            RowKey = "dyad-05-m3-practitioner",
            DyadId = "dyad-05",
            SiteId = "site-a",
            RaterId = "rater-05",
            RaterRole = "practitioner",
            Meeting = 3,
            Kinds = "below",
            Current = 3.5,
            Cutoff = 4,
            RaisedAt = DateTimeOffset.UtcNow,
        });
        var third = await writer.RunAsync(study, force: false, default);
        Assert.NotNull(third);
        var page = new HtmlParser().ParseDocument(await BlobAsync($"{study}/latest/report.html"));
        Assert.Equal("dyad-05", page.QuerySelector("#alerts tbody th")!.TextContent);
        var runs = await RunsAsync(study);
        Assert.Equal([runId, second, third], runs.Select(r => r.RowKey));
        // No report of this study was mailed yet, so its alerts count from the study's start, not from the previous run.
        Assert.Contains(page.QuerySelectorAll("h2"), h => h.TextContent.StartsWith("Rupture alerts since the study began", StringComparison.Ordinal));

        // The export service reads the same study.
        var export = app.Services.GetRequiredService<ExportService>();
        var exported = await export.ExportAsync(study, "csv", default);
        Assert.Equal(24, exported!.Text.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Equal("application/fhir+json; charset=utf-8", (await export.ExportAsync(study, "FHIR", default))!.ContentType);
        Assert.Null(await export.ExportAsync("no-such-study", "json", default));
        Assert.Throws<ArgumentException>(() => export.ExportAsync(study, "xlsx", default).GetAwaiter().GetResult());
    }

    [Fact]
    public async Task A_study_applied_from_its_file_is_too_small_to_cluster_and_its_report_says_so_with_its_site_names_and_both_views()
    {
        await using var app = await TestApp.StartAsync(azurite);
        var study = AzuriteFixture.UniqueName("filed");
        using (var put = await app.AdminClient.PutAsync($"/api/manage/studies/{study}", new StringContent(StudyFiles.Example(study), Encoding.UTF8, "application/yaml")))
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var assessments = new List<AssessmentEntity>();
        await foreach (var a in azurite.Tables.GetTableClient(StorageNames.AssessmentsTable).QueryAsync<AssessmentEntity>(e => e.PartitionKey == study)) assessments.Add(a);
        var responses = azurite.Tables.GetTableClient(StorageNames.ResponsesTable);
        foreach (var a in assessments.Where(a => a.Meeting <= 2))
        {
            await responses.AddEntityAsync(new ResponseEntity
            {
                PartitionKey = study,
                RowKey = a.RowKey,
                Items = [.. Enumerable.Repeat(a.RaterRole == "client" ? 6 : 5, 12)],
                Goal = 5,
                Task = 5,
                Bond = 5,
                Global = a.RaterRole == "client" ? 6 : 5,
                Meeting = a.Meeting,
                RaterRole = a.RaterRole,
                SiteId = a.SiteId,
                DyadId = a.DyadId,
                SubmittedAt = DateTime.UtcNow,
            });
        }

        var runId = await app.Services.GetRequiredService<ReportWriter>().RunAsync(study, force: false, default);
        Assert.NotNull(runId);
        var run = Assert.Single(await RunsAsync(study));
        Assert.Equal("insufficient-data", run.GetString("Status"));
        Assert.Null(run.GetInt32("K"));
        var page = new HtmlParser().ParseDocument(await BlobAsync($"{study}/latest/report.html"));
        Assert.StartsWith("Clustering needs at least 4 dyads rated at every meeting", page.QuerySelector("#status")!.TextContent, StringComparison.Ordinal);
        Assert.Contains("Working alliance in supported employment (example)", page.QuerySelector("h1")!.TextContent, StringComparison.Ordinal);
        Assert.Equal(3, page.QuerySelectorAll("#response-rate tbody tr").Length); // two named sites and all sites
        Assert.DoesNotContain(page.QuerySelectorAll("#response-rate tbody th"), th => th.TextContent.StartsWith("site-", StringComparison.Ordinal));
        Assert.NotNull(page.QuerySelector("#views"));
        Assert.Equal(3, page.QuerySelectorAll("#missing th").Length); // the file's three meetings
        foreach (var file in StudyReportBuilder.FileNames) Assert.DoesNotMatch(@"[\w.-]+@[\w-]+\.[a-z]", await BlobAsync($"{study}/latest/{file}")); // no addresses
    }
}
