using System.Globalization;
using Azure.Core;
using Azure.Core.Pipeline;

namespace AlliancePipeline.Storage.Common;

/// <summary>The three storage services; the Table service signs Shared Key requests differently.</summary>
internal enum StorageService
{
    Blob,
    Queue,
    Table,
}

/// <summary>
/// Builds the one <see cref="HttpPipeline"/> of a service client: <c>x-ms-version</c> per call; per retry a fresh
/// <c>x-ms-date</c> and the authorisation (Shared Key, or a bearer token for <c>https://storage.azure.com/.default</c>);
/// Azure.Core's retry policy driven by <see cref="StorageResponseClassifier"/>.
/// </summary>
internal static class StoragePipeline
{
    /// <summary>The OAuth scope of Azure Storage.</summary>
    public const string StorageScope = "https://storage.azure.com/.default";

    public static HttpPipeline Build(StorageAccount account, StorageClientOptions? options, StorageService service)
    {
        ArgumentNullException.ThrowIfNull(account);
        options ??= new StorageClientOptions();
        HttpPipelinePolicy auth = account.SharedKey is { } key
            ? new SharedKeyPolicy(key, service)
            : account.TokenCredential is { } credential
                ? new BearerTokenAuthenticationPolicy(credential, StorageScope)
                : throw new ArgumentException("The storage account has neither a shared key nor a token credential.", nameof(account));

        return HttpPipelineBuilder.Build(
            options,
            [new ServiceVersionPolicy(options.ServiceVersion)],
            [new DatePolicy(), auth],
            new StorageResponseClassifier());
    }

    /// <summary>The endpoint as a base for request URIs (no trailing slash).</summary>
    public static Uri Base(Uri endpoint) => new(endpoint.AbsoluteUri.TrimEnd('/'));

    private sealed class ServiceVersionPolicy(string version) : HttpPipelineSynchronousPolicy
    {
        public override void OnSendingRequest(HttpMessage message) => message.Request.Headers.SetValue("x-ms-version", version);
    }

    private sealed class DatePolicy : HttpPipelineSynchronousPolicy
    {
        public override void OnSendingRequest(HttpMessage message)
            => message.Request.Headers.SetValue("x-ms-date", DateTimeOffset.UtcNow.ToString("R", CultureInfo.InvariantCulture));
    }
}

/// <summary>
/// Which answers are transient: 408, 429, 500, 502, 503 and 504 are retried (and, by Azure.Core's base
/// classifier, I/O failures and connection failures surfacing as status 0); every other status is final.
/// </summary>
public sealed class StorageResponseClassifier : ResponseClassifier
{
    /// <inheritdoc />
    public override bool IsRetriableResponse(HttpMessage message) => IsTransientStatus(message.Response.Status);

    /// <summary>Whether a status is one the pipeline retries.</summary>
    public static bool IsTransientStatus(int status) => status is 408 or 429 or 500 or 502 or 503 or 504;
}
