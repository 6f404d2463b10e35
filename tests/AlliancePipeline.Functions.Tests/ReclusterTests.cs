using System.Text.Json.Nodes;
using AlliancePipeline.Functions.Functions;
using AlliancePipeline.Functions.Services;
using AlliancePipeline.Functions.Storage;
using AlliancePipeline.Functions.Tests.Infrastructure;
using Microsoft.Azure.Functions.Worker;

namespace AlliancePipeline.Functions.Tests;

/// <summary>The <c>Recluster</c> timer function, called as the worker calls it, on Azurite.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class ReclusterTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task It_writes_the_report_set_under_the_run_and_latest_and_nothing_when_nothing_is_new()
    {
        await using var app = await TestApp.StartAsync(azurite);
        var study = AzuriteFixture.UniqueName("timer");
        var links = await app.SeedAsync(study, 2, 1);
        foreach (var (link, score) in links.Zip(new[] { 3, 5 }))
        {
            var text = new SubmissionMessage { StudyId = study, AssessmentId = link.Assessment.Id, LinkVersion = 1, Items = [.. Enumerable.Repeat(score, 12)], SubmittedAt = DateTimeOffset.UtcNow }.ToJson();
            await app.Function<ScoreResponse>().Run(text, Guid.NewGuid().ToString(), 1, default);
        }
        var timer = new TimerInfo { IsPastDue = true, ScheduleStatus = new ScheduleStatus { Last = DateTime.UtcNow.AddDays(-1), Next = DateTime.UtcNow } };
        await app.Function<Recluster>().Run(timer, default);
        Assert.Contains(app.Logs.Lines, l => l.Contains("Report sets written", StringComparison.Ordinal) && l.Contains(study, StringComparison.Ordinal) && l.Contains("(past-due run)", StringComparison.Ordinal));

        var container = azurite.Blobs.GetBlobContainerClient(StorageNames.ReportsContainer);
        var names = new List<string>();
        await foreach (var blob in container.GetBlobsAsync(new Azure.Storage.Blobs.Models.GetBlobsOptions { Prefix = study + "/" })) names.Add(blob.Name);
        var runId = names.Select(n => n.Split('/')[1]).First(r => r != "latest");
        string[] files = ["clusters.json", "codebook.csv", "report.html", "responses.csv"];
        Assert.Equal(files.Select(f => $"{study}/{runId}/{f}").Concat(files.Select(f => $"{study}/latest/{f}")).Order(StringComparer.Ordinal), names.Order(StringComparer.Ordinal));
        var html = await container.GetBlobClient($"{study}/latest/report.html").GetPropertiesAsync();
        Assert.StartsWith("text/html", html.Value.ContentType, StringComparison.Ordinal);
        var csv = (await container.GetBlobClient($"{study}/latest/responses.csv").DownloadContentAsync()).Value.Content.ToString();
        Assert.Equal(3, csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Length);
        var clusters = JsonNode.Parse((await container.GetBlobClient($"{study}/latest/clusters.json").DownloadContentAsync()).Value.Content.ToString())!;
        Assert.Equal(2, clusters["responseCount"]!.GetValue<int>());
        Assert.Equal("insufficient-data", clusters["status"]!.GetValue<string>());
        // All 3s score (10 x 3 + 2 x 5) / 12, all 5s (10 x 5 + 2 x 3) / 12 (items 4 and 10 reversed).
        var globals = csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(l => double.Parse(l.Split(',')[21], System.Globalization.CultureInfo.InvariantCulture)).Order();
        Assert.Equal([40.0 / 12, 56.0 / 12], globals);

        // Nothing new: the next occurrence writes nothing for this study.
        var before = names.Count;
        await app.Function<Recluster>().Run(new TimerInfo(), default);
        var after = 0;
        await foreach (var _ in container.GetBlobsAsync(new Azure.Storage.Blobs.Models.GetBlobsOptions { Prefix = study + "/" })) after++;
        Assert.Equal(before, after);
    }
}
