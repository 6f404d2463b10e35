using System.Diagnostics;
using System.Net;
using AlliancePipeline.Emulators;
using AlliancePipeline.LocalHost.Configuration;
using AlliancePipeline.LocalHost.Functions;
using AlliancePipeline.LocalHost.Http;
using AlliancePipeline.LocalHost.Invocation;
using AlliancePipeline.LocalHost.Logging;
using AlliancePipeline.LocalHost.Storage;
using AlliancePipeline.LocalHost.Triggers;
using AlliancePipeline.LocalHost.Worker;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace AlliancePipeline.LocalHost;

/// <summary>
/// A running local Functions host for one .NET isolated worker: what <c>func start</c> does, over the real host-worker
/// gRPC protocol. <see cref="StartAsync"/> starts the emulators if needed, the worker, HTTP on localhost, the queue
/// listeners and the timers; disposing stops everything it started.
/// </summary>
public sealed class FunctionsLocalHost : IAsyncDisposable
{
    private readonly Stopwatch _uptime = Stopwatch.StartNew();
    private readonly List<IAsyncDisposable> _emulators = [];
    private readonly List<QueueListener> _queueListeners = [];
    private readonly List<TimerListener> _timerListeners = [];
    private readonly ILoggerFactory _loggers;
    private readonly bool _ownsLoggers;
    private readonly ILogger _logger;
    private WebApplication? _grpcServer;
    private WebApplication? _httpServer;
    private WorkerSupervisor? _supervisor;
    private HttpProxy? _proxy;
    private IReadOnlyList<FunctionDescriptor> _functions = [];
    private AppSettings? _settings;
    private int _stopped;

    private FunctionsLocalHost(LocalHostOptions options, ILoggerFactory loggers, bool ownsLoggers)
    {
        Options = options;
        _loggers = loggers;
        _ownsLoggers = ownsLoggers;
        _logger = loggers.CreateLogger(LogCategories.Host);
    }

    /// <summary>Where HTTP is served: <c>http://localhost:{port}/</c>.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>The route prefix of HTTP functions (host.json <c>extensions.http.routePrefix</c>, default <c>api</c>).</summary>
    public string RoutePrefix { get; private set; } = "api";

    /// <summary>The app's functions and their triggers.</summary>
    public IReadOnlyList<LocalFunction> Functions { get; private set; } = [];

    /// <summary>The state of the host and its worker.</summary>
    public LocalHostState State => _supervisor?.State ?? LocalHostState.Starting;

    /// <summary>The process id of the current worker.</summary>
    public int? WorkerProcessId => _supervisor?.ProcessId;

    /// <summary>How many times the worker was started again after dying.</summary>
    public int WorkerRestarts => _supervisor?.Restarts ?? 0;

    /// <summary>The host id (the folder of timer status blobs).</summary>
    public string HostId { get; private set; } = "";

    /// <summary>The connection string of <c>AzureWebJobsStorage</c>, or null when it is not set.</summary>
    public string? StorageConnectionString { get; private set; }

    /// <summary>Completes when the host has stopped; faults with <see cref="WorkerConfigurationException"/> when the worker's settings are wrong.</summary>
    public Task Completion => _supervisor?.Completion ?? Task.CompletedTask;

    internal LocalHostOptions Options { get; }

    internal IReadOnlyList<QueueListener> QueueListeners => _queueListeners;

    internal IReadOnlyList<TimerListener> TimerListeners => _timerListeners;

    internal IReadOnlyList<FunctionDescriptor> Descriptors => _functions;

    internal WorkerSupervisor Supervisor => _supervisor!;

    internal TimeSpan Uptime => _uptime.Elapsed;

    /// <summary>
    /// Starts the host. Throws <see cref="WorkerConfigurationException"/> when the worker exits with code 2 (its
    /// settings are wrong), <see cref="LocalHostConfigurationException"/> for a wrong setting, host.json value or
    /// binding; everything started so far is stopped again.
    /// </summary>
    public static async Task<FunctionsLocalHost> StartAsync(LocalHostOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var loggers = options.LoggerFactory ?? LocalHostConsoleFormatter.CreateConsoleLoggerFactory();
        var host = new FunctionsLocalHost(options, loggers, options.LoggerFactory is null);
        try
        {
            await host.StartCoreAsync(cancellationToken).ConfigureAwait(false);
            return host;
        }
        catch (Exception e)
        {
            if (e is not (WorkerConfigurationException or LocalHostConfigurationException or OperationCanceledException))
            {
                host._logger.LogError("The host could not start: {Reason}", e.Message);
            }

            await host.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Runs a queue- or timer-triggered function now and waits for its outcome (the admin API's invocation): a queue
    /// function gets <paramref name="input"/> as its message; a timer function's input is ignored.
    /// </summary>
    public Task<InvocationOutcome> InvokeAsync(string functionName, string? input = null, CancellationToken cancellationToken = default)
    {
        var queue = _queueListeners.FirstOrDefault(l => l.FunctionName.Equals(functionName, StringComparison.OrdinalIgnoreCase));
        if (queue is not null) return queue.InvokeDirectAsync(input ?? "", cancellationToken);
        var timer = _timerListeners.FirstOrDefault(l => l.FunctionName.Equals(functionName, StringComparison.OrdinalIgnoreCase));
        if (timer is not null) return timer.InvokeDirectAsync(cancellationToken);
        var function = _functions.FirstOrDefault(f => f.Name.Equals(functionName, StringComparison.OrdinalIgnoreCase));
        throw function is null
            ? new ArgumentException($"No function is named '{functionName}'.", nameof(functionName))
            : new ArgumentException($"{function.Name} is triggered by {function.TriggerType}: only queue and timer functions can be invoked this way (call an HTTP function's route).", nameof(functionName));
    }

    /// <summary>Stops the HTTP server, the listeners (letting running invocations finish), the worker, and the emulators started here.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1) return;
        var grace = TimeSpan.FromSeconds(10);
        if (_httpServer is not null) await StopServerAsync(_httpServer, cancellationToken).ConfigureAwait(false);
        await Task.WhenAll(_queueListeners.Select(l => l.StopAsync(grace)).Concat(_timerListeners.Select(t => t.StopAsync(grace)))).ConfigureAwait(false);
        if (_supervisor is not null) await _supervisor.StopAsync().ConfigureAwait(false);
        if (_grpcServer is not null) await StopServerAsync(_grpcServer, cancellationToken).ConfigureAwait(false);
        foreach (var emulator in Enumerable.Reverse(_emulators)) await emulator.DisposeAsync().ConfigureAwait(false);
        _emulators.Clear();
        if (_supervisor is not null) _logger.LogInformation("Stopped.");
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        foreach (var listener in _queueListeners) await listener.DisposeAsync().ConfigureAwait(false);
        foreach (var timer in _timerListeners) await timer.DisposeAsync().ConfigureAwait(false);
        if (_httpServer is not null) await _httpServer.DisposeAsync().ConfigureAwait(false);
        if (_grpcServer is not null) await _grpcServer.DisposeAsync().ConfigureAwait(false);
        if (_supervisor is not null) await _supervisor.DisposeAsync().ConfigureAwait(false);
        _proxy?.Dispose();
        if (_ownsLoggers) _loggers.Dispose();
    }

    private static async Task StopServerAsync(WebApplication server, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(5));
        try
        {
            await server.StopAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Connections still open after the timeout are closed by the dispose that follows.
        }
    }

    private async Task StartCoreAsync(CancellationToken cancellationToken)
    {
        var scriptRoot = Path.GetFullPath(Options.ScriptRoot).TrimEnd(Path.DirectorySeparatorChar);
        if (!Directory.Exists(scriptRoot)) throw new LocalHostConfigurationException($"The script root {scriptRoot} does not exist.");
        var settingsFile = Options.SettingsFile ?? Path.Combine(scriptRoot, "local.settings.json");
        var settings = AppSettings.Load(settingsFile, Options.SettingOverrides.ToDictionary(kv => kv.Key, kv => kv.Value));
        _settings = settings;
        _logger.LogInformation(settings.SettingsFile is null ? "No settings file at {File}: app settings come from the environment." : "App settings from {File}.", settingsFile);
        foreach (var name in settings.ShadowedByEnvironment)
        {
            _logger.LogInformation("Skipping '{Name}' from local settings as it's already defined in current environment variables.", name);
        }

        var hostJson = HostJsonSettings.Load(scriptRoot, settings);
        RoutePrefix = hostJson.RoutePrefix;
        var workerConfig = WorkerConfig.Load(scriptRoot);
        HostId = Configuration.HostId.For(settings, scriptRoot);
        StorageConnectionString = settings[StorageClients.DefaultConnection];

        if (Options.StartEmulators) await StartEmulatorsAsync(cancellationToken).ConfigureAwait(false);

        var registry = new WorkerChannelRegistry();
        _grpcServer = await StartGrpcServerAsync(registry, cancellationToken).ConfigureAwait(false);
        var grpcUri = new Uri(_grpcServer.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().Replace("[::1]", "127.0.0.1", StringComparison.Ordinal) + "/");

        var environment = new Dictionary<string, string>(settings.ForWorker(), StringComparer.Ordinal)
        {
            ["FUNCTIONS_WORKER_RUNTIME"] = workerConfig.Language,
            ["FUNCTIONS_APPLICATION_DIRECTORY"] = scriptRoot,
            ["FUNCTIONS_WORKER_DIRECTORY"] = scriptRoot,
            ["AzureWebJobsScriptRoot"] = scriptRoot,
            ["AZURE_FUNCTIONS_ENVIRONMENT"] = "Development",
            ["HOME"] = WorkerHome(),
        };
        _supervisor = new WorkerSupervisor(
            new WorkerLaunchSettings(scriptRoot, workerConfig, () => grpcUri, environment, settings, Options.WorkerStartupTimeout, Options.WorkerShutdownGracePeriod, Options.MinimumRestartDelay, Options.MaximumRestartDelay),
            registry,
            _loggers);
        var worker = await _supervisor.StartAsync(cancellationToken).ConfigureAwait(false);
        _functions = worker.Functions;

        var clock = TimeProvider.System;
        var storage = new StorageClients(settings, hostJson.Queues.MessageEncoding);
        var watcher = new QueueWatcher();
        var invoker = new Invoker(new OutputBindingWriter(storage, watcher, clock, _logger), _loggers, hostJson.FunctionTimeout);
        foreach (var function in _functions)
        {
            if (function.Is(TriggerTypes.Queue))
            {
                _queueListeners.Add(new QueueListener(function, hostJson.Queues, storage, watcher, _supervisor, invoker, _loggers.CreateLogger(LogCategories.Host), clock, Options.QueueMessageLease));
            }
            else if (function.Is(TriggerTypes.Timer))
            {
                var monitor = new ScheduleMonitor(storage.Blobs(null), HostId, _logger);
                _timerListeners.Add(new TimerListener(function, monitor, _supervisor, invoker, _loggers.CreateLogger(LogCategories.Host), clock));
            }
            else if (!function.Is(TriggerTypes.Http))
            {
                _logger.LogWarning("Function {Function}: {Trigger} triggers are not driven by the local host; only the admin API could run it, and it cannot.", function.Name, function.TriggerType);
            }
        }

        _proxy = new HttpProxy(_supervisor, invoker, _logger);
        _httpServer = await StartHttpServerAsync(cancellationToken).ConfigureAwait(false);
        Functions = [.. _functions.Select(Describe)];

        foreach (var listener in _queueListeners.Where(l => !IsDisabled(l.FunctionName))) await listener.StartAsync(cancellationToken).ConfigureAwait(false);
        foreach (var timer in _timerListeners.Where(t => !IsDisabled(t.FunctionName))) timer.Start();
        LogFunctions();
    }

    private bool IsDisabled(string functionName) => _functions.First(f => f.Name == functionName).IsDisabled;

    private LocalFunction Describe(FunctionDescriptor function)
    {
        string trigger;
        if (function.Is(TriggerTypes.Http))
        {
            var methods = function.Methods.Count == 0 ? "ALL" : string.Join(",", function.Methods);
            trigger = $"[{methods}] {new Uri(BaseAddress, HttpRouteTable.TemplateOf(function, RoutePrefix))}";
        }
        else if (function.Is(TriggerTypes.Queue))
        {
            trigger = $"queue '{_queueListeners.First(l => l.FunctionName == function.Name).QueueName}'";
        }
        else if (function.Is(TriggerTypes.Timer))
        {
            var timer = _timerListeners.First(t => t.FunctionName == function.Name);
            trigger = $"schedule '{timer.ScheduleText}'" + (timer.RunOnStartup ? ", runOnStartup" : "");
        }
        else
        {
            trigger = "(not driven locally)";
        }

        return new LocalFunction(function.Name, function.TriggerType, trigger, function.IsDisabled);
    }

    private void LogFunctions()
    {
        var lines = Functions.Select(f => $"    {f.Name}: {f.TriggerType} {f.Trigger}{(f.IsDisabled ? " (disabled)" : "")}");
        _logger.LogInformation("Functions:{NewLine}{Functions}", Environment.NewLine, string.Join(Environment.NewLine, lines));
        _logger.LogInformation("Host running on {Address} (admin: {Admin}); worker process {Pid}.", BaseAddress, new Uri(BaseAddress, "admin/host/status"), WorkerProcessId);
    }

    private string WorkerHome()
    {
        var home = Options.WorkerHome;
        if (home is null)
        {
            try
            {
                home = Path.Combine(EmulatorTools.Locate().RepositoryRoot, ".local", "worker-home");
            }
            catch (InvalidOperationException)
            {
                home = Path.Combine(Path.GetTempPath(), "alliancepipeline-localhost", "worker-home");
            }
        }

        Directory.CreateDirectory(home);
        return home;
    }

    private async Task StartEmulatorsAsync(CancellationToken cancellationToken)
    {
        var logger = _loggers.CreateLogger(LogCategories.Emulators);
        void Log(string line) => logger.LogInformation("{Line}", line);
        var azurite = AzuriteOptions.ForConnectionString(StorageConnectionString);
        try
        {
            if (azurite is not null)
            {
                _emulators.Add(await Azurite.EnsureRunningAsync(azurite with { Log = Log }, cancellationToken).ConfigureAwait(false));
            }
            else if (StorageConnectionString is not null)
            {
                logger.LogInformation("AzureWebJobsStorage is not the local emulator: Azurite is not started.");
            }

            if (Options.StartMailDev)
            {
                _emulators.Add(await MailDev.EnsureRunningAsync(Options.MailDevSmtpPort, Options.MailDevWebPort, Log, cancellationToken).ConfigureAwait(false));
            }
        }
        catch (InvalidOperationException e)
        {
            // Outside the repository, or npm could not install them: the app may still reach what it needs.
            logger.LogWarning("An emulator could not be started: {Reason}", e.Message.Split('\n')[0]);
        }
    }

    private async Task<WebApplication> StartGrpcServerAsync(WorkerChannelRegistry registry, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = typeof(FunctionsLocalHost).Assembly.GetName().Name });
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(_loggers);
        builder.Services.AddSingleton(registry);
        builder.Services.AddGrpc(o =>
        {
            o.MaxReceiveMessageSize = null;
            o.MaxSendMessageSize = null;
        });
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            // One long-lived stream to our own worker on loopback: a worker busy for a few seconds (a burst, a long GC)
            // reads its invocations slowly, and Kestrel's minimum response data rate (240 bytes/s after 5 s) would then
            // abort the stream and with it every running invocation. gRPC itself lifts only the request-side limit.
            k.Limits.MinResponseDataRate = null;
            k.Limits.MinRequestBodyDataRate = null;
            k.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http2);
        });
        var app = builder.Build();
        app.MapGrpcService<FunctionRpcService>();
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        return app;
    }

    /// <summary>The setting that limits request bodies, as the Functions host reads it.</summary>
    public const string RequestBodySizeLimitSetting = "FUNCTIONS_REQUEST_BODY_SIZE_LIMIT";

    /// <summary>The Functions host's default request body limit: 100 MB (104,857,600 bytes).</summary>
    public const long DefaultRequestBodySizeLimit = 104_857_600;

    private static long RequestBodyLimit(AppSettings settings)
    {
        var text = settings[RequestBodySizeLimitSetting];
        if (string.IsNullOrWhiteSpace(text)) return DefaultRequestBodySizeLimit;
        return long.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var limit) && limit > 0
            ? limit
            : throw new LocalHostConfigurationException($"{RequestBodySizeLimitSetting} is '{text}': a number of bytes is expected.");
    }

    private async Task<WebApplication> StartHttpServerAsync(CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = typeof(FunctionsLocalHost).Assembly.GetName().Name });
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(_loggers);
        builder.Services.AddProblemDetails();
        var port = Options.HttpPort ?? _settings!.LocalHttpPort ?? LocalHostOptions.DefaultHttpPort;
        var bodyLimit = RequestBodyLimit(_settings!);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = bodyLimit;
            if (port == 0) k.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http1);
            else k.ListenLocalhost(port, l => l.Protocols = HttpProtocols.Http1);
        });
        var app = builder.Build();
        var routes = new HttpRouteTable(_functions, RoutePrefix, app.Services.GetRequiredService<IInlineConstraintResolver>());
        AdminEndpoints.Map(app, this);
        var home = new HomePage(this);
        app.Use(async (context, next) =>
        {
            if (context.GetEndpoint() is not null)
            {
                await next(context).ConfigureAwait(false);
                return;
            }

            if (HttpProxy.ClientRequestProblem(context) is { } problem)
            {
                // The client's own request cannot be forwarded as sent: refused at once, before any route or body is looked at.
                context.Response.Headers.Connection = "close";
                await HttpProxy.Problem(context, StatusCodes.Status400BadRequest, problem.Title, problem.Detail).ConfigureAwait(false);
                return;
            }

            var match = routes.Match(context);
            if (match is null && context.Request.Path == "/" && HttpMethods.IsGet(context.Request.Method))
            {
                // The host's home page; any other method on the root is a 404 like every path no function answers.
                await Results.Content(home.Render(), "text/html; charset=utf-8").ExecuteAsync(context).ConfigureAwait(false);
                return;
            }
            if (match is not { } found || found.Function.IsDisabled)
            {
                await HttpProxy.Problem(context, StatusCodes.Status404NotFound, "Not found", "No function answers this method and path.").ConfigureAwait(false);
                return;
            }

            if (context.Request.ContentLength > bodyLimit)
            {
                // As the host does (FUNCTIONS_REQUEST_BODY_SIZE_LIMIT): refused before anything is read or forwarded.
                context.Response.Headers.Connection = "close";
                await HttpProxy.Problem(context, StatusCodes.Status413PayloadTooLarge, "Body too large",
                    $"A request body is at most {bodyLimit} bytes (FUNCTIONS_REQUEST_BODY_SIZE_LIMIT).").ConfigureAwait(false);
                return;
            }

            await _proxy!.ProxyAsync(context, found.Function, found.Values).ConfigureAwait(false);
        });
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw new LocalHostConfigurationException($"Port {port} is in use ({e.Message}); choose another with --port (or LocalHostOptions.HttpPort).", e);
        }

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseAddress = new Uri($"http://{(port == 0 ? "127.0.0.1" : "localhost")}:{new Uri(address).Port}/");
        return app;
    }

}
