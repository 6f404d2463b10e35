using System.Net;
using System.Net.Sockets;
using AlliancePipeline.Functions.LocalDriver;
using AlliancePipeline.Functions.Services;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace AlliancePipeline.Functions.Tests.Infrastructure;

/// <summary>The real app (handler, and optionally the local driver) on free loopback ports, against Azurite.</summary>
public sealed class TestApp : IAsyncDisposable
{
    /// <summary>A fixed test key (32 bytes of 0x01..0x20): tests only.</summary>
    public static readonly string SigningKey = Convert.ToBase64String([.. Enumerable.Range(1, 32).Select(i => (byte)i)]);

    private TestApp(WebApplication app, int handlerPort, int driverPort)
    {
        App = app;
        Handler = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{handlerPort}") };
        Driver = new HttpClient { BaseAddress = new Uri($"http://localhost:{driverPort}") };
    }

    public WebApplication App { get; }
    public HttpClient Handler { get; }
    public HttpClient Driver { get; }
    public IServiceProvider Services => App.Services;

    /// <summary>Settings for a test run: the app's defaults plus short queue timings.</summary>
    public static Dictionary<string, string?> Settings(string connectionString, int handlerPort, int driverPort, bool driver) => new()
    {
        ["AzureWebJobsStorage"] = connectionString,
        ["FUNCTIONS_CUSTOMHANDLER_PORT"] = handlerPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["LinkSigning:Keys"] = "test=" + SigningKey,
        ["LinkSigning:CurrentKeyId"] = "test",
        ["AlliancePipeline:Storage:CreateResources"] = "true",
        ["AlliancePipeline:LocalDriver:Enabled"] = driver ? "true" : "false",
        ["AlliancePipeline:LocalDriver:Port"] = driverPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["AlliancePipeline:LocalDriver:StartAzurite"] = "false",
        ["AlliancePipeline:LocalDriver:MessageLease"] = "00:00:05",
        ["AzureFunctionsJobHost:extensions:queues:maxPollingInterval"] = "00:00:00.500",
        ["AzureFunctionsJobHost:extensions:queues:visibilityTimeout"] = "00:00:00",
    };

    /// <summary>Starts the app; with the driver, waits until it serves.</summary>
    public static async Task<TestApp> StartAsync(AzuriteFixture azurite, bool driver, Action<Dictionary<string, string?>>? adjust = null)
    {
        int handlerPort = FreePort(), driverPort = FreePort();
        var settings = Settings(azurite.ConnectionString, handlerPort, driverPort, driver);
        adjust?.Invoke(settings);
        var app = FunctionApp.Build([], settings);
        await FunctionApp.PrepareAsync(app);
        await app.StartAsync();
        if (driver) await app.Services.GetRequiredService<LocalDriverHost>().Started.WaitAsync(TimeSpan.FromSeconds(30));
        return new TestApp(app, handlerPort, driverPort);
    }

    /// <summary>Seeds a synthetic study with fresh ids.</summary>
    public Task<IReadOnlyList<SeededLink>> SeedAsync(string studyId, int dyads = 2, int meetings = 2) =>
        Services.GetRequiredService<DemoStudySeeder>().SeedAsync(studyId, dyads, meetings);

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        Handler.Dispose();
        Driver.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}

/// <summary>Polls a condition until it holds or the time is up.</summary>
public static class Eventually
{
    public static async Task<T> GetAsync<T>(Func<Task<T?>> probe, TimeSpan timeout, string what) where T : class
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (await probe() is { } value) return value;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Timed out after {timeout} waiting for {what}.");
            await Task.Delay(100);
        }
    }

    public static async Task TrueAsync(Func<Task<bool>> probe, TimeSpan timeout, string what)
    {
        await GetAsync<object>(async () => await probe() ? new object() : null, timeout, what);
    }
}
