using Microsoft.Extensions.Logging;

namespace AlliancePipeline.StudyScale;

/// <summary>Counts the host's and the worker's warnings and errors (the report gives their number).</summary>
internal sealed class WarningCounter : ILoggerProvider, ILogger
{
    private int _count;

    /// <summary>Warnings and errors logged so far.</summary>
    public int Count => Volatile.Read(ref _count);

    public ILogger CreateLogger(string categoryName) => this;

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (logLevel >= LogLevel.Warning) Interlocked.Increment(ref _count);
    }

    public void Dispose()
    {
    }
}
