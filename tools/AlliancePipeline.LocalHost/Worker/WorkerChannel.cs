using System.Collections.Concurrent;
using AlliancePipeline.LocalHost.Rpc;
using Grpc.Core;

namespace AlliancePipeline.LocalHost.Worker;

/// <summary>The worker is not there to answer: not started yet, restarting, stopped, or gone during the exchange.</summary>
internal sealed class WorkerUnavailableException(string message) : Exception(message);

/// <summary>
/// The one gRPC event stream of one worker process: requests sent on it are matched with their responses (by the
/// message kind and the function or invocation id they carry), and everything pending fails at once when the stream
/// or the process ends.
/// </summary>
internal sealed class WorkerChannel(string workerId, Action<RpcLog> onLog)
{
    private readonly TaskCompletionSource<IServerStreamWriter<StreamingMessage>> _attached = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentDictionary<string, TaskCompletionSource<StreamingMessage>> _pending = new();
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private volatile string? _closeReason;

    /// <summary>The worker id given on the command line and echoed in StartStream.</summary>
    public string WorkerId { get; } = workerId;

    /// <summary>Completes when the worker has opened its stream.</summary>
    public Task Attached => _attached.Task;

    /// <summary>Completes when the stream has ended (the worker closed it, or the process is gone).</summary>
    public Task Closed => _closed.Task;

    /// <summary>Whether the stream has ended.</summary>
    public bool IsClosed => _closeReason is not null;

    /// <summary>Why the stream ended (null while it is open).</summary>
    public string? CloseReason => _closeReason;

    /// <summary>The key a request's response is matched by.</summary>
    public static string KeyOf(StreamingMessage message) => message.ContentCase switch
    {
        StreamingMessage.ContentOneofCase.WorkerInitRequest or StreamingMessage.ContentOneofCase.WorkerInitResponse => "init",
        StreamingMessage.ContentOneofCase.FunctionsMetadataRequest or StreamingMessage.ContentOneofCase.FunctionMetadataResponse => "metadata",
        StreamingMessage.ContentOneofCase.FunctionLoadRequest => "load:" + message.FunctionLoadRequest.FunctionId,
        StreamingMessage.ContentOneofCase.FunctionLoadResponse => "load:" + message.FunctionLoadResponse.FunctionId,
        StreamingMessage.ContentOneofCase.InvocationRequest => "invocation:" + message.InvocationRequest.InvocationId,
        StreamingMessage.ContentOneofCase.InvocationResponse => "invocation:" + message.InvocationResponse.InvocationId,
        StreamingMessage.ContentOneofCase.WorkerStatusRequest or StreamingMessage.ContentOneofCase.WorkerStatusResponse => "status:" + message.RequestId,
        _ => throw new ArgumentException($"{message.ContentCase} has no response.", nameof(message)),
    };

    /// <summary>Sends a request and waits for its response; fails with <see cref="WorkerUnavailableException"/> if the stream ends first.</summary>
    public async Task<StreamingMessage> RequestAsync(StreamingMessage request, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(request.RequestId)) request.RequestId = Guid.NewGuid().ToString();
        var key = KeyOf(request);
        var response = new TaskCompletionSource<StreamingMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_pending.TryAdd(key, response)) throw new InvalidOperationException($"A request '{key}' is already waiting for its answer.");
        try
        {
            if (_closeReason is { } reason) throw new WorkerUnavailableException(reason);
            await SendAsync(request, cancellationToken).ConfigureAwait(false);
            return await response.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _pending.TryRemove(key, out _);
        }
    }

    /// <summary>
    /// Sends a message that has no response (WorkerTerminate, InvocationCancel). <paramref name="cancellationToken"/>
    /// stops the wait for the stream and for the write lock, never a write under way: gRPC aborts the whole call when
    /// the token of a pending write is cancelled, and this call is the worker's only stream. (A burst whose clients
    /// gave up while writes waited on the worker cut the stream, and every running invocation with it.)
    /// </summary>
    public async Task SendAsync(StreamingMessage message, CancellationToken cancellationToken)
    {
        var writer = await _attached.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_closeReason is { } reason) throw new WorkerUnavailableException(reason);
            await writer.WriteAsync(message).ConfigureAwait(false);
        }
        catch (InvalidOperationException)
        {
            // The gRPC call has completed under the writer: the worker went away.
            throw new WorkerUnavailableException("The worker's event stream has ended.");
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Called by the gRPC service when the worker's StartStream arrives.</summary>
    internal void Attach(IServerStreamWriter<StreamingMessage> writer) => _attached.TrySetResult(writer);

    /// <summary>Called by the gRPC service for each message after StartStream.</summary>
    internal void Dispatch(StreamingMessage message)
    {
        switch (message.ContentCase)
        {
            case StreamingMessage.ContentOneofCase.RpcLog:
                onLog(message.RpcLog);
                return;
            case StreamingMessage.ContentOneofCase.WorkerInitResponse:
            case StreamingMessage.ContentOneofCase.FunctionMetadataResponse:
            case StreamingMessage.ContentOneofCase.FunctionLoadResponse:
            case StreamingMessage.ContentOneofCase.InvocationResponse:
            case StreamingMessage.ContentOneofCase.WorkerStatusResponse:
                if (_pending.TryGetValue(KeyOf(message), out var waiting)) waiting.TrySetResult(message);
                return;
            default:
                // Anything else (e.g. a message kind of a newer protocol) is not for this host.
                return;
        }
    }

    /// <summary>Ends the channel: every pending request fails with <paramref name="reason"/>.</summary>
    public void Close(string reason)
    {
        _closeReason ??= reason;
        _attached.TrySetException(new WorkerUnavailableException(_closeReason));
        _attached.Task.Exception?.Handle(_ => true);
        foreach (var waiting in _pending.Values) waiting.TrySetException(new WorkerUnavailableException(_closeReason));
        _closed.TrySetResult();
    }
}

/// <summary>The channels of the worker processes started and not yet gone, by worker id.</summary>
internal sealed class WorkerChannelRegistry
{
    private readonly ConcurrentDictionary<string, WorkerChannel> _channels = new(StringComparer.Ordinal);

    public void Add(WorkerChannel channel) => _channels[channel.WorkerId] = channel;

    public void Remove(WorkerChannel channel) => _channels.TryRemove(new KeyValuePair<string, WorkerChannel>(channel.WorkerId, channel));

    public WorkerChannel? Find(string workerId) => _channels.TryGetValue(workerId, out var channel) ? channel : null;
}

/// <summary>The gRPC service the worker connects to (<c>--functions-uri</c>): one EventStream per worker process.</summary>
internal sealed class FunctionRpcService(WorkerChannelRegistry channels, ILogger<FunctionRpcService> logger) : FunctionRpc.FunctionRpcBase
{
    public override async Task EventStream(IAsyncStreamReader<StreamingMessage> requestStream, IServerStreamWriter<StreamingMessage> responseStream, ServerCallContext context)
    {
        WorkerChannel? channel = null;
        try
        {
            if (!await requestStream.MoveNext(context.CancellationToken).ConfigureAwait(false)) return;
            var first = requestStream.Current;
            if (first.ContentCase != StreamingMessage.ContentOneofCase.StartStream)
            {
                logger.LogWarning("A worker opened the event stream with {Kind} instead of StartStream; closing it.", first.ContentCase);
                return;
            }

            channel = channels.Find(first.StartStream.WorkerId);
            if (channel is null)
            {
                logger.LogWarning("A worker with unknown id {WorkerId} connected; closing its stream.", first.StartStream.WorkerId);
                return;
            }

            channel.Attach(responseStream);
            while (await requestStream.MoveNext(context.CancellationToken).ConfigureAwait(false))
            {
                channel.Dispatch(requestStream.Current);
            }

            channel.Close("The worker closed its event stream.");
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or Grpc.Core.RpcException)
        {
            // Say how: a cancelled request is the connection aborted (by Kestrel or the worker), an RpcException its status.
            channel?.Close($"The worker's event stream broke off ({e.GetType().Name}: {e.Message})");
        }
    }
}
