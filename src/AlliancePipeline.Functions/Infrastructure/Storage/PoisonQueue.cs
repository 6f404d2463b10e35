using AlliancePipeline.Contracts.Storage;
using AlliancePipeline.Functions.Scoring;
using Azure.Data.Tables;
using Azure.Storage.Queues;

namespace AlliancePipeline.Functions.Infrastructure.Storage;

/// <summary>
/// Moves a message that can never succeed to its queue's poison twin at once, as the host would after
/// <c>maxDequeueCount</c> failures, with its reason: the text goes verbatim to <c>{queue}-poison</c>, the reason to
/// <c>Audit</c> (<see cref="AuditTrail.WritePoisonedAsync"/>: PartitionKey <c>poison-{queue}</c>, RowKey the message id, with its id in
/// the poison queue, which <c>alliance poison list</c> matches) and to the log (the reason only, never the text). The caller then returns
/// normally so the host deletes the original. A redelivery of a message already moved is not copied twice.
/// </summary>
public sealed class PoisonQueue(TableServiceClient tables, QueueServiceClient queues, TimeProvider clock, ILogger<PoisonQueue> log)
{
    /// <summary>Moves <paramref name="message"/> of <paramref name="queue"/>; false when it had been moved already.</summary>
    public async Task<bool> MoveAsync(string queue, QueueMessageData message, string reason, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(message);
        var poison = StorageNames.Poison(queue);
        var auditTable = tables.GetTableClient(StorageNames.AuditTable);
        var partition = AuditTrail.PoisonPartition(queue);
        var row = message.Id.Length > 0 ? message.Id : Guid.NewGuid().ToString("N");
        // A redelivery of a message already moved (the run stopped before the host deleted it) is not copied twice.
        if ((await auditTable.GetEntityIfExistsAsync<TableEntity>(partition, row, ["RowKey"], ct).ConfigureAwait(false)).HasValue)
        {
            log.LogWarning("Message {MessageId} was already moved to {PoisonQueue}; this delivery is dropped.", message.Id, poison);
            return false;
        }
        var sent = await queues.GetQueueClient(poison).SendMessageAsync(message.Text, cancellationToken: ct).ConfigureAwait(false);
        await AuditTrail.WritePoisonedAsync(auditTable, queue, row, sent.Value.MessageId, reason, message.DequeueCount, clock.GetUtcNow(), ct).ConfigureAwait(false);
        log.LogError("Message {MessageId} moved to {PoisonQueue}: {Reason}.", message.Id, poison, reason);
        return true;
    }
}
