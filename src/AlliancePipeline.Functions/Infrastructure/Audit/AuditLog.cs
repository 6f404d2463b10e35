using AlliancePipeline.Contracts.Storage;
using Azure.Data.Tables;

namespace AlliancePipeline.Functions.Infrastructure.Audit;

/// <summary>
/// The audit trail (<c>Audit</c>, <see cref="AuditEntity"/>): one row per record changed — an outcome, an assessment, a
/// participant, a key — with when, who (a key id, <c>cli</c>, or a process such as <c>function:ScoreResponse</c>; never
/// a secret), what, and the fields before and after (<see cref="AuditChange"/>, personal fields named, never written);
/// one row per read of personal data (exports, report files); and the processes' events (link issued, submission
/// accepted, response stored, mail queued, sent or failed, alert raised) in words without answers or addresses. A
/// partition per study (<see cref="StorageNames.SystemPartition"/> for the rest), newest first.
/// </summary>
public sealed class AuditLog(TableServiceClient tables, TimeProvider clock)
{
    /// <summary>The actor name of a function's own work.</summary>
    public static string Function(string name) => "function:" + name;

    private TableClient Table => tables.GetTableClient(StorageNames.AuditTable);

    /// <summary>Writes one row, through <see cref="AuditTrail"/> (Contracts: the one writer of <c>Audit</c> rows).</summary>
    public Task WriteAsync(string? studyId, string actor, string action, string subject, string details, CancellationToken ct) =>
        AuditTrail.WriteAsync(Table, Row(studyId, actor, action, subject, details), ct);

    /// <summary>Writes one row made by <see cref="Row"/>.</summary>
    public Task WriteAsync(AuditEntity row, CancellationToken ct) => AuditTrail.WriteAsync(Table, row, ct);

    /// <summary>A row stamped now; <paramref name="change"/> the record it changed, before and after.</summary>
    public AuditEntity Row(string? studyId, string actor, string action, string subject, string details, AuditChange? change = null) =>
        AuditTrail.Row(studyId ?? StorageNames.SystemPartition, actor, action, subject, details, clock.GetUtcNow(), change);

    /// <summary>Writes rows made by <see cref="Row"/>, in transactions of up to 100 (<see cref="AuditTrail.WriteAllAsync"/>).</summary>
    public Task WriteAllAsync(IEnumerable<AuditEntity> rows, CancellationToken ct) => AuditTrail.WriteAllAsync(Table, rows, ct);

    /// <summary>
    /// Records a read of personal data by <paramref name="caller"/> before it is answered (<c>export.read</c>,
    /// <c>report.read</c>): the file in <c>Subject</c>; <c>format</c>, <c>scope</c> (the whole study, or the key's site)
    /// and <c>rows</c> (<c>-</c> for a file that is not a table) in <c>Details</c>; never the content.
    /// </summary>
    public Task ReadAsync(string studyId, Core.Access.Caller caller, string action, string file, string format, int? rows, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(caller);
        var scope = caller.Scope.SiteFilter(studyId) is { } site ? "site " + site : "study";
        var count = rows?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-";
        return WriteAsync(studyId, caller.Actor, action, file, $"format {format}; scope {scope}; rows {count}", ct);
    }
}
