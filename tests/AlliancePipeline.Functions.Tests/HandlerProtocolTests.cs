using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using AlliancePipeline.Functions.Services;
using AlliancePipeline.Functions.Tests.Infrastructure;

namespace AlliancePipeline.Functions.Tests;

/// <summary>
/// The handler's side of the host protocol, one trigger kind at a time: the payload the host posts to
/// <c>/{FunctionName}</c> in, the answer out; the app's storage is Azurite.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class HandlerProtocolTests(AzuriteFixture azurite)
{
    private static JsonObject Invocation(JsonObject data, JsonObject? metadata = null) =>
        new() { ["Data"] = data, ["Metadata"] = metadata ?? new JsonObject { ["sys"] = new JsonObject { ["MethodName"] = "x", ["UtcNow"] = DateTime.UtcNow.ToString("O"), ["RandGuid"] = Guid.NewGuid().ToString() } } };

    private static JsonObject HttpRequest(string method, string token, string? body, string contentType = "application/x-www-form-urlencoded") => new()
    {
        ["req"] = new JsonObject
        {
            ["Url"] = $"http://localhost:7071/api/q/{token}",
            ["Method"] = method,
            ["Query"] = new JsonObject(),
            ["Headers"] = new JsonObject { ["Content-Type"] = new JsonArray(contentType) },
            ["Params"] = new JsonObject { ["token"] = token },
            ["Identities"] = new JsonArray(),
            ["Body"] = body,
        },
    };

    private static string Form(params int[] items) => string.Join('&', items.Select((v, i) => $"item-{i + 1}={v}"));

    private static string Json(params int[] items) => $"{{\"items\":[{string.Join(',', items)}]}}";

    private static async Task<(HttpStatusCode Status, JsonObject Body)> PostAsync(TestApp app, string function, JsonObject payload)
    {
        using var response = await app.Handler.PostAsJsonAsync("/" + function, payload);
        return (response.StatusCode, (JsonObject)JsonNode.Parse(await response.Content.ReadAsStringAsync())!);
    }

    [Fact]
    public async Task Readiness_is_GET_slash_and_an_unknown_function_or_a_broken_payload_is_not_2xx()
    {
        await using var app = await TestApp.StartAsync(azurite, driver: false);
        Assert.Equal(HttpStatusCode.OK, (await app.Handler.GetAsync("/")).StatusCode);

        var (status, body) = await PostAsync(app, "NoSuchFunction", Invocation([]));
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Contains("NoSuchFunction", body["Logs"]![0]!.GetValue<string>(), StringComparison.Ordinal);

        using var broken = await app.Handler.PostAsync("/ScoreResponse", new StringContent("not json", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, broken.StatusCode);

        var (missing, missingBody) = await PostAsync(app, "Questionnaire", Invocation([]));
        Assert.Equal(HttpStatusCode.BadRequest, missing);
        Assert.Contains("Data.req", Logs(missingBody), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Http_trigger_GET_answers_the_form_in_Outputs_res_and_a_form_POST_enqueues_and_redirects_to_the_thank_you_page()
    {
        await using var app = await TestApp.StartAsync(azurite, driver: false);
        var study = AzuriteFixture.UniqueName("http");
        var links = await app.SeedAsync(study);

        var (status, body) = await PostAsync(app, "Questionnaire", Invocation(HttpRequest("GET", links[0].Token, null)));
        Assert.Equal(HttpStatusCode.OK, status);
        var res = body["Outputs"]!["res"]!;
        Assert.Equal(200, res["statusCode"]!.GetValue<int>());
        Assert.StartsWith("text/html", res["headers"]!["Content-Type"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(12, CountOf(res["body"]!.GetValue<string>(), "<fieldset "));
        Assert.True(body.ContainsKey("Logs") && body.ContainsKey("ReturnValue"));

        int[] answers = [7, 6, 5, 4, 3, 2, 1, 2, 3, 4, 5, 6];
        (status, body) = await PostAsync(app, "Questionnaire", Invocation(HttpRequest("POST", links[0].Token, Form(answers))));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(303, body["Outputs"]!["res"]!["statusCode"]!.GetValue<int>());
        Assert.Equal("?done=1&lang=en", body["Outputs"]!["res"]!["headers"]!["Location"]!.GetValue<string>());

        var queued = await FindQueuedAsync(study);
        var message = SubmissionMessage.TryParse(queued, out var reason);
        Assert.Null(reason);
        Assert.Equal(answers, message!.Items);
        Assert.Equal(links[0].Assessment.Id, message.AssessmentId);
    }

    [Theory]
    [InlineData("{\"items\":[1]}", "items has 1 answers, expected 12.")]
    [InlineData("{\"items\":[1,2,3,4,5,6,7,8,1,1,1,1]}", "Item 8: answer 8 is not allowed; choose a value from 1 to 7.")]
    [InlineData("{\"items\":[\"x\",1,1,1,1,1,1,1,1,1,1,1]}", "items[0] is not an integer.")]
    [InlineData("not json", "The body is not JSON: ")]
    public async Task Http_trigger_bad_JSON_answers_give_400_problem_details_naming_the_item(string json, string detail)
    {
        await using var app = await TestApp.StartAsync(azurite, driver: false);
        var links = await app.SeedAsync(AzuriteFixture.UniqueName("bad"), 1, 1);
        var (status, body) = await PostAsync(app, "Questionnaire", Invocation(HttpRequest("POST", links[0].Token, json, "application/json")));
        Assert.Equal(HttpStatusCode.OK, status);
        var res = body["Outputs"]!["res"]!;
        Assert.Equal(400, res["statusCode"]!.GetValue<int>());
        Assert.Equal("application/problem+json", res["headers"]!["Content-Type"]!.GetValue<string>());
        Assert.StartsWith(detail, JsonNode.Parse(res["body"]!.GetValue<string>())!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Http_trigger_a_tampered_link_is_404()
    {
        await using var app = await TestApp.StartAsync(azurite, driver: false);
        var links = await app.SeedAsync(AzuriteFixture.UniqueName("tamper"), 1, 1);
        var token = links[0].Token;
        var tampered = token[..^2] + (token[^2] == 'A' ? "B" : "A") + token[^1];
        var (_, body) = await PostAsync(app, "Questionnaire", Invocation(HttpRequest("GET", tampered, null)));
        Assert.Equal(404, body["Outputs"]!["res"]!["statusCode"]!.GetValue<int>());
    }

    [Fact]
    public async Task Queue_trigger_stores_the_Responses_entity_with_the_designs_names_and_twice_leaves_one_entity_and_one_completion()
    {
        await using var app = await TestApp.StartAsync(azurite, driver: false);
        var study = AzuriteFixture.UniqueName("queue");
        var links = await app.SeedAsync(study, 1, 2);
        var assessment = links[1].Assessment;
        int[] items = [1, 2, 3, 4, 5, 6, 7, 1, 2, 3, 4, 5];
        var submittedAt = new DateTimeOffset(2026, 3, 4, 5, 6, 7, TimeSpan.Zero);
        var text = new SubmissionMessage { StudyId = study, AssessmentId = assessment.Id, LinkVersion = 1, Items = items, SubmittedAt = submittedAt }.ToJson();
        JsonObject Payload(long dequeueCount) => Invocation(new JsonObject { ["message"] = text }, new JsonObject
        {
            ["DequeueCount"] = dequeueCount,
            ["Id"] = Guid.NewGuid().ToString(),
            ["InsertionTime"] = DateTimeOffset.UtcNow.ToString("O"),
            ["ExpirationTime"] = DateTimeOffset.UtcNow.AddDays(7).ToString("O"),
            ["NextVisibleTime"] = DateTimeOffset.UtcNow.AddMinutes(10).ToString("O"),
            ["PopReceipt"] = "AgAAAAMAAAAAAAAA",
            ["sys"] = new JsonObject { ["MethodName"] = "ScoreResponse", ["UtcNow"] = DateTime.UtcNow.ToString("O"), ["RandGuid"] = Guid.NewGuid().ToString() },
        });

        var (status, body) = await PostAsync(app, "ScoreResponse", Payload(1));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("Stored response", Logs(body), StringComparison.Ordinal);
        (status, body) = await PostAsync(app, "ScoreResponse", Payload(2));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("already stored", Logs(body), StringComparison.Ordinal);

        var responses = azurite.Tables.GetTableClient(StorageNames.ResponsesTable);
        var all = new List<Storage.Tables.TableEntity>();
        await foreach (var e in responses.QueryAsync(Storage.Tables.TableFilter.Create($"PartitionKey eq {study}"))) all.Add(e);
        var entity = Assert.Single(all);
        Assert.Equal(assessment.Id, entity.RowKey);
        for (var i = 0; i < 12; i++) Assert.Equal(items[i], Assert.IsType<int>(entity[$"Item{i + 1:00}"]));
        // Hand-computed for WAI-S (items 4 and 10 reversed as 8 - answer: 4 -> 4, 3 -> 5): goal items 4,6,8,11 =
        // 4,6,1,4; task 1,2,10,12 = 1,2,5,5; bond 3,5,7,9 = 3,5,7,2; global = (43 - 3 + 5) / 12.
        Assert.Equal(15.0 / 4, Assert.IsType<double>(entity["Goal"]));
        Assert.Equal(13.0 / 4, Assert.IsType<double>(entity["Task"]));
        Assert.Equal(17.0 / 4, Assert.IsType<double>(entity["Bond"]));
        Assert.Equal(45.0 / 12, Assert.IsType<double>(entity["Global"]));
        Assert.Equal(2, Assert.IsType<int>(entity["Meeting"]));
        Assert.Equal("practitioner", entity["RaterRole"]);
        Assert.Equal("site-a", entity["SiteId"]);
        Assert.Equal(assessment.DyadId, entity["DyadId"]);
        Assert.Equal(submittedAt, entity.GetDateTimeOffset("SubmittedAt"));

        var stored = await azurite.Tables.GetTableClient(StorageNames.AssessmentsTable).GetEntityAsync(study, assessment.Id);
        Assert.Equal("Completed", stored.Value["Status"]);
        Assert.Equal(submittedAt, stored.Value.GetDateTimeOffset("CompletedAt"));
        var other = await azurite.Tables.GetTableClient(StorageNames.AssessmentsTable).GetEntityAsync(study, links[0].Assessment.Id);
        Assert.Equal("Pending", other.Value["Status"]);
    }

    [Fact]
    public async Task Queue_trigger_a_malformed_message_is_poisoned_at_once_with_its_reason_and_the_invocation_succeeds()
    {
        await using var app = await TestApp.StartAsync(azurite, driver: false);
        var marker = Guid.NewGuid().ToString("N");
        var id = Guid.NewGuid().ToString();
        var text = $"{{\"schema\":\"alliance.response.v1\",\"studyId\":\"s-{marker}\",\"items\":[1,2]}}";
        var (status, body) = await PostAsync(app, "ScoreResponse", Invocation(new JsonObject { ["message"] = text }, new JsonObject { ["Id"] = id, ["DequeueCount"] = 1 }));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("assessmentId is missing", Logs(body), StringComparison.Ordinal);

        Assert.True(await PoisonHoldsAsync(text), "the malformed message is in responses-poison verbatim");
        var audit = await azurite.Tables.GetTableClient(StorageNames.AuditTable).GetEntityAsync("poison-responses", id);
        Assert.Equal("assessmentId is missing or not a valid id", audit.Value["Reason"]);
    }

    [Fact]
    public async Task Queue_trigger_an_unknown_assessment_fails_with_500_and_its_reason_so_the_host_retries()
    {
        await using var app = await TestApp.StartAsync(azurite, driver: false);
        var study = AzuriteFixture.UniqueName("unknown");
        await app.SeedAsync(study, 1, 1);
        var text = new SubmissionMessage { StudyId = study, AssessmentId = "no-such", LinkVersion = 1, Items = [.. Enumerable.Repeat(4, 12)], SubmittedAt = DateTimeOffset.UtcNow }.ToJson();
        var (status, body) = await PostAsync(app, "ScoreResponse", Invocation(new JsonObject { ["message"] = text }, new JsonObject { ["Id"] = "m1", ["DequeueCount"] = 1 }));
        Assert.Equal(HttpStatusCode.InternalServerError, status);
        Assert.Contains($"Assessment '{study}/no-such' does not exist.", Logs(body), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Timer_trigger_writes_the_report_set_under_the_run_and_latest()
    {
        await using var app = await TestApp.StartAsync(azurite, driver: false);
        var study = AzuriteFixture.UniqueName("timer");
        var links = await app.SeedAsync(study, 2, 1);
        foreach (var (link, score) in links.Zip(new[] { 3, 5 }))
        {
            var text = new SubmissionMessage { StudyId = study, AssessmentId = link.Assessment.Id, LinkVersion = 1, Items = [.. Enumerable.Repeat(score, 12)], SubmittedAt = DateTimeOffset.UtcNow }.ToJson();
            Assert.Equal(HttpStatusCode.OK, (await PostAsync(app, "ScoreResponse", Invocation(new JsonObject { ["message"] = text }, new JsonObject { ["Id"] = Guid.NewGuid().ToString(), ["DequeueCount"] = 1 }))).Status);
        }
        var timer = new JsonObject
        {
            ["timer"] = new JsonObject
            {
                ["Schedule"] = new JsonObject { ["AdjustForDST"] = true },
                ["ScheduleStatus"] = new JsonObject { ["Last"] = "2026-01-01T02:00:00+00:00", ["Next"] = "2026-01-02T02:00:00+00:00", ["LastUpdated"] = "2026-01-01T02:00:00+00:00" },
                ["IsPastDue"] = true,
            },
        };
        var (status, body) = await PostAsync(app, "Recluster", Invocation((JsonObject)timer.DeepClone()));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("(past due)", Logs(body), StringComparison.Ordinal);

        var container = azurite.Blobs.GetBlobContainerClient(StorageNames.ReportsContainer);
        var names = new List<string>();
        await foreach (var blob in container.GetBlobsAsync(study + "/")) names.Add(blob.Name);
        var runId = names.Select(n => n.Split('/')[1]).First(r => r != "latest");
        string[] files = ["clusters.json", "codebook.csv", "report.html", "responses.csv"];
        Assert.Equal(files.Select(f => $"{study}/{runId}/{f}").Concat(files.Select(f => $"{study}/latest/{f}")).Order(StringComparer.Ordinal), names.Order(StringComparer.Ordinal));
        var csv = (await container.DownloadContentAsync($"{study}/latest/responses.csv")).Value.Content.ToString();
        Assert.Equal(3, csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Length);
        var clusters = JsonNode.Parse((await container.DownloadContentAsync($"{study}/latest/clusters.json")).Value.Content.ToString())!;
        Assert.Equal(2, clusters["responseCount"]!.GetValue<int>());
        Assert.Equal("insufficient-data", clusters["status"]!.GetValue<string>());
        // All 3s score (10 x 3 + 2 x 5) / 12, all 5s (10 x 5 + 2 x 3) / 12 (items 4 and 10 reversed).
        var globals = csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(l => double.Parse(l.Split(',')[21], System.Globalization.CultureInfo.InvariantCulture)).Order();
        Assert.Equal([40.0 / 12, 56.0 / 12], globals);

        // Nothing new: the next occurrence writes nothing.
        (_, body) = await PostAsync(app, "Recluster", Invocation((JsonObject)timer.DeepClone()));
        Assert.Contains("No study has new responses", Logs(body), StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_forwarding_the_handler_serves_the_http_route_itself()
    {
        await using var app = await TestApp.StartAsync(azurite, driver: false);
        var links = await app.SeedAsync(AzuriteFixture.UniqueName("fwd"), 1, 1);
        using var get = await app.Handler.GetAsync($"/api/q/{links[0].Token}");
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal("text/html; charset=utf-8", get.Content.Headers.ContentType!.ToString());
        using var post = await app.Handler.PostAsync($"/api/q/{links[0].Token}", new StringContent(Json([.. Enumerable.Repeat(5, 12)]), Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Accepted, post.StatusCode);
    }

    private async Task<string> FindQueuedAsync(string study) =>
        await QueueScan.TakeAsync(azurite.Queues.GetQueueClient(StorageNames.ResponsesQueue), t => t.Contains(study, StringComparison.Ordinal), TimeSpan.FromSeconds(10))
        ?? throw new TimeoutException("The submission was not queued.");

    private async Task<bool> PoisonHoldsAsync(string text) =>
        await QueueScan.TakeAsync(azurite.Queues.GetQueueClient(StorageNames.Poison(StorageNames.ResponsesQueue)), t => t == text, TimeSpan.FromSeconds(10)) is not null;

    private static string Logs(JsonObject body) => string.Join('\n', body["Logs"]!.AsArray().Select(l => l!.GetValue<string>()));

    private static int CountOf(string text, string what)
    {
        var n = 0;
        for (var i = text.IndexOf(what, StringComparison.Ordinal); i >= 0; i = text.IndexOf(what, i + 1, StringComparison.Ordinal)) n++;
        return n;
    }
}
