using Azure.Data.Tables;

namespace AlliancePipeline.Contracts.Storage;

/// <summary>
/// The one writer of <c>Audit</c> rows, for the worker and the <c>alliance</c> tool alike: the audit trail
/// (<see cref="AuditEntity"/>: when, who (a key id, <c>cli</c> or a process, never a secret), what, and for a change of
/// a record its fields before and after, <see cref="AuditChange"/>; a batch's rows in transactions of up to 100), and the
/// rows that say why a message was moved to a poison queue and when it was replayed.
/// </summary>
public static class AuditTrail
{
    /// <summary>
    /// The partition of the rows that say why messages of <paramref name="queue"/> were moved to its poison twin
    /// (<c>poison-{queue}</c>; RowKey the message's id in <paramref name="queue"/>).
    /// </summary>
    public static string PoisonPartition(string queue) => "poison-" + queue;

    /// <summary>The partition of the rows that record replays of <paramref name="queue"/>'s poison messages (<c>replay-{queue}</c>).</summary>
    public static string ReplayPartition(string queue) => "replay-" + queue;

    /// <summary>The most transactions <see cref="WriteAllAsync"/> has in flight at once.</summary>
    public const int MaxParallelTransactions = 4;

    /// <summary>Adds one row of the audit trail; the row key sorts the partition newest first.</summary>
    public static Task WriteAsync(TableClient audit, string partition, string actor, string action, string subject, string details, DateTimeOffset at, CancellationToken ct) =>
        WriteAsync(audit, Row(partition, actor, action, subject, details, at), ct);

    /// <summary>Adds one row of the audit trail (made by <see cref="Row"/>).</summary>
    public static Task WriteAsync(TableClient audit, AuditEntity row, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(audit);
        return audit.AddEntityAsync(row, ct);
    }

    /// <summary>
    /// A row of the audit trail: <paramref name="change"/>, when given, is the record it changed and the fields before and
    /// after (<see cref="AuditChange"/>); the row key sorts the partition newest first.
    /// </summary>
    public static AuditEntity Row(string partition, string actor, string action, string subject, string details, DateTimeOffset at, AuditChange? change = null) => new()
    {
        PartitionKey = partition,
        RowKey = AuditEntity.NewRowKey(at),
        At = at,
        Actor = actor,
        Action = action,
        Subject = subject,
        Details = details,
        Record = change?.Record ?? "",
        Before = change?.Before ?? "",
        After = change?.After ?? "",
    };

    /// <summary>
    /// Adds many rows (a batch import's, one per record): entity group transactions of up to 100 rows of one partition,
    /// at most <see cref="MaxParallelTransactions"/> at once. Each transaction is whole or nothing; when one fails, no
    /// further one starts, those under way finish, and the failure is thrown.
    /// </summary>
    public static async Task WriteAllAsync(TableClient audit, IEnumerable<AuditEntity> rows, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(audit);
        ArgumentNullException.ThrowIfNull(rows);
        var transactions = rows
            .GroupBy(r => r.PartitionKey, StringComparer.Ordinal)
            .SelectMany(p => p.Chunk(100))
            .Select(chunk => chunk.Select(r => new TableTransactionAction(TableTransactionActionType.Add, r)).ToArray())
            .ToList();
        if (transactions.Count == 1 && transactions[0].Length == 1)
        {
            await audit.AddEntityAsync(transactions[0][0].Entity, ct).ConfigureAwait(false);
            return;
        }
        await Parallel.ForEachAsync(transactions, new ParallelOptions { MaxDegreeOfParallelism = MaxParallelTransactions, CancellationToken = ct },
            async (actions, token) => await audit.SubmitTransactionAsync(actions, token).ConfigureAwait(false)).ConfigureAwait(false);
    }

    /// <summary>
    /// Records why message <paramref name="messageId"/> of <paramref name="queue"/> was moved to its poison twin, where it is
    /// <paramref name="poisonMessageId"/> (what <c>alliance poison list</c> matches): <c>Queue</c>, <c>PoisonMessageId</c>,
    /// <c>Reason</c>, <c>DequeueCount</c>, <c>PoisonedAt</c> in <see cref="PoisonPartition"/>.
    /// </summary>
    public static Task WritePoisonedAsync(TableClient audit, string queue, string messageId, string poisonMessageId, string reason, long dequeueCount, DateTimeOffset at, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(audit);
        return audit.UpsertEntityAsync(new TableEntity(PoisonPartition(queue), messageId)
        {
            ["Queue"] = queue,
            ["PoisonMessageId"] = poisonMessageId,
            ["Reason"] = reason,
            ["DequeueCount"] = dequeueCount,
            ["PoisonedAt"] = at,
        }, TableUpdateMode.Replace, ct);
    }

    /// <summary>
    /// Records that poison message <paramref name="poisonMessageId"/> was put back on <paramref name="queue"/> as
    /// <paramref name="replayedAs"/>: <c>Queue</c>, <c>ReplayedAs</c>, <c>ReplayedAt</c>, <c>Actor</c> in <see cref="ReplayPartition"/>.
    /// </summary>
    public static Task WriteReplayedAsync(TableClient audit, string queue, string poisonMessageId, string replayedAs, string actor, DateTimeOffset at, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(audit);
        return audit.UpsertEntityAsync(new TableEntity(ReplayPartition(queue), poisonMessageId)
        {
            ["Queue"] = queue,
            ["ReplayedAs"] = replayedAs,
            ["ReplayedAt"] = at,
            ["Actor"] = actor,
        }, TableUpdateMode.Replace, ct);
    }
}
