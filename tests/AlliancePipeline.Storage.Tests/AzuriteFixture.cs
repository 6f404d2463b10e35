using AlliancePipeline.Storage.Blobs;
using AlliancePipeline.Storage.Common;
using AlliancePipeline.Storage.Emulator;
using AlliancePipeline.Storage.Queues;
using AlliancePipeline.Storage.Tables;

namespace AlliancePipeline.Storage.Tests;

/// <summary>
/// Starts an Azurite of the test run's own (free ports, fresh data folder under .azurite/) and stops it afterwards,
/// so parallel test projects never reuse or stop each other's emulator.
/// </summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    private AzuriteHandle? _handle;

    public AzuriteOptions Options { get; private set; } = null!;

    public string ConnectionString => _handle?.ConnectionString ?? throw new InvalidOperationException("Azurite is not running.");

    public StorageAccount Account => _handle?.Account ?? throw new InvalidOperationException("Azurite is not running.");

    public TableServiceClient Tables { get; private set; } = null!;

    public QueueServiceClient Queues { get; private set; } = null!;

    public BlobServiceClient Blobs { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Options = AzuriteOptions.Isolated(Console.WriteLine);
        _handle = await Azurite.EnsureRunningAsync(Options);
        Tables = new TableServiceClient(_handle.Account);
        Queues = new QueueServiceClient(_handle.Account);
        Blobs = new BlobServiceClient(_handle.Account);
    }

    public async Task DisposeAsync()
    {
        if (_handle is not null) await _handle.DisposeAsync();
    }

    /// <summary>A name unique to this run, for a queue or container (lowercase, hyphenated).</summary>
    public static string UniqueName(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 33, 63)];

    /// <summary>A table name unique to this run (alphanumeric).</summary>
    public static string UniqueTableName(string prefix) => $"{prefix}{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 32, 63)];
}

[CollectionDefinition(Name)]
public sealed class AzuriteCollection : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "Azurite";
}
