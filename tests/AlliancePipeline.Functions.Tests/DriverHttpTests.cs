using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using AlliancePipeline.Functions.Services;
using AlliancePipeline.Functions.Tests.Infrastructure;

namespace AlliancePipeline.Functions.Tests;

/// <summary>The driver's HTTP side with the real handler: both ways the host passes HTTP requests, and its admin endpoints.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class DriverHttpTests(AzuriteFixture azurite)
{
    private static StringContent Json(int value) =>
        new($"{{\"items\":[{string.Join(',', Enumerable.Repeat(value, 12))}]}}", Encoding.UTF8, "application/json");

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_questionnaire_route_works_through_the_driver_with_and_without_request_forwarding(bool forward)
    {
        await using var app = await TestApp.StartAsync(azurite, driver: true, s => s["AzureFunctionsJobHost:customHandler:enableForwardingHttpRequest"] = forward ? "true" : "false");
        var study = AzuriteFixture.UniqueName(forward ? "fwd" : "nofwd");
        var links = await app.SeedAsync(study, 1, 1);

        using var get = await app.Driver.GetAsync($"/api/q/{links[0].Token}?lang=en");
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal("text/html; charset=utf-8", get.Content.Headers.ContentType!.ToString());

        using var bad = await app.Driver.GetAsync("/api/q/not-a-token");
        Assert.Equal(HttpStatusCode.NotFound, bad.StatusCode);
        Assert.Equal("text/html", bad.Content.Headers.ContentType!.MediaType);
        using var badForTools = new HttpRequestMessage(HttpMethod.Get, "/api/q/not-a-token") { Headers = { { "Accept", "application/json" } } };
        using var badJson = await app.Driver.SendAsync(badForTools);
        Assert.Equal(HttpStatusCode.NotFound, badJson.StatusCode);
        Assert.Equal("application/problem+json", badJson.Content.Headers.ContentType!.MediaType);

        using var post = await app.Driver.PostAsync($"/api/q/{links[0].Token}", Json(4));
        Assert.Equal(HttpStatusCode.Accepted, post.StatusCode);

        // The driver's queue listener scores it.
        var responses = azurite.Tables.GetTableClient(StorageNames.ResponsesTable);
        await Eventually.TrueAsync(async () => (await responses.GetEntityIfExistsAsync(study, links[0].Assessment.Id)).HasValue, TimeSpan.FromSeconds(10), "the stored response");

        using var put = await app.Driver.PutAsync($"/api/q/{links[0].Token}", Json(4));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, put.StatusCode);
    }

    [Fact]
    public async Task Admin_runs_a_function_now_and_names_an_unknown_one()
    {
        await using var app = await TestApp.StartAsync(azurite, driver: true);
        using var status = await app.Driver.GetAsync("/admin/host/status");
        var functions = JsonNode.Parse(await status.Content.ReadAsStringAsync())!["functions"]!.AsArray().Select(f => f!.GetValue<string>());
        Assert.Equal(["Questionnaire", "Recluster", "ScoreResponse"], functions.Order(StringComparer.Ordinal));

        using var unknown = await app.Driver.PostAsync("/admin/functions/Nope", new StringContent("{}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);

        // A queue function run by the admin endpoint gets the input as its message: a malformed one is poisoned.
        var text = $"not json {Guid.NewGuid():N}";
        using var run = await app.Driver.PostAsync("/admin/functions/ScoreResponse", new StringContent(new JsonObject { ["input"] = text }.ToJsonString(), Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Accepted, run.StatusCode);
        Assert.NotNull(await QueueScan.TakeAsync(azurite.Queues.GetQueueClient("responses-poison"), t => t == text, TimeSpan.FromSeconds(10)));

        using var timer = await app.Driver.PostAsync("/admin/functions/Recluster", new StringContent("{}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Accepted, timer.StatusCode);
    }
}
