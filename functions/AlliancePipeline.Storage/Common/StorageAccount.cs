using Azure.Core;

namespace AlliancePipeline.Storage.Common;

/// <summary>
/// Where a storage account is and how requests to it are authorised: either a Shared Key (from a connection string,
/// including <c>UseDevelopmentStorage=true</c> for Azurite) or a <see cref="TokenCredential"/> (managed identity)
/// with endpoint URIs. The clients behave the same either way.
/// </summary>
public sealed class StorageAccount
{
    private StorageAccount(string? accountName, Uri tableEndpoint, Uri queueEndpoint, Uri blobEndpoint, StorageSharedKeyCredential? sharedKey, TokenCredential? tokenCredential)
    {
        AccountName = accountName;
        TableEndpoint = tableEndpoint;
        QueueEndpoint = queueEndpoint;
        BlobEndpoint = blobEndpoint;
        SharedKey = sharedKey;
        TokenCredential = tokenCredential;
    }

    /// <summary>The account name, when known.</summary>
    public string? AccountName { get; }

    /// <summary>The Table service endpoint (for Azurite: <c>http://127.0.0.1:10002/devstoreaccount1</c>).</summary>
    public Uri TableEndpoint { get; }

    /// <summary>The Queue service endpoint.</summary>
    public Uri QueueEndpoint { get; }

    /// <summary>The Blob service endpoint.</summary>
    public Uri BlobEndpoint { get; }

    /// <summary>The Shared Key, for connection strings.</summary>
    public StorageSharedKeyCredential? SharedKey { get; }

    /// <summary>The token credential, for managed identity.</summary>
    public TokenCredential? TokenCredential { get; }

    /// <summary>
    /// Parses a connection string: <c>UseDevelopmentStorage=true</c>; <c>DefaultEndpointsProtocol=…;AccountName=…;
    /// AccountKey=…;EndpointSuffix=…</c>; or explicit <c>TableEndpoint=</c>/<c>QueueEndpoint=</c>/<c>BlobEndpoint=</c>
    /// with <c>AccountName</c>/<c>AccountKey</c>. Throws <see cref="FormatException"/> naming what is missing or wrong.
    /// </summary>
    public static StorageAccount Parse(string connectionString) => StorageConnectionString.Parse(connectionString);

    /// <summary>The account Azurite serves by default (<c>UseDevelopmentStorage=true</c>): devstoreaccount1 on 127.0.0.1, ports 10000–10002.</summary>
    public static StorageAccount DevelopmentStorage { get; } = FromSharedKey(
        StorageConnectionString.DevelopmentAccountName,
        new Uri("http://127.0.0.1:10002/devstoreaccount1"),
        new Uri("http://127.0.0.1:10001/devstoreaccount1"),
        new Uri("http://127.0.0.1:10000/devstoreaccount1"),
        new StorageSharedKeyCredential(StorageConnectionString.DevelopmentAccountName, StorageConnectionString.DevelopmentAccountKey));

    /// <summary>An account reached with a token credential (managed identity) at the given endpoints.</summary>
    public static StorageAccount FromEndpoints(Uri tableEndpoint, Uri queueEndpoint, Uri blobEndpoint, TokenCredential credential)
        => new(null, tableEndpoint, queueEndpoint, blobEndpoint, null, credential);

    internal static StorageAccount FromSharedKey(string accountName, Uri table, Uri queue, Uri blob, StorageSharedKeyCredential key)
        => new(accountName, table, queue, blob, key, null);
}

/// <summary>An account name and its base64 key, for Shared Key authorisation.</summary>
public sealed record StorageSharedKeyCredential(string AccountName, string AccountKey);
