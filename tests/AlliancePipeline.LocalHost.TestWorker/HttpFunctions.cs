using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace AlliancePipeline.LocalHost.TestWorker;

/// <summary>HTTP functions with ASP.NET Core integration, each showing one thing the host's proxy must carry.</summary>
public sealed class HttpFunctions(Records records)
{
    /// <summary>
    /// Echoes the request: status from <c>?status=</c>, request headers <c>x-echo-*</c> back as <c>x-echoed-*</c>,
    /// the method, the correlation header the host added, the content type and the body byte for byte.
    /// </summary>
    [Function("Echo")]
    public static async Task Echo([HttpTrigger(AuthorizationLevel.Anonymous, "get", "post", "put", "delete", "patch", Route = "echo")] HttpRequest req)
    {
        var response = req.HttpContext.Response;
        response.StatusCode = int.TryParse(req.Query["status"], out var status) ? status : StatusCodes.Status200OK;
        foreach (var (name, value) in req.Headers)
        {
            if (name.StartsWith("x-echo-", StringComparison.OrdinalIgnoreCase)) response.Headers["x-echoed-" + name["x-echo-".Length..]] = value;
        }

        response.Headers["x-method"] = req.Method;
        response.Headers["x-invocation-id"] = req.Headers["x-ms-invocation-id"];
        response.Headers["x-query"] = req.QueryString.Value;
        response.Headers.Append("Set-Cookie", "first=1; path=/");
        response.Headers.Append("Set-Cookie", "second=2; path=/");
        if (req.ContentType is { } contentType) response.ContentType = contentType;
        await req.Body.CopyToAsync(response.Body, req.HttpContext.RequestAborted);
    }

    /// <summary>A redirect, which the host must pass on rather than follow.</summary>
    [Function("Redirect")]
    public static IActionResult Redirect([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "redirect")] HttpRequest req)
        => new RedirectResult("/api/echo?from=redirect");

    /// <summary><c>?size=</c> bytes of a known pattern (byte i = i mod 251), written in 64 KiB chunks.</summary>
    [Function("Large")]
    public static async Task Large([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "large")] HttpRequest req)
    {
        var size = long.Parse(req.Query["size"].ToString(), System.Globalization.CultureInfo.InvariantCulture);
        var response = req.HttpContext.Response;
        response.ContentType = "application/octet-stream";
        response.ContentLength = size;
        var chunk = new byte[64 * 1024];
        for (long written = 0; written < size;)
        {
            var n = (int)Math.Min(chunk.Length, size - written);
            for (var i = 0; i < n; i++) chunk[i] = (byte)((written + i) % 251);
            await response.Body.WriteAsync(chunk.AsMemory(0, n), req.HttpContext.RequestAborted);
            written += n;
        }
    }

    /// <summary>Always throws.</summary>
    [Function("Throw")]
    public static IActionResult Throw([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "throw")] HttpRequest req)
        => throw new InvalidOperationException("Boom from Throw");

    /// <summary>Route parameters bound to method parameters.</summary>
    [Function("Item")]
    public static IActionResult Item([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "items/{category}/{id:int}")] HttpRequest req, string category, int id)
        => new OkObjectResult(new { category, id });

    /// <summary>A queue output beside the HTTP result: the body goes to <c>%SubmitQueue%</c>, the caller gets 202.</summary>
    [Function("Submit")]
    public static async Task<SubmitOutput> Submit([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "submit")] HttpRequest req)
    {
        using var reader = new StreamReader(req.Body);
        var body = await reader.ReadToEndAsync(req.HttpContext.RequestAborted);
        if (body.Length == 0) return new SubmitOutput { Result = new BadRequestObjectResult(new { error = "empty body" }) };
        return new SubmitOutput { Message = body, Result = new AcceptedResult((string?)null, new { queued = body.Length }) };
    }

    /// <summary>Waits <c>?ms=</c>; records under <c>?key=</c> whether the invocation was cancelled.</summary>
    [Function("Slow")]
    public async Task<IActionResult> Slow([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "slow")] HttpRequest req, CancellationToken cancellationToken)
    {
        var key = req.Query["key"].ToString();
        try
        {
            await Task.Delay(int.Parse(req.Query["ms"].ToString(), System.Globalization.CultureInfo.InvariantCulture), cancellationToken);
        }
        catch (OperationCanceledException)
        {
            await records.AddAsync(key, "Cancelled", new Dictionary<string, object?>(), CancellationToken.None);
            throw;
        }

        return new OkObjectResult(new { waited = true });
    }
}

/// <summary>The two outputs of <see cref="HttpFunctions.Submit"/>.</summary>
public sealed class SubmitOutput
{
    /// <summary>The message queued, or null for none.</summary>
    [QueueOutput("%SubmitQueue%")]
    public string? Message { get; set; }

    /// <summary>The HTTP answer.</summary>
    [HttpResult]
    public IActionResult? Result { get; set; }
}
