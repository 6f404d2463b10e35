using AlliancePipeline.Functions;
using AlliancePipeline.Functions.Infrastructure.Http;
using AlliancePipeline.Functions.Infrastructure.Settings;
using AlliancePipeline.Functions.Infrastructure.Storage;
using AlliancePipeline.Functions.Infrastructure.Telemetry;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

// The function app: an isolated worker with ASP.NET Core integration. The settings (each section an options class, checked
// by its validator, validated at start), the storage clients and the services are registered, Application Insights is
// wired (it sends only when APPLICATIONINSIGHTS_CONNECTION_STRING is set); the settings are then checked before anything
// runs (every missing or wrong one named, exit code 2) and, locally, the storage resources are created.
var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
// The HTTP edge (Infrastructure/Http/HttpEdge): each function's body limits and media types, checked before anything
// else; storage down answered 503; the access key each function declares, checked before it runs.
builder.UseHttpEdge();
// The worker's own HTTP server only hears from its host: it takes whatever header set the host let through, plus the
// headers the host adds (x-ms-invocation-id), so no request the host passed is refused by a server the app's code never sees.
// Bodies: the host limits them (100 MB, FUNCTIONS_REQUEST_BODY_SIZE_LIMIT) and each route's own limit is the middleware's;
// the rest of a refused body is drained, never cut, so the host's upload does not break under the 413.
builder.Services.Configure<KestrelServerOptions>(k =>
{
    k.Limits.MaxRequestBodySize = null;
    k.Limits.MaxRequestHeadersTotalSize = 64 * 1024;
    k.Limits.MaxRequestHeaderCount = 200;
    k.Limits.MaxRequestLineSize = 16 * 1024;
});

builder.Services.AddAlliancePipeline();
// The Azure SDK's own request/response lines (forwarded by Microsoft.Extensions.Azure), and ASP.NET Core's, whose request
// lines carry whole query strings (keys, link tokens), only when something goes wrong.
builder.Logging.AddWorkerLogFilters();
builder.Services.AddWorkerTelemetry(builder.Configuration);

var app = builder.Build();
// The startup validation the host would run in RunAsync (ValidateOnStart), run first: every problem of every section is
// printed, and the worker exits with code 2, which the local host reports without restarting it.
if (SettingsRegistration.Problems(app.Services) is { Count: > 0 } problems)
{
    await Console.Error.WriteLineAsync(new InvalidSettingsException(problems).Message);
    return 2;
}
if (app.Services.GetRequiredService<IOptions<StorageCreationOptions>>().Value.CreatesResources)
{
    try
    {
        await app.Services.GetRequiredService<StorageBootstrapper>().EnsureCreatedAsync(CancellationToken.None);
    }
    catch (Exception e) when (StorageUnavailable.Is(e))
    {
        await Console.Error.WriteLineAsync($"Storage did not answer ({app.Services.GetRequiredService<StorageConnection>()}): {StorageUnavailable.Describe(e)}. Is Azurite running?");
        return 3;
    }
}
await app.RunAsync();
return 0;
