using Microsoft.Extensions.Logging;

namespace AlliancePipeline.StudyScale;

/// <summary>
/// Counts the host's and the worker's warnings and errors (the report gives their number), and how often each kind came
/// (its message with the digits taken out: the log names the most frequent).
/// </summary>
internal sealed partial class WarningCounter : ILoggerProvider, ILogger
{
    private int _count;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> _kinds = new(StringComparer.Ordinal);

    /// <summary>The most frequent kinds so far, with their counts.</summary>
    public IEnumerable<(string Kind, int Count)> Top(int count) =>
        _kinds.OrderByDescending(k => k.Value).Take(count).Select(k => (k.Key, k.Value));

    /// <summary>Warnings and errors logged so far.</summary>
    public int Count => Volatile.Read(ref _count);

    public ILogger CreateLogger(string categoryName) => this;

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (logLevel < LogLevel.Warning) return;
        Interlocked.Increment(ref _count);
        ArgumentNullException.ThrowIfNull(formatter);
        var message = formatter(state, exception);
        var text = Digits().Replace(message.Split('\n', 2)[0].Trim(), "#"); // the first line: an SDK error response's status
        _kinds.AddOrUpdate(text.Length > 160 ? text[..160] : text, 1, (_, n) => n + 1);
    }

    public void Dispose()
    {
    }

    /// <summary>What varies within a kind: a bracketed request id, then any number.</summary>
    [System.Text.RegularExpressions.GeneratedRegex(@"\[[^\]]*\]|\d+")]
    private static partial System.Text.RegularExpressions.Regex Digits();
}
