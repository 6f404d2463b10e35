using AlliancePipeline.Storage.Common;
using Azure.Core.Pipeline;

namespace AlliancePipeline.Storage.Blobs;

/// <summary>The Blob service of one account over its REST API, with one <see cref="HttpPipeline"/> for all its containers.</summary>
public sealed class BlobServiceClient : IBlobServiceClient
{
    private readonly HttpPipeline _pipeline;

    /// <summary>A client for the account's Blob endpoint, authorised by its Shared Key or token credential.</summary>
    public BlobServiceClient(StorageAccount account, StorageClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(account);
        _pipeline = StoragePipeline.Build(account, options, StorageService.Blob);
        Endpoint = account.BlobEndpoint;
    }

    /// <summary>The Blob service endpoint.</summary>
    public Uri Endpoint { get; }

    /// <inheritdoc />
    public IBlobContainerClient GetBlobContainerClient(string containerName) => new BlobContainerClient(_pipeline, Endpoint, StorageClientCore.ValidateLowercaseName(containerName, "container"));
}
