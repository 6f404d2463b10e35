using System.Diagnostics;
using AlliancePipeline.Functions.Storage;
using Azure.Data.Tables;
using Azure.Storage.Queues;

namespace AlliancePipeline.Load;

/// <summary>What the run reads back from storage, and Azurite's raw insert rate.</summary>
public static class LoadStorage
{
    /// <summary>
    /// Waits until the <c>responses</c> queue is empty and <c>Responses</c> holds <paramref name="expected"/> entities
    /// of the study, or <paramref name="timeout"/> passes; returns each stored entity's server time (Azurite stamps
    /// <c>Timestamp</c> when it inserts, on this machine's clock) by assessment id. Polls the queue's count (one cheap
    /// call a second) while it drains, then reads the partition.
    /// </summary>
    public static async Task<Dictionary<string, DateTimeOffset>> WaitForStoredAsync(TableServiceClient tables, QueueServiceClient queues, string studyId, int expected, TimeSpan timeout, CancellationToken ct)
    {
        var deadline = Stopwatch.StartNew();
        var queue = queues.GetQueueClient(StorageNames.ResponsesQueue);
        while (deadline.Elapsed < timeout)
        {
            var waiting = (await queue.GetPropertiesAsync(ct).ConfigureAwait(false)).Value.ApproximateMessagesCount;
            if (waiting == 0) break;
            await Task.Delay(1000, ct).ConfigureAwait(false);
        }

        while (true)
        {
            var stored = await ReadStoredAsync(tables, studyId, ct).ConfigureAwait(false);
            if (stored.Count >= expected || deadline.Elapsed >= timeout) return stored;
            await Task.Delay(2000, ct).ConfigureAwait(false);
        }
    }

    /// <summary>Every <c>Responses</c> entity of the study: its row key and server timestamp.</summary>
    public static async Task<Dictionary<string, DateTimeOffset>> ReadStoredAsync(TableServiceClient tables, string studyId, CancellationToken ct)
    {
        var stored = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        var table = tables.GetTableClient(StorageNames.ResponsesTable);
        await foreach (var e in table.QueryAsync<TableEntity>(e => e.PartitionKey == studyId, maxPerPage: 1000, select: ["RowKey", "Timestamp"], cancellationToken: ct).ConfigureAwait(false))
            stored[e.RowKey] = e.Timestamp ?? DateTimeOffset.MinValue;
        return stored;
    }

    /// <summary>
    /// Azurite's raw table-insert rate on this machine: <paramref name="count"/> response-sized entities (the twelve
    /// answers, four scores, meeting, role, site, dyad, time) added with <paramref name="concurrency"/> requests in flight,
    /// nothing else running. Returns inserts per second.
    /// </summary>
    public static async Task<(int Count, TimeSpan Elapsed)> RawInsertAsync(TableServiceClient tables, int count, int concurrency, CancellationToken ct)
    {
        var table = tables.GetTableClient("LoadRawInsert");
        await table.CreateIfNotExistsAsync(ct).ConfigureAwait(false);
        var run = Guid.NewGuid().ToString("N")[..8];
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = ct }, async (i, token) =>
        {
            var entity = new ResponseEntity
            {
                PartitionKey = "raw-" + run,
                RowKey = $"d-{i:00000}-m1-practitioner",
                Items = [5, 6, 5, 4, 6, 7, 5, 6, 5, 4, 6, 7],
                Goal = 5.25,
                Task = 5.5,
                Bond = 5.75,
                Global = 5.5,
                Meeting = 1,
                RaterRole = "practitioner",
                SiteId = "site-a",
                DyadId = $"d-{i:00000}",
                SubmittedAt = DateTime.UtcNow,
            };
            await table.AddEntityAsync(entity, token).ConfigureAwait(false);
        }).ConfigureAwait(false);
        return (count, clock.Elapsed);
    }
}
