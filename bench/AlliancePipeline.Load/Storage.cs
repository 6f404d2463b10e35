using System.Diagnostics;
using AlliancePipeline.Contracts.Storage;
using Azure.Data.Tables;
using Azure.Storage.Queues;

namespace AlliancePipeline.Load;

/// <summary>What the run reads back from storage, and Azurite's raw insert rate.</summary>
public static class LoadStorage
{
    /// <summary>
    /// Waits until the <c>responses</c> queue is empty and <c>Responses</c> holds <paramref name="expected"/> entities
    /// of the studies, or <paramref name="timeout"/> passes; returns each stored entity's server time (Azurite stamps
    /// <c>Timestamp</c> when it inserts, on this machine's clock) by <c>{studyId}/{assessmentId}</c>. Polls the queue's count (one cheap
    /// call a second) while it drains, then reads the partition.
    /// </summary>
    public static async Task<Dictionary<string, DateTimeOffset>> WaitForStoredAsync(TableServiceClient tables, QueueServiceClient queues, IReadOnlyCollection<string> studyIds, int expected, TimeSpan timeout, CancellationToken ct)
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
            var stored = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
            foreach (var studyId in studyIds)
            {
                foreach (var (key, at) in await ReadStoredAsync(tables, studyId, ct).ConfigureAwait(false)) stored[$"{studyId}/{key}"] = at;
            }

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
    /// nothing else running, in partitions of <paramref name="partitionSize"/> (as the app's <c>Responses</c> are
    /// partitioned by study: Azurite's cost per insert grows with the partition). Returns the count and the time taken.
    /// </summary>
    public static async Task<(int Count, TimeSpan Elapsed)> RawInsertAsync(TableServiceClient tables, int count, int concurrency, int partitionSize, CancellationToken ct)
    {
        var table = tables.GetTableClient("LoadRawInsert");
        await table.CreateIfNotExistsAsync(ct).ConfigureAwait(false);
        var run = Guid.NewGuid().ToString("N")[..8];
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = ct }, async (i, token) =>
        {
            var entity = new ResponseEntity
            {
                PartitionKey = $"raw-{run}-{i / partitionSize:00}",
                RowKey = $"d-{i:00000}-m1-practitioner",
                Items = [5, 6, 5, 4, 6, 7, 5, 6, 5, 4, 6, 7],
                Scores = new Dictionary<string, double> { ["Goal"] = 5.25, ["Task"] = 5.5, ["Bond"] = 5.75, ["Global"] = 5.5 },
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

    /// <summary>
    /// Azurite's raw queue rate on this machine, as a submission uses the queue: <paramref name="count"/> messages of a
    /// submission's size sent with <paramref name="concurrency"/> in flight, then received 16 at a time (as the host
    /// does) and each deleted. Returns the time each half took.
    /// </summary>
    public static async Task<(TimeSpan Send, TimeSpan ReceiveAndDelete)> RawQueueAsync(QueueServiceClient queues, int count, int concurrency, CancellationToken ct)
    {
        var queue = queues.GetQueueClient("load-raw-" + Guid.NewGuid().ToString("N")[..8]);
        await queue.CreateIfNotExistsAsync(cancellationToken: ct).ConfigureAwait(false);
        const string body = "{\"schema\":\"alliance.response.v1\",\"studyId\":\"load-steady-01\",\"assessmentId\":\"d-00001-m1-practitioner\",\"linkVersion\":1,\"items\":[5,6,5,4,6,7,5,6,5,4,6,7],\"submittedAt\":\"2026-11-27T12:00:00+00:00\",\"submissionId\":\"0123456789abcdef0123456789abcdef\"}";
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = ct }, async (_, token) =>
            await queue.SendMessageAsync(body, token).ConfigureAwait(false)).ConfigureAwait(false);
        var send = clock.Elapsed;
        clock.Restart();
        var left = count;
        await Parallel.ForEachAsync(Enumerable.Range(0, 4), new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = ct }, async (_, token) =>
        {
            while (Volatile.Read(ref left) > 0)
            {
                var batch = (await queue.ReceiveMessagesAsync(16, TimeSpan.FromMinutes(1), token).ConfigureAwait(false)).Value;
                if (batch.Length == 0) continue;
                await Parallel.ForEachAsync(batch, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = token }, async (m, t) =>
                    await queue.DeleteMessageAsync(m.MessageId, m.PopReceipt, t).ConfigureAwait(false)).ConfigureAwait(false);
                Interlocked.Add(ref left, -batch.Length);
            }
        }).ConfigureAwait(false);
        var receive = clock.Elapsed;
        await queue.DeleteAsync(ct).ConfigureAwait(false);
        return (send, receive);
    }
}
