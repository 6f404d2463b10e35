using AlliancePipeline.Storage.Blobs;
using AlliancePipeline.Storage.Queues;
using AlliancePipeline.Storage.Tables;

namespace AlliancePipeline.Storage.Common;

/// <summary>The Table, Queue and Blob clients of one account, built from one <see cref="StorageAccount"/> and options.</summary>
public sealed class StorageClients
{
    /// <summary>Builds the three service clients (each with its own pipeline, as the services sign differently).</summary>
    public StorageClients(StorageAccount account, StorageClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(account);
        Account = account;
        Tables = new TableServiceClient(account, options);
        Queues = new QueueServiceClient(account, options);
        Blobs = new BlobServiceClient(account, options);
    }

    /// <summary>The account.</summary>
    public StorageAccount Account { get; }

    /// <summary>The Table service client.</summary>
    public TableServiceClient Tables { get; }

    /// <summary>The Queue service client.</summary>
    public QueueServiceClient Queues { get; }

    /// <summary>The Blob service client.</summary>
    public BlobServiceClient Blobs { get; }

    /// <summary>Parses the connection string (see <see cref="StorageAccount.Parse"/>) and builds the clients.</summary>
    public static StorageClients FromConnectionString(string connectionString, StorageClientOptions? options = null)
        => new(StorageAccount.Parse(connectionString), options);
}
