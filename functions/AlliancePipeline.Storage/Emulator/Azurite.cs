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

    /// <summary>Whether disposing the handle of an Azurite this call started also deletes <see cref="Location"/>.</summary>
    public bool DeleteLocationOnDispose { get; init; }

    /// <summary>
    /// An Azurite of one's own: three free ports and a fresh data folder under <c>&lt;repository&gt;/.azurite/</c>,
    /// deleted on dispose. Test runs use it so parallel runs (and other test projects) never share, reuse or stop each
    /// other's emulator.
    /// </summary>
    public static AzuriteOptions Isolated(Action<string>? log = null)
    {
        var ports = EmulatorProcess.FreePorts(3);
        return new AzuriteOptions
        {
            BlobPort = ports[0],
            QueuePort = ports[1],
            TablePort = ports[2],
            Location = Path.Combine(EmulatorTools.Locate().RepositoryRoot, ".azurite", "isolated-" + Guid.NewGuid().ToString("N")),
            DeleteLocationOnDispose = true,
            Log = log,
        };
    }
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
            return new AzuriteHandle(account, null, null);
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
            return new AzuriteHandle(account, process, options.DeleteLocationOnDispose ? location : null);
        }
        catch (InvalidOperationException)
        {
            // Another process may have started Azurite at the same moment and won the ports: then use that one.
            if (!await EmulatorProcess.AllAnswerAsync(ports, cancellationToken).ConfigureAwait(false)) throw;
            options.Log?.Invoke("Another Azurite took the ports while this one started: reusing it.");
            return new AzuriteHandle(account, null, null);
        }
    }

    private static StorageAccount Account(AzuriteOptions options)
    {
        if (options is { BlobPort: 10000, QueuePort: 10001, TablePort: 10002 }) return StorageAccount.DevelopmentStorage;
        const string name = StorageConnectionString.DevelopmentAccountName;
        return StorageAccount.FromSharedKey(
            name,
            new Uri($"http://127.0.0.1:{options.TablePort}/{name}"),
            new Uri($"http://127.0.0.1:{options.QueuePort}/{name}"),
            new Uri($"http://127.0.0.1:{options.BlobPort}/{name}"),
            new StorageSharedKeyCredential(name, StorageConnectionString.DevelopmentAccountKey));
    }
}

/// <summary>A running Azurite: its account, and the process if this handle started it (stopped on dispose).</summary>
public sealed class AzuriteHandle : IAsyncDisposable
{
    private readonly EmulatorProcess? _process;
    private readonly string? _locationToDelete;

    internal AzuriteHandle(StorageAccount account, EmulatorProcess? process, string? locationToDelete)
    {
        Account = account;
        _process = process;
        _locationToDelete = locationToDelete;
    }

    /// <summary>The emulator's account (devstoreaccount1 with its well-known key).</summary>
    public StorageAccount Account { get; }

    /// <summary>Whether this handle started Azurite (and so stops it).</summary>
    public bool StartedHere => _process is not null;

    /// <summary>The connection string of this Azurite (explicit endpoints, the well-known key).</summary>
    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName={Account.AccountName};AccountKey={Account.SharedKey?.AccountKey};" +
        $"BlobEndpoint={Account.BlobEndpoint};QueueEndpoint={Account.QueueEndpoint};TableEndpoint={Account.TableEndpoint}";

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_process is null) return;
        await _process.DisposeAsync().ConfigureAwait(false);
        if (_locationToDelete is not null && Directory.Exists(_locationToDelete))
        {
            try
            {
                Directory.Delete(_locationToDelete, recursive: true);
            }
            catch (IOException)
            {
                // A file still held open by the exiting process: the folder is git-ignored, a later run may remove it.
            }
        }
    }
}
