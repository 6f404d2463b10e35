using AlliancePipeline.Contracts.Storage;
using Microsoft.Azure.Functions.Worker;

namespace AlliancePipeline.Functions.Scoring;

/// <summary>Queue <c>responses</c>: scores a submission and stores it in <c>Responses</c>, idempotently.</summary>
public sealed class ScoreResponse(ResponseProcessor processor)
{
    /// <summary>Hands the message to <see cref="ResponseProcessor"/>; a throw makes the host retry, then poison.</summary>
    [Function(nameof(ScoreResponse))]
    public Task Run(
        [QueueTrigger(StorageNames.ResponsesQueue)] string message,
        string id,
        long dequeueCount,
        CancellationToken cancellationToken) =>
        processor.ProcessAsync(new QueueMessageData(message, id, dequeueCount), cancellationToken);
}
