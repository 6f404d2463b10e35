namespace AlliancePipeline.Functions.Infrastructure.Telemetry;

/// <summary>
/// What the worker's own logging leaves out, for every sink (the host over gRPC, Application Insights): the Azure SDK's
/// request and response lines (forwarded by Microsoft.Extensions.Azure) and ASP.NET Core's own lines, below Warning.
/// ASP.NET Core's request lines ("Request starting HTTP/1.1 GET http://…/dashboard?key=ak_…") name every request with
/// its whole query string, which may carry an access key or a link token (issue 17, finding 10); the app logs what it
/// decides itself, by key id, never an address with its query.
/// </summary>
public static class WorkerLogging
{
    /// <summary>Adds the filters to <paramref name="logging"/> (<c>Program</c>, and the tests' host of the functions).</summary>
    public static ILoggingBuilder AddWorkerLogFilters(this ILoggingBuilder logging)
    {
        ArgumentNullException.ThrowIfNull(logging);
        return logging.AddFilter("Azure", LogLevel.Warning).AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
    }
}
