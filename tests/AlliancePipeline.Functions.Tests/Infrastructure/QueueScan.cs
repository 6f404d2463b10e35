using AlliancePipeline.Storage.Queues;

namespace AlliancePipeline.Functions.Tests.Infrastructure;

/// <summary>Finds one message in a shared queue: receives in batches with a short visibility, deletes the match.</summary>
public static class QueueScan
{
    public static async Task<string?> TakeAsync(IQueueClient queue, Func<string, bool> match, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            IReadOnlyList<QueueMessage> batch;
            try
            {
                batch = (await queue.ReceiveMessagesAsync(32, TimeSpan.FromSeconds(2))).Value;
            }
            catch (Azure.RequestFailedException e) when (e.Status == 404)
            {
                batch = [];
            }
            foreach (var m in batch)
            {
                if (!match(m.MessageText)) continue;
                await queue.DeleteMessageAsync(m.MessageId, m.PopReceipt);
                return m.MessageText;
            }
            if (batch.Count < 32) await Task.Delay(200);
        }
        return null;
    }
}
