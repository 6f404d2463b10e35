using System.Text.Json;
using System.Text.Json.Nodes;
using AlliancePipeline.LocalHost.Functions;
using AlliancePipeline.LocalHost.Worker;

namespace AlliancePipeline.LocalHost.Http;

/// <summary>
/// The host's admin API, local only (the host serves on localhost): <c>GET /admin/host/status</c>,
/// <c>GET /admin/functions</c>, <c>GET /admin/functions/{name}</c>, and <c>POST /admin/functions/{name}</c> with
/// <c>{"input": "..."}</c>, which runs a queue or timer function now and answers 202 at once, as the host does; with
/// <c>?wait=true</c> it answers 200 with the invocation's outcome as JSON when it has ended.
/// </summary>
internal static class AdminEndpoints
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static void Map(WebApplication app, FunctionsLocalHost host)
    {
        app.MapGet("/admin/host/status", () => Results.Json(Status(host), Json));
        app.MapGet("/admin/functions", () => Results.Json(host.Descriptors.Select(f => Describe(host, f)), Json));
        app.MapGet("/admin/functions/{name}", (string name) =>
            Find(host, name) is { } function ? Results.Json(Describe(host, function), Json) : NoSuchFunction(name));
        app.MapPost("/admin/functions/{name}", InvokeAsync);

        async Task<IResult> InvokeAsync(string name, HttpRequest request, bool? wait, CancellationToken cancellationToken)
        {
            var function = Find(host, name);
            if (function is null) return NoSuchFunction(name);
            if (!function.Is(TriggerTypes.Queue) && !function.Is(TriggerTypes.Timer))
            {
                return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Not invocable here",
                    detail: $"{function.Name} is triggered by {function.TriggerType}; the admin API runs queue and timer functions (call an HTTP function's route).");
            }

            string? input = null;
            if (request.ContentLength is > 0 || request.Headers.TransferEncoding.Count > 0)
            {
                try
                {
                    var body = await JsonNode.ParseAsync(request.Body, cancellationToken: cancellationToken).ConfigureAwait(false);
                    input = body?["input"] is { } value ? (value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : value.ToJsonString()) : null;
                }
                catch (JsonException e)
                {
                    return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid body", detail: $"The body must be JSON like {{\"input\": \"...\"}}: {e.Message}");
                }
            }

            if (wait != true)
            {
                _ = Task.Run(() => RunInBackgroundAsync(host, function.Name, input), CancellationToken.None);
                return Results.StatusCode(StatusCodes.Status202Accepted);
            }

            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(TimeSpan.FromSeconds(30));
                await host.Supervisor.WaitForRunningAsync(timeout.Token).ConfigureAwait(false);
                var outcome = await host.InvokeAsync(function.Name, input, cancellationToken).ConfigureAwait(false);
                return Results.Json(Outcome(outcome), Json);
            }
            catch (Exception e) when (e is WorkerUnavailableException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                return Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "The function app is not running", detail: e.Message);
            }
        }
    }

    private static async Task RunInBackgroundAsync(FunctionsLocalHost host, string name, string? input)
    {
        try
        {
            await host.InvokeAsync(name, input).ConfigureAwait(false);
        }
        catch (WorkerUnavailableException)
        {
            // Logged by the supervisor; the caller was already answered 202.
        }
    }

    private static FunctionDescriptor? Find(FunctionsLocalHost host, string name) =>
        host.Descriptors.FirstOrDefault(f => f.Name.Equals(name, StringComparison.OrdinalIgnoreCase));

    private static IResult NoSuchFunction(string name) =>
        Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such function", detail: $"No function is named '{name}'.");

    /// <summary>An outcome as the admin API returns it.</summary>
    public static object Outcome(InvocationOutcome outcome) => new
    {
        invocationId = outcome.InvocationId,
        function = outcome.FunctionName,
        succeeded = outcome.Succeeded,
        status = outcome.Succeeded ? "Succeeded" : "Failed",
        exceptionType = outcome.ExceptionType,
        exceptionMessage = outcome.ExceptionMessage,
        durationMs = (long)outcome.Duration.TotalMilliseconds,
    };

    private static object Status(FunctionsLocalHost host)
    {
        var supervisor = host.Supervisor;
        var worker = supervisor.Current;
        return new
        {
            id = host.HostId,
            state = host.State.ToString(),
            version = WorkerSupervisor.HostVersion + " (AlliancePipeline.LocalHost)",
            processUptime = (long)host.Uptime.TotalMilliseconds,
            worker = new
            {
                processId = host.WorkerProcessId,
                restarts = host.WorkerRestarts,
                runtime = worker?.RuntimeDescription,
                httpUri = worker?.HttpUri?.ToString(),
                failure = host.State == LocalHostState.Failed ? supervisor.FailureMessage : null,
            },
            functions = host.Functions.Select(f => new { name = f.Name, triggerType = f.TriggerType, trigger = f.Trigger, isDisabled = f.IsDisabled }),
            queueListeners = host.QueueListeners.Select(l => l.Stats),
            timers = host.TimerListeners.Select(t => new { function = t.FunctionName, schedule = t.ScheduleText, next = t.Next, useMonitor = t.UseMonitor, runOnStartup = t.RunOnStartup }),
        };
    }

    private static object Describe(FunctionsLocalHost host, FunctionDescriptor function) => new
    {
        name = function.Name,
        language = "dotnet-isolated",
        isDisabled = function.IsDisabled,
        invoke_url_template = function.Is(TriggerTypes.Http) ? new Uri(host.BaseAddress, HttpRouteTable.TemplateOf(function, host.RoutePrefix)).ToString() : null,
        config = new { bindings = function.Bindings.Select(b => b.Raw) },
    };
}
