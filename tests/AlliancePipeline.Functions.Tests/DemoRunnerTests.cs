using System.Text.Json.Nodes;
using AlliancePipeline.Functions.Demo;
using AlliancePipeline.Functions.Services;
using AlliancePipeline.Functions.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace AlliancePipeline.Functions.Tests;

/// <summary>
/// The demo study end to end on Azurite: seeded, answered through its HTTP links by the driver, scored by the queue
/// function, reclustered by the timer function through the driver's admin endpoint, reported under
/// <c>reports/demo-study/latest/</c> with a <c>ClusterRuns</c> entity; a restart answers nothing twice.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class DemoRunnerTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task The_demo_study_runs_from_links_to_report_and_a_restart_adds_nothing()
    {
        static void Demo(Dictionary<string, string?> s)
        {
            s["AlliancePipeline:Demo:Enabled"] = "true";
            s["AlliancePipeline:Demo:Dyads"] = "40";
        }
        var container = azurite.Blobs.GetBlobContainerClient(StorageNames.ReportsContainer);
        await container.CreateIfNotExistsAsync();
        await foreach (var blob in container.GetBlobsAsync(DemoRunner.StudyId + "/")) await container.DeleteIfExistsAsync(blob.Name);

        string path;
        await using (var app = await TestApp.StartAsync(azurite, driver: true, Demo))
        {
            path = await app.Services.GetRequiredService<DemoRunner>().Completed.WaitAsync(TimeSpan.FromSeconds(90));
        }
        Assert.Equal("demo-study/latest/report.html", path);
        var clusters = JsonNode.Parse((await container.DownloadContentAsync("demo-study/latest/clusters.json")).Value.Content.ToString())!;
        Assert.Equal("clustered", clusters["status"]!.GetValue<string>());
        // 40 dyads; dyads 4, 13, 22, 31 and 40 miss meeting 3: 115 responses, 35 clustered.
        Assert.Equal(115, clusters["responseCount"]!.GetValue<int>());
        Assert.Equal(35, clusters["dyads"]!["clustered"]!.GetValue<int>());
        Assert.Equal(["dyad-04", "dyad-13", "dyad-22", "dyad-31", "dyad-40"], clusters["dyads"]!["incomplete"]!.AsArray().Select(v => v!.GetValue<string>()));
        Assert.Equal(3, clusters["k"]!.GetValue<int>());
        Assert.Equal(["LDA", "SHA", "SLA"], clusters["clusters"]!.AsArray().Select(c => c!["pattern"]!.GetValue<string>()).Order(StringComparer.Ordinal));
        var report = (await container.DownloadContentAsync(path)).Value.Content.ToString();
        Assert.Contains("<span id=\"response-count\">115</span>", report, StringComparison.Ordinal);

        var runs = new List<Storage.Tables.TableEntity>();
        await foreach (var run in azurite.Tables.GetTableClient(StorageNames.ClusterRunsTable).QueryAsync(Storage.Tables.TableFilter.Create($"PartitionKey eq {DemoRunner.StudyId}")))
            runs.Add(run);
        var latest = runs.OrderBy(r => r.RowKey, StringComparer.Ordinal).Last();
        Assert.Equal(3, latest.GetInt32("K"));
        Assert.Equal(35, latest.GetInt32("DyadsClustered"));
        Assert.Equal(5, latest.GetInt32("DyadsIncomplete"));
        Assert.Equal(clusters["kReason"]!.GetValue<string>(), latest.GetString("KReason"));
        Assert.Equal($"reports/demo-study/{latest.RowKey}/", latest.GetString("BlobPrefix"));

        // A restart: the study is reused, nothing is answered again, no new response is stored.
        await using (var again = await TestApp.StartAsync(azurite, driver: true, Demo))
        {
            await again.Services.GetRequiredService<DemoRunner>().Completed.WaitAsync(TimeSpan.FromSeconds(90));
        }
        var count = 0;
        await foreach (var _ in azurite.Tables.GetTableClient(StorageNames.ResponsesTable).QueryAsync(Storage.Tables.TableFilter.Create($"PartitionKey eq {DemoRunner.StudyId}")))
            count++;
        Assert.Equal(115, count);
    }
}
