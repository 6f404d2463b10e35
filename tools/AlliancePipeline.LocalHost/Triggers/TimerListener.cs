using System.Globalization;
using System.Text.Json;
using AlliancePipeline.LocalHost.Functions;
using AlliancePipeline.LocalHost.Invocation;
using AlliancePipeline.LocalHost.Rpc;
using AlliancePipeline.LocalHost.Worker;

namespace AlliancePipeline.LocalHost.Triggers;

/// <summary>
/// Fires one timer-triggered function as the WebJobs timer extension's <c>TimerListener</c> does, in UTC: at start it
/// reads the schedule status (when the monitor is on: <c>useMonitor</c>, default true, turned off for schedules that
/// fire more than once a minute), runs at once with <c>IsPastDue</c> true if the recorded next occurrence passed while
/// the app was down, else at once if <c>runOnStartup</c>, then at each occurrence; after each run it records
/// Last/Next/LastUpdated. A failed run is logged and the schedule goes on (timers are not retried).
/// </summary>
internal sealed class TimerListener : IAsyncDisposable
{
    private readonly FunctionDescriptor _function;
    private readonly ScheduleMonitor _monitor;
    private readonly WorkerSupervisor _supervisor;
    private readonly Invoker _invoker;
    private readonly ILogger _logger;
    private readonly TimeProvider _clock;
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;
    private ScheduleStatus? _status;

    public TimerListener(FunctionDescriptor function, ScheduleMonitor monitor, WorkerSupervisor supervisor, Invoker invoker, ILogger logger, TimeProvider clock)
    {
        _function = function;
        _monitor = monitor;
        _supervisor = supervisor;
        _invoker = invoker;
        _logger = logger;
        _clock = clock;
        ScheduleText = function.Trigger.Property("schedule") ?? throw new LocalHostConfigurationException($"Function {function.Name}: the timerTrigger has no schedule.");
        Schedule = TimerSchedule.TryParse(ScheduleText)
            ?? throw new LocalHostConfigurationException($"Function {function.Name}: the schedule expression '{ScheduleText}' was not recognized as a valid cron expression or timespan string.");
        RunOnStartup = function.Trigger.BoolProperty("runOnStartup", $"Function {function.Name}") ?? false;
        var useMonitor = function.Trigger.BoolProperty("useMonitor", $"Function {function.Name}") ?? true;
        UseMonitor = useMonitor && !Schedule.DisablesMonitor(clock.GetUtcNow().UtcDateTime);
    }

    /// <summary>The function.</summary>
    public string FunctionName => _function.Name;

    /// <summary>The schedule expression, resolved.</summary>
    public string ScheduleText { get; }

    /// <summary>The parsed schedule.</summary>
    public TimerSchedule Schedule { get; }

    /// <summary>Whether the function runs once when the host starts.</summary>
    public bool RunOnStartup { get; }

    /// <summary>Whether the schedule status is kept (and past-due runs detected).</summary>
    public bool UseMonitor { get; }

    /// <summary>The next occurrence due, once started.</summary>
    public DateTime? Next => _status?.Next;

    /// <summary>The TimerInfo JSON the worker's TimerInfo converter reads.</summary>
    public static string TimerInfoJson(ScheduleStatus? status, bool isPastDue)
    {
        static string Date(DateTime d) => ScheduleStatus.IsDefault(d) ? "0001-01-01T00:00:00" : DateTime.SpecifyKind(d, DateTimeKind.Utc).ToString("O", CultureInfo.InvariantCulture);
        return JsonSerializer.Serialize(new
        {
            Schedule = new { AdjustForDST = true },
            ScheduleStatus = status is null ? null : new { Last = Date(status.Last), Next = Date(status.Next), LastUpdated = Date(status.LastUpdated) },
            IsPastDue = isPastDue,
        });
    }

    /// <summary>Starts the schedule (and the run at start, when due).</summary>
    public void Start() => _loop = Task.Run(() => RunAsync(_stop.Token));

    /// <summary>Stops the schedule; a running invocation is waited for, at most <paramref name="grace"/>.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null) await Task.WhenAny(_loop, Task.Delay(grace)).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested) await StopAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        _stop.Dispose();
    }

    /// <summary>Runs the function now, not past due, as the admin API does (the schedule status is not changed).</summary>
    public async Task<InvocationOutcome> InvokeDirectAsync(CancellationToken cancellationToken)
    {
        var worker = await _supervisor.WaitForRunningAsync(cancellationToken).ConfigureAwait(false);
        return await InvokeAsync(worker, false, "This function was programmatically called via the host APIs.", cancellationToken).ConfigureAwait(false);
    }

    private Task<InvocationOutcome> InvokeAsync(WorkerConnection worker, bool isPastDue, string reason, CancellationToken cancellationToken) =>
        _invoker.InvokeAsync(worker, _function, new InvocationInput(
            InvocationInput.NewId(),
            [new ParameterBinding { Name = _function.Trigger.Name, Data = new TypedData { Json = TimerInfoJson(UseMonitor ? _status : null, isPastDue) } }],
            new Dictionary<string, TypedData>(),
            reason), cancellationToken);

    private async Task RunAsync(CancellationToken stop)
    {
        try
        {
            var now = _clock.GetUtcNow().UtcDateTime;
            var pastDue = false;
            if (UseMonitor)
            {
                var recorded = await _monitor.ReadAsync(_function.Name, stop).ConfigureAwait(false);
                var (status, changed, due) = ScheduleStatus.CheckPastDue(recorded, Schedule, now);
                if (changed) await _monitor.WriteAsync(_function.Name, status, stop).ConfigureAwait(false);
                _status = status;
                pastDue = due > TimeSpan.Zero;
            }
            else
            {
                _status = new ScheduleStatus(DateTime.MinValue, Schedule.Next(now), DateTime.MinValue);
            }

            _logger.LogInformation("Timer {Function}: schedule '{Schedule}' (UTC{Monitor}); next at {Next:O}.", _function.Name, ScheduleText, UseMonitor ? ", monitored" : "", _status.Next);
            var startup = pastDue ? "IsPastDue" : RunOnStartup ? "RunOnStartup" : null;
            while (!stop.IsCancellationRequested)
            {
                if (startup is null)
                {
                    // A timer may wake a little early: wait until the occurrence is really reached, so it runs once.
                    for (var delay = _status.Next - _clock.GetUtcNow().UtcDateTime; delay > TimeSpan.Zero; delay = _status.Next - _clock.GetUtcNow().UtcDateTime)
                    {
                        await Task.Delay(delay, _clock, stop).ConfigureAwait(false);
                    }
                }
                else
                {
                    _logger.LogInformation(startup == "IsPastDue" ? "Timer {Function} is past due (its next occurrence {Next:O} passed while the host was down): running it now." : "Timer {Function} runs on startup.", _function.Name, _status.Next);
                }

                var worker = await _supervisor.WaitForRunningAsync(stop).ConfigureAwait(false);
                var invokedAt = _clock.GetUtcNow().UtcDateTime;
                var reason = startup is null ? $"Timer fired at {invokedAt:O}" : $"Timer fired at {invokedAt:O} ({startup})";
                await InvokeAsync(worker, startup == "IsPastDue", reason, CancellationToken.None).ConfigureAwait(false);

                // As the extension: a run that fired a moment before its occurrence counts as that occurrence, so the
                // same occurrence is never run twice.
                var adjusted = startup is null && _status.Next > invokedAt ? _status.Next : invokedAt;
                _status = new ScheduleStatus(adjusted, Schedule.Next(adjusted), adjusted);
                if (UseMonitor) await _monitor.WriteAsync(_function.Name, _status, CancellationToken.None).ConfigureAwait(false);
                startup = null;
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        catch (WorkerUnavailableException)
        {
            // The worker has stopped for good: no more runs.
        }
        catch (Exception e) when (!stop.IsCancellationRequested)
        {
            _logger.LogError("Timer {Function} stopped: {Reason}", _function.Name, e.Message);
        }
    }
}
