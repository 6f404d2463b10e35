using Azure;

namespace AlliancePipeline.Storage.Queues;

/// <summary>
/// One queue of an Azure Queue Storage account, over the Queue service REST API. Message text is sent and received
/// base64-encoded on the wire (what the Functions queue trigger expects); callers see plain text.
/// </summary>
public interface IQueueClient
{
    /// <summary>The queue name.</summary>
    string Name { get; }

    /// <summary>Creates the queue if it does not exist.</summary>
    Task CreateIfNotExistsAsync(CancellationToken cancellationToken = default);

    /// <summary>Deletes the queue if it exists.</summary>
    Task DeleteIfExistsAsync(CancellationToken cancellationToken = default);

    /// <summary>Put Message: <paramref name="visibilityDelay"/> hides it at first; <paramref name="timeToLive"/> (default 7 days; <see cref="Timeout.InfiniteTimeSpan"/> = never expires).</summary>
    Task<Response<SendReceipt>> SendMessageAsync(string messageText, TimeSpan? visibilityDelay = null, TimeSpan? timeToLive = null, CancellationToken cancellationToken = default);

    /// <summary>Get Messages: 1–32 messages, each hidden for <paramref name="visibilityTimeout"/> (default 30 s) and with its dequeue count raised.</summary>
    Task<Response<IReadOnlyList<QueueMessage>>> ReceiveMessagesAsync(int maxMessages = 1, TimeSpan? visibilityTimeout = null, CancellationToken cancellationToken = default);

    /// <summary>Peek Messages: 1–32 visible messages without hiding them or changing their dequeue count.</summary>
    Task<Response<IReadOnlyList<PeekedMessage>>> PeekMessagesAsync(int maxMessages = 1, CancellationToken cancellationToken = default);

    /// <summary>Delete Message with the pop receipt of its latest receive or update.</summary>
    Task<Response> DeleteMessageAsync(string messageId, string popReceipt, CancellationToken cancellationToken = default);

    /// <summary>Update Message: sets its visibility timeout (and optionally its text); returns the new pop receipt.</summary>
    Task<Response<UpdateReceipt>> UpdateMessageAsync(string messageId, string popReceipt, TimeSpan visibilityTimeout, string? messageText = null, CancellationToken cancellationToken = default);

    /// <summary>Get Queue Metadata: the approximate number of messages.</summary>
    Task<Response<int>> GetApproximateMessageCountAsync(CancellationToken cancellationToken = default);
}

/// <summary>Entry point to the Queue service of one account.</summary>
public interface IQueueServiceClient
{
    /// <summary>The client for one queue (no request is made).</summary>
    IQueueClient GetQueueClient(string queueName);
}

/// <summary>A received message: its text (decoded), pop receipt and dequeue count.</summary>
public sealed record QueueMessage(
    string MessageId,
    string PopReceipt,
    string MessageText,
    long DequeueCount,
    DateTimeOffset InsertedOn,
    DateTimeOffset ExpiresOn,
    DateTimeOffset NextVisibleOn);

/// <summary>A peeked message: visible, not hidden by the peek.</summary>
public sealed record PeekedMessage(string MessageId, string MessageText, long DequeueCount, DateTimeOffset InsertedOn, DateTimeOffset ExpiresOn);

/// <summary>What Put Message returns.</summary>
public sealed record SendReceipt(string MessageId, string PopReceipt, DateTimeOffset InsertedOn, DateTimeOffset ExpiresOn, DateTimeOffset NextVisibleOn);

/// <summary>What Update Message returns.</summary>
public sealed record UpdateReceipt(string PopReceipt, DateTimeOffset NextVisibleOn);
