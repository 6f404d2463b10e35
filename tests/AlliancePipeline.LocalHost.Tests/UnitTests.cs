using System.Collections;
using System.Text.Json;
using System.Text.Json.Nodes;
using AlliancePipeline.LocalHost.Configuration;
using AlliancePipeline.LocalHost.Functions;
using AlliancePipeline.LocalHost.Http;
using AlliancePipeline.LocalHost.Invocation;
using AlliancePipeline.LocalHost.Rpc;
using AlliancePipeline.LocalHost.Triggers;
using AlliancePipeline.LocalHost.Worker;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace AlliancePipeline.LocalHost.Tests;

/// <summary>The rules of the host, each checked on its own.</summary>
public sealed class UnitTests
{
    private static AppSettings Settings(Dictionary<string, string?>? overrides = null, IDictionary? environment = null, string? file = null) =>
        AppSettings.Load(file, overrides, environment ?? new Hashtable());

    [Fact]
    public void Settings_come_from_the_file_unless_the_environment_has_them_and_overrides_win_over_both()
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, """
                {
                  // comments are fine, as in Core Tools
                  "IsEncrypted": false,
                  "Values": { "FromFile": "file", "InBoth": "file", "Overridden": "file", "Number": 3 },
                  "Host": { "LocalHttpPort": 7080 },
                }
                """);
            var settings = Settings(new() { ["Overridden"] = "override" }, new Hashtable { ["InBoth"] = "env", ["Overridden"] = "env" }, file);

            Assert.Equal("file", settings["FromFile"]);
            Assert.Equal("env", settings["InBoth"]);
            Assert.Equal("override", settings["Overridden"]);
            Assert.Equal("3", settings["Number"]);
            Assert.Null(settings["Missing"]);
            Assert.Equal(7080, settings.LocalHttpPort);
            Assert.Equal(["InBoth"], settings.ShadowedByEnvironment);
            var worker = settings.ForWorker();
            Assert.Equal("file", worker["FromFile"]);
            Assert.False(worker.ContainsKey("InBoth"));
            Assert.Equal("override", worker["Overridden"]);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void An_encrypted_settings_file_is_refused_with_its_name()
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, """{"IsEncrypted": true, "Values": {}}""");
            var e = Assert.Throws<LocalHostConfigurationException>(() => Settings(file: file));
            Assert.Contains(file, e.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Percent_references_resolve_from_the_settings_and_a_missing_one_is_named()
    {
        var settings = Settings(new() { ["Queue"] = "orders", ["Env"] = "dev" });
        Assert.Equal("orders", settings.Resolve("%Queue%", "test"));
        Assert.Equal("dev-orders-in", settings.Resolve("%Env%-%Queue%-in", "test"));
        Assert.Equal("plain", settings.Resolve("plain", "test"));
        var e = Assert.Throws<LocalHostConfigurationException>(() => settings.Resolve("%Nope%", "Function F, binding property queueName"));
        Assert.Contains("'%Nope%' does not resolve to a value", e.Message, StringComparison.Ordinal);
        Assert.Contains("Function F", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Host_json_queue_defaults_are_the_extension_defaults()
    {
        var settings = HostJsonSettings.FromJson([], "host.json", processorCount: 4);
        Assert.Equal("api", settings.RoutePrefix);
        Assert.Equal(16, settings.Queues.BatchSize);
        Assert.Equal(32, settings.Queues.NewBatchThreshold); // (16 / 2) × 4 processors
        Assert.Equal(TimeSpan.FromMinutes(1), settings.Queues.MaxPollingInterval);
        Assert.Equal(TimeSpan.Zero, settings.Queues.VisibilityTimeout);
        Assert.Equal(5, settings.Queues.MaxDequeueCount);
        Assert.Equal(QueueMessageEncoding.Base64, settings.Queues.MessageEncoding);
        Assert.Equal(TimeSpan.FromMinutes(30), settings.FunctionTimeout);
    }

    [Fact]
    public void Host_json_values_are_read_and_overridden_by_AzureFunctionsJobHost_settings()
    {
        var dir = Directory.CreateTempSubdirectory().FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "host.json"), """
                { "version": "2.0", "functionTimeout": "00:02:00",
                  "extensions": { "http": { "routePrefix": "" },
                    "queues": { "batchSize": 4, "maxPollingInterval": "00:00:02", "visibilityTimeout": "00:00:10", "maxDequeueCount": 2 } } }
                """);
            var settings = HostJsonSettings.Load(dir, Settings(new()
            {
                ["AzureFunctionsJobHost__extensions__queues__newBatchThreshold"] = "1",
                ["AzureFunctionsJobHost:extensions:queues:messageEncoding"] = "none",
            }), processorCount: 2);

            Assert.Equal("", settings.RoutePrefix);
            Assert.Equal(4, settings.Queues.BatchSize);
            Assert.Equal(1, settings.Queues.NewBatchThreshold);
            Assert.Equal(TimeSpan.FromSeconds(2), settings.Queues.MaxPollingInterval);
            Assert.Equal(TimeSpan.FromSeconds(10), settings.Queues.VisibilityTimeout);
            Assert.Equal(2, settings.Queues.MaxDequeueCount);
            Assert.Equal(QueueMessageEncoding.None, settings.Queues.MessageEncoding);
            Assert.Equal(TimeSpan.FromMinutes(2), settings.FunctionTimeout);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Theory]
    [InlineData("""{"extensions":{"queues":{"batchSize":33}}}""", "batchSize")]
    [InlineData("""{"extensions":{"queues":{"maxDequeueCount":0}}}""", "maxDequeueCount")]
    [InlineData("""{"extensions":{"queues":{"maxPollingInterval":"00:00:00.050"}}}""", "maxPollingInterval")]
    [InlineData("""{"extensions":{"queues":{"maxPollingInterval":2000}}}""", "maxPollingInterval")]
    [InlineData("""{"extensions":{"queues":{"messageEncoding":"utf8"}}}""", "messageEncoding")]
    [InlineData("""{"functionTimeout":"soon"}""", "functionTimeout")]
    public void Wrong_host_json_values_are_named(string json, string name)
    {
        var e = Assert.Throws<LocalHostConfigurationException>(() => HostJsonSettings.FromJson(JsonNode.Parse(json)!.AsObject(), "host.json", 2));
        Assert.Contains(name, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Empty_polls_back_off_exponentially_from_100_ms_to_the_maximum_and_reset_when_messages_are_found()
    {
        var backoff = new RandomizedExponentialBackoff(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1), new Random(1));
        var waits = Enumerable.Range(0, 8).Select(_ => backoff.Next(foundMessages: false).TotalMilliseconds).ToList();

        Assert.Equal(100, waits[0]);
        Assert.InRange(waits[1], 180, 220);   // 100 + 100 × (1 ± 0.2)
        Assert.InRange(waits[2], 260, 340);   // 100 + 200 × (1 ± 0.2)
        Assert.InRange(waits[3], 420, 580);   // 100 + 400 × (1 ± 0.2)
        Assert.Equal(1000, waits[^1]);
        Assert.True(waits.Zip(waits.Skip(1)).All(p => p.Second >= p.First));
        Assert.Equal(100, backoff.Next(foundMessages: true).TotalMilliseconds);
        Assert.InRange(backoff.Next(foundMessages: false).TotalMilliseconds, 180, 220);
    }

    [Theory]
    [InlineData("work", "work-poison")]
    [InlineData("work-poison", null)]
    [InlineData("a23456789012345678901234567890123456789012345678901234567", null)]
    public void The_poison_queue_is_named_as_the_extension_names_it(string queue, string? poison) =>
        Assert.Equal(poison, QueueListener.PoisonQueueName(queue));

    [Theory]
    [InlineData("Orders", "orders")]
    [InlineData("my-queue-1", "my-queue-1")]
    public void Queue_names_are_lower_cased(string name, string normalized) => Assert.Equal(normalized, QueueListener.NormalizeQueueName(name, "F"));

    [Theory]
    [InlineData("ab")]
    [InlineData("my--queue")]
    [InlineData("-queue")]
    [InlineData("que_ue")]
    public void Invalid_queue_names_are_refused(string name) =>
        Assert.Throws<LocalHostConfigurationException>(() => QueueListener.NormalizeQueueName(name, "F"));

    [Fact]
    public void The_trigger_metadata_of_a_queue_message_is_what_the_host_sends()
    {
        var inserted = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);
        var message = QueuesModelFactory.QueueMessage("id-1", "pop-1", "héllo", 3, inserted.AddSeconds(30), inserted, inserted.AddDays(7));
        var (input, metadata) = QueueListener.Payload(message, null);

        Assert.Equal("héllo", input.String);
        Assert.Equal("héllo", metadata["QueueTrigger"].String);
        Assert.Equal("3", metadata["DequeueCount"].Json);
        Assert.Equal("id-1", metadata["Id"].String);
        Assert.Equal("pop-1", metadata["PopReceipt"].String);
        Assert.Equal("\"2026-01-02T03:04:05+00:00\"", metadata["InsertionTime"].Json);
        Assert.Equal("\"2026-01-09T03:04:05+00:00\"", metadata["ExpirationTime"].Json);
        Assert.Equal("\"2026-01-02T03:04:35+00:00\"", metadata["NextVisibleTime"].Json);

        var binary = QueuesModelFactory.QueueMessage("id-2", "pop-2", new BinaryData(new byte[] { 0xff, 0xfe, 0x00 }), 1);
        var (bytes, binaryMetadata) = QueueListener.Payload(binary, null);
        Assert.Equal(new byte[] { 0xff, 0xfe, 0x00 }, bytes.Bytes.ToByteArray());
        Assert.False(binaryMetadata.ContainsKey("QueueTrigger"));
    }

    [Theory]
    [InlineData("0 */5 * * * *", "2026-01-01T10:07:30Z", "2026-01-01T10:10:00Z")]
    [InlineData("*/5 * * * *", "2026-01-01T10:07:30Z", "2026-01-01T10:10:00Z")]
    [InlineData("30 0 9 * * 1-5", "2026-01-02T09:00:30Z", "2026-01-05T09:00:30Z")]
    [InlineData("00:00:10", "2026-01-01T10:07:30Z", "2026-01-01T10:07:40Z")]
    public void Schedules_of_six_or_five_fields_or_a_time_span_give_the_next_occurrence_in_UTC(string expression, string after, string next)
    {
        var schedule = TimerSchedule.TryParse(expression);
        Assert.NotNull(schedule);
        var at = DateTime.Parse(after, null, System.Globalization.DateTimeStyles.AdjustToUniversal);
        Assert.Equal(DateTime.Parse(next, null, System.Globalization.DateTimeStyles.AdjustToUniversal), schedule.Next(at));
    }

    [Fact]
    public void A_schedule_that_is_neither_cron_nor_a_time_span_is_refused() => Assert.Null(TimerSchedule.TryParse("every minute"));

    [Theory]
    [InlineData("*/2 * * * * *", true)]
    [InlineData("0 * * * * *", false)]
    [InlineData("0 0 * * * *", false)]
    [InlineData("00:00:30", true)]
    [InlineData("00:05:00", false)]
    public void The_monitor_is_off_for_schedules_that_fire_more_than_once_a_minute(string expression, bool disabled) =>
        Assert.Equal(disabled, TimerSchedule.TryParse(expression)!.DisablesMonitor(new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc)));

    [Fact]
    public void Past_due_is_when_the_recorded_next_occurrence_has_passed_and_the_schedule_is_unchanged()
    {
        var hourly = TimerSchedule.TryParse("0 0 * * * *")!;
        var now = new DateTime(2026, 1, 1, 10, 30, 0, DateTimeKind.Utc);

        var (first, firstChanged, firstDue) = ScheduleStatus.CheckPastDue(null, hourly, now);
        Assert.True(firstChanged);
        Assert.Equal(TimeSpan.Zero, firstDue);
        Assert.Equal(new DateTime(2026, 1, 1, 11, 0, 0, DateTimeKind.Utc), first.Next);

        var missed = new ScheduleStatus(now.AddHours(-2.5), now.AddHours(-1.5), now.AddHours(-2.5));
        var (kept, changed, due) = ScheduleStatus.CheckPastDue(missed, hourly, now);
        Assert.False(changed);
        Assert.Equal(missed, kept);
        Assert.Equal(TimeSpan.FromMinutes(90), due);

        var otherSchedule = new ScheduleStatus(now.AddHours(-2.5), now.AddHours(-2.4), now.AddHours(-2.5));
        var (recomputed, recomputedChanged, recomputedDue) = ScheduleStatus.CheckPastDue(otherSchedule, hourly, now);
        Assert.True(recomputedChanged);
        Assert.Equal(TimeSpan.Zero, recomputedDue);
        Assert.Equal(new DateTime(2026, 1, 1, 11, 0, 0, DateTimeKind.Utc), recomputed.Next);
    }

    [Fact]
    public void TimerInfo_JSON_is_what_the_worker_converter_reads()
    {
        var status = new ScheduleStatus(new DateTime(2026, 1, 1, 9, 0, 0, DateTimeKind.Utc), new DateTime(2026, 1, 1, 10, 0, 0, DateTimeKind.Utc), new DateTime(2026, 1, 1, 9, 0, 0, DateTimeKind.Utc));
        using var json = JsonDocument.Parse(TimerListener.TimerInfoJson(status, isPastDue: true));
        Assert.True(json.RootElement.GetProperty("IsPastDue").GetBoolean());
        Assert.Equal(status.Next, json.RootElement.GetProperty("ScheduleStatus").GetProperty("Next").GetDateTime().ToUniversalTime());
        using var none = JsonDocument.Parse(TimerListener.TimerInfoJson(null, isPastDue: false));
        Assert.Equal(JsonValueKind.Null, none.RootElement.GetProperty("ScheduleStatus").ValueKind);
    }

    [Fact]
    public void The_host_id_is_the_setting_or_the_machine_name_and_a_stable_hash_of_the_script_root()
    {
        Assert.Equal("fixed-id", HostId.For(Settings(new() { ["AzureFunctionsWebHost__hostid"] = "fixed-id" }), "/app"));
        var id = HostId.For(Settings(), "/work/app/bin", machineName: "My_Machine-01");
        Assert.Equal($"mymachine01-{Math.Abs((long)HostId.StableHash("/work/app/bin"))}", id);
        Assert.Equal(id, HostId.For(Settings(), "/work/app/bin", machineName: "My_Machine-01"));
        Assert.NotEqual(id, HostId.For(Settings(), "/work/other/bin", machineName: "My_Machine-01"));
        Assert.True(HostId.For(Settings(), "/x", machineName: new string('a', 40)).Length <= 32);
    }

    [Fact]
    public void Binding_expressions_take_trigger_metadata_new_guids_and_the_time()
    {
        var metadata = new Dictionary<string, TypedData>
        {
            ["id"] = new() { String = "42" },
            ["DequeueCount"] = new() { Json = "3" },
            ["InsertionTime"] = new() { Json = "\"2026-01-01T00:00:00+00:00\"" },
        };
        var now = new DateTimeOffset(2026, 5, 6, 7, 8, 9, TimeSpan.Zero);
        Assert.Equal("reports/42/3.json", BindingExpressions.Resolve("reports/{id}/{dequeueCount}.json", metadata, now, "t"));
        Assert.Equal("at-2026-05-06T07-08-09Z", BindingExpressions.Resolve("at-{DateTime}", metadata, now, "t"));
        Assert.Equal("2026/05", BindingExpressions.Resolve("{DateTime:yyyy/MM}", metadata, now, "t"));
        Assert.True(Guid.TryParse(BindingExpressions.Resolve("{rand-guid}", metadata, now, "t"), out _));
        Assert.Equal(32, BindingExpressions.Resolve("{rand-guid:N}", metadata, now, "t").Length);
        Assert.Contains("no value for named parameter 'nope'", Assert.Throws<InvalidOperationException>(() => BindingExpressions.Resolve("{nope}", metadata, now, "t")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Queue_outputs_are_one_message_per_element_of_an_array_or_a_collection()
    {
        string[] Texts(TypedData d) => [.. OutputBindingWriter.QueueMessages(d).Select(m => m.ToString())];
        Assert.Equal(["a"], Texts(new TypedData { String = "a" }));
        Assert.Equal(["""{"x":1}"""], Texts(new TypedData { Json = """{"x":1}""" }));
        Assert.Equal(["s", """{"x":1}""", "2"], Texts(new TypedData { Json = """["s",{"x":1},2]""" }));
        var strings = new TypedData { CollectionString = new CollectionString() };
        strings.CollectionString.String.Add(["one", "two"]);
        Assert.Equal(["one", "two"], Texts(strings));
    }

    [Fact]
    public void Routes_match_by_path_constraints_and_method_most_specific_first()
    {
        var settings = Settings();
        FunctionDescriptor Http(string name, string? route, params string[] methods)
        {
            var metadata = new RpcFunctionMetadata { Name = name, FunctionId = name };
            var binding = new JsonObject { ["name"] = "req", ["type"] = "httpTrigger", ["direction"] = "In", ["methods"] = new JsonArray([.. methods.Select(m => JsonValue.Create(m))]) };
            if (route is not null) binding["route"] = route;
            metadata.RawBindings.Add(binding.ToJsonString());
            return FunctionDescriptor.Create(metadata, settings);
        }

        var services = new ServiceCollection().AddRouting().BuildServiceProvider();
        var table = new HttpRouteTable(
            [Http("ById", "items/{id:int}", "get"), Http("Special", "items/special", "get"), Http("Post", "items/{id}", "post"), Http("Default", null)],
            "api",
            services.GetRequiredService<IInlineConstraintResolver>());
        string? Match(string method, string path)
        {
            var context = new DefaultHttpContext { RequestServices = services };
            context.Request.Method = method;
            context.Request.Path = path;
            return table.Match(context)?.Function.Name;
        }

        Assert.Equal("ById", Match("GET", "/api/items/7"));
        Assert.Equal("7", table.Match(new DefaultHttpContext { RequestServices = services, Request = { Method = "GET", Path = "/api/items/7" } })?.Values["id"]);
        Assert.Equal("Special", Match("GET", "/api/items/special"));
        Assert.Equal("Post", Match("POST", "/api/items/special"));
        Assert.Null(Match("GET", "/api/items/x"));
        Assert.Null(Match("DELETE", "/api/items/7"));
        Assert.Equal("Default", Match("PUT", "/api/Default"));
        Assert.Null(Match("GET", "/items/7"));
    }

    [Fact]
    public void The_worker_is_started_with_the_host_arguments()
    {
        var arguments = WorkerProcess.HostArguments(new Uri("http://127.0.0.1:5555/"), "w1", "r1");
        Assert.Equal(
            ["--host", "127.0.0.1", "--port", "5555", "--workerId", "w1", "--requestId", "r1", "--grpcMaxMessageLength", "2147483647",
             "--functions-uri", "http://127.0.0.1:5555/", "--functions-worker-id", "w1", "--functions-request-id", "r1", "--functions-grpc-max-message-length", "2147483647"],
            arguments);
    }

    [Fact]
    public void Restarts_back_off_from_the_minimum_doubling_to_the_maximum()
    {
        var delays = Enumerable.Range(0, 7).Select(n => WorkerSupervisor.RestartDelay(n, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30)).TotalSeconds);
        Assert.Equal([1, 2, 4, 8, 16, 30, 30], delays);
    }

    [Theory]
    [InlineData("Connection", true)]
    [InlineData("Transfer-Encoding", true)]
    [InlineData("Keep-Alive", true)]
    [InlineData("Upgrade", true)]
    [InlineData("Content-Type", false)]
    [InlineData("Set-Cookie", false)]
    [InlineData("x-named-in-connection", true)]
    public void Hop_by_hop_headers_are_recognized(string name, bool hopByHop) =>
        Assert.Equal(hopByHop, HttpProxy.IsHopByHop(name, ["x-named-in-connection"]));

    [Fact]
    public void Load_requests_carry_bindings_built_from_the_raw_bindings_with_settings_resolved()
    {
        var metadata = new RpcFunctionMetadata { Name = "Submit", FunctionId = "f1", ScriptFile = "App.dll", EntryPoint = "App.F.Submit", Language = "dotnet-isolated" };
        metadata.RawBindings.Add("""{"name":"req","direction":"In","type":"httpTrigger","methods":["post"],"route":"submit"}""");
        metadata.RawBindings.Add("""{"name":"Message","direction":"Out","type":"queue","dataType":"String","queueName":"%Q%"}""");
        metadata.RawBindings.Add("""{"name":"Result","type":"http","direction":"Out"}""");
        var function = FunctionDescriptor.Create(metadata, Settings(new() { ["Q"] = "submissions" }));

        var load = function.ToLoadRequest();
        Assert.Equal("f1", load.FunctionId);
        Assert.Equal("App.F.Submit", load.Metadata.EntryPoint);
        Assert.Equal(BindingInfo.Types.Direction.In, load.Metadata.Bindings["req"].Direction);
        Assert.Equal("httpTrigger", load.Metadata.Bindings["req"].Type);
        Assert.Equal(BindingInfo.Types.Direction.Out, load.Metadata.Bindings["Message"].Direction);
        Assert.Equal(BindingInfo.Types.DataType.String, load.Metadata.Bindings["Message"].DataType);
        Assert.Equal("submissions", function.Outputs.Single().Property("queueName"));
        Assert.Equal(["POST"], function.Methods);
    }
}
