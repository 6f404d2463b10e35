using Azure.Core;

namespace AlliancePipeline.Storage.Common;

/// <summary>
/// Options of the storage clients: Azure.Core's retry, diagnostics and transport settings, plus the REST API version
/// sent as <c>x-ms-version</c>. Transient failures (408, 429, 500, 502, 503, 504, connection refused) are retried with
/// exponential backoff by the pipeline; nothing else is.
/// </summary>
public sealed class StorageClientOptions : ClientOptions
{
    /// <summary>The storage REST API version pinned for every request: one that Azurite 3.35 and Azure both serve.</summary>
    public const string DefaultServiceVersion = "2025-05-05";

    /// <summary>The <c>x-ms-version</c> header value.</summary>
    public string ServiceVersion { get; set; } = DefaultServiceVersion;

    /// <summary>
    /// Whether the Table client checks entities against the service's limits before sending (forbidden key
    /// characters, more than 252 properties, over 1 MiB), for an error naming the entity and the rule. Default true;
    /// false sends as is and lets the service refuse.
    /// </summary>
    public bool ValidateEntitiesBeforeSending { get; set; } = true;
}
