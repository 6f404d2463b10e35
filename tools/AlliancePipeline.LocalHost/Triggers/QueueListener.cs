using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using AlliancePipeline.LocalHost.Configuration;
using AlliancePipeline.LocalHost.Functions;
using AlliancePipeline.LocalHost.Invocation;
using AlliancePipeline.LocalHost.Rpc;
using AlliancePipeline.LocalHost.Storage;
using AlliancePipeline.LocalHost.Worker;
using Azure;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Google.Protobuf;

namespace AlliancePipeline.LocalHost.Triggers;

/// <summary>What a queue listener has done, for <c>/admin/host/status</c>.</summary>
internal sealed record QueueListenerStats(
    string Function,
    string Queue,
    string? PoisonQueue,
    long Polls,
    long Received,
    long Succeeded,
    long Failed,
    long Poisoned,
    int Running,
    double NextPollDelayMs);

/// <summary>
/// Polls one queue for one queue-triggered function with the semantics of the WebJobs storage extension
/// (Microsoft.Azure.WebJobs.Extensions.Storage.Queues: <c>QueueListener</c>, <c>QueueProcessor</c>):
/// <list type="bullet">
/// <item>receives up to <c>batchSize</c> messages, hidden for 10 minutes, and runs them concurrently; receives again
/// at once while no more than <c>newBatchThreshold</c> are still running, else when enough have finished;</item>
/// <item>an empty poll waits with randomized exponential back-off from 100 ms to <c>maxPollingInterval</c>, reset when
/// messages are found; a message this host puts on the queue wakes it at once;</item>
/// <item>a running message's visibility is renewed every 5 minutes (half its lease);</item>
/// <item>success deletes the message; failure at dequeue count <c>maxDequeueCount</c> or more copies it to
/// <c>&lt;queue&gt;-poison</c> and deletes it, otherwise releases it to be retried after <c>visibilityTimeout</c>;</item>
/// <item>a message received with a dequeue count above <c>maxDequeueCount</c> goes to the poison queue without
/// running;</item>
/// <item>the function gets the message text and the trigger metadata <c>QueueTrigger</c>, <c>DequeueCount</c>,
/// <c>Id</c>, <c>PopReceipt</c>, <c>InsertionTime</c>, <c>ExpirationTime</c>, <c>NextVisibleTime</c>.</item>
/// </list>
/// Unlike the real host, the listener creates its queue and the poison queue at start if they are missing (the host
/// waits for the queue to exist and creates the poison queue on first use).
/// </summary>
internal sealed partial class QueueListener : IAsyncDisposable
{
    /// <summary>How long a received message stays hidden while it runs (the extension's fixed 10 minutes).</summary>
    public static readonly TimeSpan DefaultMessageLease = TimeSpan.FromMinutes(10);

    private static readonly UTF8Encoding StrictUtf8 = new(false, true);

    private readonly FunctionDescriptor _function;
    private readonly QueueSettings _settings;
    private readonly WorkerSupervisor _supervisor;
    private readonly Invoker _invoker;
    private readonly ILogger _logger;
    private readonly TimeProvider _clock;
    private readonly QueueClient _queue;
    private readonly QueueClient? _poison;
    private readonly QueueWatcher _watcher;
    private readonly ConcurrentDictionary<Guid, Task> _running = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly CancellationTokenSource _abort = new();
    private TaskCompletionSource _wake = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _loop;
    private long _polls, _received, _succeeded, _failed, _poisoned;
    private TimeSpan _nextDelay;

    public QueueListener(FunctionDescriptor function, QueueSettings settings, StorageClients storage, QueueWatcher watcher, WorkerSupervisor supervisor, Invoker invoker, ILogger logger, TimeProvider clock, TimeSpan? messageLease = null)
    {
        MessageLease = messageLease ?? DefaultMessageLease;
        _function = function;
        _settings = settings;
        _supervisor = supervisor;
        _invoker = invoker;
        _logger = logger;
        _clock = clock;
        _watcher = watcher;
        QueueName = NormalizeQueueName(function.Trigger.Property("queueName"), function.Name);
        var service = storage.Queues(function.Trigger.Property("connection"));
        _queue = service.GetQueueClient(QueueName);
        var poisonName = PoisonQueueName(QueueName);
        _poison = poisonName is null ? null : service.GetQueueClient(poisonName);
        watcher.Register(QueueName, Wake);
    }

    /// <summary>The queue polled.</summary>
    public string QueueName { get; }

    /// <summary>The function it triggers.</summary>
    public string FunctionName => _function.Name;

    /// <summary>How long a received message stays hidden while it runs; renewed every half of it.</summary>
    public TimeSpan MessageLease { get; }

    /// <summary>What the listener has done so far.</summary>
    public QueueListenerStats Stats => new(
        _function.Name, QueueName, _poison?.Name, Interlocked.Read(ref _polls), Interlocked.Read(ref _received), Interlocked.Read(ref _succeeded),
        Interlocked.Read(ref _failed), Interlocked.Read(ref _poisoned), _running.Count, _nextDelay.TotalMilliseconds);

    /// <summary>
    /// The poison queue of a queue, as the extension names it: <c>&lt;queue&gt;-poison</c>, or none for a queue that is
    /// itself a poison queue or whose name would grow too long.
    /// </summary>
    public static string? PoisonQueueName(string queueName)
    {
        if (queueName.EndsWith("-poison", StringComparison.Ordinal)) return null;
        var name = queueName + "-poison";
        return IsValidQueueName(name) ? name : null;
    }

    /// <summary>The queue name lower-cased and checked as the extension does.</summary>
    public static string NormalizeQueueName(string? name, string functionName)
    {
        var normalized = (name ?? throw new LocalHostConfigurationException($"Function {functionName}: the queueTrigger has no queueName.")).ToLowerInvariant();
        return IsValidQueueName(normalized) ? normalized
            : throw new LocalHostConfigurationException($"Function {functionName}: '{name}' is not a valid queue name (3-63 characters: lowercase letters, digits and single hyphens, starting and ending with a letter or digit).");
    }

    private static bool IsValidQueueName(string name) => name.Length is >= 3 and <= 63 && QueueNamePattern().IsMatch(name) && !name.Contains("--", StringComparison.Ordinal);

    [GeneratedRegex("^[a-z0-9][a-z0-9-]*[a-z0-9]$")]
    private static partial Regex QueueNamePattern();

    /// <summary>Creates the queue and its poison queue if they are missing, then starts polling.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var ready = false;
        try
        {
            await CreateQueuesAsync(cancellationToken).ConfigureAwait(false);
            ready = true;
        }
        catch (Exception e) when (e is RequestFailedException or HttpRequestException or IOException or AggregateException)
        {
            _logger.LogWarning("Creating queue '{Queue}' failed: {Reason}. The listener keeps trying.", QueueName, FirstLine(e.Message));
        }

        _loop = Task.Run(() => PollAsync(ready, _stop.Token), CancellationToken.None);
    }

    private async Task CreateQueuesAsync(CancellationToken cancellationToken)
    {
        await _queue.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        if (_poison is not null) await _poison.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stops polling and waits for the messages running (at most <paramref name="grace"/>, then abandons them).</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null) await _loop.ConfigureAwait(false);
        var running = Task.WhenAll(_running.Values);
        if (await Task.WhenAny(running, Task.Delay(grace)).ConfigureAwait(false) != running)
        {
            _logger.LogWarning("{Count} messages of queue '{Queue}' still running after {Grace} s; leaving them to reappear when their lease ends.", _running.Count, QueueName, grace.TotalSeconds);
            await _abort.CancelAsync().ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested) await StopAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        _stop.Dispose();
        _abort.Dispose();
    }

    /// <summary>The input and trigger metadata the host sends for one message.</summary>
    public static (TypedData Input, Dictionary<string, TypedData> Metadata) Payload(QueueMessage message, string? dataType)
    {
        var bytes = message.Body?.ToArray() ?? [];
        string? text;
        try
        {
            text = StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            text = null;
        }

        var input = string.Equals(dataType, "binary", StringComparison.OrdinalIgnoreCase) || text is null
            ? new TypedData { Bytes = ByteString.CopyFrom(bytes) }
            : new TypedData { String = text };
        var metadata = new Dictionary<string, TypedData>(StringComparer.OrdinalIgnoreCase)
        {
            ["DequeueCount"] = Json(message.DequeueCount),
            ["ExpirationTime"] = Json(message.ExpiresOn ?? DateTimeOffset.MaxValue),
            ["InsertionTime"] = Json(message.InsertedOn ?? DateTimeOffset.UtcNow),
            ["NextVisibleTime"] = Json(message.NextVisibleOn ?? DateTimeOffset.MaxValue),
        };
        if (text is not null) metadata["QueueTrigger"] = new TypedData { String = text };
        if (message.MessageId is not null) metadata["Id"] = new TypedData { String = message.MessageId };
        if (message.PopReceipt is not null) metadata["PopReceipt"] = new TypedData { String = message.PopReceipt };
        return (input, metadata);
    }

    private static TypedData Json<T>(T value) => new() { Json = JsonSerializer.Serialize(value) };

    /// <summary>Runs one message through the function now, as the admin API does (a message that is not on the queue).</summary>
    public async Task<InvocationOutcome> InvokeDirectAsync(string input, CancellationToken cancellationToken)
    {
        var worker = await _supervisor.WaitForRunningAsync(cancellationToken).ConfigureAwait(false);
        var message = QueuesModelFactory.QueueMessage(null, null, input, 0);
        var (data, metadata) = Payload(message, _function.Trigger.DataType);
        return await _invoker.InvokeAsync(worker, _function, new InvocationInput(
            InvocationInput.NewId(),
            [new ParameterBinding { Name = _function.Trigger.Name, Data = data }],
            metadata,
            "This function was programmatically called via the host APIs."), cancellationToken).ConfigureAwait(false);
    }

    private void Wake() => _wake.TrySetResult();

    private async Task PollAsync(bool ready, CancellationToken stop)
    {
        var backoff = new RandomizedExponentialBackoff(QueueSettings.MinimumPollingInterval, _settings.MaxPollingInterval);
        var foundSinceLastDelay = false;
        var failing = false;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await _supervisor.WaitForRunningAsync(stop).ConfigureAwait(false);
                if (!ready)
                {
                    await CreateQueuesAsync(stop).ConfigureAwait(false);
                    ready = true;
                }

                _wake = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                Interlocked.Increment(ref _polls);
                var batch = (await _queue.ReceiveMessagesAsync(_settings.BatchSize, MessageLease, stop).ConfigureAwait(false)).Value;
                if (failing)
                {
                    _logger.LogInformation("Queue '{Queue}' answers again.", QueueName);
                    failing = false;
                }

                if (batch.Length == 0)
                {
                    _nextDelay = backoff.Next(foundSinceLastDelay);
                    foundSinceLastDelay = false;
                    await Task.WhenAny(_wake.Task, Task.Delay(_nextDelay, _clock, stop)).ConfigureAwait(false);
                    continue;
                }

                foundSinceLastDelay = true;
                Interlocked.Add(ref _received, batch.Length);
                foreach (var message in batch)
                {
                    var key = Guid.NewGuid();
                    _running[key] = Task.Run(async () =>
                    {
                        try
                        {
                            await ProcessAsync(message).ConfigureAwait(false);
                        }
                        finally
                        {
                            _running.TryRemove(key, out _);
                        }
                    }, CancellationToken.None);
                }

                // The extension's WaitForNewBatchThreshold: fetch again once no more than the threshold still run.
                while (_running.Count > _settings.NewBatchThreshold && !stop.IsCancellationRequested)
                {
                    await Task.WhenAny(_running.Values.Append(Task.Delay(Timeout.Infinite, stop))).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (WorkerUnavailableException)
            {
                // The worker has stopped for good (failed or host stopping): nothing more to run.
                return;
            }
            catch (Exception e) when (!stop.IsCancellationRequested)
            {
                ready = false;
                if (!failing) _logger.LogWarning("Polling queue '{Queue}' failed: {Reason}. Retrying with back-off.", QueueName, FirstLine(e.Message));
                failing = true;
                _nextDelay = backoff.Next(false);
                try
                {
                    await Task.Delay(_nextDelay, _clock, stop).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private async Task ProcessAsync(QueueMessage message)
    {
        if (message.DequeueCount > _settings.MaxDequeueCount)
        {
            await PoisonAsync(message).ConfigureAwait(false);
            return;
        }

        using var renewal = new CancellationTokenSource();
        var renewing = RenewAsync(message, renewal.Token);
        InvocationOutcome? outcome = null;
        try
        {
            var worker = await _supervisor.WaitForRunningAsync(_abort.Token).ConfigureAwait(false);
            var (data, metadata) = Payload(message, _function.Trigger.DataType);
            outcome = await _invoker.InvokeAsync(worker, _function, new InvocationInput(
                InvocationInput.NewId(),
                [new ParameterBinding { Name = _function.Trigger.Name, Data = data }],
                metadata,
                $"New queue message detected on '{QueueName}'."), _abort.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or WorkerUnavailableException)
        {
            // Stopping, or the worker is gone for good: the message reappears when its lease ends.
        }
        finally
        {
            await renewal.CancelAsync().ConfigureAwait(false);
            message = await renewing.ConfigureAwait(false);
        }

        if (outcome is null) return;
        try
        {
            if (outcome.Succeeded)
            {
                Interlocked.Increment(ref _succeeded);
                await _queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, CancellationToken.None).ConfigureAwait(false);
            }
            else
            {
                Interlocked.Increment(ref _failed);
                if (_poison is null)
                {
                    // No poison queue: the message stays invisible, so a failing one does not loop fast.
                }
                else if (message.DequeueCount >= _settings.MaxDequeueCount)
                {
                    await PoisonAsync(message).ConfigureAwait(false);
                }
                else
                {
                    await _queue.UpdateMessageAsync(message.MessageId, message.PopReceipt, visibilityTimeout: _settings.VisibilityTimeout, cancellationToken: CancellationToken.None).ConfigureAwait(false);
                }
            }
        }
        catch (RequestFailedException e) when (e.Status is 400 or 404)
        {
            _logger.LogDebug("Completing message {MessageId} of queue '{Queue}' was refused ({Code}): another receiver took it over, or it is gone.", message.MessageId, QueueName, e.ErrorCode);
        }
        catch (Exception e) when (e is RequestFailedException or HttpRequestException or IOException)
        {
            _logger.LogWarning("Completing message {MessageId} of queue '{Queue}' failed: {Reason}. It reappears when its lease ends.", message.MessageId, QueueName, FirstLine(e.Message));
        }
    }

    private async Task PoisonAsync(QueueMessage message)
    {
        if (_poison is null) return;
        try
        {
            _logger.LogWarning("Message has reached MaxDequeueCount of {Max}. Moving message to queue '{PoisonQueue}'.", _settings.MaxDequeueCount, _poison.Name);
            try
            {
                await _poison.SendMessageAsync(message.Body, cancellationToken: CancellationToken.None).ConfigureAwait(false);
            }
            catch (RequestFailedException e) when (e.Status == 404)
            {
                await _poison.CreateIfNotExistsAsync(cancellationToken: CancellationToken.None).ConfigureAwait(false);
                await _poison.SendMessageAsync(message.Body, cancellationToken: CancellationToken.None).ConfigureAwait(false);
            }

            Interlocked.Increment(ref _poisoned);
            _watcher.Notify(_poison.Name);
            await _queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, CancellationToken.None).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.Status is 400 or 404)
        {
            _logger.LogDebug("Deleting poisoned message {MessageId} of queue '{Queue}' was refused ({Code}).", message.MessageId, QueueName, e.ErrorCode);
        }
        catch (Exception e) when (e is RequestFailedException or HttpRequestException or IOException)
        {
            _logger.LogWarning("Moving message {MessageId} of queue '{Queue}' to the poison queue failed: {Reason}.", message.MessageId, QueueName, FirstLine(e.Message));
        }
    }

    private async Task<QueueMessage> RenewAsync(QueueMessage message, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                await Task.Delay(MessageLease / 2, _clock, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return message;
            }

            try
            {
                // Not cancelled mid-request: a renewal the service applied must leave its pop receipt here, or the
                // delete that follows would be refused and the message run again.
                var receipt = await _queue.UpdateMessageAsync(message.MessageId, message.PopReceipt, visibilityTimeout: MessageLease, cancellationToken: CancellationToken.None).ConfigureAwait(false);
                message = message.Update(receipt.Value);
            }
            catch (Exception e) when (e is RequestFailedException or HttpRequestException or IOException)
            {
                _logger.LogWarning("Renewing the lease of message {MessageId} of queue '{Queue}' failed: {Reason}.", message.MessageId, QueueName, FirstLine(e.Message));
                return message;
            }
        }
    }

    private static string FirstLine(string text) => text.Split('\n', 2)[0].Trim();
}
