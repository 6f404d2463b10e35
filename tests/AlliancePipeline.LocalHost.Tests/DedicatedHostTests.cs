using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using AlliancePipeline.Functions.Tests.Infrastructure;
using AlliancePipeline.LocalHost.Tests.Infrastructure;
using Azure.Storage.Queues;
using Microsoft.Extensions.Logging.Testing;

namespace AlliancePipeline.LocalHost.Tests;

/// <summary>What needs a host of its own: worker death and restart, wrong settings, stop, state left by an earlier run.</summary>
[Collection(DedicatedHostsCollection.Name)]
public sealed class DedicatedHostTests(AzuriteFixture azurite)
{
    /// <summary>A schedule that never fires during a test (Tick still runs once at start).</summary>
    private static readonly Dictionary<string, string> QuietTick = new() { ["TickSchedule"] = "0 0 0 1 1 *" };

    private static Dictionary<string, string> Settings(params (string Key, string Value)[] extra)
    {
        var settings = new Dictionary<string, string>(QuietTick);
        foreach (var (key, value) in extra) settings[key] = value;
        return settings;
    }

    [Fact]
    public async Task A_body_over_FUNCTIONS_REQUEST_BODY_SIZE_LIMIT_is_refused_413_with_problem_details_declared_at_once_or_chunked_as_it_passes()
    {
        var log = new FakeLogCollector();
        await using var host = await FunctionsLocalHost.StartAsync(TestWorker.Options(azurite.ConnectionString, log, Settings(("FUNCTIONS_REQUEST_BODY_SIZE_LIMIT", "1000"))));
        using var http = new HttpClient { BaseAddress = host.BaseAddress };

        using (var small = await http.PostAsync("api/echo", new StringContent(new string('a', 1000))))
            Assert.True(small.StatusCode == HttpStatusCode.OK, $"{(int)small.StatusCode} {await small.Content.ReadAsStringAsync()}{Environment.NewLine}{log.Tail()}");

        var declared = await RawHttp.SendAsync(host.BaseAddress, Encoding.ASCII.GetBytes("POST /api/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5000000000\r\n\r\n"));
        Assert.StartsWith("HTTP/1.1 413 ", declared, StringComparison.Ordinal);
        Assert.Contains("application/problem+json", declared, StringComparison.Ordinal);

        var chunk = "800\r\n" + new string('a', 0x800) + "\r\n";
        var chunked = await RawHttp.SendAsync(host.BaseAddress, Encoding.ASCII.GetBytes("POST /api/echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk + chunk + "0\r\n\r\n"));
        Assert.StartsWith("HTTP/1.1 413 ", chunked, StringComparison.Ordinal);
        Assert.Contains("application/problem+json", chunked, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_worker_that_dies_mid_invocation_is_restarted_and_the_message_is_then_processed_once()
    {
        var log = new FakeLogCollector();
        var queueName = AzuriteFixture.NewKey("die");
        await using var host = await FunctionsLocalHost.StartAsync(TestWorker.Options(azurite.ConnectionString, log, Settings(("WorkQueue", queueName))));
        using var http = new HttpClient { BaseAddress = host.BaseAddress };
        var firstPid = host.WorkerProcessId;
        var key = AzuriteFixture.NewKey("die");

        await azurite.Queues.GetQueueClient(queueName).SendMessageAsync(JsonSerializer.Serialize(new { key, mode = "die" }));

        // While the worker is down, HTTP answers 503 at once.
        Assert.True(await Wait.UntilAsync(() => host.State != LocalHostState.Running, TimeSpan.FromSeconds(20)), log.Tail());
        using (var down = await http.GetAsync("api/echo"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, down.StatusCode);
            Assert.Equal("application/problem+json", down.Content.Headers.ContentType?.MediaType);
        }

        Assert.True(await Wait.UntilAsync(() => host.State == LocalHostState.Running && host.WorkerRestarts == 1, TimeSpan.FromSeconds(30)), log.Tail());
        Assert.NotEqual(firstPid, host.WorkerProcessId);

        // The message was hidden by the lost invocation's failure for visibilityTimeout (2 s), then ran on the new worker.
        Assert.True(await Wait.UntilAsync(async () => (await azurite.RecordsAsync(key, "Done")).Count == 1, TimeSpan.FromSeconds(30)), log.Tail());
        // The host deletes the message once the worker has answered the invocation, a moment after the worker's record:
        // once the queue is empty nothing can run it again.
        Assert.True(await Wait.UntilAsync(async () => await azurite.MessageCountAsync(queueName) == 0, TimeSpan.FromSeconds(30)), log.Tail());
        Assert.Single(await azurite.RecordsAsync(key, "Done"));
        var attempts = await azurite.RecordsAsync(key, "Attempt");
        Assert.Equal([1L, 2L], attempts.Select(a => a.GetInt64("DequeueCount")!.Value));
        Assert.NotEqual(attempts[0].GetInt32("WorkerPid"), attempts[1].GetInt32("WorkerPid"));
        Assert.True(log.Has(LogLevel.Warning, "exited with code"), log.Tail());

        using var up = await http.GetAsync("api/echo");
        Assert.Equal(HttpStatusCode.OK, up.StatusCode);
    }

    [Fact]
    public async Task A_message_that_runs_longer_than_its_lease_keeps_it_renewed_and_runs_once()
    {
        var log = new FakeLogCollector();
        var queueName = AzuriteFixture.NewKey("lease");
        var options = TestWorker.Options(azurite.ConnectionString, log, Settings(("WorkQueue", queueName)));
        options.QueueMessageLease = TimeSpan.FromSeconds(3);
        await using var host = await FunctionsLocalHost.StartAsync(options);
        var key = AzuriteFixture.NewKey("lease");

        await azurite.Queues.GetQueueClient(queueName).SendMessageAsync(JsonSerializer.Serialize(new { key, mode = "slow", delayMs = 8000 }));

        Assert.True(await Wait.UntilAsync(async () => (await azurite.RecordsAsync(key, "Done")).Count == 1, TimeSpan.FromSeconds(30)), log.Tail());
        // The worker writes "Done" before it answers the invocation; the host deletes the message after the answer. Wait for
        // the delete (the state asserted), then check that the renewed lease kept it to one run.
        Assert.True(await Wait.UntilAsync(async () => await azurite.MessageCountAsync(queueName) == 0, TimeSpan.FromSeconds(30)), log.Tail());
        var attempt = Assert.Single(await azurite.RecordsAsync(key, "Attempt"));
        Assert.Equal(1L, attempt.GetInt64("DequeueCount"));
        Assert.Single(await azurite.RecordsAsync(key, "Done"));
    }

    [Fact]
    public async Task No_more_than_batchSize_plus_newBatchThreshold_messages_run_at_once()
    {
        var log = new FakeLogCollector();
        var queueName = AzuriteFixture.NewKey("batch");
        await using var host = await FunctionsLocalHost.StartAsync(TestWorker.Options(azurite.ConnectionString, log, Settings(
            ("WorkQueue", queueName),
            ("AzureFunctionsJobHost__extensions__queues__batchSize", "2"),
            ("AzureFunctionsJobHost__extensions__queues__newBatchThreshold", "1"))));
        var keys = Enumerable.Range(0, 8).Select(_ => AzuriteFixture.NewKey("batch")).ToList();
        var queue = azurite.Queues.GetQueueClient(queueName);
        foreach (var key in keys) await queue.SendMessageAsync(JsonSerializer.Serialize(new { key, mode = "slow", delayMs = 1200 }));

        var runs = new List<(DateTimeOffset Start, DateTimeOffset End)>();
        foreach (var key in keys)
        {
            Assert.True(await Wait.UntilAsync(async () => (await azurite.RecordsAsync(key, "Done")).Count == 1, TimeSpan.FromSeconds(60)), log.Tail());
            runs.Add(((await azurite.RecordsAsync(key, "Attempt"))[0].Timestamp!.Value, (await azurite.RecordsAsync(key, "Done"))[0].Timestamp!.Value));
        }

        var most = runs.Max(r => runs.Count(o => o.Start < r.End && r.Start < o.End && o.Start <= r.Start));
        Assert.InRange(most, 2, 3);
    }

    [Fact]
    public async Task A_worker_whose_settings_are_wrong_exits_with_code_2_is_not_restarted_and_its_message_is_reported()
    {
        var log = new FakeLogCollector();
        var options = TestWorker.Options(azurite.ConnectionString, log, Settings(("TestWorker__Settings", "invalid")));

        var e = await Assert.ThrowsAsync<WorkerConfigurationException>(() => FunctionsLocalHost.StartAsync(options));

        Assert.Equal(2, e.ExitCode);
        Assert.Contains("Setting TestWorker__Settings is 'invalid': it must be 'valid' or absent.", e.Message, StringComparison.Ordinal);
        Assert.Contains("Setting TestWorker__Settings is 'invalid': it must be 'valid' or absent.", e.WorkerOutput);
        Assert.True(log.Has(LogLevel.Error, "It is not restarted."), log.Tail());
        Assert.Single(log.GetSnapshot(), r => r.Message.StartsWith("Started worker process", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_running_worker_that_exits_with_code_2_is_not_restarted_and_the_host_fails_with_its_message()
    {
        var log = new FakeLogCollector();
        var queueName = AzuriteFixture.NewKey("exit");
        await using var host = await FunctionsLocalHost.StartAsync(TestWorker.Options(azurite.ConnectionString, log, Settings(("WorkQueue", queueName))));
        using var http = new HttpClient { BaseAddress = host.BaseAddress };

        await azurite.Queues.GetQueueClient(queueName).SendMessageAsync(JsonSerializer.Serialize(new { key = AzuriteFixture.NewKey("exit"), mode = "exit2" }));

        var e = await Assert.ThrowsAsync<WorkerConfigurationException>(() => host.Completion.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("Settings went wrong while running.", e.Message, StringComparison.Ordinal);
        Assert.Equal(LocalHostState.Failed, host.State);
        Assert.Equal(0, host.WorkerRestarts);
        using var response = await http.GetAsync("api/echo");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains("Settings went wrong while running.", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        // Completion faults only after the supervisor has stopped supervising (WorkerSupervisor.Fail, then return): no
        // restart can follow it.
        Assert.Equal(0, host.WorkerRestarts);
        Assert.Single(log.GetSnapshot(), r => r.Message.StartsWith("Started worker process", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Stopping_sends_WorkerTerminate_and_the_worker_exits_by_itself()
    {
        var log = new FakeLogCollector();
        var host = await FunctionsLocalHost.StartAsync(TestWorker.Options(azurite.ConnectionString, log, QuietTick));
        var pid = host.WorkerProcessId!.Value;
        var address = host.BaseAddress;

        await host.DisposeAsync();

        Assert.True(log.Has(LogLevel.Information, $"Worker process {pid} stopped."), log.Tail());
        Assert.False(log.Has(LogLevel.Warning, "killing it"));
        Assert.Throws<ArgumentException>(() => Process.GetProcessById(pid));
        using var http = new HttpClient();
        await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync(new Uri(address, "api/echo")));
        Assert.Equal(LocalHostState.Stopped, host.State);
    }

    [Fact]
    public async Task A_timer_whose_next_occurrence_passed_while_the_host_was_down_runs_at_start_as_past_due()
    {
        var log = new FakeLogCollector();
        var hostId = AzuriteFixture.NewKey("pastdue");
        var now = DateTime.UtcNow;
        var thisHour = new DateTime(now.Year, now.Month, now.Day, now.Hour, 0, 0, DateTimeKind.Utc);
        var status = $$"""{"Last":"{{thisHour.AddHours(-2):O}}","Next":"{{thisHour.AddHours(-1):O}}","LastUpdated":"{{thisHour.AddHours(-2):O}}"}""";
        var container = azurite.Blobs.GetBlobContainerClient("azure-webjobs-hosts");
        await container.CreateIfNotExistsAsync();
        var blob = container.GetBlobClient($"timers/{hostId}/Host.Functions.Hourly/status");
        await blob.UploadAsync(BinaryData.FromString(status), overwrite: true);
        var key = "Hourly";
        var before = (await azurite.RecordsAsync(key)).Count;

        await using var host = await FunctionsLocalHost.StartAsync(TestWorker.Options(azurite.ConnectionString, log, Settings(("AzureFunctionsWebHost__hostid", hostId))));

        Assert.Equal(hostId, host.HostId);
        Assert.True(await Wait.UntilAsync(async () => (await azurite.RecordsAsync(key)).Count > before, TimeSpan.FromSeconds(20)), log.Tail());
        var run = (await azurite.RecordsAsync(key)).Last();
        Assert.True(run.GetBoolean("IsPastDue"));
        Assert.Equal(thisHour.AddHours(-1), run.GetDateTime("Next"));
        Assert.Equal(thisHour.AddHours(-2), run.GetDateTime("Last"));

        Assert.True(await Wait.UntilAsync(async () => JsonDocument.Parse((await blob.DownloadContentAsync()).Value.Content.ToString()).RootElement.GetProperty("Next").GetDateTime().ToUniversalTime() > DateTime.UtcNow, TimeSpan.FromSeconds(10)));
        using var written = JsonDocument.Parse((await blob.DownloadContentAsync()).Value.Content.ToString());
        Assert.Equal(thisHour.AddHours(1), written.RootElement.GetProperty("Next").GetDateTime().ToUniversalTime());
        Assert.InRange(written.RootElement.GetProperty("Last").GetDateTime().ToUniversalTime(), now.AddSeconds(-5), DateTime.UtcNow.AddSeconds(1));
    }

    [Fact]
    public async Task Host_json_overrides_apply_messageEncoding_none_and_a_message_received_over_maxDequeueCount_is_poisoned_without_running()
    {
        var log = new FakeLogCollector();
        var queueName = AzuriteFixture.NewKey("raw");
        var raw = new QueueClient(azurite.ConnectionString, queueName, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.None });
        await raw.CreateIfNotExistsAsync();
        var overKey = AzuriteFixture.NewKey("over");
        var over = $"fail over the count:{overKey}";
        var overId = (await raw.SendMessageAsync(over)).Value.MessageId;
        for (var i = 0; i < 4; i++)
        {
            var received = (await raw.ReceiveMessagesAsync(1, TimeSpan.FromSeconds(30))).Value.Single(m => m.MessageId == overId);
            await raw.UpdateMessageAsync(received.MessageId, received.PopReceipt, visibilityTimeout: TimeSpan.Zero);
        }

        await using var host = await FunctionsLocalHost.StartAsync(TestWorker.Options(azurite.ConnectionString, log, Settings(
            ("TextQueue", queueName),
            ("AzureFunctionsJobHost__extensions__queues__messageEncoding", "none"))));

        var key = AzuriteFixture.NewKey("plain");
        await raw.SendMessageAsync($"plain text, not base64 ✓:{key}");
        Assert.True(await Wait.UntilAsync(async () => (await azurite.RecordsAsync(key, "Text")).Count == 1, TimeSpan.FromSeconds(20)), log.Tail());
        Assert.Equal($"plain text, not base64 ✓:{key}", (await azurite.RecordsAsync(key, "Text"))[0].GetString("Message"));

        var poison = new QueueClient(azurite.ConnectionString, queueName + "-poison", new QueueClientOptions { MessageEncoding = QueueMessageEncoding.None });
        Assert.True(await Wait.UntilAsync(async () => (await poison.PeekMessagesAsync(32)).Value.Any(m => m.Body.ToString() == over), TimeSpan.FromSeconds(20)), log.Tail());
        Assert.Empty(await azurite.RecordsAsync(overKey));
        Assert.Equal(Encoding.UTF8.GetBytes(over), (await poison.PeekMessagesAsync(32)).Value.First(m => m.Body.ToString() == over).Body.ToArray());
    }

    [Fact]
    public async Task A_disabled_function_is_not_triggered_and_its_route_is_a_404()
    {
        var log = new FakeLogCollector();
        var queueName = AzuriteFixture.NewKey("off");
        await using var host = await FunctionsLocalHost.StartAsync(TestWorker.Options(azurite.ConnectionString, log, Settings(
            ("WorkQueue", queueName),
            ("AzureWebJobs.Work.Disabled", "true"),
            ("AzureWebJobs.Echo.Disabled", "true"))));
        using var http = new HttpClient { BaseAddress = host.BaseAddress };

        Assert.True(Assert.Single(host.Functions, f => f.Name == "Work").IsDisabled);
        using var response = await http.GetAsync("api/echo");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var key = AzuriteFixture.NewKey("off");
        await azurite.Queues.GetQueueClient(queueName).CreateIfNotExistsAsync();
        await azurite.Queues.GetQueueClient(queueName).SendMessageAsync(JsonSerializer.Serialize(new { key, mode = "ok" }));
        // An absence, observed over more than one polling interval (the test worker's maxPollingInterval is 1 s): nobody
        // dequeued the message, and nothing ran.
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.Equal(0, Assert.Single((await azurite.Queues.GetQueueClient(queueName).PeekMessagesAsync(32)).Value).DequeueCount);
        Assert.Empty(await azurite.RecordsAsync(key));

        var outcome = await host.InvokeAsync("Work", JsonSerializer.Serialize(new { key, mode = "ok" }));
        Assert.True(outcome.Succeeded, outcome.ExceptionMessage);
    }
}
