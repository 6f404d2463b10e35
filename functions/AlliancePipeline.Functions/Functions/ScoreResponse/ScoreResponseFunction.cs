using AlliancePipeline.Functions.Hosting;
using AlliancePipeline.Functions.Services;

namespace AlliancePipeline.Functions.Functions.ScoreResponse;

/// <summary>Queue <c>responses</c>: scores a submission and stores it in <c>Responses</c>, idempotently.</summary>
public sealed class ScoreResponseFunction(ResponseProcessor processor) : QueueFunction
{
    /// <inheritdoc />
    public override string Name => "ScoreResponse";

    /// <inheritdoc />
    public override string QueueName => StorageNames.ResponsesQueue;

    /// <inheritdoc />
    public override Task HandleAsync(QueueMessageData message, InvocationLog log, CancellationToken cancellationToken) =>
        processor.ProcessAsync(message, log, cancellationToken);
}
