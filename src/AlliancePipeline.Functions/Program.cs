using AlliancePipeline.Functions;
using AlliancePipeline.Functions.Infrastructure.Http;
using AlliancePipeline.Functions.Infrastructure.Settings;
using AlliancePipeline.Functions.Infrastructure.Storage;
using AlliancePipeline.Functions.Infrastructure.Telemetry;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;

// The function app: an isolated worker with ASP.NET Core integration. Settings are read and checked first (every missing
// or wrong one named, exit code 2); then the storage clients and services are registered, Application Insights is wired
// (it sends only when APPLICATIONINSIGHTS_CONNECTION_STRING is set), and, locally, the storage resources are created.
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

AppSettings settings;
try
{
    settings = AppSettings.Read(builder.Configuration);
}
catch (InvalidSettingsException e)
{
    await Console.Error.WriteLineAsync(e.Message);
    return 2;
}

builder.Services.AddAlliancePipeline(settings);
// The Azure SDK's own request/response lines (forwarded by Microsoft.Extensions.Azure) only when something goes wrong.
builder.Logging.AddFilter("Azure", LogLevel.Warning);
builder.Services.AddWorkerTelemetry(builder.Configuration);

var app = builder.Build();
if (settings.CreateResources)
{
    try
    {
        await app.Services.GetRequiredService<StorageBootstrapper>().EnsureCreatedAsync(CancellationToken.None);
    }
    catch (Exception e) when (StorageUnavailable.Is(e))
    {
        await Console.Error.WriteLineAsync($"Storage did not answer ({settings.Storage}): {StorageUnavailable.Describe(e)}. Is Azurite running?");
        return 3;
    }
}
await app.RunAsync();
return 0;
