using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using AlliancePipeline.Functions;
using AlliancePipeline.Functions.LocalDriver;
using AlliancePipeline.Storage.Blobs;
using AlliancePipeline.Storage.Emulator;
using AlliancePipeline.Storage.Queues;
using AlliancePipeline.Storage.Tables;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AlliancePipeline.EndToEnd.Tests;

/// <summary>
/// The whole pipeline as the README runs it: an isolated Azurite (own ports and data folder, so no other test run
/// shares its queues), the app with the local driver on, storage created at start. Queue timings are shortened
/// through the host's own override settings (AzureFunctionsJobHost__extensions__queues__…).
/// </summary>
public sealed class PipelineFixture : IAsyncLifetime
{
    private AzuriteHandle? _azurite;

    public WebApplication App { get; private set; } = null!;
    public HttpClient Driver { get; private set; } = null!;
    public ITableServiceClient Tables { get; private set; } = null!;
    public IQueueServiceClient Queues { get; private set; } = null!;
    public IBlobServiceClient Blobs { get; private set; } = null!;
    public ConcurrentQueue<string> Log { get; } = new();

    public async Task InitializeAsync()
    {
        int handler = FreePort(), driver = FreePort();
        _azurite = await Azurite.EnsureRunningAsync(AzuriteOptions.Isolated(Console.WriteLine));
        var connection = _azurite.ConnectionString;
        App = FunctionApp.Build([], new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = connection,
            ["FUNCTIONS_CUSTOMHANDLER_PORT"] = handler.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["LinkSigning:Keys"] = "e2e=" + Convert.ToBase64String([.. Enumerable.Range(100, 32).Select(i => (byte)i)]),
            ["LinkSigning:CurrentKeyId"] = "e2e",
            ["AlliancePipeline:Storage:CreateResources"] = "true",
            ["AlliancePipeline:LocalDriver:Enabled"] = "true",
            ["AlliancePipeline:LocalDriver:Port"] = driver.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["AlliancePipeline:LocalDriver:StartAzurite"] = "true", // finds the isolated one answering
            ["AlliancePipeline:LocalDriver:MessageLease"] = "00:00:10",
            ["AzureFunctionsJobHost:extensions:queues:maxPollingInterval"] = "00:00:00.500",
            ["AzureFunctionsJobHost:extensions:queues:visibilityTimeout"] = "00:00:00",
        }, builder => builder.Logging.AddProvider(new CapturingLoggerProvider(Log)));
        await FunctionApp.PrepareAsync(App);
        await App.StartAsync();
        await App.Services.GetRequiredService<LocalDriverHost>().Started.WaitAsync(TimeSpan.FromSeconds(30));
        Driver = new HttpClient { BaseAddress = new Uri($"http://localhost:{driver}") };
        Tables = App.Services.GetRequiredService<ITableServiceClient>();
        Queues = App.Services.GetRequiredService<IQueueServiceClient>();
        Blobs = App.Services.GetRequiredService<IBlobServiceClient>();
    }

    public async Task DisposeAsync()
    {
        Driver?.Dispose();
        if (App is not null)
        {
            await App.StopAsync();
            await App.DisposeAsync();
        }
        if (_azurite is not null) await _azurite.DisposeAsync();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>Keeps every log line (category: message) for assertions.</summary>
public sealed class CapturingLoggerProvider(ConcurrentQueue<string> lines) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, lines);

    public void Dispose() { }

    private sealed class Logger(string category, ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)}");
    }
}

[CollectionDefinition(Name)]
public sealed class PipelineCollection : ICollectionFixture<PipelineFixture>
{
    public const string Name = "Pipeline";
}
