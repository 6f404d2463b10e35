using System.Globalization;
using System.Xml.Linq;
using AlliancePipeline.Storage.Common;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;

namespace AlliancePipeline.Storage.Blobs;

/// <summary>
/// One container over the Blob service REST API: Create Container, Put Blob (block blobs), Get Blob, Get Blob
/// Properties, List Blobs and Delete Blob. Blob names keep their <c>/</c> separators; each segment is percent-encoded.
/// </summary>
public sealed class BlobContainerClient : IBlobContainerClient
{
    /// <summary>Largest single Put Blob (service versions 2019-12-12 and later): 5,000 MiB.</summary>
    public const long MaxPutBlobBytes = 5000L * 1024 * 1024;

    private readonly HttpPipeline _pipeline;
    private readonly Uri _endpoint;

    internal BlobContainerClient(HttpPipeline pipeline, Uri endpoint, string name)
    {
        _pipeline = pipeline;
        _endpoint = endpoint;
        Name = name;
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public async Task CreateIfNotExistsAsync(CancellationToken cancellationToken = default)
    {
        using var message = _pipeline.CreateMessage(RequestMethod.Put, _endpoint, Name);
        message.Request.Uri.AppendQuery("restype", "container");
        await _pipeline.SendToleratingAsync(message, $"Create Container '{Name}'", (r, code) => r.Status == 409 && code == "ContainerAlreadyExists", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Deletes the container and its blobs if it exists.</summary>
    public async Task DeleteIfExistsAsync(CancellationToken cancellationToken = default)
    {
        using var message = _pipeline.CreateMessage(RequestMethod.Delete, _endpoint, Name);
        message.Request.Uri.AppendQuery("restype", "container");
        await _pipeline.SendToleratingAsync(message, $"Delete Container '{Name}'", StorageClientCore.NotFound, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<Response<BlobProperties>> UploadAsync(string blobName, Stream content, BlobUploadOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        options ??= new BlobUploadOptions();
        Stream body = content;
        if (!content.CanSeek)
        {
            // Shared Key signs Content-Length and retries rewind the body: buffer a forward-only stream.
            var buffer = new MemoryStream();
            await content.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
            buffer.Position = 0;
            body = buffer;
        }

        var length = body.Length - body.Position;
        if (length > MaxPutBlobBytes)
        {
            throw new ArgumentException($"The blob '{blobName}' is {length:N0} bytes; a single Put Blob takes at most {MaxPutBlobBytes:N0}.", nameof(content));
        }

        using var message = CreateBlobMessage(RequestMethod.Put, blobName);
        message.Request.Headers.SetValue("x-ms-blob-type", "BlockBlob");
        message.Request.Headers.SetValue("x-ms-blob-content-type", options.ContentType);
        if (!options.Overwrite) message.Request.Headers.SetValue("If-None-Match", "*");
        message.Request.Content = RequestContent.Create(body);
        await _pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
        var response = message.Response;
        if (response.IsError)
        {
            var (code, text) = StorageErrors.Parse(response);
            var hint = response.Status == 409 && code == "BlobAlreadyExists" ? " The upload asked not to overwrite." : "";
            throw new RequestFailedException(response.Status, StorageErrors.Describe($"Put Blob '{Name}/{blobName}'", response, code, text) + hint, code, null);
        }

        return Response.FromValue(
            new BlobProperties(response.Headers.ETag ?? default, LastModified(response), length, options.ContentType),
            response);
    }

    /// <inheritdoc />
    public async Task<Response<BlobDownloadResult>> DownloadContentAsync(string blobName, CancellationToken cancellationToken = default)
    {
        using var message = CreateBlobMessage(RequestMethod.Get, blobName);
        var response = await _pipeline.SendCheckedAsync(message, $"Get Blob '{Name}/{blobName}'", cancellationToken).ConfigureAwait(false);
        return Response.FromValue(new BlobDownloadResult(response.Content, Properties(response)), response);
    }

    /// <inheritdoc />
    public async Task<Response<BlobDownloadStreamingResult>> DownloadStreamingAsync(string blobName, CancellationToken cancellationToken = default)
    {
        var message = CreateBlobMessage(RequestMethod.Get, blobName);
        try
        {
            message.BufferResponse = false;
            var response = await _pipeline.SendCheckedAsync(message, $"Get Blob '{Name}/{blobName}'", cancellationToken).ConfigureAwait(false);
            // The stream belongs to the message: disposing the result disposes both.
            var stream = new OwningStream(response.ContentStream ?? Stream.Null, message);
            return Response.FromValue(new BlobDownloadStreamingResult(stream, Properties(response)), response);
        }
        catch
        {
            message.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public async Task<Response<bool>> ExistsAsync(string blobName, CancellationToken cancellationToken = default)
    {
        using var message = CreateBlobMessage(RequestMethod.Head, blobName);
        var response = await _pipeline.SendToleratingAsync(message, $"Get Blob Properties '{Name}/{blobName}'", StorageClientCore.NotFound, cancellationToken).ConfigureAwait(false);
        return Response.FromValue(response.Status != 404, response);
    }

    /// <inheritdoc />
    public AsyncPageable<BlobItem> GetBlobsAsync(string? prefix = null, int? pageSizeHint = null, CancellationToken cancellationToken = default)
    {
        if (pageSizeHint is < 1 or > 5000)
        {
            throw new ArgumentOutOfRangeException(nameof(pageSizeHint), pageSizeHint, "The Blob service lists 1 to 5,000 blobs per page.");
        }

        return new StoragePageable<BlobItem>((marker, pageSize, ct) => ListPageAsync(prefix, pageSize, marker, ct), pageSizeHint, cancellationToken);
    }

    private async Task<Page<BlobItem>> ListPageAsync(string? prefix, int? pageSize, string? marker, CancellationToken cancellationToken)
    {
        using var message = _pipeline.CreateMessage(RequestMethod.Get, _endpoint, Name);
        message.Request.Uri.AppendQuery("restype", "container");
        message.Request.Uri.AppendQuery("comp", "list");
        if (!string.IsNullOrEmpty(prefix)) message.Request.Uri.AppendQuery("prefix", prefix);
        if (!string.IsNullOrEmpty(marker)) message.Request.Uri.AppendQuery("marker", marker);
        if (pageSize is { } size) message.Request.Uri.AppendQuery("maxresults", size.ToString(CultureInfo.InvariantCulture));
        var response = await _pipeline.SendCheckedAsync(message, $"List Blobs of '{Name}'", cancellationToken).ConfigureAwait(false);
        var root = XDocument.Parse(response.Content.ToString()).Root!;
        var items = root.Element("Blobs")?.Elements("Blob").Select(b =>
        {
            var p = b.Element("Properties");
            return new BlobItem(
                (string)b.Element("Name")!,
                new BlobProperties(
                    new ETag((string?)p?.Element("Etag") ?? ""),
                    StorageClientCore.ParseDate((string?)p?.Element("Last-Modified")),
                    long.Parse((string?)p?.Element("Content-Length") ?? "0", CultureInfo.InvariantCulture),
                    (string?)p?.Element("Content-Type") ?? ""));
        }).ToList() ?? [];
        var next = (string?)root.Element("NextMarker");
        return Page<BlobItem>.FromValues(items, string.IsNullOrEmpty(next) ? null : next, response);
    }

    /// <inheritdoc />
    public async Task<Response<bool>> DeleteIfExistsAsync(string blobName, CancellationToken cancellationToken = default)
    {
        using var message = CreateBlobMessage(RequestMethod.Delete, blobName);
        var response = await _pipeline.SendToleratingAsync(message, $"Delete Blob '{Name}/{blobName}'", (r, code) => r.Status == 404 && code is "BlobNotFound" or null, cancellationToken).ConfigureAwait(false);
        return Response.FromValue(response.Status != 404, response);
    }

    private HttpMessage CreateBlobMessage(RequestMethod method, string blobName)
    {
        ValidateBlobName(blobName);
        return _pipeline.CreateMessage(method, _endpoint, [Name, .. blobName.Split('/')]);
    }

    private static void ValidateBlobName(string blobName)
    {
        ArgumentNullException.ThrowIfNull(blobName);
        if (blobName.Length is 0 or > 1024 || blobName.EndsWith('.') || blobName.EndsWith('/') || blobName.Contains("//", StringComparison.Ordinal) || blobName.StartsWith('/'))
        {
            throw new ArgumentException($"'{blobName}' is not a valid blob name: use 1–1,024 characters, not ending with '.' or '/', without empty path segments.", nameof(blobName));
        }
    }

    private static DateTimeOffset LastModified(Response response)
        => response.Headers.TryGetValue("Last-Modified", out var value) ? StorageClientCore.ParseDate(value) : default;

    private static BlobProperties Properties(Response response)
    {
        response.Headers.TryGetValue("Content-Type", out var contentType);
        return new BlobProperties(response.Headers.ETag ?? default, LastModified(response), response.Headers.ContentLength ?? 0, contentType ?? "");
    }
}
