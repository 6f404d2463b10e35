using AlliancePipeline.Emulators;
using AlliancePipeline.Functions.Infrastructure.Storage;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;

namespace AlliancePipeline.Functions.Tests.Infrastructure;

/// <summary>Starts an Azurite of this test run's own (free ports, fresh data folder) and stops it afterwards.</summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    private AzuriteHandle? _handle;

    /// <summary>This run's emulator's connection string.</summary>
    public string ConnectionString => _handle?.ConnectionString ?? throw new InvalidOperationException("Azurite is not running.");

    /// <summary>This run's emulator.</summary>
    public AzuriteHandle Handle => _handle ?? throw new InvalidOperationException("Azurite is not running.");

    public TableServiceClient Tables { get; private set; } = null!;

    /// <summary>Queue clients encoding messages in base64, as the app and the queue trigger do.</summary>
    public QueueServiceClient Queues { get; private set; } = null!;

    public BlobServiceClient Blobs { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _handle = await Azurite.EnsureRunningAsync(AzuriteOptions.Isolated());
        // As the app's: writes to Assessments (the tests' own too) keep AssessmentViews.
        Tables = AssessmentWriteWatch.Client(_handle.ConnectionString);
        Queues = new QueueServiceClient(_handle.ConnectionString, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        Blobs = new BlobServiceClient(_handle.ConnectionString);
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
