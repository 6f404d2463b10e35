using Azure;

namespace AlliancePipeline.Storage.Blobs;

/// <summary>One container of an Azure Blob Storage account (block blobs), over the Blob service REST API.</summary>
public interface IBlobContainerClient
{
    /// <summary>The container name.</summary>
    string Name { get; }

    /// <summary>Creates the container (private access) if it does not exist.</summary>
    Task CreateIfNotExistsAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Put Blob of a block blob. With <see cref="BlobUploadOptions.Overwrite"/> false the upload is conditioned on
    /// If-None-Match: * and a taken name throws <see cref="RequestFailedException"/> 409 BlobAlreadyExists.
    /// </summary>
    Task<Response<BlobProperties>> UploadAsync(string blobName, Stream content, BlobUploadOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Get Blob, whole, into memory.</summary>
    Task<Response<BlobDownloadResult>> DownloadContentAsync(string blobName, CancellationToken cancellationToken = default);

    /// <summary>Get Blob as a stream read from the network (for large blobs); the caller disposes it.</summary>
    Task<Response<BlobDownloadStreamingResult>> DownloadStreamingAsync(string blobName, CancellationToken cancellationToken = default);

    /// <summary>Get Blob Properties: whether the blob exists.</summary>
    Task<Response<bool>> ExistsAsync(string blobName, CancellationToken cancellationToken = default);

    /// <summary>List Blobs whose names start with <paramref name="prefix"/>, following continuation markers page by page.</summary>
    AsyncPageable<BlobItem> GetBlobsAsync(string? prefix = null, int? pageSizeHint = null, CancellationToken cancellationToken = default);

    /// <summary>Delete Blob; returns false if it did not exist.</summary>
    Task<Response<bool>> DeleteIfExistsAsync(string blobName, CancellationToken cancellationToken = default);
}

/// <summary>Entry point to the Blob service of one account.</summary>
public interface IBlobServiceClient
{
    /// <summary>The client for one container (no request is made).</summary>
    IBlobContainerClient GetBlobContainerClient(string containerName);
}

/// <summary>Options of <see cref="IBlobContainerClient.UploadAsync"/>.</summary>
public sealed record BlobUploadOptions
{
    /// <summary>The Content-Type stored with the blob (default application/octet-stream).</summary>
    public string ContentType { get; init; } = "application/octet-stream";

    /// <summary>Replace an existing blob (true, the default) or fail if the name is taken (false).</summary>
    public bool Overwrite { get; init; } = true;
}

/// <summary>A blob's system properties.</summary>
public sealed record BlobProperties(ETag ETag, DateTimeOffset LastModified, long ContentLength, string ContentType);

/// <summary>A blob downloaded into memory.</summary>
public sealed record BlobDownloadResult(BinaryData Content, BlobProperties Properties);

/// <summary>A blob being downloaded as a stream.</summary>
public sealed record BlobDownloadStreamingResult(Stream Content, BlobProperties Properties) : IDisposable
{
    /// <inheritdoc />
    public void Dispose() => Content.Dispose();
}

/// <summary>An item of a blob listing.</summary>
public sealed record BlobItem(string Name, BlobProperties Properties);
