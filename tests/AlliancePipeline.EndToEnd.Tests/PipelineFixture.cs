using AlliancePipeline.Emulators;
using AlliancePipeline.Functions;
using AlliancePipeline.Functions.Infrastructure.Settings;
using AlliancePipeline.LocalHost;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace AlliancePipeline.EndToEnd.Tests;

/// <summary>
/// The whole pipeline as the README runs it: an isolated Azurite (own ports and data folder), the published worker
/// (<c>worker/</c>, made by <c>dotnet publish</c> at build) under the local host on a free port, storage created at
/// start. Queue timings are shortened through the host's own override settings
/// (<c>AzureFunctionsJobHost__extensions__queues__…</c>). The app's services, registered as the worker registers them,
/// seed studies and read storage.
/// </summary>
public sealed class PipelineFixture : IAsyncLifetime
{
    private AzuriteHandle? _azurite;
    private ServiceProvider? _services;

    public FunctionsLocalHost Host { get; private set; } = null!;
    public HttpClient Http { get; private set; } = null!;
    public IServiceProvider Services => _services!;
    public TableServiceClient Tables => Services.GetRequiredService<TableServiceClient>();
    public QueueServiceClient Queues => Services.GetRequiredService<QueueServiceClient>();
    public BlobServiceClient Blobs => Services.GetRequiredService<BlobServiceClient>();
    /// <summary>Every log record of the host and the worker (see <see cref="StartHostAsync"/>).</summary>
    public FakeLogCollector Log { get; } = new();

    /// <summary>The published worker.</summary>
    public static string WorkerFolder => Path.Combine(AppContext.BaseDirectory, "worker");

    /// <summary>Settings of a test app on <paramref name="azurite"/> whose public address is <paramref name="port"/>.</summary>
    public static Dictionary<string, string?> Settings(AzuriteHandle azurite, int port) => new()
    {
        ["AzureWebJobsStorage"] = azurite.ConnectionString,
        ["LinkSigning__Keys"] = "e2e=" + Convert.ToBase64String([.. Enumerable.Range(100, 32).Select(i => (byte)i)]),
        ["LinkSigning__CurrentKeyId"] = "e2e",
        ["AlliancePipeline__PublicBaseUrl"] = $"http://localhost:{port}",
        ["AlliancePipeline__Storage__CreateResources"] = "true",
        ["AlliancePipeline__Smtp__Host"] = "127.0.0.1",
        ["AlliancePipeline__Smtp__Port"] = "1",
        ["AlliancePipeline__Smtp__Security"] = "none",
        ["AlliancePipeline__Smtp__From"] = "Alliance Pipeline tests <noreply@example.org>",
        ["AzureFunctionsJobHost__extensions__queues__maxPollingInterval"] = "00:00:00.500",
        ["AzureFunctionsJobHost__extensions__queues__visibilityTimeout"] = "00:00:00",
    };

    /// <summary>
    /// Starts the published worker under the local host with <paramref name="settings"/>, its log records (the host's, and the
    /// worker's as the host forwards them) collected in <paramref name="log"/>, nothing to the console (Information and up; the
    /// framework's and the SDK's own categories only from Warning, unless <paramref name="allCategories"/>);
    /// <paramref name="queueMessageLease"/> shortens how long a received queue message stays hidden (fault tests).
    /// </summary>
    public static Task<FunctionsLocalHost> StartHostAsync(IReadOnlyDictionary<string, string?> settings, int port, FakeLogCollector log,
        bool allCategories = false, TimeSpan? queueMessageLease = null)
    {
        var options = new LocalHostOptions
        {
            ScriptRoot = WorkerFolder,
            HttpPort = port,
            StartEmulators = false,
            QueueMessageLease = queueMessageLease,
            LoggerFactory = LoggerFactory.Create(b =>
            {
                b.AddProvider(new FakeLoggerProvider(log)).SetMinimumLevel(LogLevel.Information);
                if (!allCategories) b.AddFilter("Microsoft", LogLevel.Warning).AddFilter("Azure", LogLevel.Warning);
            }),
        };
        foreach (var (key, value) in settings) options.SettingOverrides[key] = value;
        return FunctionsLocalHost.StartAsync(options);
    }

    /// <summary>Polls <paramref name="probe"/> until it holds; a <see cref="TimeoutException"/> naming <paramref name="what"/> after <paramref name="timeout"/>.</summary>
    public static async Task EventuallyAsync(Func<Task<bool>> probe, TimeSpan timeout, string what)
    {
        var deadline = System.Diagnostics.Stopwatch.StartNew();
        while (!await probe())
        {
            if (deadline.Elapsed > timeout) throw new TimeoutException($"Timed out after {timeout.TotalSeconds:0} s waiting for {what}.");
            await Task.Delay(200);
        }
    }

    /// <summary>The app's services on the same storage, as the worker registers them.</summary>
    public static ServiceProvider AppServices(IReadOnlyDictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key.Replace("__", ":", StringComparison.Ordinal), s.Value)))
            .Build();
        var services = new ServiceCollection().AddLogging().AddSingleton<IConfiguration>(configuration).AddAlliancePipeline().BuildServiceProvider();
        SettingsRegistration.ThrowIfInvalid(services);
        return services;
    }

    public async Task InitializeAsync()
    {
        _azurite = await Azurite.EnsureRunningAsync(AzuriteOptions.Isolated());
        var port = EmulatorProcess.FreePorts(1)[0];
        var settings = Settings(_azurite, port);
        Host = await StartHostAsync(settings, port, Log);
        Http = new HttpClient { BaseAddress = Host.BaseAddress };
        _services = AppServices(settings);
    }

    public async Task DisposeAsync()
    {
        Http?.Dispose();
        if (Host is not null) await Host.DisposeAsync();
        if (_services is not null) await _services.DisposeAsync();
        if (_azurite is not null) await _azurite.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class PipelineCollection : ICollectionFixture<PipelineFixture>
{
    public const string Name = "Pipeline";
}
