using System.Text.Json;
using AlliancePipeline.Functions.Tests.Infrastructure;
using AlliancePipeline.LocalHost.Tests.Infrastructure;

namespace AlliancePipeline.LocalHost.Tests;

/// <summary>
/// Queue triggers with the host's semantics, on the test worker's host.json: visibilityTimeout 2 s, maxDequeueCount 3,
/// base64 messages.
/// </summary>
[Collection(SharedHostCollection.Name)]
public sealed class QueueTriggerTests(LocalHostFixture fixture)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static string Work(string key, string mode, int failTimes = 0) => JsonSerializer.Serialize(new { key, mode, failTimes });

    [Fact]
    public async Task A_message_runs_once_and_is_deleted_its_id_and_dequeue_count_bound()
    {
        var key = AzuriteFixture.NewKey("ok");
        var queue = fixture.Queues.GetQueueClient("work");
        var sent = (await queue.SendMessageAsync(Work(key, "ok"))).Value;

        Assert.True(await Wait.UntilAsync(async () => (await fixture.RecordsAsync(key, "Done")).Count == 1, Patience), fixture.Log.Tail());
        var attempt = Assert.Single(await fixture.RecordsAsync(key, "Attempt"));
        Assert.Equal(sent.MessageId, attempt.GetString("MessageId"));
        Assert.Equal(1L, attempt.GetInt64("DequeueCount"));
        // Deleted once the worker answered: nothing can run it again.
        Assert.True(await Wait.UntilAsync(async () => !(await queue.PeekMessagesAsync(32)).Value.Any(m => m.MessageId == sent.MessageId), Patience));
        Assert.Single(await fixture.RecordsAsync(key, "Attempt"));
    }

    [Fact]
    public async Task A_failing_message_is_retried_after_the_visibility_timeout_with_growing_dequeue_counts()
    {
        var key = AzuriteFixture.NewKey("retry");
        await fixture.Queues.GetQueueClient("work").SendMessageAsync(Work(key, "fail", failTimes: 2));

        Assert.True(await Wait.UntilAsync(async () => (await fixture.RecordsAsync(key, "Done")).Count == 1, Patience), fixture.Log.Tail());
        var attempts = await fixture.RecordsAsync(key, "Attempt");
        Assert.Equal([1L, 2L, 3L], attempts.Select(a => a.GetInt64("DequeueCount")!.Value));
        Assert.Single(attempts.Select(a => a.GetString("MessageId")).Distinct());
        for (var i = 1; i < attempts.Count; i++)
        {
            var gap = attempts[i].Timestamp!.Value - attempts[i - 1].Timestamp!.Value;
            Assert.True(gap >= TimeSpan.FromSeconds(1.8), $"retry {i} came {gap.TotalMilliseconds:0} ms after the failure; visibilityTimeout is 2 s");
        }
    }

    [Fact]
    public async Task A_message_that_keeps_failing_goes_to_the_poison_queue_with_its_text_intact()
    {
        var key = AzuriteFixture.NewKey("poison");
        var text = $"fail: ünïcødé ✓ {{\"json\": [1, 2]}} <&> :{key}";
        await fixture.Queues.GetQueueClient("text").SendMessageAsync(text);

        var poison = fixture.Queues.GetQueueClient("text-poison");
        Assert.True(await Wait.UntilAsync(async () => (await poison.PeekMessagesAsync(32)).Value.Any(m => m.Body.ToString() == text), Patience), fixture.Log.Tail());
        var attempts = await fixture.RecordsAsync(key, "Text");
        Assert.Equal([1L, 2L, 3L], attempts.Select(a => a.GetInt64("DequeueCount")!.Value));
        Assert.All(attempts, a => Assert.Equal(text, a.GetString("Message")));
        Assert.True(fixture.Log.Has(LogLevel.Warning, "Message has reached MaxDequeueCount of 3. Moving message to queue 'text-poison'."));
        // The host copies the message to the poison queue, then deletes the original.
        Assert.True(await Wait.UntilAsync(async () => !(await fixture.Queues.GetQueueClient("text").PeekMessagesAsync(32)).Value.Any(m => m.Body.ToString() == text), Patience));
    }

    [Fact]
    public async Task The_insertion_time_and_text_reach_the_function_as_trigger_metadata()
    {
        var key = AzuriteFixture.NewKey("meta");
        var before = DateTimeOffset.UtcNow;
        await fixture.Queues.GetQueueClient("text").SendMessageAsync($"hello:{key}");

        Assert.True(await Wait.UntilAsync(async () => (await fixture.RecordsAsync(key, "Text")).Count == 1, Patience), fixture.Log.Tail());
        var record = (await fixture.RecordsAsync(key, "Text"))[0];
        Assert.Equal($"hello:{key}", record.GetString("Message"));
        var inserted = record.GetDateTimeOffset("InsertionTime")!.Value;
        Assert.InRange(inserted, before.AddSeconds(-2), DateTimeOffset.UtcNow);
    }

    [Fact]
    public async Task An_empty_queue_is_polled_with_back_off_up_to_maxPollingInterval()
    {
        var stats = fixture.Host.QueueListeners.Single(l => l.QueueName == "work").Stats;
        Assert.True(stats.Polls > 0);
        Assert.InRange(stats.NextPollDelayMs, 100, 1000);
        Assert.True(await Wait.UntilAsync(() => fixture.Host.QueueListeners.Single(l => l.QueueName == "text").Stats.NextPollDelayMs == 1000, TimeSpan.FromSeconds(15)));
    }
}
