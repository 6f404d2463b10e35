using AlliancePipeline.Storage.Blobs;
using AlliancePipeline.Storage.Emulator;
using AlliancePipeline.Storage.Queues;
using AlliancePipeline.Storage.Tables;

namespace AlliancePipeline.Functions.Tests.Infrastructure;

/// <summary>Starts an Azurite of this test run's own (free ports, fresh data folder) and stops it afterwards.</summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    private AzuriteHandle? _handle;

    /// <summary>This run's emulator's connection string.</summary>
    public string ConnectionString => _handle?.ConnectionString ?? throw new InvalidOperationException("Azurite is not running.");

    /// <summary>This run's emulator's account.</summary>
    public Storage.Common.StorageAccount Account => _handle?.Account ?? throw new InvalidOperationException("Azurite is not running.");

    public TableServiceClient Tables { get; private set; } = null!;
    public QueueServiceClient Queues { get; private set; } = null!;
    public BlobServiceClient Blobs { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _handle = await Azurite.EnsureRunningAsync(AzuriteOptions.Isolated(Console.WriteLine));
        Tables = new TableServiceClient(_handle.Account);
        Queues = new QueueServiceClient(_handle.Account);
        Blobs = new BlobServiceClient(_handle.Account);
    }

    public async Task DisposeAsync()
    {
        if (_handle is not null) await _handle.DisposeAsync();
    }

    /// <summary>A queue or study name unique to this run (lowercase, hyphenated, under 63 characters).</summary>
    public static string UniqueName(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 17, 63)];
}

[CollectionDefinition(Name)]
public sealed class AzuriteCollection : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "Azurite";
}
