using Microsoft.Extensions.Logging.Testing;

namespace AlliancePipeline.Functions.Tests.Infrastructure;

/// <summary>
/// How the tests read what a <see cref="FakeLogCollector"/> collected (Microsoft.Extensions.Diagnostics.Testing): a
/// record's message or its whole text, a wait for a record that may still be on its way (from the worker over gRPC, from a
/// child process's output), the last records for an assertion message. Shared by the test projects that read logs.
/// </summary>
public static class FakeLogs
{
    /// <summary>Whether the record's message contains <paramref name="fragment"/> (ordinal).</summary>
    public static bool Says(this FakeLogRecord record, string fragment) => record.Message.Contains(fragment, StringComparison.Ordinal);

    /// <summary>Whether a record of <paramref name="level"/> whose message contains <paramref name="fragment"/> was collected.</summary>
    public static bool Has(this FakeLogCollector logs, Microsoft.Extensions.Logging.LogLevel level, string fragment) => logs.GetSnapshot().Any(r => r.Level == level && r.Says(fragment));

    /// <summary>
    /// Everything the record would put in a log sink, on one line: level, category, message and its exception (type,
    /// message, stack trace); what a check that nothing logged carries a secret searches.
    /// </summary>
    public static string Text(this FakeLogRecord record) =>
        $"{record.Level} {record.Category}: {record.Message}" + (record.Exception is { } e ? $" [{e}]" : "");

    /// <summary>
    /// Waits for a record that <paramref name="match"/>es, among those collected and those still to come (the collector's
    /// own stream: no polling); false when none came within <paramref name="timeout"/>.
    /// </summary>
    public static async Task<bool> WaitForAsync(this FakeLogCollector logs, Func<FakeLogRecord, bool> match, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await foreach (var record in logs.GetLogsAsync(deadline.Token))
            {
                if (match(record)) return true;
            }
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
        }

        return false;
    }

    /// <summary>The last <paramref name="count"/> records, one a line with its time, level and category: for an assertion message.</summary>
    public static string Tail(this FakeLogCollector logs, int count = 60) =>
        string.Join(Environment.NewLine, logs.GetSnapshot().TakeLast(count).Select(r => $"{r.Timestamp:HH:mm:ss.fff} {r.Level} [{r.Category}] {r.Message}"
            + (r.Exception is { } e ? $" ({e.GetType().Name}: {e.Message})" : "")));
}
