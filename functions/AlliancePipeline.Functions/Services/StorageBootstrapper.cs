using AlliancePipeline.Storage.Blobs;
using AlliancePipeline.Storage.Queues;
using AlliancePipeline.Storage.Tables;

namespace AlliancePipeline.Functions.Services;

/// <summary>Creates the app's tables, queues (with their poison twins) and the reports container if missing.</summary>
public sealed class StorageBootstrapper(ITableServiceClient tables, IQueueServiceClient queues, IBlobServiceClient blobs)
{
    /// <summary>Creates whatever is missing; idempotent.</summary>
    public async Task EnsureCreatedAsync(CancellationToken ct)
    {
        foreach (var table in StorageNames.Tables)
            await tables.GetTableClient(table).CreateIfNotExistsAsync(ct).ConfigureAwait(false);
        foreach (var queue in StorageNames.Queues)
        {
            await queues.GetQueueClient(queue).CreateIfNotExistsAsync(ct).ConfigureAwait(false);
            await queues.GetQueueClient(StorageNames.Poison(queue)).CreateIfNotExistsAsync(ct).ConfigureAwait(false);
        }
        await blobs.GetBlobContainerClient(StorageNames.ReportsContainer).CreateIfNotExistsAsync(ct).ConfigureAwait(false);
    }
}
