using AlliancePipeline.Contracts.Storage;
using Azure.Data.Tables;

namespace AlliancePipeline.Functions.Infrastructure.Audit;

/// <summary>
/// The audit trail (<c>Audit</c>): one row per change of state — study applied, link issued, reissued or revoked,
/// submission accepted, response stored, mail queued, sent or failed, key issued or revoked, alert raised — with when,
/// who (a key id, <c>cli</c>, or a process such as <c>function:ScoreResponse</c>; never a secret) and what, in words
/// without answers or addresses. A partition per study (<see cref="StorageNames.SystemPartition"/> for the rest), newest
/// first.
/// </summary>
public sealed class AuditLog(TableServiceClient tables, TimeProvider clock)
{
    /// <summary>The actor name of a function's own work.</summary>
    public static string Function(string name) => "function:" + name;

    /// <summary>Writes one row, through <see cref="AuditTrail"/> (Contracts: the one writer of <c>Audit</c> rows).</summary>
    public Task WriteAsync(string? studyId, string actor, string action, string subject, string details, CancellationToken ct) =>
        AuditTrail.WriteAsync(tables.GetTableClient(StorageNames.AuditTable), studyId ?? StorageNames.SystemPartition, actor, action, subject, details, clock.GetUtcNow(), ct);
}
