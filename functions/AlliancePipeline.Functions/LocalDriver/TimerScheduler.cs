using System.Text;
using System.Text.Json;
using AlliancePipeline.Storage.Blobs;
using NCrontab;

namespace AlliancePipeline.Functions.LocalDriver;

/// <summary>A timer's schedule status, as the host keeps it: the last and next occurrence and when it was written.</summary>
/// <param name="Last">The last occurrence run.</param>
/// <param name="Next">The next occurrence due.</param>
/// <param name="LastUpdated">When this status was written.</param>
public sealed record ScheduleStatus(DateTimeOffset Last, DateTimeOffset Next, DateTimeOffset LastUpdated);

/// <summary>
/// Fires one timer-triggered function from its six-field NCRONTAB schedule (seconds first; times in UTC), as the host
/// does: with <c>runOnStartup</c> it runs once at start; with <c>useMonitor</c> it keeps its schedule status in blob
/// <c>azure-webjobs-hosts/timers/{hostId}/{Function}/status</c> and, if the stored next occurrence passed while the app
/// was down, runs at start with <c>IsPastDue</c> true. A failed run is logged and the schedule goes on (timers are not
/// retried by the host either).
/// </summary>
public sealed class TimerScheduler(
    FunctionDefinition function,
    IBlobServiceClient blobs,
    HandlerClient handler,
    ILogger logger,
    string hostId,
    TimeProvider? clock = null)
{
    /// <summary>The container the host keeps timer status in.</summary>
    public const string StatusContainer = "azure-webjobs-hosts";

    private readonly TimeProvider _clock = clock ?? TimeProvider.System;
    private readonly CrontabSchedule _schedule = Parse(function);
    private CancellationTokenSource? _stop;
    private Task? _loop;

    /// <summary>The function.</summary>
    public string FunctionName => function.Name;

    /// <summary>The status blob's name.</summary>
    public string StatusBlobName => $"timers/{hostId}/{function.Name}/status";

    /// <summary>Parses a six-field schedule, naming the function when it is wrong.</summary>
    public static CrontabSchedule Parse(FunctionDefinition function)
    {
        var text = function.Schedule ?? throw new InvalidDataException($"{function.Name}/function.json: the timerTrigger has no schedule.");
        return CrontabSchedule.TryParse(text, new CrontabSchedule.ParseOptions { IncludingSeconds = true })
            ?? throw new InvalidDataException($"{function.Name}/function.json: schedule '{text}' is not a six-field NCRONTAB expression (second minute hour day month weekday).");
    }

    /// <summary>The next occurrence after <paramref name="after"/> (UTC).</summary>
    public DateTimeOffset NextAfter(DateTimeOffset after) =>
        new(DateTime.SpecifyKind(_schedule.GetNextOccurrence(after.UtcDateTime), DateTimeKind.Utc));

    /// <summary>Starts the schedule (and the start-up run, when due).</summary>
    public void Start()
    {
        _stop = new CancellationTokenSource();
        _loop = Task.Run(() => RunAsync(_stop.Token));
    }

    /// <summary>Stops the schedule, letting a running invocation finish.</summary>
    public async Task StopAsync()
    {
        if (_stop is null) return;
        await _stop.CancelAsync().ConfigureAwait(false);
        try { if (_loop is not null) await _loop.ConfigureAwait(false); } catch (OperationCanceledException) { }
        _stop.Dispose();
        _stop = null;
    }

    /// <summary>Invokes the function now (the admin endpoint), with the current status.</summary>
    public async Task<InvocationResult> InvokeAsync(bool isPastDue, CancellationToken ct)
    {
        var now = _clock.GetUtcNow();
        var status = function.UseMonitor ? await ReadStatusAsync(ct).ConfigureAwait(false) : null;
        var next = NextAfter(now);
        var (data, metadata) = HandlerClient.TimerPayload(function, isPastDue, status?.Last, next, now);
        var result = await handler.InvokeAsync(function.Name, data, metadata, ct).ConfigureAwait(false);
        if (!result.Succeeded) logger.LogError("Timer function {Function} failed: {Reason}", function.Name, result.FailureReason);
        if (function.UseMonitor) await WriteStatusAsync(new ScheduleStatus(now, next, _clock.GetUtcNow()), ct).ConfigureAwait(false);
        return result;
    }

    private async Task RunAsync(CancellationToken ct)
    {
        try
        {
            var now = _clock.GetUtcNow();
            var status = function.UseMonitor ? await ReadStatusAsync(ct).ConfigureAwait(false) : null;
            var pastDue = status is not null && status.Next < now;
            if (pastDue || function.RunOnStartup)
            {
                logger.LogInformation("Timer {Function}: running at start ({Why}).", function.Name, pastDue ? $"past due since {status!.Next:O}" : "runOnStartup");
                await InvokeAsync(pastDue, ct).ConfigureAwait(false);
                status = function.UseMonitor ? await ReadStatusAsync(ct).ConfigureAwait(false) : null;
            }
            var next = NextAfter(_clock.GetUtcNow());
            while (!ct.IsCancellationRequested)
            {
                if (function.UseMonitor && (status is null || status.Next != next))
                {
                    status = new ScheduleStatus(status?.Last ?? DateTimeOffset.MinValue, next, _clock.GetUtcNow());
                    await WriteStatusAsync(status, ct).ConfigureAwait(false);
                }
                // A timer may wake a little early: wait until the occurrence is really reached, so it runs once.
                for (var delay = next - _clock.GetUtcNow(); delay > TimeSpan.Zero; delay = next - _clock.GetUtcNow())
                    await Task.Delay(delay, _clock, ct).ConfigureAwait(false);
                try
                {
                    await InvokeAsync(false, ct).ConfigureAwait(false);
                    status = function.UseMonitor ? await ReadStatusAsync(ct).ConfigureAwait(false) : null;
                }
                catch (Exception e) when (!ct.IsCancellationRequested)
                {
                    // Storage trouble around one run must not end the schedule.
                    logger.LogError(e, "Timer {Function}: the run at {Occurrence:O} could not complete.", function.Name, next);
                }
                // The occurrence after the one just run; if the run outlasted it, the next one after now (the host skips missed ones too).
                var following = NextAfter(next);
                next = following > _clock.GetUtcNow() ? following : NextAfter(_clock.GetUtcNow());
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            logger.LogError(e, "Timer {Function} stopped.", function.Name);
        }
    }

    private async Task<ScheduleStatus?> ReadStatusAsync(CancellationToken ct)
    {
        var container = blobs.GetBlobContainerClient(StatusContainer);
        if (!(await container.ExistsAsync(StatusBlobName, ct).ConfigureAwait(false)).Value) return null;
        var content = (await container.DownloadContentAsync(StatusBlobName, ct).ConfigureAwait(false)).Value.Content;
        return JsonSerializer.Deserialize<ScheduleStatus>(content.ToString());
    }

    private async Task WriteStatusAsync(ScheduleStatus status, CancellationToken ct)
    {
        var container = blobs.GetBlobContainerClient(StatusContainer);
        await container.CreateIfNotExistsAsync(ct).ConfigureAwait(false);
        using var content = new MemoryStream(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(status)));
        await container.UploadAsync(StatusBlobName, content, new BlobUploadOptions { ContentType = "application/json" }, ct).ConfigureAwait(false);
    }
}
