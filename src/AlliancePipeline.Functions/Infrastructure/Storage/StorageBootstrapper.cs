using AlliancePipeline.Contracts.Storage;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;

namespace AlliancePipeline.Functions.Infrastructure.Storage;

/// <summary>
/// Creates the app's tables, queues (with their poison twins) and the reports container if missing. Locally
/// (<c>AlliancePipeline__Storage__CreateResources</c>) it runs at start; in Azure, <c>infra/main.bicep</c> creates them.
/// </summary>
public sealed class StorageBootstrapper(TableServiceClient tables, QueueServiceClient queues, BlobServiceClient blobs)
{
    /// <summary>Creates whatever is missing; idempotent.</summary>
    public async Task EnsureCreatedAsync(CancellationToken ct)
    {
        foreach (var table in StorageNames.Tables)
            await tables.CreateTableIfNotExistsAsync(table, ct).ConfigureAwait(false);
        foreach (var queue in StorageNames.Queues)
        {
            await queues.GetQueueClient(queue).CreateIfNotExistsAsync(cancellationToken: ct).ConfigureAwait(false);
            await queues.GetQueueClient(StorageNames.Poison(queue)).CreateIfNotExistsAsync(cancellationToken: ct).ConfigureAwait(false);
        }
        foreach (var container in StorageNames.Containers)
            await blobs.GetBlobContainerClient(container).CreateIfNotExistsAsync(cancellationToken: ct).ConfigureAwait(false);
    }
}
