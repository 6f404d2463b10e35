using System.Collections.Concurrent;

namespace AlliancePipeline.LocalHost.Tests.Infrastructure;

/// <summary>
/// Keeps every log entry of a host in memory (nothing goes to the console, so expected failures print no
/// <c>fail:</c> lines) for the tests to look at, and to show when a test fails.
/// </summary>
public sealed class TestLog : ILoggerProvider
{
    private readonly ConcurrentQueue<Entry> _entries = new();

    public sealed record Entry(DateTimeOffset At, LogLevel Level, string Category, string Message);

    public IReadOnlyList<Entry> Entries => [.. _entries];

    public ILoggerFactory CreateFactory() => LoggerFactory.Create(b => b
        .SetMinimumLevel(LogLevel.Debug)
        .AddFilter("Microsoft", LogLevel.Information)
        .AddFilter("Grpc", LogLevel.Information)
        .AddProvider(this));

    public bool Has(Func<Entry, bool> predicate) => _entries.Any(predicate);

    public bool Has(LogLevel level, string fragment) => _entries.Any(e => e.Level == level && e.Message.Contains(fragment, StringComparison.Ordinal));

    /// <summary>The last lines, for an assertion message.</summary>
    public string Tail(int count = 60) => string.Join(Environment.NewLine, _entries.TakeLast(count).Select(e => $"{e.At:HH:mm:ss.fff} {e.Level} [{e.Category}] {e.Message}"));

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(TestLog log, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var message = formatter(state, exception) + (exception is null ? "" : $" ({exception.GetType().Name}: {exception.Message})");
            log._entries.Enqueue(new Entry(DateTimeOffset.UtcNow, logLevel, category, message));
            while (log._entries.Count > 20_000) log._entries.TryDequeue(out _);
        }
    }
}
