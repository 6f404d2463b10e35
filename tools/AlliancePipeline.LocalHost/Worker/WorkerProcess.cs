using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace AlliancePipeline.LocalHost.Worker;

/// <summary>What <c>worker.config.json</c> of a .NET isolated worker's build output says about starting it.</summary>
internal sealed record WorkerConfig(string Executable, string WorkerPath, string Language)
{
    /// <summary>Reads <c>worker.config.json</c> from <paramref name="scriptRoot"/>.</summary>
    public static WorkerConfig Load(string scriptRoot)
    {
        var path = Path.Combine(scriptRoot, "worker.config.json");
        if (!File.Exists(path))
        {
            throw new LocalHostConfigurationException(
                $"No worker.config.json in {scriptRoot}: the script root must be the build output of a .NET isolated worker (Microsoft.Azure.Functions.Worker.Sdk writes it there).");
        }

        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(path));
            var description = document.RootElement.GetProperty("description");
            string? Text(string name) => description.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
            return new WorkerConfig(
                Text("defaultExecutablePath") ?? "dotnet",
                Text("defaultWorkerPath") ?? throw new LocalHostConfigurationException($"{path} has no description.defaultWorkerPath."),
                Text("language") ?? "dotnet-isolated");
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new LocalHostConfigurationException($"{path} is not a worker configuration: {e.Message}");
        }
    }
}

/// <summary>
/// One worker process, started as the Functions host starts a .NET isolated worker
/// (<c>RpcWorkerContext.GetFormattedArguments</c>): <c>dotnet &lt;app&gt;.dll --host --port --workerId --requestId
/// --grpcMaxMessageLength</c> and the <c>--functions-*</c> forms the worker reads. Its output lines are logged, the
/// last ones kept for the report of an early exit.
/// </summary>
internal sealed class WorkerProcess : IAsyncDisposable
{
    /// <summary>The largest gRPC message either side accepts (the host's default).</summary>
    public const int MaxMessageLength = int.MaxValue;

    private readonly Process _process;
    private readonly Queue<string> _stderrTail = new();
    private readonly TaskCompletionSource<int> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private WorkerProcess(Process process) => _process = process;

    /// <summary>The operating-system process id.</summary>
    public int Id { get; private set; }

    /// <summary>Completes with the exit code when the process has exited and its output is read.</summary>
    public Task<int> Exited => _exited.Task;

    /// <summary>The last lines the worker wrote to stderr (at most 20).</summary>
    public IReadOnlyList<string> StderrTail
    {
        get
        {
            lock (_stderrTail) return [.. _stderrTail];
        }
    }

    /// <summary>The command-line arguments the host passes, after the worker path.</summary>
    public static IReadOnlyList<string> HostArguments(Uri grpcUri, string workerId, string requestId)
    {
        var port = grpcUri.Port.ToString(CultureInfo.InvariantCulture);
        var max = MaxMessageLength.ToString(CultureInfo.InvariantCulture);
        return
        [
            "--host", grpcUri.Host, "--port", port, "--workerId", workerId, "--requestId", requestId, "--grpcMaxMessageLength", max,
            "--functions-uri", grpcUri.AbsoluteUri, "--functions-worker-id", workerId, "--functions-request-id", requestId,
            "--functions-grpc-max-message-length", max,
        ];
    }

    /// <summary>Starts the worker.</summary>
    public static WorkerProcess Start(
        WorkerConfig config,
        string scriptRoot,
        Uri grpcUri,
        string workerId,
        IReadOnlyDictionary<string, string> environment,
        ILogger stdoutLogger,
        ILogger stderrLogger)
    {
        var info = new ProcessStartInfo(config.Executable)
        {
            WorkingDirectory = scriptRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            CreateNoWindow = true,
        };
        info.ArgumentList.Add(Path.Combine(scriptRoot, config.WorkerPath));
        foreach (var argument in HostArguments(grpcUri, workerId, Guid.NewGuid().ToString())) info.ArgumentList.Add(argument);
        foreach (var (key, value) in environment) info.Environment[key] = value;

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var worker = new WorkerProcess(process);
        var stdoutDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var stderrDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) stdoutDone.TrySetResult();
            else stdoutLogger.LogInformation("{Line}", e.Data);
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                stderrDone.TrySetResult();
                return;
            }

            lock (worker._stderrTail)
            {
                worker._stderrTail.Enqueue(e.Data);
                while (worker._stderrTail.Count > 20) worker._stderrTail.Dequeue();
            }

            stderrLogger.LogInformation("{Line}", e.Data);
        };
        process.Exited += (_, _) =>
        {
            // The exit event may come before the last output lines: report the exit once both streams have ended
            // (or after a few seconds, should a child process hold them open).
            var code = process.ExitCode;
            _ = Task.WhenAll(stdoutDone.Task, stderrDone.Task).WaitAsync(TimeSpan.FromSeconds(5))
                .ContinueWith(_ => worker._exited.TrySetResult(code), TaskScheduler.Default);
        };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new LocalHostConfigurationException($"Could not start the worker with '{config.Executable}': {e.Message}", e);
        }

        worker.Id = process.Id;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return worker;
    }

    /// <summary>Whether the process has exited.</summary>
    public bool HasExited => _exited.Task.IsCompleted;

    /// <summary>Kills the process (and any children) if it is still running.</summary>
    public void Kill()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    /// <summary>Kills the process if needed and waits for it.</summary>
    public async ValueTask DisposeAsync()
    {
        Kill();
        await _exited.Task.WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
        _process.Dispose();
    }
}
