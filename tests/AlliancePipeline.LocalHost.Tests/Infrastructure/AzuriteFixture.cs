using AlliancePipeline.Emulators;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;

namespace AlliancePipeline.LocalHost.Tests.Infrastructure;

/// <summary>An Azurite of the test run's own (free ports, fresh data folder, removed afterwards) and SDK clients for it.</summary>
public class AzuriteFixture : IAsyncLifetime
{
    /// <summary>The table the test worker records into.</summary>
    public const string RecordsTable = "LocalHostTestRecords";

    private AzuriteHandle? _azurite;

    public AzuriteOptions Options { get; private set; } = null!;

    public string ConnectionString => _azurite?.ConnectionString ?? throw new InvalidOperationException("Azurite is not running.");

    public QueueServiceClient Queues { get; private set; } = null!;

    public BlobServiceClient Blobs { get; private set; } = null!;

    public TableServiceClient Tables { get; private set; } = null!;

    public virtual async Task InitializeAsync()
    {
        Options = AzuriteOptions.Isolated();
        _azurite = await Azurite.EnsureRunningAsync(Options);
        Queues = new QueueServiceClient(ConnectionString, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        Blobs = new BlobServiceClient(ConnectionString);
        Tables = new TableServiceClient(ConnectionString);
    }

    public virtual async Task DisposeAsync()
    {
        if (_azurite is not null) await _azurite.DisposeAsync();
    }

    /// <summary>What the test worker recorded under <paramref name="key"/>, oldest first.</summary>
    public async Task<IReadOnlyList<TableEntity>> RecordsAsync(string key, string? kind = null)
    {
        try
        {
            var table = Tables.GetTableClient(RecordsTable);
            var filter = kind is null ? TableClient.CreateQueryFilter($"PartitionKey eq {key}") : TableClient.CreateQueryFilter($"PartitionKey eq {key} and Kind eq {kind}");
            var list = new List<TableEntity>();
            await foreach (var entity in table.QueryAsync<TableEntity>(filter)) list.Add(entity);
            return [.. list.OrderBy(e => e.RowKey, StringComparer.Ordinal)];
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return [];
        }
    }

    /// <summary>
    /// How many messages <paramref name="queueName"/> holds, visible or not (a message being run still counts; one
    /// deleted does not).
    /// </summary>
    public async Task<int> MessageCountAsync(string queueName) =>
        (await Queues.GetQueueClient(queueName).GetPropertiesAsync()).Value.ApproximateMessagesCount;

    /// <summary>A key unique to one test.</summary>
    public static string NewKey(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)];
}

/// <summary>Tests that start hosts of their own on one Azurite.</summary>
[CollectionDefinition(Name)]
public sealed class DedicatedHostsCollection : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "Dedicated hosts";
}
