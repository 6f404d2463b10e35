using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.Extensions;

namespace AlliancePipeline.Functions.LocalDriver;

/// <summary>
/// Serves each HTTP-triggered function at <c>/{routePrefix}/{route}</c> as the host does. Without forwarding, the
/// request becomes <c>Data[trigger name]</c> = {Url, Method, Query, Headers, Params, Identities, Body} and the answer
/// comes from <c>Outputs[http output name]</c> = {statusCode, body, headers}; a failed invocation is a 500. With
/// <c>enableForwardingHttpRequest</c> the request is passed to the handler as is, at the same path.
/// </summary>
public static class HttpTriggerRoutes
{
    /// <summary>Maps the HTTP functions' routes on the driver's app.</summary>
    public static void Map(WebApplication app, FunctionAppMetadata metadata, HandlerClient handler, TimeProvider clock)
    {
        foreach (var function in metadata.Functions.Where(f => f.TriggerType == "httpTrigger"))
        {
            var prefix = metadata.Host.RoutePrefix.Trim('/');
            var template = (prefix.Length == 0 ? "" : "/" + prefix) + "/" + function.Route!.TrimStart('/');
            var builder = function.Methods.Count == 0
                ? app.Map(template, (HttpContext c) => HandleAsync(c, function, metadata.Host, handler, clock))
                : app.MapMethods(template, function.Methods, (HttpContext c) => HandleAsync(c, function, metadata.Host, handler, clock));
            builder.WithName(function.Name);
        }
    }

    private static async Task HandleAsync(HttpContext context, FunctionDefinition function, HostSettings host, HandlerClient handler, TimeProvider clock)
    {
        if (host.EnableForwardingHttpRequest)
        {
            await ForwardAsync(context, handler).ConfigureAwait(false);
            return;
        }
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync(context.RequestAborted).ConfigureAwait(false);
        var query = new JsonObject();
        foreach (var (k, v) in context.Request.Query) query[k] = v.ToString();
        var headers = new JsonObject();
        foreach (var (k, v) in context.Request.Headers) headers[k] = new JsonArray([.. v.Select(x => (JsonNode?)JsonValue.Create(x ?? ""))]);
        var parameters = new JsonObject();
        var metadata = new JsonObject();
        foreach (var (k, v) in context.Request.RouteValues)
        {
            parameters[k] = v?.ToString();
            metadata[k] = v?.ToString();
        }
        metadata["Query"] = query.DeepClone();
        metadata["Headers"] = headers.DeepClone();
        metadata["sys"] = HandlerClient.Sys(function.Name, clock.GetUtcNow());
        var data = new JsonObject
        {
            [function.TriggerName] = new JsonObject
            {
                ["Url"] = context.Request.GetDisplayUrl(),
                ["Method"] = context.Request.Method,
                ["Query"] = query,
                ["Headers"] = headers,
                ["Params"] = parameters,
                ["Identities"] = new JsonArray(),
                ["Body"] = body.Length == 0 ? null : body,
            },
        };

        var result = await handler.InvokeAsync(function.Name, data, metadata, context.RequestAborted).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("LocalDriver.Http")
                .LogError("{Function} failed: {Reason}", function.Name, result.FailureReason);
            context.Response.StatusCode = StatusCodes.Status500InternalServerError;
            return;
        }
        var res = function.HttpOutputName is { } name ? result.Body?["Outputs"]?[name] : null;
        res ??= result.Body?["ReturnValue"];
        if (res is not JsonObject output)
        {
            context.Response.StatusCode = StatusCodes.Status204NoContent;
            return;
        }
        context.Response.StatusCode = StatusCode(output["statusCode"] ?? output["status"]);
        if (output["headers"] is JsonObject h)
        {
            foreach (var (k, v) in h) context.Response.Headers[k] = v?.ToString();
        }
        var bodyNode = output["body"];
        if (bodyNode is null) return;
        var text = bodyNode.GetValueKind() == JsonValueKind.String ? bodyNode.GetValue<string>() : bodyNode.ToJsonString();
        await context.Response.WriteAsync(text, context.RequestAborted).ConfigureAwait(false);
    }

    private static int StatusCode(JsonNode? node) => node is null ? 200
        : node.GetValueKind() == JsonValueKind.Number ? node.GetValue<int>()
        : int.TryParse(node.ToString(), out var s) ? s : 200;

    private static async Task ForwardAsync(HttpContext context, HandlerClient handler)
    {
        using var request = new HttpRequestMessage(new HttpMethod(context.Request.Method), context.Request.Path + context.Request.QueryString);
        if (context.Request.ContentLength is > 0 || context.Request.Headers.TransferEncoding.Count > 0)
            request.Content = new StreamContent(context.Request.Body);
        foreach (var (k, v) in context.Request.Headers)
        {
            if (string.Equals(k, "Host", StringComparison.OrdinalIgnoreCase)) continue;
            if (!request.Headers.TryAddWithoutValidation(k, [.. v])) request.Content?.Headers.TryAddWithoutValidation(k, [.. v]);
        }
        using var response = await handler.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, context.RequestAborted).ConfigureAwait(false);
        context.Response.StatusCode = (int)response.StatusCode;
        foreach (var (k, v) in response.Headers.Concat(response.Content.Headers))
        {
            if (string.Equals(k, "Transfer-Encoding", StringComparison.OrdinalIgnoreCase)) continue;
            context.Response.Headers[k] = v.ToArray();
        }
        await response.Content.CopyToAsync(context.Response.Body, context.RequestAborted).ConfigureAwait(false);
    }
}
