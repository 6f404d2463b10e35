using System.Text.Json.Nodes;
using AlliancePipeline.Functions.Settings;
using AlliancePipeline.Storage.Blobs;
using AlliancePipeline.Storage.Queues;

namespace AlliancePipeline.Functions.LocalDriver;

/// <summary>
/// The local stand-in for the Functions host, on when <c>AlliancePipeline__LocalDriver__Enabled</c> is true (never in
/// Azure). After the handler answers readiness it reads <c>host.json</c> and <c>*/function.json</c> from the script
/// root and: serves the HTTP functions on <c>http://localhost:{port}/{routePrefix}/…</c>, runs one
/// <see cref="QueueListener"/> per queue function and one <see cref="TimerScheduler"/> per timer function, and offers
/// the host's <c>POST /admin/functions/{name}</c> to run a non-HTTP function now.
/// </summary>
public sealed class LocalDriverHost(
    AppSettings settings,
    IQueueServiceClient queues,
    IBlobServiceClient blobs,
    ILoggerFactory loggers,
    IConfiguration configuration,
    IHostApplicationLifetime lifetime,
    TimeProvider clock,
    Services.DemoStudySeeder seeder) : IHostedService, IAsyncDisposable
{
    private readonly List<QueueListener> _listeners = [];
    private readonly List<TimerScheduler> _timers = [];
    private readonly ILogger _logger = loggers.CreateLogger("LocalDriver");
    private WebApplication? _app;
    private HttpClient? _http;
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The script root: where host.json and the function folders are.</summary>
    public string ScriptRoot { get; } = configuration[AppSettings.DriverScriptRootKey] is { Length: > 0 } root ? root : AppContext.BaseDirectory;

    /// <summary>The metadata read at start.</summary>
    public FunctionAppMetadata? Metadata { get; private set; }

    /// <summary>The queue listeners.</summary>
    public IReadOnlyList<QueueListener> Listeners => _listeners;

    /// <summary>Completes when the driver serves its port and polls (or faults if it could not start).</summary>
    public Task Started => _started.Task;

    /// <summary>The driver's base address once started.</summary>
    public Uri? Address { get; private set; }

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken)
    {
        // Read the files now, so a broken function.json stops the app at once with its name.
        Metadata = FunctionAppMetadata.Load(ScriptRoot, configuration);
        foreach (var f in Metadata.Functions.Where(f => f.TriggerType == "timerTrigger")) TimerScheduler.Parse(f);
        lifetime.ApplicationStarted.Register(() => _ = StartDriverAsync());
        return Task.CompletedTask;
    }

    private async Task StartDriverAsync()
    {
        try
        {
            var metadata = Metadata!;
            _http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{settings.HandlerPort}"), Timeout = Timeout.InfiniteTimeSpan };
            var handler = new HandlerClient(_http);
            await handler.WaitUntilReadyAsync(TimeSpan.FromSeconds(30), lifetime.ApplicationStopping).ConfigureAwait(false);

            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls($"http://localhost:{settings.LocalDriver.Port}");
            builder.Logging.ClearProviders();
            builder.Services.AddSingleton(loggers); // the app's own logging
            _app = builder.Build();
            HttpTriggerRoutes.Map(_app, metadata, handler, clock);
            _app.MapGet("/admin/host/status", () => Results.Json(new { state = "Running", functions = metadata.Functions.Select(f => f.Name) }));
            _app.MapPost("/admin/demo/{studyId}", async (string studyId, HttpContext c, CancellationToken ct) =>
            {
                if (!Core.Studies.StudyIds.IsValid(studyId))
                    return Results.Problem(statusCode: 400, title: "Invalid study id", detail: $"'{studyId}' is not a valid id (a-z, 0-9, '-').");
                var links = await seeder.SeedAsync(studyId, ct: ct).ConfigureAwait(false);
                var prefix = metadata.Host.RoutePrefix.Trim('/');
                var route = metadata.Functions.FirstOrDefault(f => f.Name == "Questionnaire")?.Route ?? "q/{token}";
                return Results.Json(links.Select(l => new
                {
                    assessmentId = l.Assessment.Id,
                    l.Assessment.Meeting,
                    url = $"{c.Request.Scheme}://{c.Request.Host}/{prefix}/{route.Replace("{token}", l.Token, StringComparison.Ordinal)}",
                }));
            });
            _app.MapPost("/admin/functions/{name}", (string name, JsonObject? body, CancellationToken ct) => AdminInvokeAsync(name, body, metadata, handler, ct));

            foreach (var f in metadata.Functions)
            {
                switch (f.TriggerType)
                {
                    case "queueTrigger":
                        _listeners.Add(new QueueListener(f, metadata.Host.Queues, settings.LocalDriver.MessageLease, queues, handler, loggers.CreateLogger("LocalDriver.Queue." + f.Name), clock));
                        break;
                    case "timerTrigger":
                        _timers.Add(new TimerScheduler(f, blobs, handler, loggers.CreateLogger("LocalDriver.Timer." + f.Name), "alliancepipeline-local", clock));
                        break;
                    case "httpTrigger":
                        break;
                    default:
                        _logger.LogWarning("{Function}: trigger {Type} is not driven locally.", f.Name, f.TriggerType);
                        break;
                }
            }
            await _app.StartAsync(lifetime.ApplicationStopping).ConfigureAwait(false);
            foreach (var l in _listeners) l.Start();
            foreach (var t in _timers) t.Start();
            Address = new Uri($"http://localhost:{settings.LocalDriver.Port}");
            _logger.LogInformation("Local driver on {Address}: {Http} HTTP, {Queues} queue and {Timers} timer functions.",
                Address, metadata.Functions.Count(f => f.TriggerType == "httpTrigger"), _listeners.Count, _timers.Count);
            _started.TrySetResult();
        }
        catch (Exception e)
        {
            _logger.LogCritical(e, "The local driver could not start.");
            _started.TrySetException(e);
            lifetime.StopApplication();
        }
    }

    private async Task<IResult> AdminInvokeAsync(string name, JsonObject? body, FunctionAppMetadata metadata, HandlerClient handler, CancellationToken ct)
    {
        var function = metadata.Functions.FirstOrDefault(f => string.Equals(f.Name, name, StringComparison.OrdinalIgnoreCase));
        if (function is null) return Results.Problem(statusCode: 404, title: "No such function", detail: $"No function is named '{name}'.");
        InvocationResult result;
        switch (function.TriggerType)
        {
            case "timerTrigger":
                result = await _timers.First(t => t.FunctionName == function.Name).InvokeAsync(false, ct).ConfigureAwait(false);
                break;
            case "queueTrigger":
                var input = body?["input"]?.ToString() ?? "";
                var message = new QueueMessage(Guid.NewGuid().ToString(), "", input, 1, clock.GetUtcNow(), clock.GetUtcNow().AddDays(7), clock.GetUtcNow());
                var (data, meta) = HandlerClient.QueuePayload(function, message, clock.GetUtcNow());
                result = await handler.InvokeAsync(function.Name, data, meta, ct).ConfigureAwait(false);
                break;
            default:
                return Results.Problem(statusCode: 400, title: "Not invocable", detail: $"{function.Name} is an HTTP function: call its route.");
        }
        // The host answers 202 at once; locally the run is awaited so callers (and tests) see its outcome.
        return result.Succeeded
            ? Results.Accepted()
            : Results.Problem(statusCode: 500, title: "Invocation failed", detail: result.FailureReason);
    }

    /// <inheritdoc />
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await Task.WhenAll(_listeners.Select(l => l.StopAsync()).Concat(_timers.Select(t => t.StopAsync()))).ConfigureAwait(false);
        if (_app is not null) await _app.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_app is not null) await _app.DisposeAsync().ConfigureAwait(false);
        _http?.Dispose();
    }
}
