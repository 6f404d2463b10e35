using AlliancePipeline.Functions.LocalDriver;
using AlliancePipeline.Functions.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;

namespace AlliancePipeline.Functions.Tests;

/// <summary>The driver's queue semantics against Azurite, with a stub handler whose answers the test decides.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class QueueListenerTests(AzuriteFixture azurite)
{
    private static QueueSettings Fast(int maxDequeueCount = 5, int batchSize = 16, int? threshold = null) => new()
    {
        MaxPollingInterval = TimeSpan.FromMilliseconds(400),
        VisibilityTimeout = TimeSpan.Zero,
        BatchSize = batchSize,
        MaxDequeueCount = maxDequeueCount,
        NewBatchThreshold = threshold ?? batchSize / 2,
    };

    private static FunctionDefinition Function(string queue) => new() { Name = "Probe", TriggerType = "queueTrigger", TriggerName = "message", QueueName = queue };

    private async Task<(QueueListener Listener, HttpClient Http)> StartAsync(string queue, StubHandler stub, QueueSettings settings, TimeSpan? lease = null)
    {
        await azurite.Queues.GetQueueClient(queue).CreateIfNotExistsAsync();
        var http = new HttpClient { BaseAddress = stub.Address };
        var listener = new QueueListener(Function(queue), settings, lease ?? TimeSpan.FromSeconds(30), azurite.Queues, new HandlerClient(http), NullLogger.Instance);
        listener.Start();
        return (listener, http);
    }

    [Fact]
    public async Task A_message_that_always_fails_is_tried_maxDequeueCount_times_then_moved_to_the_poison_queue()
    {
        var queue = AzuriteFixture.UniqueName("fail");
        await using var stub = await StubHandler.StartAsync(_ => Task.FromResult(500));
        var (listener, http) = await StartAsync(queue, stub, Fast());
        await azurite.Queues.GetQueueClient(queue).SendMessageAsync("{\"always\":\"fails\"}");

        var poison = azurite.Queues.GetQueueClient(queue + "-poison");
        var poisoned = await Eventually.GetAsync(async () =>
        {
            try { return (await poison.PeekMessagesAsync(32)).Value is { Count: > 0 } m ? m : null; }
            catch (Azure.RequestFailedException e) when (e.Status == 404) { return null; }
        }, TimeSpan.FromSeconds(20), "the message in the poison queue");
        await listener.StopAsync();
        http.Dispose();

        Assert.Equal("{\"always\":\"fails\"}", Assert.Single(poisoned).MessageText);
        Assert.Equal([1L, 2L, 3L, 4L, 5L], stub.Received.Select(r => r.DequeueCount).ToArray());
        Assert.All(stub.Received, r => Assert.Equal("{\"always\":\"fails\"}", r.MessageText()));
        Assert.Equal(0, (await azurite.Queues.GetQueueClient(queue).GetApproximateMessageCountAsync()).Value);
    }

    [Fact]
    public async Task A_message_received_beyond_maxDequeueCount_is_poisoned_without_running()
    {
        var queue = AzuriteFixture.UniqueName("over");
        var client = azurite.Queues.GetQueueClient(queue);
        await client.CreateIfNotExistsAsync();
        await client.SendMessageAsync("left over by a crash");
        // Receive it three times without completing, as three runs that died with their process would.
        for (var i = 0; i < 3; i++)
        {
            var got = await Eventually.GetAsync(async () => (await client.ReceiveMessagesAsync(1, TimeSpan.FromSeconds(1))).Value is { Count: 1 } m ? m : null,
                TimeSpan.FromSeconds(10), "the message to be visible again");
            Assert.Equal(i + 1, got[0].DequeueCount);
        }
        await Eventually.TrueAsync(async () => (await client.PeekMessagesAsync(1)).Value.Count == 1, TimeSpan.FromSeconds(5), "visibility");

        await using var stub = await StubHandler.StartAsync(_ => Task.FromResult(200));
        var (listener, http) = await StartAsync(queue, stub, Fast(maxDequeueCount: 3));
        var poison = azurite.Queues.GetQueueClient(queue + "-poison");
        await Eventually.TrueAsync(async () =>
        {
            try { return (await poison.PeekMessagesAsync(1)).Value.Count == 1; }
            catch (Azure.RequestFailedException e) when (e.Status == 404) { return false; }
        }, TimeSpan.FromSeconds(10), "the poison queue");
        await listener.StopAsync();
        http.Dispose();

        Assert.Empty(stub.Received);
        Assert.Equal("left over by a crash", (await poison.PeekMessagesAsync(1)).Value[0].MessageText);
    }

    [Fact]
    public async Task A_long_run_keeps_its_message_hidden_beyond_the_lease_and_it_is_delivered_once()
    {
        var queue = AzuriteFixture.UniqueName("long");
        var release = new TaskCompletionSource();
        await using var stub = await StubHandler.StartAsync(async _ =>
        {
            await release.Task;
            return 200;
        });
        var lease = TimeSpan.FromSeconds(2);
        var (listener, http) = await StartAsync(queue, stub, Fast(), lease);
        var client = azurite.Queues.GetQueueClient(queue);
        await client.SendMessageAsync("slow work");
        await Eventually.TrueAsync(() => Task.FromResult(!stub.Received.IsEmpty), TimeSpan.FromSeconds(10), "the invocation");

        // Twice the lease later the message would be visible again had its visibility not been renewed.
        for (var i = 0; i < 4; i++)
        {
            await Task.Delay(TimeSpan.FromSeconds(1));
            Assert.Empty((await client.PeekMessagesAsync(1)).Value);
        }
        release.SetResult();
        await Eventually.TrueAsync(async () => (await client.GetApproximateMessageCountAsync()).Value == 0, TimeSpan.FromSeconds(10), "deletion");
        await Task.Delay(lease * 1.5);
        await listener.StopAsync();
        http.Dispose();

        Assert.Single(stub.Received);
        Assert.Empty((await client.PeekMessagesAsync(1)).Value);
    }

    [Fact]
    public async Task Empty_polls_back_off_by_doubling_from_100_ms_up_to_maxPollingInterval()
    {
        var queue = AzuriteFixture.UniqueName("idle");
        await using var stub = await StubHandler.StartAsync(_ => Task.FromResult(200));
        var (listener, http) = await StartAsync(queue, stub, Fast());
        await Eventually.TrueAsync(() => Task.FromResult(listener.EmptyPollWaits.Count >= 6), TimeSpan.FromSeconds(10), "six empty polls");
        // A message resets the wait: the next empty poll starts again at 100 ms.
        await azurite.Queues.GetQueueClient(queue).SendMessageAsync("wake up");
        await Eventually.TrueAsync(() => Task.FromResult(stub.Received.Count == 1), TimeSpan.FromSeconds(5), "the message");
        var before = listener.EmptyPollWaits.Count;
        await Eventually.TrueAsync(() => Task.FromResult(listener.EmptyPollWaits.Count > before + 1), TimeSpan.FromSeconds(5), "polls after the message");
        await listener.StopAsync();
        http.Dispose();

        var waits = listener.EmptyPollWaits.Select(w => w.TotalMilliseconds).ToArray();
        Assert.Equal([100.0, 200.0, 400.0, 400.0], waits[..4]);
        // After the message, the waits start again from 100 ms.
        Assert.Equal(100.0, waits.Skip(3).First(w => w < 400.0));
        Assert.All(waits, w => Assert.InRange(w, 100.0, 400.0));
    }

    [Theory]
    [InlineData(0, 60_000, 100)]
    [InlineData(100, 60_000, 200)]
    [InlineData(400, 60_000, 800)]
    [InlineData(40_000, 60_000, 60_000)]
    [InlineData(60_000, 60_000, 60_000)]
    public void NextWait_doubles_and_is_capped(int previousMs, int maxMs, int expectedMs) =>
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), QueueListener.NextWait(TimeSpan.FromMilliseconds(previousMs), TimeSpan.FromMilliseconds(maxMs)));

    [Fact]
    public async Task Batches_run_concurrently_within_batchSize_plus_newBatchThreshold_and_a_failing_message_holds_nothing_up()
    {
        var queue = AzuriteFixture.UniqueName("batch");
        await using var stub = await StubHandler.StartAsync(async r =>
        {
            if (r.MessageText() == "bad") return 500;
            await Task.Delay(300);
            return 200;
        });
        var client = azurite.Queues.GetQueueClient(queue);
        await client.CreateIfNotExistsAsync();
        await client.SendMessageAsync("bad");
        for (var i = 0; i < 20; i++) await client.SendMessageAsync($"good-{i:00}");
        var (listener, http) = await StartAsync(queue, stub, Fast(batchSize: 4, threshold: 2));

        await Eventually.TrueAsync(() => Task.FromResult(stub.Received.Count(r => r.MessageText()!.StartsWith("good", StringComparison.Ordinal)) == 20),
            TimeSpan.FromSeconds(20), "all good messages");
        await Eventually.TrueAsync(async () =>
        {
            try { return (await azurite.Queues.GetQueueClient(queue + "-poison").PeekMessagesAsync(1)).Value.Count == 1; }
            catch (Azure.RequestFailedException e) when (e.Status == 404) { return false; }
        }, TimeSpan.FromSeconds(20), "the bad message in poison");
        await listener.StopAsync();
        http.Dispose();

        Assert.InRange(stub.MaxConcurrent, 4, 6);
        Assert.Equal(20, stub.Received.Where(r => r.MessageText() != "bad").Select(r => r.MessageText()).Distinct().Count());
        Assert.Equal(5, stub.Received.Count(r => r.MessageText() == "bad"));
        Assert.Equal(0, (await client.GetApproximateMessageCountAsync()).Value);
    }
}
