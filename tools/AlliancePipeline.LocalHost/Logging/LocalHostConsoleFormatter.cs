using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;

namespace AlliancePipeline.LocalHost.Logging;

/// <summary>
/// One line per entry: time, a level word for warnings and errors, the source in brackets (<c>host</c>,
/// <c>worker</c>, <c>worker:err</c>, <c>emulators</c>, or the function's category), the message. Exceptions show their
/// message only: expected conditions never print stack traces.
/// </summary>
internal sealed class LocalHostConsoleFormatter() : ConsoleFormatter(Name)
{
    public new const string Name = "localhost";

    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        var message = logEntry.Formatter?.Invoke(logEntry.State, logEntry.Exception);
        if (message is null) return;
        var level = logEntry.LogLevel switch
        {
            LogLevel.Warning => "warn ",
            LogLevel.Error => "error ",
            LogLevel.Critical => "critical ",
            _ => "",
        };
        var exception = logEntry.Exception is { } e ? $" ({e.GetType().Name}: {e.Message})" : "";
        textWriter.Write($"{DateTime.Now:HH:mm:ss.fff} {level}[{Source(logEntry.Category)}] {message}{exception}{Environment.NewLine}");
    }

    /// <summary>The short name a category is shown with.</summary>
    public static string Source(string category) => category switch
    {
        LogCategories.Host => "host",
        LogCategories.WorkerStdout => "worker",
        LogCategories.WorkerStderr => "worker:err",
        LogCategories.WorkerLog => "worker",
        LogCategories.Emulators => "emulators",
        _ when category.StartsWith("Microsoft.Azure.Functions.Worker", StringComparison.Ordinal) => "worker",
        _ => category,
    };

    /// <summary>The default sink: the console with this formatter; Microsoft's and gRPC's own categories from warnings up.</summary>
    public static ILoggerFactory CreateConsoleLoggerFactory(LogLevel minimum = LogLevel.Information) => LoggerFactory.Create(builder => builder
        .SetMinimumLevel(minimum)
        .AddFilter("Microsoft", LogLevel.Warning)
        .AddFilter("Grpc", LogLevel.Warning)
        .AddFilter("System.Net.Http", LogLevel.Warning)
        .AddFilter("Microsoft.AspNetCore.DataProtection", LogLevel.Error)
        .AddConsole(o => o.FormatterName = Name)
        .AddConsoleFormatter<LocalHostConsoleFormatter, ConsoleFormatterOptions>());
}
