using AlliancePipeline.Storage.Queues;
using AlliancePipeline.Storage.Common;
using Azure;
using Azure.Core;

namespace AlliancePipeline.Storage.Tests;

[Collection(AzuriteCollection.Name)]
public sealed class QueueClientTests(AzuriteFixture azurite)
{
    private async Task<IQueueClient> NewQueueAsync()
    {
        var queue = azurite.Queues.GetQueueClient(AzuriteFixture.UniqueName("q"));
        await queue.CreateIfNotExistsAsync();
        return queue;
    }

    [Fact]
    public async Task Create_is_idempotent_and_delete_if_exists_tolerates_a_missing_queue()
    {
        var queue = await NewQueueAsync();
        await queue.CreateIfNotExistsAsync();
        Assert.Equal(0, (await queue.GetApproximateMessageCountAsync()).Value);
        await queue.DeleteIfExistsAsync();
        await queue.DeleteIfExistsAsync();
        var e = await Assert.ThrowsAsync<RequestFailedException>(() => queue.GetApproximateMessageCountAsync());
        Assert.Equal(404, e.Status);
        Assert.Equal("QueueNotFound", e.ErrorCode);
    }

    [Fact]
    public async Task Send_then_receive_round_trips_text_and_delete_removes_it()
    {
        var queue = await NewQueueAsync();
        const string text = "{\"study\":\"Zürich – 'alliance'\",\"n\":3} <&>";
        var receipt = (await queue.SendMessageAsync(text)).Value;
        Assert.False(string.IsNullOrEmpty(receipt.MessageId));
        Assert.True(receipt.ExpiresOn - receipt.InsertedOn > TimeSpan.FromDays(6.9));

        var received = (await queue.ReceiveMessagesAsync(1, TimeSpan.FromSeconds(30))).Value;
        var message = Assert.Single(received);
        Assert.Equal(receipt.MessageId, message.MessageId);
        Assert.Equal(text, message.MessageText);
        Assert.Equal(1, message.DequeueCount);

        await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt);
        Assert.Empty((await queue.PeekMessagesAsync(32)).Value);
        Assert.Equal(0, (await queue.GetApproximateMessageCountAsync()).Value);
    }

    [Fact]
    public async Task Messages_are_base64_encoded_on_the_wire()
    {
        var recorder = new ResponseRecorder();
        var options = new StorageClientOptions();
        options.AddPolicy(recorder, HttpPipelinePosition.PerCall);
        var queue = new QueueServiceClient(azurite.Account, options).GetQueueClient(AzuriteFixture.UniqueName("q"));
        await queue.CreateIfNotExistsAsync();
        await queue.SendMessageAsync("hello ü");
        var peeked = Assert.Single((await queue.PeekMessagesAsync()).Value);
        Assert.Equal("hello ü", peeked.MessageText);
        // base64(UTF-8 "hello ü") = aGVsbG8gw7w=, as the Functions queue trigger expects it.
        Assert.Contains("<MessageText>aGVsbG8gw7w=</MessageText>", recorder.Bodies.Last());
    }

    [Fact]
    public async Task A_message_whose_visibility_runs_out_comes_back_with_a_higher_dequeue_count()
    {
        var queue = await NewQueueAsync();
        await queue.SendMessageAsync("retry me");
        var first = Assert.Single((await queue.ReceiveMessagesAsync(1, TimeSpan.FromSeconds(1))).Value);
        Assert.Equal(1, first.DequeueCount);
        Assert.Empty((await queue.ReceiveMessagesAsync(1)).Value);

        await Task.Delay(TimeSpan.FromSeconds(2.2));
        var second = Assert.Single((await queue.ReceiveMessagesAsync(1, TimeSpan.FromSeconds(30))).Value);
        Assert.Equal(first.MessageId, second.MessageId);
        Assert.Equal(2, second.DequeueCount);
        var stale = await Assert.ThrowsAsync<RequestFailedException>(() => queue.DeleteMessageAsync(first.MessageId, first.PopReceipt));
        // The receipt of the first receive is stale: Azure and Azurite answer 400 PopReceiptMismatch.
        Assert.Equal(400, stale.Status);
        Assert.Equal("PopReceiptMismatch", stale.ErrorCode);
        Assert.Contains("PopReceiptMismatch", stale.Message);
        await queue.DeleteMessageAsync(second.MessageId, second.PopReceipt);
    }

    [Fact]
    public async Task Visibility_delay_hides_a_new_message_until_it_passes()
    {
        var queue = await NewQueueAsync();
        var receipt = (await queue.SendMessageAsync("later", visibilityDelay: TimeSpan.FromSeconds(1))).Value;
        Assert.True(receipt.NextVisibleOn > receipt.InsertedOn);
        Assert.Empty((await queue.ReceiveMessagesAsync()).Value);
        Assert.Equal(1, (await queue.GetApproximateMessageCountAsync()).Value);
        await Task.Delay(TimeSpan.FromSeconds(2.2));
        Assert.Equal("later", Assert.Single((await queue.ReceiveMessagesAsync()).Value).MessageText);
    }

    [Fact]
    public async Task Time_to_live_sets_the_expiry_and_infinite_never_expires()
    {
        var queue = await NewQueueAsync();
        var shortLived = (await queue.SendMessageAsync("short", timeToLive: TimeSpan.FromSeconds(60))).Value;
        Assert.Equal(60, (shortLived.ExpiresOn - shortLived.InsertedOn).TotalSeconds, 1.0);
        var forever = (await queue.SendMessageAsync("forever", timeToLive: Timeout.InfiniteTimeSpan)).Value;
        Assert.True(forever.ExpiresOn.Year >= 9999);
    }

    [Fact]
    public async Task Receive_takes_up_to_32_peek_does_not_hide_and_count_is_approximate()
    {
        var queue = await NewQueueAsync();
        for (var i = 0; i < 40; i++) await queue.SendMessageAsync($"m{i}");
        Assert.Equal(40, (await queue.GetApproximateMessageCountAsync()).Value);

        var peeked = (await queue.PeekMessagesAsync(32)).Value;
        Assert.Equal(32, peeked.Count);
        Assert.All(peeked, p => Assert.Equal(0, p.DequeueCount));

        var received = (await queue.ReceiveMessagesAsync(32, TimeSpan.FromSeconds(60))).Value;
        Assert.Equal(32, received.Count);
        Assert.Equal(32, received.Select(m => m.MessageText).Distinct().Count());
        Assert.Equal(8, (await queue.ReceiveMessagesAsync(32, TimeSpan.FromSeconds(60))).Value.Count);

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => queue.ReceiveMessagesAsync(33));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => queue.PeekMessagesAsync(0));
    }

    [Fact]
    public async Task Update_changes_visibility_and_text_and_returns_a_new_pop_receipt()
    {
        var queue = await NewQueueAsync();
        await queue.SendMessageAsync("v1");
        var message = Assert.Single((await queue.ReceiveMessagesAsync(1, TimeSpan.FromSeconds(60))).Value);

        var update = (await queue.UpdateMessageAsync(message.MessageId, message.PopReceipt, TimeSpan.Zero, "v2")).Value;
        Assert.NotEqual(message.PopReceipt, update.PopReceipt);
        var again = Assert.Single((await queue.ReceiveMessagesAsync(1, TimeSpan.FromSeconds(60))).Value);
        Assert.Equal("v2", again.MessageText);
        Assert.Equal(2, again.DequeueCount);

        var hidden = (await queue.UpdateMessageAsync(again.MessageId, again.PopReceipt, TimeSpan.FromSeconds(120))).Value;
        Assert.True(hidden.NextVisibleOn > DateTimeOffset.UtcNow.AddSeconds(100));
        Assert.Empty((await queue.ReceiveMessagesAsync()).Value);
        await queue.DeleteMessageAsync(again.MessageId, hidden.PopReceipt);
    }

    [Fact]
    public async Task Invalid_queue_names_and_oversized_messages_are_refused_with_a_clear_error()
    {
        var e = Assert.Throws<ArgumentException>(() => azurite.Queues.GetQueueClient("Bad_Name"));
        Assert.Contains("Bad_Name", e.Message);
        Assert.Throws<ArgumentException>(() => azurite.Queues.GetQueueClient("a--b"));
        var queue = azurite.Queues.GetQueueClient(AzuriteFixture.UniqueName("q"));
        var big = new string('x', 50_000);
        var tooBig = await Assert.ThrowsAsync<ArgumentException>(() => queue.SendMessageAsync(big));
        Assert.Contains("too large", tooBig.Message);
    }
}
