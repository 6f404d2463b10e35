using System.Net;
using System.Text;
using System.Text.Json;
using AlliancePipeline.Functions.Tests.Infrastructure;
using AlliancePipeline.LocalHost.Tests.Infrastructure;
using Azure.Storage.Blobs.Models;

namespace AlliancePipeline.LocalHost.Tests;

/// <summary>Timers on their schedule, and the queue and blob output bindings the host writes.</summary>
[Collection(SharedHostCollection.Name)]
public sealed class TimerAndOutputTests(LocalHostFixture fixture)
{
    [Fact]
    public async Task A_timer_runs_at_start_with_runOnStartup_and_then_on_its_schedule()
    {
        // Tick: "%TickSchedule%" = every 2 seconds, runOnStartup.
        Assert.True(await Wait.UntilAsync(async () => (await fixture.RecordsAsync("Tick")).Count >= 3, TimeSpan.FromSeconds(15)), fixture.Log.Tail());
        var ticks = await fixture.RecordsAsync("Tick");
        Assert.InRange(ticks[0].Timestamp!.Value, fixture.StartedAt, fixture.StartedAt.AddSeconds(30));
        Assert.True(fixture.Log.Has(LogLevel.Information, "Timer Tick runs on startup."));
        Assert.All(ticks, t => Assert.False(t.GetBoolean("IsPastDue")));

        // More than once a minute: the schedule monitor is off, so TimerInfo has no ScheduleStatus.
        Assert.All(ticks, t => Assert.Null(t.GetDateTime("Next")));
        // On its schedule: never more runs than the schedule's occurrences in the time they span (one more allowed: a run
        // that ended after its next occurrence is followed at once by that occurrence's run, as in the extension). Gaps
        // between runs are not asserted: on a loaded machine one run can take longer than the 2 s period.
        var scheduled = ticks.Skip(1).Select(t => t.Timestamp!.Value).ToList();
        var span = (scheduled[^1] - scheduled[0]).TotalSeconds;
        Assert.InRange(scheduled.Count - 1, 1, (int)Math.Floor(span / 2) + 1);
    }

    [Fact]
    public async Task An_HTTP_function_queues_its_QueueOutput_beside_its_HttpResult()
    {
        var body = $"submitted {AzuriteFixture.NewKey("submit")} ✓";
        using var response = await fixture.Http.PostAsync("api/submit", new StringContent(body, Encoding.UTF8, "text/plain"));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        using (var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync()))
        {
            Assert.Equal(body.Length, json.RootElement.GetProperty("queued").GetInt32());
        }

        var queue = fixture.Queues.GetQueueClient("submissions");
        Assert.True(await Wait.UntilAsync(async () => (await queue.PeekMessagesAsync(32)).Value.Any(m => m.Body.ToString() == body), TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task An_HTTP_function_without_an_output_value_queues_nothing()
    {
        var queue = fixture.Queues.GetQueueClient("submissions");
        await queue.CreateIfNotExistsAsync();
        var before = (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount;
        using var response = await fixture.Http.PostAsync("api/submit", new StringContent(""));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(before, (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount);
    }

    [Fact]
    public async Task A_timer_with_a_return_blob_output_writes_the_blob()
    {
        var outcome = await fixture.Host.InvokeAsync("Report");
        Assert.True(outcome.Succeeded, outcome.ExceptionMessage);

        var blob = fixture.Blobs.GetBlobContainerClient("test-reports").GetBlobClient("latest.json");
        using var json = JsonDocument.Parse((await blob.DownloadContentAsync()).Value.Content.ToString());
        Assert.False(json.RootElement.GetProperty("pastDue").GetBoolean());
        Assert.InRange(json.RootElement.GetProperty("at").GetDateTimeOffset(), DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddMinutes(1));
    }

    [Fact]
    public async Task Named_outputs_write_one_message_per_element_and_a_binary_blob_at_an_expression_path()
    {
        var container = fixture.Blobs.GetBlobContainerClient("test-fanout");
        var before = await BlobNamesAsync(container);

        var outcome = await fixture.Host.InvokeAsync("Fanout");
        Assert.True(outcome.Succeeded, outcome.ExceptionMessage);

        var messages = (await fixture.Queues.GetQueueClient("fanout").ReceiveMessagesAsync(32)).Value.Select(m => m.Body.ToString()).ToList();
        Assert.Equal(["one", "three", "two"], messages.Order(StringComparer.Ordinal));

        var added = (await BlobNamesAsync(container)).Except(before).ToList();
        var name = Assert.Single(added);
        Assert.Matches("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\\.bin$", name);
        Assert.Equal(new byte[] { 0, 1, 2, 250, 251, 255 }, (await container.GetBlobClient(name).DownloadContentAsync()).Value.Content.ToArray());
    }

    private static async Task<HashSet<string>> BlobNamesAsync(Azure.Storage.Blobs.BlobContainerClient container)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        if (!(await container.ExistsAsync()).Value) return names;
        await foreach (BlobItem item in container.GetBlobsAsync()) names.Add(item.Name);
        return names;
    }
}
