using AlliancePipeline.Functions.Hosting;
using AlliancePipeline.Functions.LocalDriver;
using AlliancePipeline.Functions.Services;
using AlliancePipeline.Functions.Settings;
using Microsoft.Extensions.Configuration.Memory;

namespace AlliancePipeline.Functions;

/// <summary>
/// Composes the app: settings (checked at start), storage clients and services, the handler's endpoints on
/// <c>FUNCTIONS_CUSTOMHANDLER_PORT</c>, and, when enabled, the local trigger driver.
/// </summary>
public static class FunctionApp
{
    /// <summary>
    /// Builds the app. Outside a Functions host (no <c>FUNCTIONS_CUSTOMHANDLER_PORT</c> in the environment) the
    /// values of <c>local.settings.json</c>, else <c>local.settings.sample.json</c>, found from the working directory
    /// upwards, are read below environment variables and <paramref name="overrides"/>.
    /// </summary>
    /// <param name="args">Command-line arguments.</param>
    /// <param name="overrides">Settings that win over every other source (tests); when given, no settings file is read.</param>
    /// <param name="configure">A last look at the builder before it builds (tests add log capture here).</param>
    public static WebApplication Build(string[] args, IReadOnlyDictionary<string, string?>? overrides = null, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        if (Environment.GetEnvironmentVariable(AppSettings.PortKey) is null && overrides is null
            && LocalSettingsFile.Find(Directory.GetCurrentDirectory()) is { } file)
        {
            builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource { InitialData = LocalSettingsFile.Read(file) });
        }
        if (overrides is not null) builder.Configuration.AddInMemoryCollection(overrides);

        var settings = AppSettings.Read(builder.Configuration);
        builder.WebHost.UseUrls($"http://127.0.0.1:{settings.HandlerPort}");
        builder.Services.AddPipelineServices(settings);
        FunctionRegistry.AddFunctions(builder.Services);
        if (settings.LocalDriver.Enabled)
        {
            builder.Services.AddSingleton<LocalDriverHost>();
            builder.Services.AddHostedService(sp => sp.GetRequiredService<LocalDriverHost>());
            if (settings.Demo.Enabled)
            {
                builder.Services.AddSingleton<Demo.DemoRunner>();
                builder.Services.AddHostedService(sp => sp.GetRequiredService<Demo.DemoRunner>());
            }
        }

        configure?.Invoke(builder);
        var app = builder.Build();
        var routePrefix = FunctionAppMetadata.Load(ScriptRootOf(app), app.Configuration).Host.RoutePrefix.Trim('/');
        app.MapHandler(routePrefix);
        return app;
    }

    /// <summary>
    /// Prepares storage before the app serves: with the local driver on, starts Azurite when nothing answers at the
    /// storage endpoints; with <c>CreateResources</c>, creates tables, queues and the container.
    /// </summary>
    public static async Task PrepareAsync(WebApplication app, CancellationToken ct = default)
    {
        var settings = app.Services.GetRequiredService<AppSettings>();
        if (settings.LocalDriver.Enabled && settings.LocalDriver.StartAzurite)
            await EmulatorStarter.EnsureStorageAsync(app.Services, ct).ConfigureAwait(false);
        if (settings.CreateResources)
            await app.Services.GetRequiredService<StorageBootstrapper>().EnsureCreatedAsync(ct).ConfigureAwait(false);
    }

    /// <summary>Where host.json and the function folders are: the setting, else beside the executable.</summary>
    public static string ScriptRootOf(WebApplication app) =>
        app.Configuration[AppSettings.DriverScriptRootKey] is { Length: > 0 } root ? root : AppContext.BaseDirectory;
}
