using AlliancePipeline.LocalHost.Rpc;
using AlliancePipeline.LocalHost.Worker;
using Grpc.Core;

namespace AlliancePipeline.LocalHost.Tests;

/// <summary>
/// The worker's one event stream and cancellation. gRPC's server writer aborts the whole call when the token of a write
/// under way is cancelled; the writer here does the same, so a channel that handed an invocation's token to a write
/// would be seen cutting the stream.
/// </summary>
public sealed class WorkerChannelTests
{
    [Fact]
    public async Task A_sender_that_gives_up_while_its_message_is_being_written_does_not_cut_the_stream()
    {
        var writer = new GatedWriter();
        var channel = new WorkerChannel("w", _ => { });
        channel.Attach(writer);

        using var invocation = new CancellationTokenSource();
        var sending = channel.SendAsync(Cancel("a"), invocation.Token);
        await writer.WriteStarted.WaitAsync(TimeSpan.FromSeconds(5));
        await invocation.CancelAsync(); // the HTTP client went away while the worker was slow to read

        Assert.False(writer.CallAborted);
        writer.Release();
        await sending.WaitAsync(TimeSpan.FromSeconds(5));
        await channel.SendAsync(Cancel("b"), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(["a", "b"], writer.Written.Select(m => m.InvocationCancel.InvocationId));
        Assert.False(writer.CallAborted);
        Assert.False(channel.IsClosed);
    }

    [Fact]
    public async Task A_sender_that_gives_up_while_waiting_for_its_turn_writes_nothing_and_the_stream_goes_on()
    {
        var writer = new GatedWriter();
        var channel = new WorkerChannel("w", _ => { });
        channel.Attach(writer);

        var first = channel.SendAsync(Cancel("first"), CancellationToken.None);
        await writer.WriteStarted.WaitAsync(TimeSpan.FromSeconds(5));
        using var second = new CancellationTokenSource();
        var waiting = channel.SendAsync(Cancel("second"), second.Token);
        await second.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);

        writer.Release();
        await first.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(["first"], writer.Written.Select(m => m.InvocationCancel.InvocationId));
        Assert.False(writer.CallAborted);
    }

    private static StreamingMessage Cancel(string invocationId) => new() { InvocationCancel = new InvocationCancel { InvocationId = invocationId } };

    /// <summary>
    /// A server stream writer whose first write waits until released (a worker reading slowly), and which, as
    /// Grpc.AspNetCore's does, aborts the call when the token of a write under way is cancelled.
    /// </summary>
    private sealed class GatedWriter : IServerStreamWriter<StreamingMessage>
    {
        private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public List<StreamingMessage> Written { get; } = [];

        public bool CallAborted { get; private set; }

        public Task WriteStarted => _started.Task;

        public WriteOptions? WriteOptions { get; set; }

        public void Release() => _gate.TrySetResult();

        public Task WriteAsync(StreamingMessage message) => WriteCoreAsync(message, CancellationToken.None);

        Task IAsyncStreamWriter<StreamingMessage>.WriteAsync(StreamingMessage message, CancellationToken cancellationToken) =>
            WriteCoreAsync(message, cancellationToken);

        private async Task WriteCoreAsync(StreamingMessage message, CancellationToken cancellationToken)
        {
            using var abort = cancellationToken.Register(() => CallAborted = true);
            _started.TrySetResult();
            await _gate.Task;
            Written.Add(message);
        }
    }
}
