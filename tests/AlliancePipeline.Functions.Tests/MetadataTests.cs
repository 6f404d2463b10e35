using System.Text.Json.Nodes;

namespace AlliancePipeline.Functions.Tests;

/// <summary>
/// What the Worker SDK generated from the function classes (<c>functions.metadata</c>, which the host reads), and
/// <c>host.json</c>: the triggers the design names, and no custom handler.
/// </summary>
public sealed class MetadataTests
{
    private static JsonNode Read(string file) => JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, file)))!;

    [Fact]
    public void The_generated_metadata_lists_the_functions_with_their_triggers()
    {
        var functions = Read("functions.metadata").AsArray().ToDictionary(f => f!["name"]!.GetValue<string>(), f => f!);
        Assert.Subset(functions.Keys.ToHashSet(), new HashSet<string> { "PauseReminders", "Questionnaire", "Recluster", "Reminders", "ScoreResponse", "SendEmail" });
        Assert.All(functions.Values, f => Assert.Equal("dotnet-isolated", f["language"]!.GetValue<string>()));

        var http = functions["Questionnaire"]["bindings"]!.AsArray().Single(b => b!["type"]!.GetValue<string>() == "httpTrigger")!;
        Assert.Equal("q/{token}", http["route"]!.GetValue<string>());
        Assert.Equal(["get", "post"], http["methods"]!.AsArray().Select(m => m!.GetValue<string>()));
        Assert.Equal("Anonymous", http["authLevel"]!.GetValue<string>());

        var queue = functions["ScoreResponse"]["bindings"]!.AsArray().Single()!;
        Assert.Equal("queueTrigger", queue["type"]!.GetValue<string>());
        Assert.Equal("responses", queue["queueName"]!.GetValue<string>());

        var pause = functions["PauseReminders"]["bindings"]!.AsArray().Single(b => b!["type"]!.GetValue<string>() == "httpTrigger")!;
        Assert.Equal("reminders/pause/{token}", pause["route"]!.GetValue<string>());
        Assert.Equal(["get", "post"], pause["methods"]!.AsArray().Select(m => m!.GetValue<string>()));
        Assert.Equal("Anonymous", pause["authLevel"]!.GetValue<string>());

        var outbox = functions["SendEmail"]["bindings"]!.AsArray().Single()!;
        Assert.Equal("queueTrigger", outbox["type"]!.GetValue<string>());
        Assert.Equal("outbox", outbox["queueName"]!.GetValue<string>());

        var timer = functions["Recluster"]["bindings"]!.AsArray().Single()!;
        Assert.Equal("timerTrigger", timer["type"]!.GetValue<string>());
        Assert.Equal("0 0 2 * * *", timer["schedule"]!.GetValue<string>());
    }

    [Fact]
    public void Host_json_has_no_custom_handler_and_the_queue_settings_the_design_names()
    {
        var host = Read("host.json");
        Assert.Equal("2.0", host["version"]!.GetValue<string>());
        Assert.Null(host["customHandler"]);
        Assert.Equal("api", host["extensions"]!["http"]!["routePrefix"]!.GetValue<string>());
        var queues = host["extensions"]!["queues"]!;
        Assert.Equal(5, queues["maxDequeueCount"]!.GetValue<int>());
        Assert.Equal(global::AlliancePipeline.Functions.Mail.MailSender.MaxDequeueCount, queues["maxDequeueCount"]!.GetValue<int>());
        Assert.Equal("base64", queues["messageEncoding"]!.GetValue<string>());
        var worker = Read("worker.config.json");
        Assert.Equal("AlliancePipeline.Functions.dll", worker["description"]!["defaultWorkerPath"]!.GetValue<string>());
    }
}
