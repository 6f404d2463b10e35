using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;

namespace AlliancePipeline.Functions.Tests.Infrastructure;

/// <summary>Finds one message in a shared queue: receives in batches with a short visibility, deletes the match.</summary>
public static class QueueScan
{
    public static async Task<string?> TakeAsync(QueueClient queue, Func<string, bool> match, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            QueueMessage[] batch;
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
                var text = m.Body.ToString();
                if (!match(text)) continue;
                await queue.DeleteMessageAsync(m.MessageId, m.PopReceipt);
                return text;
            }
            if (batch.Length < 32) await Task.Delay(200);
        }
        return null;
    }
}
