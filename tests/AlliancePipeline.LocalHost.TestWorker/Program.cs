using Azure.Data.Tables;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

// Settings are checked first, as the app does: a wrong one is named on stderr and the process exits with code 2,
// which the local host must report and not restart.
var mode = Environment.GetEnvironmentVariable("TestWorker__Settings");
if (mode is not null && mode != "valid")
{
    await Console.Error.WriteLineAsync($"Setting TestWorker__Settings is '{mode}': it must be 'valid' or absent.");
    return 2;
}

var storage = Environment.GetEnvironmentVariable("AzureWebJobsStorage")
    ?? throw new InvalidOperationException("AzureWebJobsStorage is not set.");
var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
builder.Services.AddSingleton(new TableServiceClient(storage));
builder.Services.AddSingleton<AlliancePipeline.LocalHost.TestWorker.Records>();
await builder.Build().RunAsync();
return 0;
