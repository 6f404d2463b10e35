using Microsoft.Extensions.Logging;

namespace AlliancePipeline.StudyScale;

/// <summary>
/// Every line the local host and its worker log, written to a file (<c>--log FILE</c>): to read what the worker said when
/// a measured operation failed. The worker's own output (an unhandled exception, the runtime's out-of-memory message)
/// comes through the host's stdout and stderr loggers.
/// </summary>
internal sealed class FileLog(string path) : ILoggerProvider, ILogger
{
    private readonly StreamWriter _file = new(path, append: true) { AutoFlush = true };
    private readonly Lock _gate = new();

    public ILogger CreateLogger(string categoryName) => this;

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel)) return;
        ArgumentNullException.ThrowIfNull(formatter);
        var line = $"{DateTime.UtcNow:HH:mm:ss.fff} {logLevel}: {formatter(state, exception)}{(exception is null ? "" : Environment.NewLine + exception)}";
        lock (_gate) _file.WriteLine(line);
    }

    public void Dispose()
    {
        lock (_gate) _file.Dispose();
    }
}
