namespace AlliancePipeline.Functions.Hosting;

/// <summary>The kinds of trigger this app uses, as their <c>function.json</c> binding types name them.</summary>
public enum TriggerKind
{
    /// <summary><c>httpTrigger</c>.</summary>
    Http,
    /// <summary><c>queueTrigger</c>.</summary>
    Queue,
    /// <summary><c>timerTrigger</c>.</summary>
    Timer,
}

/// <summary>
/// One function of the app. A class implementing this (through <see cref="HttpFunction"/>, <see cref="QueueFunction"/>
/// or <see cref="TimerFunction"/>) is found by <see cref="FunctionRegistry"/>; with its folder and <c>function.json</c>
/// that is all adding a function takes. Its <see cref="Name"/> is the folder name and the path the host posts to.
/// </summary>
public interface IFunction
{
    /// <summary>The function name: its folder, and the handler path <c>/{Name}</c>.</summary>
    string Name { get; }

    /// <summary>The trigger kind, matching the <c>function.json</c> trigger binding type.</summary>
    TriggerKind Trigger { get; }

    /// <summary>The trigger binding's name in <c>function.json</c> (the key of its value in <c>Data</c>).</summary>
    string TriggerBindingName { get; }

    /// <summary>Runs one invocation. Throwing fails it: the handler answers 500 and the host retries or poisons.</summary>
    /// <param name="request">The host's payload.</param>
    /// <param name="log">Lines for the answer's <c>Logs</c> (also written to the app's logger).</param>
    /// <param name="cancellationToken">Cancelled when the app stops.</param>
    Task<InvocationResponse> InvokeAsync(InvocationRequest request, InvocationLog log, CancellationToken cancellationToken);
}
