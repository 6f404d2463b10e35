using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Extensions;

namespace AlliancePipeline.Functions.Hosting;

/// <summary>
/// The custom handler's side of the host protocol: <c>GET /</c> answers readiness; <c>POST /{FunctionName}</c> takes
/// <c>{"Data","Metadata"}</c> and answers <c>{"Outputs","Logs","ReturnValue"}</c>, 200 on success and 500 (400 for a
/// payload the trigger cannot read, 404 for an unknown function) on failure. When the host forwards HTTP requests
/// (<c>enableForwardingHttpRequest</c>), HTTP functions are also served at <c>/{routePrefix}/{Route}</c>.
/// </summary>
public static class HandlerEndpoints
{
    /// <summary>Maps readiness, the invocation endpoint and the forwarded HTTP routes.</summary>
    public static void MapHandler(this WebApplication app, string routePrefix)
    {
        app.MapGet("/", () => Results.Text("ready", "text/plain"));

        app.MapPost("/{functionName}", InvokeAsync);

        var registry = app.Services.GetRequiredService<FunctionRegistry>();
        foreach (var function in registry.All.OfType<HttpFunction>())
        {
            var template = string.IsNullOrEmpty(routePrefix) ? "/" + function.Route : $"/{routePrefix}/{function.Route}";
            app.MapMethods(template, function.Methods, (HttpContext context) => ForwardedAsync(context, function));
        }
    }

    private static async Task InvokeAsync(string functionName, HttpContext context, FunctionRegistry registry, ILoggerFactory loggers)
    {
        var function = registry.Find(functionName);
        if (function is null)
        {
            await WriteAsync(context, StatusCodes.Status404NotFound, new InvocationResponse { Logs = { $"No function is named '{functionName}'." } });
            return;
        }
        var log = new InvocationLog(loggers.CreateLogger("Function." + function.Name));
        InvocationRequest? request;
        try
        {
            request = await JsonSerializer.DeserializeAsync<InvocationRequest>(context.Request.Body, ProtocolJson.Options, context.RequestAborted);
        }
        catch (JsonException e)
        {
            log.Error($"The invocation payload is not JSON: {e.Message}");
            await WriteAsync(context, StatusCodes.Status400BadRequest, new InvocationResponse { Logs = [.. log.Lines] });
            return;
        }
        try
        {
            var response = await function.InvokeAsync(request ?? new InvocationRequest(), log, context.RequestAborted);
            response.Logs.InsertRange(0, log.Lines);
            await WriteAsync(context, StatusCodes.Status200OK, response);
        }
        catch (InvocationPayloadException e)
        {
            log.Error($"{function.Name}: {e.Message}");
            await WriteAsync(context, StatusCodes.Status400BadRequest, new InvocationResponse { Logs = [.. log.Lines] });
        }
        catch (Exception e) when (e is not OperationCanceledException || !context.RequestAborted.IsCancellationRequested)
        {
            log.Error($"{function.Name} failed: {e.GetType().Name}: {e.Message}");
            await WriteAsync(context, StatusCodes.Status500InternalServerError, new InvocationResponse { Logs = [.. log.Lines] });
        }
    }

    private static async Task ForwardedAsync(HttpContext context, HttpFunction function)
    {
        var loggers = context.RequestServices.GetRequiredService<ILoggerFactory>();
        var log = new InvocationLog(loggers.CreateLogger("Function." + function.Name));
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync(context.RequestAborted);
        var request = new HttpRequestData
        {
            Url = context.Request.GetDisplayUrl(),
            Method = context.Request.Method,
            Body = body.Length == 0 ? null : body,
        };
        foreach (var (key, value) in context.Request.Query) request.Query[key] = value.ToString();
        foreach (var (key, value) in context.Request.Headers) request.Headers[key] = [.. value.Select(v => v ?? "")];
        foreach (var (key, value) in context.Request.RouteValues) request.Params[key] = value?.ToString() ?? "";
        var answer = await function.HandleAsync(request, log, context.RequestAborted);
        context.Response.StatusCode = answer.StatusCode;
        foreach (var (key, value) in answer.Headers) context.Response.Headers[key] = value;
        if (answer.Body is not null) await context.Response.WriteAsync(answer.Body, context.RequestAborted);
    }

    private static async Task WriteAsync(HttpContext context, int status, InvocationResponse response)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await JsonSerializer.SerializeAsync(context.Response.Body, response, ProtocolJson.Options, context.RequestAborted);
    }
}
