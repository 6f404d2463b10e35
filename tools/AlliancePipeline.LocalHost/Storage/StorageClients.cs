using System.Collections.Concurrent;
using AlliancePipeline.LocalHost.Configuration;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;

namespace AlliancePipeline.LocalHost.Storage;

/// <summary>
/// The official SDK clients for the storage accounts the bindings name. A binding's <c>connection</c> names an app
/// setting holding a connection string (tried as given, then with the <c>AzureWebJobs</c> prefix, as the host does);
/// without one, <c>AzureWebJobsStorage</c>. Queue clients use the message encoding of host.json.
/// </summary>
internal sealed class StorageClients(AppSettings settings, QueueMessageEncoding messageEncoding)
{
    /// <summary>The setting of the host's own storage account.</summary>
    public const string DefaultConnection = "AzureWebJobsStorage";

    private readonly ConcurrentDictionary<string, QueueServiceClient> _queues = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, BlobServiceClient> _blobs = new(StringComparer.Ordinal);

    /// <summary>The connection string a binding's <c>connection</c> names.</summary>
    public string ConnectionString(string? connection)
    {
        var name = string.IsNullOrWhiteSpace(connection) ? DefaultConnection : connection;
        var value = settings[name] ?? (name.StartsWith("AzureWebJobs", StringComparison.OrdinalIgnoreCase) ? null : settings["AzureWebJobs" + name]);
        if (!string.IsNullOrWhiteSpace(value)) return value;
        if (settings.WithPrefix(name + "__").Any())
        {
            throw new LocalHostConfigurationException($"The storage connection '{name}' is identity-based ({name}__…); the local host needs a connection string in '{name}'.");
        }

        throw new LocalHostConfigurationException($"The storage connection '{name}' is not set: put a connection string in the app setting '{name}' (for Azurite: UseDevelopmentStorage=true).");
    }

    /// <summary>The queue service of a connection.</summary>
    public QueueServiceClient Queues(string? connection) =>
        _queues.GetOrAdd(ConnectionString(connection), c => new QueueServiceClient(c, new QueueClientOptions { MessageEncoding = messageEncoding }));

    /// <summary>The blob service of a connection.</summary>
    public BlobServiceClient Blobs(string? connection) =>
        _blobs.GetOrAdd(ConnectionString(connection), c => new BlobServiceClient(c));
}
