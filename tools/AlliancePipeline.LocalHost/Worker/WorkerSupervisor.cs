using AlliancePipeline.LocalHost.Configuration;
using AlliancePipeline.LocalHost.Functions;
using AlliancePipeline.LocalHost.Rpc;
using Google.Protobuf.WellKnownTypes;

namespace AlliancePipeline.LocalHost.Worker;

/// <summary>A worker process after its handshake: its stream, its HTTP address, and the ids of its functions.</summary>
internal sealed record WorkerConnection(
    WorkerProcess Process,
    WorkerChannel Channel,
    Uri? HttpUri,
    IReadOnlyDictionary<string, string> Capabilities,
    IReadOnlyList<FunctionDescriptor> Functions,
    string RuntimeDescription,
    DateTimeOffset StartedAt)
{
    /// <summary>Whether the worker handles InvocationCancel (capability <c>HandlesInvocationCancelMessage</c>).</summary>
    public bool HandlesInvocationCancel => Capabilities.TryGetValue("HandlesInvocationCancelMessage", out var v) && bool.TryParse(v, out var b) && b;

    /// <summary>The worker's function id of <paramref name="functionName"/>.</summary>
    public string? FunctionId(string functionName) => Functions.FirstOrDefault(f => f.Name.Equals(functionName, StringComparison.OrdinalIgnoreCase))?.Metadata.FunctionId;
}

/// <summary>Where the supervisor gets what it needs to start a worker.</summary>
internal sealed record WorkerLaunchSettings(
    string ScriptRoot,
    WorkerConfig Config,
    Func<Uri> GrpcUri,
    IReadOnlyDictionary<string, string> Environment,
    AppSettings Settings,
    TimeSpan StartupTimeout,
    TimeSpan ShutdownGracePeriod,
    TimeSpan MinimumRestartDelay,
    TimeSpan MaximumRestartDelay);

/// <summary>
/// Starts the worker and keeps it running, as the host does for its language worker: the handshake (StartStream,
/// WorkerInitRequest, FunctionsMetadataRequest, a FunctionLoadRequest per function), a restart with back-off when the
/// process dies, no restart when it exits with code 2 (its settings are wrong: restarting cannot help), and a clean
/// stop (WorkerTerminate, then a kill after the grace period).
/// </summary>
internal sealed class WorkerSupervisor : IAsyncDisposable
{
    /// <summary>The exit code with which the app says its settings are wrong.</summary>
    public const int SettingsExitCode = 2;

    /// <summary>The host version sent in WorkerInitRequest.</summary>
    public const string HostVersion = "4.1037.0";

    private readonly WorkerLaunchSettings _launch;
    private readonly WorkerChannelRegistry _registry;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Dictionary<string, ILogger> _rpcLoggers = new(StringComparer.Ordinal);
    private readonly object _stateLock = new();
    private TaskCompletionSource _stateChanged = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _supervising;
    private WorkerConnection? _current;
    private LocalHostState _state = LocalHostState.Starting;
    private int _restarts;

    public WorkerSupervisor(WorkerLaunchSettings launch, WorkerChannelRegistry registry, ILoggerFactory loggers)
    {
        _launch = launch;
        _registry = registry;
        _loggers = loggers;
        _logger = loggers.CreateLogger(LogCategories.Host);
    }

    /// <summary>The state of the worker.</summary>
    public LocalHostState State
    {
        get
        {
            lock (_stateLock) return _state;
        }
    }

    /// <summary>The running worker, or null.</summary>
    public WorkerConnection? Current
    {
        get
        {
            lock (_stateLock) return _state == LocalHostState.Running ? _current : null;
        }
    }

    /// <summary>The process id of the current (or last) worker.</summary>
    public int? ProcessId
    {
        get
        {
            lock (_stateLock) return _current?.Process.Id;
        }
    }

    /// <summary>How many times the worker was started again after the first start.</summary>
    public int Restarts => Volatile.Read(ref _restarts);

    /// <summary>Completes when the supervisor stops; faults with <see cref="WorkerConfigurationException"/> if the worker's settings are wrong.</summary>
    public Task Completion => _completion.Task;

    /// <summary>Why the worker is not running, when it failed for good.</summary>
    public string? FailureMessage { get; private set; }

    /// <summary>Starts the first worker and completes when it has loaded its functions; then keeps it running.</summary>
    public async Task<WorkerConnection> StartAsync(CancellationToken cancellationToken)
    {
        WorkerConnection connection;
        try
        {
            connection = await LaunchAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            Fail(e);
            throw;
        }

        SetRunning(connection);
        _supervising = Task.Run(() => SuperviseAsync(_stopping.Token), CancellationToken.None);
        return connection;
    }

    /// <summary>Waits until a worker runs; throws <see cref="WorkerUnavailableException"/> if it never will (stopped or failed).</summary>
    public async Task<WorkerConnection> WaitForRunningAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            Task changed;
            lock (_stateLock)
            {
                if (_state == LocalHostState.Running && _current is not null) return _current;
                if (_state is LocalHostState.Failed or LocalHostState.Stopped or LocalHostState.Stopping)
                {
                    throw new WorkerUnavailableException(FailureMessage ?? $"The worker is {_state.ToString().ToLowerInvariant()}.");
                }

                changed = _stateChanged.Task;
            }

            await changed.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Stops the worker: WorkerTerminate, then a kill after the grace period.</summary>
    public async Task StopAsync()
    {
        WorkerConnection? connection;
        lock (_stateLock)
        {
            if (_state is LocalHostState.Stopped or LocalHostState.Stopping) return;
            connection = _current;
        }

        SetState(LocalHostState.Stopping);
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_supervising is not null) await _supervising.ConfigureAwait(false);
        if (connection is not null) await TerminateAsync(connection).ConfigureAwait(false);
        SetState(LocalHostState.Stopped);
        _completion.TrySetResult();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }

    private async Task TerminateAsync(WorkerConnection connection)
    {
        if (!connection.Process.HasExited)
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await connection.Channel.SendAsync(
                    new StreamingMessage { WorkerTerminate = new WorkerTerminate { GracePeriod = Duration.FromTimeSpan(_launch.ShutdownGracePeriod) } },
                    timeout.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is WorkerUnavailableException or OperationCanceledException or IOException)
            {
                // The stream is gone already: the kill below is all that is left.
            }

            try
            {
                await connection.Process.Exited.WaitAsync(_launch.ShutdownGracePeriod).ConfigureAwait(false);
                _logger.LogInformation("Worker process {Pid} stopped.", connection.Process.Id);
            }
            catch (TimeoutException)
            {
                _logger.LogWarning("Worker process {Pid} did not stop within {Grace} s of WorkerTerminate; killing it.", connection.Process.Id, _launch.ShutdownGracePeriod.TotalSeconds);
            }
        }

        connection.Channel.Close("The host is stopping.");
        _registry.Remove(connection.Channel);
        await connection.Process.DisposeAsync().ConfigureAwait(false);
    }

    private async Task SuperviseAsync(CancellationToken stopping)
    {
        var failuresInARow = 0;
        while (!stopping.IsCancellationRequested)
        {
            var connection = _current!;
            await Task.WhenAny(connection.Process.Exited, connection.Channel.Closed, Task.Delay(Timeout.Infinite, stopping)).ConfigureAwait(false);
            if (stopping.IsCancellationRequested) return;
            if (!connection.Process.HasExited)
            {
                _logger.LogWarning("Worker process {Pid} lost its event stream ({Reason}); stopping it.", connection.Process.Id, connection.Channel.CloseReason);
                connection.Process.Kill();
            }

            var code = await connection.Process.Exited.ConfigureAwait(false);
            SetState(LocalHostState.Restarting);
            connection.Channel.Close($"The worker process exited with code {code}.");
            _registry.Remove(connection.Channel);
            var said = connection.Process.StderrTail;
            await connection.Process.DisposeAsync().ConfigureAwait(false);

            // A Ctrl+C in the terminal reaches the worker too, and it may exit a moment before the host is told to
            // stop: give that a moment before calling it a death.
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(300), stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            if (code == SettingsExitCode)
            {
                Fail(new WorkerConfigurationException(code, said));
                return;
            }

            failuresInARow = DateTimeOffset.UtcNow - connection.StartedAt > TimeSpan.FromMinutes(1) ? 0 : failuresInARow;
            var first = true;
            while (!stopping.IsCancellationRequested)
            {
                var delay = RestartDelay(failuresInARow++, _launch.MinimumRestartDelay, _launch.MaximumRestartDelay);
                if (first) _logger.LogWarning("Worker process {Pid} exited with code {Code}; restarting it in {Delay} s.", connection.Process.Id, code, delay.TotalSeconds);
                else _logger.LogWarning("Trying again in {Delay} s.", delay.TotalSeconds);
                first = false;
                try
                {
                    await Task.Delay(delay, stopping).ConfigureAwait(false);
                    Interlocked.Increment(ref _restarts);
                    var restarted = await LaunchAsync(stopping).ConfigureAwait(false);
                    SetRunning(restarted);
                    _logger.LogInformation("Worker restarted (process {Pid}, restart {Count}).", restarted.Process.Id, Restarts);
                    break;
                }
                catch (OperationCanceledException) when (stopping.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception e) when (e is WorkerConfigurationException or LocalHostConfigurationException)
                {
                    Fail(e);
                    return;
                }
                catch (Exception e) when (e is WorkerStartException or WorkerUnavailableException or TimeoutException)
                {
                    _logger.LogWarning("The worker did not start: {Reason}", e.Message);
                }
            }
        }
    }

    /// <summary>The wait before restart number <paramref name="failuresInARow"/> + 1: doubling from the minimum, capped.</summary>
    public static TimeSpan RestartDelay(int failuresInARow, TimeSpan minimum, TimeSpan maximum)
    {
        var delay = minimum * Math.Pow(2, Math.Min(failuresInARow, 16));
        return delay > maximum ? maximum : delay;
    }

    private async Task<WorkerConnection> LaunchAsync(CancellationToken cancellationToken)
    {
        var workerId = Guid.NewGuid().ToString();
        var channel = new WorkerChannel(workerId, OnRpcLog);
        _registry.Add(channel);
        WorkerProcess? process = null;
        try
        {
            process = WorkerProcess.Start(
                _launch.Config,
                _launch.ScriptRoot,
                _launch.GrpcUri(),
                workerId,
                _launch.Environment,
                _loggers.CreateLogger(LogCategories.WorkerStdout),
                _loggers.CreateLogger(LogCategories.WorkerStderr));
            _logger.LogInformation("Started worker process {Pid}: {Executable} {WorkerPath}", process.Id, _launch.Config.Executable, _launch.Config.WorkerPath);
            var connection = await HandshakeAsync(process, channel, cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            channel.Close("The worker did not start.");
            _registry.Remove(channel);
            if (process is not null) await process.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task<WorkerConnection> HandshakeAsync(WorkerProcess process, WorkerChannel channel, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_launch.StartupTimeout);

        // Until the handshake is done, the process exiting is the answer to every question.
        var exited = process.Exited.ContinueWith(t => ExitedEarly(process, t.Result), TaskScheduler.Default).Unwrap();
        _ = exited.ContinueWith(t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        async Task<T> Step<T>(Task<T> step, string what)
        {
            try
            {
                var first = await Task.WhenAny(step, exited).WaitAsync(timeout.Token).ConfigureAwait(false);
                if (first == exited) await exited.ConfigureAwait(false);
                return await step.ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new WorkerStartException($"The worker did not {what} within {_launch.StartupTimeout.TotalSeconds:0} s of its start.");
            }
            catch (WorkerUnavailableException) when (process.HasExited)
            {
                await exited.ConfigureAwait(false);
                throw;
            }
        }

        await Step(channel.Attached.ContinueWith(t => { t.GetAwaiter().GetResult(); return true; }, TaskScheduler.Default), "open its event stream").ConfigureAwait(false);

        var init = (await Step(channel.RequestAsync(new StreamingMessage
        {
            WorkerInitRequest = new WorkerInitRequest
            {
                HostVersion = HostVersion,
                WorkerDirectory = _launch.ScriptRoot,
                FunctionAppDirectory = _launch.ScriptRoot,
            },
        }, timeout.Token), "answer WorkerInitRequest").ConfigureAwait(false)).WorkerInitResponse;
        EnsureSuccess(init.Result, "WorkerInitRequest");
        var capabilities = init.Capabilities.ToDictionary(c => c.Key, c => c.Value, StringComparer.Ordinal);
        Uri? httpUri = capabilities.TryGetValue("HttpUri", out var uriText) && Uri.TryCreate(uriText, UriKind.Absolute, out var uri) ? uri : null;
        var runtime = init.WorkerMetadata is { } m ? $"{m.RuntimeName} {m.RuntimeVersion}, worker {m.WorkerVersion}".Trim() : "unknown runtime";

        var metadata = (await Step(channel.RequestAsync(new StreamingMessage
        {
            FunctionsMetadataRequest = new FunctionsMetadataRequest { FunctionAppDirectory = _launch.ScriptRoot },
        }, timeout.Token), "answer FunctionsMetadataRequest").ConfigureAwait(false)).FunctionMetadataResponse;
        EnsureSuccess(metadata.Result, "FunctionsMetadataRequest");
        if (metadata.UseDefaultMetadataIndexing)
        {
            throw new LocalHostConfigurationException("The worker asked the host to index the functions (use_default_metadata_indexing); the local host supports worker indexing only (worker.config.json workerIndexing: true).");
        }

        foreach (var failed in metadata.FunctionMetadataResults.Where(f => f.Status is { Status: not StatusResult.Types.Status.Success }))
        {
            throw new LocalHostConfigurationException($"Function {failed.Name} could not be indexed by the worker: {failed.Status.Exception?.Message ?? failed.Status.Result}");
        }

        var functions = metadata.FunctionMetadataResults.Select(f => FunctionDescriptor.Create(f, _launch.Settings)).ToList();
        foreach (var duplicate in functions.GroupBy(f => f.Name, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1))
        {
            throw new LocalHostConfigurationException($"Two functions are named '{duplicate.Key}'.");
        }

        var loads = functions.Select(f => channel.RequestAsync(new StreamingMessage { FunctionLoadRequest = f.ToLoadRequest() }, timeout.Token)).ToList();
        var loaded = await Step(Task.WhenAll(loads), "load its functions").ConfigureAwait(false);
        foreach (var response in loaded.Select(l => l.FunctionLoadResponse))
        {
            var name = functions.First(f => f.Metadata.FunctionId == response.FunctionId).Name;
            EnsureSuccess(response.Result, $"FunctionLoadRequest for {name}", configuration: true);
        }

        _logger.LogInformation("Worker process {Pid} ready: {Runtime}; {Count} functions loaded.", process.Id, runtime, functions.Count);
        return new WorkerConnection(process, channel, httpUri, capabilities, functions, runtime, DateTimeOffset.UtcNow);
    }

    private static async Task<bool> ExitedEarly(WorkerProcess process, int code)
    {
        // Give the last stderr lines a moment (they are read on other threads).
        await Task.Yield();
        if (code == SettingsExitCode) throw new WorkerConfigurationException(code, process.StderrTail);
        var said = process.StderrTail.Count > 0 ? " It wrote: " + string.Join(" | ", process.StderrTail.TakeLast(5)) : "";
        throw new WorkerStartException($"The worker process exited with code {code} during its start.{said}");
    }

    private static void EnsureSuccess(StatusResult? result, string what, bool configuration = false)
    {
        if (result is { Status: StatusResult.Types.Status.Success }) return;
        var message = $"{what} failed: {result?.Exception?.Message ?? result?.Result ?? "no result"}";
        if (configuration) throw new LocalHostConfigurationException(message);
        throw new WorkerStartException(message);
    }

    private void OnRpcLog(RpcLog log)
    {
        var category = string.IsNullOrEmpty(log.Category) ? LogCategories.WorkerLog : log.Category;
        ILogger logger;
        lock (_rpcLoggers)
        {
            if (!_rpcLoggers.TryGetValue(category, out logger!))
            {
                logger = _loggers.CreateLogger(category);
                _rpcLoggers[category] = logger;
            }
        }

        var level = log.Level switch
        {
            RpcLog.Types.Level.Trace => LogLevel.Trace,
            RpcLog.Types.Level.Debug => LogLevel.Debug,
            RpcLog.Types.Level.Information => LogLevel.Information,
            RpcLog.Types.Level.Warning => LogLevel.Warning,
            RpcLog.Types.Level.Error => LogLevel.Error,
            RpcLog.Types.Level.Critical => LogLevel.Critical,
            _ => LogLevel.None,
        };
        if (level == LogLevel.None || !logger.IsEnabled(level)) return;
        if (log.Exception is { } exception)
        {
            // The worker sends the exception's ToString(): its first line is the type and message, the rest the stack.
            var lines = exception.Message.Split('\n', 2);
            var summary = string.IsNullOrEmpty(exception.Type) || lines[0].StartsWith(exception.Type, StringComparison.Ordinal) ? lines[0].Trim() : $"{exception.Type}: {lines[0].Trim()}";
            logger.Log(level, "{Message} {Exception}", log.Message, summary);
            var stack = lines.Length > 1 ? lines[1] : exception.StackTrace;
            if (!string.IsNullOrWhiteSpace(stack)) logger.LogDebug("{StackTrace}", stack.TrimEnd());
        }
        else
        {
            logger.Log(level, "{Message}", log.Message);
        }
    }

    private void SetRunning(WorkerConnection connection)
    {
        lock (_stateLock) _current = connection;
        SetState(LocalHostState.Running);
    }

    private void SetState(LocalHostState state)
    {
        TaskCompletionSource changed;
        lock (_stateLock)
        {
            if (_state is LocalHostState.Failed or LocalHostState.Stopped && state != LocalHostState.Stopped) return;
            _state = state;
            changed = _stateChanged;
            _stateChanged = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.TrySetResult();
    }

    private void Fail(Exception e)
    {
        FailureMessage = e.Message;
        if (e is WorkerConfigurationException)
        {
            _logger.LogError("{Message} It is not restarted.", e.Message);
        }

        SetState(LocalHostState.Failed);
        _completion.TrySetException(e);
        _completion.Task.Exception?.Handle(_ => true);
    }

}

/// <summary>The worker did not complete its start (it exited, or did not answer in time).</summary>
internal sealed class WorkerStartException(string message) : Exception(message);
