using AlliancePipeline.Storage.Common;
using AlliancePipeline.Storage.Emulator;

namespace AlliancePipeline.Functions.LocalDriver;

/// <summary>
/// Starts Azurite for the local driver when the account is the emulator's (loopback endpoints) and nothing answers
/// there; an Azurite started here stops with the app. A remote account is left alone.
/// </summary>
public static class EmulatorStarter
{
    /// <summary>Ensures the emulator answers when the account points at it.</summary>
    public static async Task EnsureStorageAsync(IServiceProvider services, CancellationToken ct)
    {
        var account = services.GetRequiredService<StorageAccount>();
        if (!account.BlobEndpoint.IsLoopback || !account.QueueEndpoint.IsLoopback || !account.TableEndpoint.IsLoopback) return;
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("LocalDriver.Azurite");
        var handle = await Azurite.EnsureRunningAsync(new AzuriteOptions
        {
            BlobPort = account.BlobEndpoint.Port,
            QueuePort = account.QueueEndpoint.Port,
            TablePort = account.TableEndpoint.Port,
#pragma warning disable CA2254
            Log = line => logger.LogInformation(line),
#pragma warning restore CA2254
        }, ct).ConfigureAwait(false);
        if (handle.StartedHere)
        {
            services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopped.Register(() => handle.DisposeAsync().AsTask().GetAwaiter().GetResult());
        }
    }
}
