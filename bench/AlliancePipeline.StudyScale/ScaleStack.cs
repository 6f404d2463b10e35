using System.Globalization;
using System.Net.Http.Headers;
using AlliancePipeline.Contracts.Storage;
using AlliancePipeline.Core.Access;
using AlliancePipeline.Emulators;
using AlliancePipeline.Functions;
using AlliancePipeline.Functions.Questionnaires;
using AlliancePipeline.LocalHost;
using Azure.Data.Tables;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AlliancePipeline.StudyScale;

/// <summary>
/// What one phase of a size runs on: an Azurite on a data folder of the run's, a MailDev, the counting proxy, and the
/// published worker under the local host given the proxy as <c>AzureWebJobsStorage</c>; an admin key and HTTP clients.
/// Disposed in reverse: the host, the proxy, MailDev, then Azurite stopped with SIGTERM so it writes its databases to
/// disk (the folder is kept: the next phase, or a later run with <c>--data</c>, starts on it).
/// </summary>
internal sealed class ScaleStack : IAsyncDisposable
{
    private ServiceProvider? _services;

    private ScaleStack(AzuriteHandle azurite, MailDevHandle mailDev, StorageCounter counter, FunctionsLocalHost host, WarningCounter warnings)
    {
        Azurite = azurite;
        MailDev = mailDev;
        Counter = counter;
        Host = host;
        Warnings = warnings;
    }

    public AzuriteHandle Azurite { get; }

    public MailDevHandle MailDev { get; }

    public StorageCounter Counter { get; }

    public FunctionsLocalHost Host { get; }

    public WarningCounter Warnings { get; }

    /// <summary>Link tokens issued with the worker's own signing key (as the mail would carry them).</summary>
    public ILinkTokens Tokens => _services!.GetRequiredService<ILinkTokens>();

    /// <summary>The benchmark's own storage client: Azurite directly, not counted.</summary>
    public TableServiceClient Tables { get; private set; } = null!;

    /// <summary>Admin calls (30 minutes' timeout: an import of thousands of lines takes minutes on Azurite).</summary>
    public HttpClient Http { get; private set; } = null!;

    /// <summary>A rater's posts (no key).</summary>
    public HttpClient Forms { get; private set; } = null!;

    /// <summary>The worker's process id, when it runs.</summary>
    public int? Worker() => Host.WorkerProcessId;

    public static async Task<ScaleStack> StartAsync(ScaleOptions options, string location, CancellationToken ct)
    {
        var ports = EmulatorProcess.FreePorts(9);
        var azurite = await Emulators.Azurite.EnsureRunningAsync(new AzuriteOptions
        {
            BlobPort = ports[6],
            QueuePort = ports[7],
            TablePort = ports[8],
            Location = location,
            DeleteLocationOnDispose = false,
            Preload = options.KeyedLookups ? Path.Combine(AppContext.BaseDirectory, "keyed-lookups.js") : null,
        }, ct).ConfigureAwait(false);
        var mailDev = await Emulators.MailDev.EnsureRunningAsync(ports[1], ports[2], cancellationToken: ct).ConfigureAwait(false);
        var counter = await StorageCounter.StartAsync(azurite, ports[3..6], ct).ConfigureAwait(false);
        var signingKey = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        var settings = new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = counter.ConnectionString,
            ["LinkSigning__Keys"] = "scale=" + signingKey,
            ["LinkSigning__CurrentKeyId"] = "scale",
            ["AlliancePipeline__PublicBaseUrl"] = $"http://127.0.0.1:{ports[0]}",
            ["AlliancePipeline__Storage__CreateResources"] = "true",
            ["AlliancePipeline__Smtp__Host"] = "127.0.0.1",
            ["AlliancePipeline__Smtp__Port"] = mailDev.SmtpPort.ToString(CultureInfo.InvariantCulture),
            ["AlliancePipeline__Smtp__Security"] = "none",
            ["AlliancePipeline__Smtp__From"] = "Alliance Pipeline scale <noreply@scale.example.org>",
        };
        var warnings = new WarningCounter();
        var hostOptions = new LocalHostOptions
        {
            ScriptRoot = options.WorkerFolder ?? Path.Combine(AppContext.BaseDirectory, "worker"),
            HttpPort = ports[0],
            StartEmulators = false,
            LoggerFactory = LoggerFactory.Create(b =>
            {
                b.AddProvider(warnings).SetMinimumLevel(LogLevel.Warning);
                if (options.LogFile is { } file) b.AddProvider(new FileLog(file)).SetMinimumLevel(LogLevel.Information);
            }),
        };
        foreach (var (key, value) in settings) hostOptions.SettingOverrides[key] = value;
        foreach (var (key, value) in options.WorkerEnvironment) hostOptions.SettingOverrides[key] = value;
        var host = await FunctionsLocalHost.StartAsync(hostOptions, ct).ConfigureAwait(false);
        var stack = new ScaleStack(azurite, mailDev, counter, host, warnings);
        if (!host.BaseAddress.IsLoopback) throw new InvalidOperationException($"The host listens on {host.BaseAddress}, not a loopback address.");

        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key.Replace("__", ":", StringComparison.Ordinal), s.Value)))
            .Build();
        stack._services = new ServiceCollection().AddLogging().AddSingleton<IConfiguration>(configuration).AddAlliancePipeline().BuildServiceProvider();
        stack.Tables = new TableServiceClient(azurite.ConnectionString);
        await stack.Tables.CreateTableIfNotExistsAsync(StorageNames.AccessKeysTable, ct).ConfigureAwait(false);
        await stack.Tables.CreateTableIfNotExistsAsync(StorageNames.AuditTable, ct).ConfigureAwait(false);
        var now = DateTimeOffset.UtcNow;
        var admin = (await AccessKeyWriter.IssueAsync(stack.Tables.GetTableClient(StorageNames.AccessKeysTable), stack.Tables.GetTableClient(StorageNames.AuditTable),
            AccessScope.Admin, "scale admin", now.AddDays(2), "cli", now, ct).ConfigureAwait(false)).Key;
        stack.Http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, MaxConnectionsPerServer = 64 }) { BaseAddress = host.BaseAddress, Timeout = TimeSpan.FromMinutes(30) };
        stack.Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", admin);
        stack.Forms = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, MaxConnectionsPerServer = 64 }) { BaseAddress = host.BaseAddress, Timeout = TimeSpan.FromMinutes(2) };
        return stack;
    }

    public async ValueTask DisposeAsync()
    {
        Http?.Dispose();
        Forms?.Dispose();
        await Host.DisposeAsync().ConfigureAwait(false);
        if (_services is not null) await _services.DisposeAsync().ConfigureAwait(false);
        await Counter.DisposeAsync().ConfigureAwait(false);
        await MailDev.DisposeAsync().ConfigureAwait(false);
        if (Azurite.StartedHere) await Azurite.StopAsync().ConfigureAwait(false);
        await Azurite.DisposeAsync().ConfigureAwait(false);
    }
}
