namespace AlliancePipeline.LocalHost;

/// <summary>The state of the local host and its worker.</summary>
public enum LocalHostState
{
    /// <summary>The worker is starting for the first time.</summary>
    Starting,

    /// <summary>The worker runs and has loaded its functions.</summary>
    Running,

    /// <summary>The worker died and is being started again.</summary>
    Restarting,

    /// <summary>The host is stopping.</summary>
    Stopping,

    /// <summary>The host has stopped.</summary>
    Stopped,

    /// <summary>The worker cannot run (its settings are wrong, or its functions cannot be loaded); it is not restarted.</summary>
    Failed,
}

/// <summary>One function of the hosted app and what triggers it.</summary>
/// <param name="Name">The function name.</param>
/// <param name="TriggerType">The trigger binding type: <c>httpTrigger</c>, <c>queueTrigger</c>, <c>timerTrigger</c>, or another the local host does not drive.</param>
/// <param name="Trigger">What the trigger needs, resolved: for HTTP the route (with the prefix) and methods, for a queue its name, for a timer its schedule.</param>
/// <param name="IsDisabled">Disabled by the app setting <c>AzureWebJobs.{Name}.Disabled</c>: not triggered, still invocable through the admin API.</param>
public sealed record LocalFunction(string Name, string TriggerType, string Trigger, bool IsDisabled);

/// <summary>How one invocation ended.</summary>
/// <param name="InvocationId">The invocation id the worker saw.</param>
/// <param name="FunctionName">The function.</param>
/// <param name="Succeeded">Whether the function and its output bindings succeeded.</param>
/// <param name="ExceptionType">The exception's type when it failed, as the worker reported it.</param>
/// <param name="ExceptionMessage">The exception's message when it failed.</param>
/// <param name="Duration">From the InvocationRequest to the end of the output bindings.</param>
public sealed record InvocationOutcome(string InvocationId, string FunctionName, bool Succeeded, string? ExceptionType, string? ExceptionMessage, TimeSpan Duration);

/// <summary>
/// The worker exited with code 2: the app's way of saying its settings are wrong. It is not restarted; its message
/// (what it wrote to stderr) is kept here.
/// </summary>
public sealed class WorkerConfigurationException : Exception
{
    /// <summary>Creates the exception from the worker's exit code and last stderr lines.</summary>
    public WorkerConfigurationException(int exitCode, IReadOnlyList<string> workerOutput)
        : base($"The worker exited with code {exitCode}: its settings are wrong." + (workerOutput.Count > 0 ? " It said: " + string.Join(Environment.NewLine, workerOutput) : ""))
    {
        ExitCode = exitCode;
        WorkerOutput = workerOutput;
    }

    /// <summary>The worker's exit code.</summary>
    public int ExitCode { get; }

    /// <summary>The last lines the worker wrote to stderr.</summary>
    public IReadOnlyList<string> WorkerOutput { get; }
}

/// <summary>The log categories of the local host (the prefixes its console output shows).</summary>
public static class LogCategories
{
    /// <summary>The host itself: start, worker lifecycle, listeners.</summary>
    public const string Host = "AlliancePipeline.LocalHost";

    /// <summary>Lines the worker process wrote to stdout.</summary>
    public const string WorkerStdout = "AlliancePipeline.LocalHost.Worker.Stdout";

    /// <summary>Lines the worker process wrote to stderr.</summary>
    public const string WorkerStderr = "AlliancePipeline.LocalHost.Worker.Stderr";

    /// <summary>RpcLog messages without a category of their own.</summary>
    public const string WorkerLog = "AlliancePipeline.LocalHost.Worker";

    /// <summary>Emulator start and reuse.</summary>
    public const string Emulators = "AlliancePipeline.LocalHost.Emulators";

    /// <summary>The category of one function's invocation lines (Executing/Executed), as the host names it.</summary>
    public static string Function(string name) => "Function." + name;
}
