using AlliancePipeline.Storage.Common;

namespace AlliancePipeline.Storage.Emulator;

/// <summary>Where and how Azurite runs.</summary>
public sealed record AzuriteOptions
{
    /// <summary>Blob service port (10000).</summary>
    public int BlobPort { get; init; } = 10000;

    /// <summary>Queue service port (10001).</summary>
    public int QueuePort { get; init; } = 10001;

    /// <summary>Table service port (10002).</summary>
    public int TablePort { get; init; } = 10002;

    /// <summary>The data folder; default <c>&lt;repository&gt;/.azurite</c> (git-ignored).</summary>
    public string? Location { get; init; }

    /// <summary>How long to wait for the ports to answer.</summary>
    public TimeSpan StartupTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Where progress is reported (npm ci, start, reuse); null for silence.</summary>
    public Action<string>? Log { get; init; }
}

/// <summary>
/// Azurite, the storage emulator, as the embedded default: <see cref="EnsureRunningAsync"/> reuses an Azurite that
/// already answers on its ports, or starts the repository's pinned one (<c>--silent --disableTelemetry
/// --skipApiVersionCheck</c>, data in <c>.azurite/</c>) and stops it when the handle is disposed.
/// </summary>
public static class Azurite
{
    /// <summary>
    /// Makes sure Azurite answers on the blob, queue and table ports of 127.0.0.1; the handle stops it on dispose only
    /// if this call started it.
    /// </summary>
    public static async Task<AzuriteHandle> EnsureRunningAsync(AzuriteOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new AzuriteOptions();
        int[] ports = [options.BlobPort, options.QueuePort, options.TablePort];
        var account = Account(options);
        if (await EmulatorProcess.AllAnswerAsync(ports, cancellationToken).ConfigureAwait(false))
        {
            options.Log?.Invoke($"Azurite already answers on ports {string.Join(", ", ports)}: reusing it.");
            return new AzuriteHandle(account, null);
        }

        var tools = EmulatorTools.Locate();
        await tools.EnsureInstalledAsync(options.Log, cancellationToken).ConfigureAwait(false);
        var location = options.Location ?? Path.Combine(tools.RepositoryRoot, ".azurite");
        Directory.CreateDirectory(location);
        string[] arguments =
        [
            "--silent", "--disableTelemetry", "--skipApiVersionCheck",
            "--location", location,
            "--blobHost", "127.0.0.1", "--blobPort", options.BlobPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--queueHost", "127.0.0.1", "--queuePort", options.QueuePort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--tableHost", "127.0.0.1", "--tablePort", options.TablePort.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ];
        options.Log?.Invoke($"Starting Azurite (data in {location}).");
        try
        {
            var process = await EmulatorProcess.StartAsync(tools, "azurite", arguments, ports, options.StartupTimeout, cancellationToken).ConfigureAwait(false);
            options.Log?.Invoke($"Azurite started (pid {process.ProcessId}).");
            return new AzuriteHandle(account, process);
        }
        catch (InvalidOperationException)
        {
            // Another process may have started Azurite at the same moment and won the ports: then use that one.
            if (!await EmulatorProcess.AllAnswerAsync(ports, cancellationToken).ConfigureAwait(false)) throw;
            options.Log?.Invoke("Another Azurite took the ports while this one started: reusing it.");
            return new AzuriteHandle(account, null);
        }
    }

    private static StorageAccount Account(AzuriteOptions options)
    {
        if (options is { BlobPort: 10000, QueuePort: 10001, TablePort: 10002 }) return StorageAccount.DevelopmentStorage;
        return StorageAccount.Parse(
            $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={StorageConnectionString.DevelopmentAccountKey};" +
            $"BlobEndpoint=http://127.0.0.1:{options.BlobPort}/devstoreaccount1;QueueEndpoint=http://127.0.0.1:{options.QueuePort}/devstoreaccount1;TableEndpoint=http://127.0.0.1:{options.TablePort}/devstoreaccount1");
    }
}

/// <summary>A running Azurite: its account, and the process if this handle started it (stopped on dispose).</summary>
public sealed class AzuriteHandle : IAsyncDisposable
{
    private readonly EmulatorProcess? _process;

    internal AzuriteHandle(StorageAccount account, EmulatorProcess? process)
    {
        Account = account;
        _process = process;
    }

    /// <summary>The emulator's account (devstoreaccount1 with its well-known key).</summary>
    public StorageAccount Account { get; }

    /// <summary>Whether this handle started Azurite (and so stops it).</summary>
    public bool StartedHere => _process is not null;

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _process?.DisposeAsync() ?? ValueTask.CompletedTask;
}
