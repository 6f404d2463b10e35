using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Hosting;

namespace AlliancePipeline.Functions.Infrastructure.Http;

/// <summary>The worker middleware of the HTTP functions, in the order they run.</summary>
public static class HttpEdge
{
    /// <summary>
    /// Adds, for HTTP functions: <see cref="TransportSecurityMiddleware"/> (HSTS on every answer served over HTTPS, first
    /// so that it covers the others' answers too), <see cref="UnexpectedFailureMiddleware"/> (500 rather than an empty 200 when
    /// a function fails before answering, around the rest), <see cref="RequestLimitsMiddleware"/> (413/415 before anything else),
    /// <see cref="StorageUnavailableMiddleware"/> (503 instead of what storage could not do, around the rest), and for
    /// functions with <see cref="KeyAccessAttribute"/>, <see cref="KeyAccessMiddleware"/> (the key, then the function).
    /// </summary>
    public static IFunctionsWorkerApplicationBuilder UseHttpEdge(this IFunctionsWorkerApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.UseWhen<TransportSecurityMiddleware>(IsHttp);
        builder.UseWhen<UnexpectedFailureMiddleware>(IsHttp);
        builder.UseWhen<RequestLimitsMiddleware>(IsHttp);
        builder.UseWhen<StorageUnavailableMiddleware>(IsHttp);
        builder.UseWhen<KeyAccessMiddleware>(KeyAccessMiddleware.Applies);
        return builder;
    }

    /// <summary>Whether <paramref name="context"/> is an HTTP-triggered function.</summary>
    public static bool IsHttp(FunctionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.FunctionDefinition.InputBindings.Values.Any(b => string.Equals(b.Type, "httpTrigger", StringComparison.OrdinalIgnoreCase));
    }
}
