using System.Diagnostics;
using System.Net;
using System.Text;

namespace AlliancePipeline.Load;

/// <summary>One submission sent: when it was due, when its answer came, and what it was.</summary>
/// <param name="Index">Its place in the schedule.</param>
/// <param name="Key">The study and assessment its link names, <c>{studyId}/{assessmentId}</c>.</param>
/// <param name="ScheduledAt">When it was due to be sent (wall clock, UTC): latencies are measured from here.</param>
/// <param name="Latency">From <paramref name="ScheduledAt"/> to the full answer; null when no answer came.</param>
/// <param name="Status">The HTTP status, or 0 for no answer (timeout, connection refused).</param>
/// <param name="Error">Why there was no answer.</param>
public sealed record Sent(int Index, string Key, DateTimeOffset ScheduledAt, TimeSpan? Latency, int Status, string? Error);

/// <summary>What the schedule sends: the link's path and the assessment it names.</summary>
/// <param name="Path">The link's path, <c>/api/q/{token}</c>.</param>
/// <param name="StudyId">The study.</param>
/// <param name="AssessmentId">The assessment.</param>
public sealed record Target(string Path, string StudyId, string AssessmentId)
{
    /// <summary><c>{studyId}/{assessmentId}</c>.</summary>
    public string Key => $"{StudyId}/{AssessmentId}";
}

/// <summary>
/// An open-loop load: request <c>i</c> is due at <c>start + offset(i)</c> whatever became of the earlier ones, and its
/// latency is measured from that due time, not from when a connection happened to be free, so a slow server's queueing
/// shows in the figures (no coordinated omission). A dedicated thread releases each request at its due time (sleeping,
/// then spinning the last 2 ms); the sends themselves run on the thread pool. Bounded: each request gives up after
/// <see cref="RequestTimeout"/>, and the whole run after its deadline.
/// </summary>
public sealed class OpenLoopDriver(HttpClient http)
{
    /// <summary>How long one request may take before it counts as unanswered.</summary>
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Sends every target at its due time; returns one record per target, in schedule order.</summary>
    public async Task<IReadOnlyList<Sent>> RunAsync(IReadOnlyList<Target> targets, Func<int, TimeSpan> offset, Func<int, string> body, CancellationToken ct)
    {
        if (!http.BaseAddress!.IsLoopback) throw new InvalidOperationException($"The load runner sends to loopback addresses only, not {http.BaseAddress}.");
        var results = new Sent?[targets.Count];
        var pending = new Task[targets.Count];
        var clock = Stopwatch.StartNew();
        var startWall = DateTimeOffset.UtcNow;
        var released = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var dispatcher = new Thread(() =>
        {
            try
            {
                for (var i = 0; i < targets.Count && !ct.IsCancellationRequested; i++)
                {
                    var due = offset(i);
                    while (true)
                    {
                        var left = due - clock.Elapsed;
                        if (left <= TimeSpan.Zero) break;
                        if (left > TimeSpan.FromMilliseconds(2)) Thread.Sleep(1);
                        else Thread.SpinWait(50);
                    }

                    var index = i;
                    pending[i] = Task.Run(async () => results[index] = await SendAsync(index, targets[index], startWall + due, due, clock, body(index), ct).ConfigureAwait(false), CancellationToken.None);
                }

                released.SetResult();
            }
            catch (Exception e)
            {
                released.SetException(e);
            }
        })
        { IsBackground = true, Name = "open-loop dispatcher", Priority = ThreadPriority.AboveNormal };
        dispatcher.Start();
        await released.Task.ConfigureAwait(false);
        await Task.WhenAll(pending.Where(t => t is not null)).ConfigureAwait(false);
        return [.. results.Select((r, i) => r ?? new Sent(i, targets[i].Key, startWall + offset(i), null, 0, "not sent: the run's deadline passed"))];
    }

    private async Task<Sent> SendAsync(int index, Target target, DateTimeOffset scheduledAt, TimeSpan due, Stopwatch clock, string body, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(RequestTimeout);
        try
        {
            using var content = new StringContent(body, Encoding.UTF8, "application/json");
            using var response = await http.PostAsync(target.Path, content, timeout.Token).ConfigureAwait(false);
            await response.Content.LoadIntoBufferAsync(timeout.Token).ConfigureAwait(false);
            return new Sent(index, target.Key, scheduledAt, clock.Elapsed - due, (int)response.StatusCode, null);
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException)
        {
            var why = e is OperationCanceledException ? $"no answer within {RequestTimeout.TotalSeconds:0} s" : e.Message;
            return new Sent(index, target.Key, scheduledAt, null, e is HttpRequestException { StatusCode: { } s } ? (int)s : 0, why);
        }
    }

    /// <summary>A client for the load: one pool of at most <paramref name="connections"/> keep-alive connections, no proxy.</summary>
    public static HttpClient CreateClient(Uri baseAddress, int connections) => new(new SocketsHttpHandler
    {
        MaxConnectionsPerServer = connections,
        UseProxy = false,
        UseCookies = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
        ConnectTimeout = TimeSpan.FromSeconds(10),
    })
    {
        BaseAddress = baseAddress,
        Timeout = Timeout.InfiniteTimeSpan,
    };
}
