using Microsoft.Extensions.Logging;

namespace AlliancePipeline.Functions.Hosting;

/// <summary>
/// The log of one invocation: every line goes to the app's <see cref="ILogger"/> and into the answer's <c>Logs</c>,
/// which the Functions host copies into the function's own log. Lines must carry no personal data.
/// </summary>
public sealed class InvocationLog(ILogger logger)
{
    private readonly List<string> _lines = [];
    private readonly Lock _gate = new();

    /// <summary>The lines so far.</summary>
    public IReadOnlyList<string> Lines
    {
        get { lock (_gate) return [.. _lines]; }
    }

    /// <summary>An information line.</summary>
    public void Info(string message) => Write(LogLevel.Information, message);

    /// <summary>A warning line.</summary>
    public void Warning(string message) => Write(LogLevel.Warning, message);

    /// <summary>An error line.</summary>
    public void Error(string message) => Write(LogLevel.Error, message);

    private void Write(LogLevel level, string message)
    {
#pragma warning disable CA2254 // the message is the invocation's own line, kept verbatim for the host
        logger.Log(level, message);
#pragma warning restore CA2254
        lock (_gate) _lines.Add(message);
    }
}
