using System.Globalization;
using System.Reflection;
using AlliancePipeline.Contracts.Storage;
using AlliancePipeline.Functions.Infrastructure.Http;
using AlliancePipeline.Functions.Infrastructure.Settings;
using AlliancePipeline.Functions.Infrastructure.Storage;
using AlliancePipeline.Functions.Infrastructure.Telemetry;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;

namespace AlliancePipeline.Functions.Tests.Infrastructure;

/// <summary>
/// The app's services, registered exactly as <c>Program</c> registers them, on this run's Azurite; and its HTTP-triggered
/// function classes served on a loopback port at <c>/api/{route}</c>, each request handed to the function method the way
/// the worker's ASP.NET Core integration does: through the worker middleware <c>Program</c> registers
/// (<see cref="WorkerPipeline"/>, with a <see cref="TestFunctionContext"/>), then the <see cref="HttpRequest"/>, route
/// values by parameter name, the <see cref="FunctionContext"/>, the cancellation token; the returned
/// <see cref="IResult"/> executed. Queue- and timer-triggered classes are called directly (<see cref="Function{T}"/>).
/// The whole worker under the local host is exercised by the end-to-end tests.
/// </summary>
public sealed class TestApp : IAsyncDisposable
{
    /// <summary>A fixed test key (32 bytes of 0x01..0x20): tests only.</summary>
    public static readonly string SigningKey = Convert.ToBase64String([.. Enumerable.Range(1, 32).Select(i => (byte)i)]);

    private TestApp(WebApplication app, Uri address)
    {
        App = app;
        Logs = app.Services.GetRequiredService<FakeLogCollector>();
        Client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = address };
    }

    public WebApplication App { get; }

    /// <summary>A client of the app's HTTP functions that does not follow redirects.</summary>
    public HttpClient Client { get; }

    private HttpClient? _adminClient;

    /// <summary>The same, presenting an admin key (<c>Authorization: Bearer</c>), issued on first use.</summary>
    public HttpClient AdminClient => _adminClient ??= ClientWithKeyAsync(Core.Access.AccessScope.Admin).GetAwaiter().GetResult();

    /// <summary>Issues a key for <paramref name="scope"/> straight into storage (as the CLI's bootstrap does).</summary>
    public async Task<string> KeyAsync(Core.Access.AccessScope scope)
    {
        var tables = Services.GetRequiredService<Azure.Data.Tables.TableServiceClient>();
        var issued = await AccessKeyWriter.IssueAsync(tables.GetTableClient(StorageNames.AccessKeysTable), tables.GetTableClient(StorageNames.AuditTable),
            scope, "test " + scope, DateTimeOffset.UtcNow.AddDays(1), "test", DateTimeOffset.UtcNow, default);
        return issued.Key;
    }

    /// <summary>A client presenting a key for <paramref name="scope"/>.</summary>
    public async Task<HttpClient> ClientWithKeyAsync(Core.Access.AccessScope scope)
    {
        var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = Client.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", await KeyAsync(scope));
        return client;
    }

    public IServiceProvider Services => App.Services;

    /// <summary>Applies a study file through the admin API and checks that it was applied.</summary>
    public async Task ApplyStudyAsync(string studyId, string text)
    {
        using var put = await AdminClient.PutAsync($"/api/manage/studies/{studyId}", new StringContent(text, System.Text.Encoding.UTF8, "application/yaml"));
        Assert.True(put.StatusCode == System.Net.HttpStatusCode.OK, await put.Content.ReadAsStringAsync());
    }

    /// <summary>Every log record written (Information and up), for assertions; nothing goes to the console.</summary>
    public FakeLogCollector Logs { get; }

    /// <summary>Settings for a test run.</summary>
    public static Dictionary<string, string?> Settings(string connectionString) => new()
    {
        ["AzureWebJobsStorage"] = connectionString,
        ["LinkSigning:Keys"] = "test=" + SigningKey,
        ["LinkSigning:CurrentKeyId"] = "test",
        ["AlliancePipeline:PublicBaseUrl"] = "http://localhost:7071",
        ["AlliancePipeline:Storage:CreateResources"] = "true",
        // No SMTP server on port 1: a test that sends mail points these at its MailDev (MailDevFixture.UseMailDev).
        ["AlliancePipeline:Smtp:Host"] = "127.0.0.1",
        ["AlliancePipeline:Smtp:Port"] = "1",
        ["AlliancePipeline:Smtp:Security"] = "none",
        ["AlliancePipeline:Smtp:From"] = "Alliance Pipeline tests <noreply@example.org>",
    };

    /// <summary>
    /// Starts the app's services and HTTP functions on a free port; <paramref name="services"/> adds to the app's
    /// registrations (after them), e.g. a pipeline policy on the storage clients that counts requests.
    /// </summary>
    public static async Task<TestApp> StartAsync(AzuriteFixture azurite, Action<Dictionary<string, string?>>? adjust = null, TimeProvider? clock = null,
        Action<IServiceCollection>? services = null)
    {
        var values = Settings(azurite.ConnectionString);
        adjust?.Invoke(values);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.AddInMemoryCollection(values);
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        // As Program: the worker's filters (no ASP.NET Core request line with its query string, no Azure SDK request line).
        builder.Logging.ClearProviders().AddFakeLogging().SetMinimumLevel(LogLevel.Information).AddWorkerLogFilters();
        builder.Services.AddAlliancePipeline();
        if (clock is not null) builder.Services.AddSingleton(clock); // the last registration wins: a clock the test moves
        services?.Invoke(builder.Services);
        var pipeline = new WorkerPipeline(builder.Services);
        pipeline.UseHttpEdge();
        var app = builder.Build();
        // As Program: every wrong setting named (InvalidSettingsException) before anything runs.
        SettingsRegistration.ThrowIfInvalid(app.Services);
        MapHttpFunctions(app, pipeline, typeof(global::AlliancePipeline.Functions.Questionnaires.Questionnaire).Assembly);
        if (app.Services.GetRequiredService<IOptions<StorageCreationOptions>>().Value.CreatesResources) await app.Services.GetRequiredService<StorageBootstrapper>().EnsureCreatedAsync(default);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new TestApp(app, new Uri(address));
    }

    /// <summary>A function class with its dependencies from the app's container.</summary>
    public T Function<T>() where T : class => ActivatorUtilities.CreateInstance<T>(Services);

    /// <summary>Seeds a synthetic study with fresh ids.</summary>
    public Task<IReadOnlyList<SeededLink>> SeedAsync(string studyId, int dyads = 2, int meetings = 2, string language = "en") =>
        Services.StudySeeder().SeedAsync(studyId, dyads, meetings, default, "wai-s-practitioner", language);

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        _adminClient?.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }

    private static void MapHttpFunctions(WebApplication app, WorkerPipeline pipeline, Assembly assembly)
    {
        foreach (var type in assembly.GetTypes())
        {
            foreach (var method in type.GetMethods(BindingFlags.Public | BindingFlags.Instance))
            {
                if (method.GetCustomAttribute<FunctionAttribute>() is null) continue;
                var parameters = method.GetParameters();
                var trigger = parameters.Select(p => p.GetCustomAttribute<HttpTriggerAttribute>()).FirstOrDefault(a => a is not null);
                if (trigger is null) continue;
                var methods = (trigger.Methods ?? ["get", "post"]).Select(m => m.ToUpperInvariant()).ToArray();
                app.MapMethods("/api/" + trigger.Route, methods, async (HttpContext context) =>
                {
                    var function = new TestFunctionContext(method, context);
                    IResult? result = null;
                    var run = pipeline.Around(async f =>
                    {
                        var instance = ActivatorUtilities.CreateInstance(context.RequestServices, type);
                        var args = parameters.Select(p => Bind(p, context, f)).ToArray();
                        Task task;
                        try
                        {
                            task = (Task)method.Invoke(instance, args)!;
                        }
                        catch (TargetInvocationException e) when (e.InnerException is not null)
                        {
                            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerException);
                            throw;
                        }
                        await task;
                        result = task.GetType().GetProperty("Result")!.GetValue(task) as IResult;
                    });
                    await run(function);
                    // As the worker's proxying middleware does after the pipeline: the function's answer, when it gave one.
                    if (result is not null) await result.ExecuteAsync(context);
                });
            }
        }
    }

    private static object? Bind(ParameterInfo parameter, HttpContext context, FunctionContext function)
    {
        if (parameter.ParameterType == typeof(HttpRequest)) return context.Request;
        if (parameter.ParameterType == typeof(FunctionContext)) return function;
        if (parameter.ParameterType == typeof(CancellationToken)) return context.RequestAborted;
        if (parameter.ParameterType == typeof(string)) return Convert.ToString(context.Request.RouteValues[parameter.Name!], CultureInfo.InvariantCulture);
        if (parameter.ParameterType == typeof(int)) return int.Parse(Convert.ToString(context.Request.RouteValues[parameter.Name!], CultureInfo.InvariantCulture)!, CultureInfo.InvariantCulture);
        throw new NotSupportedException($"The test host cannot bind {parameter.ParameterType.Name} {parameter.Name}.");
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
