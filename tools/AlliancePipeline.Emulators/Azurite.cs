using System.Globalization;

namespace AlliancePipeline.Emulators;

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
    /// Azurite's <c>--inMemoryPersistence</c>: nothing written to disk (and nothing kept after it stops). By default
    /// Azurite keeps its databases in memory and writes each whole to disk every 5 s, which stalls it while it does.
    /// </summary>
    public bool InMemoryPersistence { get; init; }

    /// <summary>
    /// A script Node loads before Azurite (<c>NODE_OPTIONS=--require</c>), for a benchmark that changes the emulator and
    /// says so; null (tests, the demo, the local host) runs the pinned emulator as it is.
    /// </summary>
    public string? Preload { get; init; }

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

    /// <summary>
    /// The Azurite a storage connection string points at, or null when it names another account: either
    /// <c>UseDevelopmentStorage=true</c> (ports 10000-10002) or the emulator's account with explicit blob and queue
    /// endpoints on a loopback address (the table endpoint, when absent, is taken as 10002).
    /// </summary>
    public static AzuriteOptions? ForConnectionString(string? connectionString)
    {
        if (string.IsNullOrWhiteSpace(connectionString)) return null;
        var parts = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var pair in connectionString.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0) parts[pair[..equals].Trim()] = pair[(equals + 1)..].Trim();
        }

        if (parts.TryGetValue("UseDevelopmentStorage", out var dev) && bool.TryParse(dev, out var useDev) && useDev)
        {
            return new AzuriteOptions();
        }

        var blob = LoopbackPort(parts, "BlobEndpoint");
        var queue = LoopbackPort(parts, "QueueEndpoint");
        if (blob is null || queue is null) return null;
        return new AzuriteOptions { BlobPort = blob.Value, QueuePort = queue.Value, TablePort = LoopbackPort(parts, "TableEndpoint") ?? 10002 };
    }

    private static int? LoopbackPort(Dictionary<string, string> parts, string key) =>
        parts.TryGetValue(key, out var value) && Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.IsLoopback ? uri.Port : null;
}

/// <summary>
/// Azurite, the storage emulator, as the embedded default: <see cref="EnsureRunningAsync"/> reuses an Azurite that
/// already answers on its ports, or starts the repository's pinned one and stops it when the handle is disposed.
/// It runs with <c>--skipApiVersionCheck</c>: the official Azure SDK asks for a newer service version than Azurite
/// 3.35 serves, and the app does not pin one.
/// </summary>
public static class Azurite
{
    /// <summary>The emulator's account name.</summary>
    public const string AccountName = "devstoreaccount1";

    /// <summary>The emulator's well-known account key (public, the same for every Azurite).</summary>
    public const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    /// <summary>The flags every Azurite started here gets.</summary>
    public static IReadOnlyList<string> Flags { get; } = ["--skipApiVersionCheck", "--disableTelemetry", "--silent"];

    /// <summary>The connection string of an Azurite on 127.0.0.1 with these ports (explicit endpoints, the well-known key).</summary>
    public static string ConnectionString(int blobPort, int queuePort, int tablePort) =>
        $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={AccountKey};" +
        $"BlobEndpoint={Endpoint(blobPort)};QueueEndpoint={Endpoint(queuePort)};TableEndpoint={Endpoint(tablePort)};";

    /// <summary>The endpoint of one Azurite service: <c>http://127.0.0.1:{port}/devstoreaccount1</c>.</summary>
    public static Uri Endpoint(int port) => new($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/{AccountName}");

    /// <summary>
    /// Makes sure Azurite answers on the blob, queue and table ports of 127.0.0.1; the handle stops it on dispose only
    /// if this call started it.
    /// </summary>
    public static async Task<AzuriteHandle> EnsureRunningAsync(AzuriteOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new AzuriteOptions();
        int[] ports = [options.BlobPort, options.QueuePort, options.TablePort];
        if (await EmulatorProcess.AllAnswerAsync(ports, cancellationToken).ConfigureAwait(false))
        {
            options.Log?.Invoke($"Azurite already answers on ports {string.Join(", ", ports)}: reusing it.");
            return new AzuriteHandle(options, null, null, false);
        }

        var tools = EmulatorTools.Locate();
        await tools.EnsureInstalledAsync(options.Log, cancellationToken).ConfigureAwait(false);
        var location = options.Location ?? Path.Combine(tools.RepositoryRoot, ".azurite");
        try
        {
            var process = await StartProcessAsync(tools, options, location, cancellationToken).ConfigureAwait(false);
            return new AzuriteHandle(options, process, location, options.DeleteLocationOnDispose);
        }
        catch (InvalidOperationException)
        {
            // Another process may have started Azurite at the same moment and won the ports: then use that one.
            if (!await EmulatorProcess.AllAnswerAsync(ports, cancellationToken).ConfigureAwait(false)) throw;
            options.Log?.Invoke("Another Azurite took the ports while this one started: reusing it.");
            return new AzuriteHandle(options, null, null, false);
        }
    }

    /// <summary>Starts the pinned Azurite on the ports of <paramref name="options"/> with its data in <paramref name="location"/>.</summary>
    internal static async Task<EmulatorProcess> StartProcessAsync(EmulatorTools tools, AzuriteOptions options, string location, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(location);
        int[] ports = [options.BlobPort, options.QueuePort, options.TablePort];
        string[] arguments =
        [
            .. Flags,
            // Azurite refuses --location beside --inMemoryPersistence.
            .. options.InMemoryPersistence ? ["--inMemoryPersistence"] : new[] { "--location", location },
            "--blobHost", "127.0.0.1", "--blobPort", options.BlobPort.ToString(CultureInfo.InvariantCulture),
            "--queueHost", "127.0.0.1", "--queuePort", options.QueuePort.ToString(CultureInfo.InvariantCulture),
            "--tableHost", "127.0.0.1", "--tablePort", options.TablePort.ToString(CultureInfo.InvariantCulture),
        ];
        options.Log?.Invoke($"Starting Azurite on ports {string.Join(", ", ports)} (data in {location}).");
        var environment = options.Preload is null ? null : new Dictionary<string, string> { ["NODE_OPTIONS"] = $"--require \"{options.Preload}\"" };
        var process = await EmulatorProcess.StartAsync(tools, "azurite", arguments, ports, options.StartupTimeout, cancellationToken, environment).ConfigureAwait(false);
        options.Log?.Invoke($"Azurite started (pid {process.ProcessId}).");
        return process;
    }
}

/// <summary>
/// A running Azurite: its ports and connection string, and the process if this handle started it (stopped on dispose).
/// An Azurite this handle started can be stopped (<see cref="StopAsync"/>) and started again on the same ports and data
/// folder (<see cref="StartAgainAsync"/>), as fault tests need.
/// </summary>
public sealed class AzuriteHandle : IAsyncDisposable
{
    private readonly AzuriteOptions _options;
    private readonly string? _location;
    private readonly bool _deleteLocation;
    private EmulatorProcess? _process;

    internal AzuriteHandle(AzuriteOptions options, EmulatorProcess? process, string? location, bool deleteLocation)
    {
        _options = options;
        BlobPort = options.BlobPort;
        QueuePort = options.QueuePort;
        TablePort = options.TablePort;
        _process = process;
        _location = location;
        _deleteLocation = deleteLocation;
    }

    /// <summary>
    /// Stops the Azurite this handle started, keeping its data folder. <paramref name="kill"/> false: SIGTERM, and
    /// Azurite closes its ports and writes its databases to disk before it exits (as a machine's orderly shutdown would
    /// stop it). True: SIGKILL, at once; Azurite keeps its table and queue databases in memory and writes them every
    /// 5 s, so what it acknowledged since its last write is lost (Azure Storage acknowledges only what is durable).
    /// </summary>
    public async Task StopAsync(bool kill = false)
    {
        var process = _process ?? throw new InvalidOperationException("This handle did not start Azurite: it cannot stop it.");
        if (!await process.SignalAsync(kill ? "KILL" : "TERM", TimeSpan.FromSeconds(20)).ConfigureAwait(false))
            throw new InvalidOperationException($"Azurite (pid {process.ProcessId}) did not exit within 20 s of SIG{(kill ? "KILL" : "TERM")}.");
    }

    /// <summary>Starts Azurite again on the same ports and data folder, after <see cref="StopAsync"/>.</summary>
    public async Task StartAgainAsync(CancellationToken cancellationToken = default)
    {
        var process = _process ?? throw new InvalidOperationException("This handle did not start Azurite: it cannot start it again.");
        if (!process.HasExited) throw new InvalidOperationException($"Azurite (pid {process.ProcessId}) is still running.");
        await process.DisposeAsync().ConfigureAwait(false);
        _process = await Azurite.StartProcessAsync(EmulatorTools.Locate(), _options, _location!, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Blob service port.</summary>
    public int BlobPort { get; }

    /// <summary>Queue service port.</summary>
    public int QueuePort { get; }

    /// <summary>Table service port.</summary>
    public int TablePort { get; }

    /// <summary>The blob endpoint, <c>http://127.0.0.1:{BlobPort}/devstoreaccount1</c>.</summary>
    public Uri BlobEndpoint => Azurite.Endpoint(BlobPort);

    /// <summary>The queue endpoint.</summary>
    public Uri QueueEndpoint => Azurite.Endpoint(QueuePort);

    /// <summary>The table endpoint.</summary>
    public Uri TableEndpoint => Azurite.Endpoint(TablePort);

    /// <summary>The connection string of this Azurite (explicit endpoints, the well-known key).</summary>
    public string ConnectionString => Azurite.ConnectionString(BlobPort, QueuePort, TablePort);

    /// <summary>Whether this handle started Azurite (and so stops it).</summary>
    public bool StartedHere => _process is not null;

    /// <summary>The process id of the Azurite this handle started, or null.</summary>
    public int? ProcessId => _process?.ProcessId;

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_process is null) return;
        await _process.DisposeAsync().ConfigureAwait(false);
        if (_deleteLocation && _location is not null && Directory.Exists(_location))
        {
            try
            {
                Directory.Delete(_location, recursive: true);
            }
            catch (IOException)
            {
                // A file still held open by the exiting process: the folder is git-ignored, a later run may remove it.
            }
        }
    }
}
