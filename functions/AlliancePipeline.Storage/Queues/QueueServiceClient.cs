using AlliancePipeline.Storage.Common;
using Azure.Core.Pipeline;

namespace AlliancePipeline.Storage.Queues;

/// <summary>The Queue service of one account over its REST API, with one <see cref="HttpPipeline"/> for all its queues.</summary>
public sealed class QueueServiceClient : IQueueServiceClient
{
    private readonly HttpPipeline _pipeline;
    private readonly Uri _endpoint;

    /// <summary>A client for the account's Queue endpoint, authorised by its Shared Key or token credential.</summary>
    public QueueServiceClient(StorageAccount account, StorageClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(account);
        _pipeline = StoragePipeline.Build(account, options, StorageService.Queue);
        _endpoint = account.QueueEndpoint;
    }

    /// <summary>The Queue service endpoint.</summary>
    public Uri Endpoint => _endpoint;

    /// <inheritdoc />
    public IQueueClient GetQueueClient(string queueName) => new QueueClient(_pipeline, _endpoint, StorageClientCore.ValidateLowercaseName(queueName, "queue"));
}
