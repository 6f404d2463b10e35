using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;

namespace AlliancePipeline.Functions.Infrastructure.Http;

/// <summary>
/// Adds <c>Strict-Transport-Security</c> to every answer of an HTTP function served over HTTPS, whatever answers it
/// (the function, or another middleware's 413, 401 or 503): browsers then refuse plain HTTP to the app for a year, so a
/// link or a key is never sent in clear after the first visit. Served over HTTPS means the worker's own connection was
/// (<c>IsHttps</c>) or the front end that took the client's says so (<c>X-Forwarded-Proto: https</c>, as Azure's front
/// ends and the Functions host pass it on): in Azure the worker hears its host over HTTP on the instance. Browsers ignore
/// the header on plain HTTP (RFC 6797 §8.1), so a forged <c>X-Forwarded-Proto</c> changes nothing; locally, over
/// <c>http://localhost</c>, the header is not sent. Not <c>includeSubDomains</c>: the app's host name may be a custom
/// domain whose other names are not the app's to decide.
/// </summary>
public sealed class TransportSecurityMiddleware : IFunctionsWorkerMiddleware
{
    /// <summary>The header's value: one year.</summary>
    public const string Value = "max-age=31536000";

    /// <inheritdoc />
    public Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        if (context.GetHttpContext() is { } http && ServedOverHttps(http.Request))
        {
            http.Response.OnStarting(static state =>
            {
                ((HttpResponse)state).Headers.StrictTransportSecurity = Value;
                return Task.CompletedTask;
            }, http.Response);
        }
        return next(context);
    }

    /// <summary>Whether the client's connection was HTTPS: the worker's own, or the front end's as it forwards it.</summary>
    public static bool ServedOverHttps(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.IsHttps) return true;
        // The first value is the client's hop (each proxy appends its own).
        var forwarded = request.Headers["X-Forwarded-Proto"].ToString();
        var first = forwarded.Split(',', 2)[0].Trim();
        return string.Equals(first, "https", StringComparison.OrdinalIgnoreCase);
    }
}
