using System.Collections.Concurrent;
using AlliancePipeline.Storage.Queues;

namespace AlliancePipeline.Functions.LocalDriver;

/// <summary>
/// Polls one queue for one queue-triggered function with the Functions host's semantics
/// (Microsoft.Azure.WebJobs.Extensions.Storage.Queues, QueueListener and QueueProcessor):
/// <list type="bullet">
/// <item>Fetches up to <c>batchSize</c> messages per poll, hidden for the lease (the host: 10 minutes) and runs them
/// concurrently; fetches the next batch when the number still running is down to <c>newBatchThreshold</c>.</item>
/// <item>While a message runs its visibility is renewed every half lease, so a long run is not delivered twice.</item>
/// <item>Success deletes the message. Failure (a non-2xx answer, or no answer) releases it for its next try after
/// <c>visibilityTimeout</c>, unless its dequeue count has reached <c>maxDequeueCount</c>: then its text is copied to
/// <c>&lt;queue&gt;-poison</c> and it is deleted, with the reason logged.</item>
/// <item>A message received with a dequeue count already above <c>maxDequeueCount</c> (its last run died with the
/// process) is poisoned without running.</item>
/// <item>An empty poll doubles the wait before the next, from 100 ms up to <c>maxPollingInterval</c>; a poll that
/// finds messages resets it.</item>
/// </list>
/// </summary>
public sealed class QueueListener(
    FunctionDefinition function,
    QueueSettings settings,
    TimeSpan messageLease,
    IQueueServiceClient queues,
    HandlerClient handler,
    ILogger logger,
    TimeProvider? clock = null)
{
    /// <summary>The first wait after an empty poll.</summary>
    public static readonly TimeSpan MinimumPollingInterval = TimeSpan.FromMilliseconds(100);

    private readonly TimeProvider _clock = clock ?? TimeProvider.System;
    private readonly ConcurrentDictionary<string, Task> _running = new();
    private readonly ConcurrentQueue<TimeSpan> _waits = new();
    private readonly SemaphoreSlim _finished = new(0);
    private CancellationTokenSource? _stop;
    private Task? _loop;

    /// <summary>The queue.</summary>
    public string QueueName => function.QueueName!;

    /// <summary>The waits taken after empty polls, oldest first (the last 100), for inspection.</summary>
    public IReadOnlyList<TimeSpan> EmptyPollWaits => [.. _waits];

    /// <summary>Starts polling.</summary>
    public void Start()
    {
        _stop = new CancellationTokenSource();
        _loop = Task.Run(() => RunAsync(_stop.Token));
    }

    /// <summary>Stops polling and waits for running messages.</summary>
    public async Task StopAsync()
    {
        if (_stop is null) return;
        await _stop.CancelAsync().ConfigureAwait(false);
        try { if (_loop is not null) await _loop.ConfigureAwait(false); } catch (OperationCanceledException) { }
        await Task.WhenAll(_running.Values).ConfigureAwait(false);
        _stop.Dispose();
        _stop = null;
    }

    /// <summary>The wait after an empty poll, given the previous one (doubling, capped).</summary>
    public static TimeSpan NextWait(TimeSpan previous, TimeSpan max)
    {
        var next = previous <= TimeSpan.Zero ? MinimumPollingInterval : previous * 2;
        return next > max ? max : next;
    }

    private async Task RunAsync(CancellationToken ct)
    {
        var queue = queues.GetQueueClient(QueueName);
        var wait = TimeSpan.Zero;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                if (_running.Count > settings.NewBatchThreshold)
                {
                    await _finished.WaitAsync(ct).ConfigureAwait(false);
                    continue;
                }
                var received = (await queue.ReceiveMessagesAsync(settings.BatchSize, messageLease, ct).ConfigureAwait(false)).Value;
                if (received.Count == 0)
                {
                    wait = NextWait(wait, settings.MaxPollingInterval);
                    _waits.Enqueue(wait);
                    while (_waits.Count > 100) _waits.TryDequeue(out _);
                    await Task.Delay(wait, ct).ConfigureAwait(false);
                    continue;
                }
                wait = TimeSpan.Zero;
                foreach (var message in received)
                {
                    var task = ProcessAsync(queue, message, ct);
                    _running[message.MessageId] = task;
                    _ = task.ContinueWith(_ =>
                    {
                        _running.TryRemove(message.MessageId, out Task? _);
                        _finished.Release();
                    }, TaskScheduler.Default);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                // Storage unreachable or refusing: keep listening, as the host does, after a wait.
                logger.LogWarning(e, "Polling {Queue} failed; retrying.", QueueName);
                wait = NextWait(wait, settings.MaxPollingInterval);
                try { await Task.Delay(wait, ct).ConfigureAwait(false); } catch (OperationCanceledException) { break; }
            }
        }
    }

    private async Task ProcessAsync(IQueueClient queue, QueueMessage message, CancellationToken ct)
    {
        await Task.Yield();
        if (message.DequeueCount > settings.MaxDequeueCount)
        {
            try
            {
                await PoisonAsync(queue, message, message.PopReceipt, $"its dequeue count {message.DequeueCount} exceeds maxDequeueCount {settings.MaxDequeueCount} (an earlier run did not finish)", CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "Poisoning message {MessageId} on {Queue} failed; it will be received again.", message.MessageId, QueueName);
            }
            return;
        }

        using var renewal = new CancellationTokenSource();
        var popReceipt = message.PopReceipt;
        var renewing = RenewAsync();
        InvocationResult result;
        try
        {
            var (data, metadata) = HandlerClient.QueuePayload(function, message, _clock.GetUtcNow());
            // The invocation is not cancelled by a stop: the host lets running functions finish.
            result = await handler.InvokeAsync(function.Name, data, metadata, CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            await renewal.CancelAsync().ConfigureAwait(false);
            await renewing.ConfigureAwait(false);
        }

        try
        {
            if (result.Succeeded)
            {
                await queue.DeleteMessageAsync(message.MessageId, popReceipt, CancellationToken.None).ConfigureAwait(false);
            }
            else if (message.DequeueCount >= settings.MaxDequeueCount)
            {
                await PoisonAsync(queue, message, popReceipt, result.FailureReason, CancellationToken.None).ConfigureAwait(false);
            }
            else
            {
                logger.LogWarning("{Function} failed on message {MessageId} (dequeue {DequeueCount} of {Max}): {Reason}",
                    function.Name, message.MessageId, message.DequeueCount, settings.MaxDequeueCount, result.FailureReason);
                await queue.UpdateMessageAsync(message.MessageId, popReceipt, settings.VisibilityTimeout, cancellationToken: CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (Exception e)
        {
            // Lost the message's lease (e.g. deleted elsewhere): it comes back by itself when its visibility ends.
            logger.LogWarning(e, "Completing message {MessageId} on {Queue} failed.", message.MessageId, QueueName);
        }

        async Task RenewAsync()
        {
            var every = messageLease / 2;
            while (true)
            {
                try
                {
                    await Task.Delay(every, renewal.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                try
                {
                    // Not cancelled mid-request: an update the service applied must leave its pop receipt here, or the
                    // delete that follows would be refused and the message delivered again.
                    var receipt = await queue.UpdateMessageAsync(message.MessageId, popReceipt, messageLease, cancellationToken: CancellationToken.None).ConfigureAwait(false);
                    popReceipt = receipt.Value.PopReceipt;
                }
                catch (Exception e)
                {
                    logger.LogWarning(e, "Renewing the visibility of message {MessageId} on {Queue} failed.", message.MessageId, QueueName);
                    return;
                }
            }
        }
    }

    private async Task PoisonAsync(IQueueClient queue, QueueMessage message, string popReceipt, string reason, CancellationToken ct)
    {
        var poisonName = QueueName + "-poison";
        var poison = queues.GetQueueClient(poisonName);
        await poison.CreateIfNotExistsAsync(ct).ConfigureAwait(false);
        await poison.SendMessageAsync(message.MessageText, cancellationToken: ct).ConfigureAwait(false);
        await queue.DeleteMessageAsync(message.MessageId, popReceipt, ct).ConfigureAwait(false);
        logger.LogError("Message {MessageId} moved to {PoisonQueue} after {DequeueCount} dequeues: {Reason}",
            message.MessageId, poisonName, message.DequeueCount, reason);
    }
}
