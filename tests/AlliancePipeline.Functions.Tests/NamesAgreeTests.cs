using AlliancePipeline.Functions.Hosting;
using AlliancePipeline.Functions.LocalDriver;
using AlliancePipeline.Functions.Services;
using AlliancePipeline.Functions.Settings;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace AlliancePipeline.Functions.Tests;

/// <summary>
/// function.json files, the function classes and what the driver reads agree on every name: a change to one alone
/// fails here. The files are read from the build output, where Azure reads them.
/// </summary>
public sealed class NamesAgreeTests
{
    private static readonly FunctionAppMetadata Metadata = FunctionAppMetadata.Load(AppContext.BaseDirectory);

    private static IReadOnlyList<IFunction> Classes()
    {
        var services = new ServiceCollection();
        var settings = AppSettings.Read(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true",
            ["FUNCTIONS_CUSTOMHANDLER_PORT"] = "7072",
            ["LinkSigning:Keys"] = "test=" + Infrastructure.TestApp.SigningKey,
            ["LinkSigning:CurrentKeyId"] = "test",
        }).Build());
        services.AddLogging();
        services.AddPipelineServices(settings);
        FunctionRegistry.AddFunctions(services);
        return [.. services.BuildServiceProvider().GetRequiredService<FunctionRegistry>().All];
    }

    [Fact]
    public void Every_function_folder_has_a_class_of_the_same_name_and_every_class_a_folder()
    {
        Assert.Equal(Metadata.Functions.Select(f => f.Name).Order(StringComparer.Ordinal), Classes().Select(c => c.Name).Order(StringComparer.Ordinal));
        Assert.Equal(["Questionnaire", "Recluster", "ScoreResponse"], Metadata.Functions.Select(f => f.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Trigger_kinds_and_binding_names_agree()
    {
        foreach (var function in Classes())
        {
            var json = Metadata.Functions.Single(f => f.Name == function.Name);
            var expectedType = function.Trigger switch
            {
                TriggerKind.Http => "httpTrigger",
                TriggerKind.Queue => "queueTrigger",
                TriggerKind.Timer => "timerTrigger",
                _ => throw new InvalidOperationException(),
            };
            Assert.Equal(expectedType, json.TriggerType);
            Assert.Equal(function.TriggerBindingName, json.TriggerName);
        }
    }

    [Fact]
    public void Http_routes_methods_and_output_binding_agree_and_are_anonymous()
    {
        foreach (var function in Classes().OfType<HttpFunction>())
        {
            var json = Metadata.Functions.Single(f => f.Name == function.Name);
            Assert.Equal(function.Route, json.Route);
            Assert.Equal(function.Methods.Order(StringComparer.Ordinal), json.Methods.Order(StringComparer.Ordinal));
            Assert.Equal(function.OutputBindingName, json.HttpOutputName);
            Assert.Equal("anonymous", json.AuthLevel);
        }
        var questionnaire = Metadata.Functions.Single(f => f.Name == "Questionnaire");
        Assert.Equal("q/{token}", questionnaire.Route);
        Assert.Equal("api", Metadata.Host.RoutePrefix);
    }

    [Fact]
    public void Queue_names_agree_with_the_storage_names()
    {
        foreach (var function in Classes().OfType<QueueFunction>())
        {
            var json = Metadata.Functions.Single(f => f.Name == function.Name);
            Assert.Equal(function.QueueName, json.QueueName);
            Assert.Contains(json.QueueName, StorageNames.Queues);
        }
        Assert.Equal("responses", Metadata.Functions.Single(f => f.Name == "ScoreResponse").QueueName);
    }

    [Fact]
    public void Timer_schedules_agree_and_parse_as_six_field_ncrontab()
    {
        foreach (var function in Classes().OfType<TimerFunction>())
        {
            var json = Metadata.Functions.Single(f => f.Name == function.Name);
            Assert.Equal(function.Schedule, json.Schedule);
            TimerScheduler.Parse(json);
        }
    }

    [Fact]
    public void Host_json_has_the_custom_handler_and_the_designs_queue_settings()
    {
        var q = Metadata.Host.Queues;
        Assert.Equal(5, q.MaxDequeueCount);
        Assert.Equal("base64", q.MessageEncoding);
        Assert.False(Metadata.Host.EnableForwardingHttpRequest);
        var host = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "host.json")))!;
        Assert.Equal("AlliancePipeline.Functions", host["customHandler"]!["description"]!["defaultExecutablePath"]!.GetValue<string>());
        Assert.Equal("Microsoft.Azure.Functions.ExtensionBundle", host["extensionBundle"]!["id"]!.GetValue<string>());
        Assert.True(File.Exists(Path.Combine(AppContext.BaseDirectory, "AlliancePipeline.Functions.dll")));
    }

    [Fact]
    public void The_driver_maps_each_http_function_under_the_route_prefix()
    {
        var builder = Microsoft.AspNetCore.Builder.WebApplication.CreateSlimBuilder();
        var app = builder.Build();
        HttpTriggerRoutes.Map(app, Metadata, new HandlerClient(new HttpClient()), TimeProvider.System);
        var routes = ((Microsoft.AspNetCore.Routing.IEndpointRouteBuilder)app).DataSources.SelectMany(d => d.Endpoints)
            .OfType<Microsoft.AspNetCore.Routing.RouteEndpoint>().Select(e => e.RoutePattern.RawText).ToList();
        Assert.Equal(Metadata.Functions.Where(f => f.TriggerType == "httpTrigger").Select(f => "/api/" + f.Route), routes);
    }
}
