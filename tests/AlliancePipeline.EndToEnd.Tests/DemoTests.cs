using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using AlliancePipeline.Emulators;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;

namespace AlliancePipeline.EndToEnd.Tests;

/// <summary>
/// The README's main command, shortened to its parts: the published worker under the local host with the demo on
/// seeds the demo study, answers its links through the host's HTTP, lets <c>ScoreResponse</c> store them, asks the host
/// to run <c>Recluster</c> and logs the summary line; a second start adds nothing.
/// </summary>
public sealed class DemoTests
{
    [Fact]
    public async Task The_demo_runs_from_links_to_report_under_the_local_host_and_a_restart_adds_nothing()
    {
        await using var azurite = await Azurite.EnsureRunningAsync(AzuriteOptions.Isolated());
        var port = EmulatorProcess.FreePorts(1)[0];
        var settings = PipelineFixture.Settings(azurite, port);
        settings["AlliancePipeline__Demo__Enabled"] = "true";
        settings["AlliancePipeline__Demo__Dyads"] = "40";
        await using var services = PipelineFixture.AppServices(settings);

        var log = new ConcurrentQueue<string>();
        string summary;
        await using (var host = await PipelineFixture.StartHostAsync(settings, port, log))
        {
            summary = await WaitForSummaryAsync(log, 0);
        }
        // 40 dyads; dyads 4, 13, 22, 31 and 40 miss meeting 3: 115 responses, 35 clustered, the published three patterns.
        Assert.Matches(@"Demo: 115 responses stored; report at reports/demo-study/latest/report\.html \(http://127\.0\.0\.1:\d+/devstoreaccount1/reports/demo-study/latest/report\.html\)\. k = 3: \w+ n = \d+, \w+ n = \d+, \w+ n = \d+", summary);

        var container = services.GetRequiredService<Azure.Storage.Blobs.BlobServiceClient>().GetBlobContainerClient("reports");
        var clusters = JsonNode.Parse((await container.GetBlobClient("demo-study/latest/clusters.json").DownloadContentAsync()).Value.Content.ToString())!;
        Assert.Equal("clustered", clusters["status"]!.GetValue<string>());
        Assert.Equal(115, clusters["responseCount"]!.GetValue<int>());
        Assert.Equal(35, clusters["dyads"]!["clustered"]!.GetValue<int>());
        Assert.Equal(["dyad-04", "dyad-13", "dyad-22", "dyad-31", "dyad-40"], clusters["dyads"]!["incomplete"]!.AsArray().Select(v => v!.GetValue<string>()));
        Assert.Equal(3, clusters["k"]!.GetValue<int>());
        Assert.Equal(["LDA", "SHA", "SLA"], clusters["clusters"]!.AsArray().Select(c => c!["pattern"]!.GetValue<string>()).Order(StringComparer.Ordinal));

        var tables = services.GetRequiredService<TableServiceClient>();
        var runs = new List<TableEntity>();
        await foreach (var run in tables.GetTableClient("ClusterRuns").QueryAsync<TableEntity>(e => e.PartitionKey == "demo-study")) runs.Add(run);
        var latest = runs.OrderBy(r => r.RowKey, StringComparer.Ordinal).Last();
        Assert.Equal(3, latest.GetInt32("K"));
        Assert.Equal(35, latest.GetInt32("DyadsClustered"));
        Assert.Equal(5, latest.GetInt32("DyadsIncomplete"));
        Assert.Equal($"reports/demo-study/{latest.RowKey}/", latest.GetString("BlobPrefix"));

        // A second start: the study is reused, nothing is answered again, no new response is stored.
        var before = log.Count;
        await using (var again = await PipelineFixture.StartHostAsync(settings, port, log))
        {
            await WaitForSummaryAsync(log, before);
        }
        Assert.Contains(log.Skip(before), l => l.Contains("Demo: posted 0 submissions", StringComparison.Ordinal));
        var count = 0;
        await foreach (var _ in tables.GetTableClient("Responses").QueryAsync<TableEntity>(e => e.PartitionKey == "demo-study")) count++;
        Assert.Equal(115, count);
        Assert.DoesNotContain(log, l => l.StartsWith("Error", StringComparison.Ordinal) || l.StartsWith("Critical", StringComparison.Ordinal));
    }

    private static async Task<string> WaitForSummaryAsync(ConcurrentQueue<string> log, int skip)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(120);
        while (DateTime.UtcNow < deadline)
        {
            var lines = log.Skip(skip).ToList();
            if (lines.FirstOrDefault(l => l.Contains("Demo: ", StringComparison.Ordinal) && l.Contains("responses stored", StringComparison.Ordinal)) is { } line)
                return line[line.IndexOf("Demo: ", StringComparison.Ordinal)..];
            if (lines.FirstOrDefault(l => l.Contains("The demo study stopped", StringComparison.Ordinal)) is { } failed)
                throw new InvalidOperationException(failed);
            await Task.Delay(250);
        }
        File.WriteAllLines("/tmp/demo-log.txt", log);
        throw new TimeoutException("The demo did not log its summary within two minutes:" + Environment.NewLine + string.Join(Environment.NewLine, log));
    }
}
