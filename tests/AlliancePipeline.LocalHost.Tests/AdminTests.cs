using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AlliancePipeline.Functions.Tests.Infrastructure;
using AlliancePipeline.LocalHost.Tests.Infrastructure;

namespace AlliancePipeline.LocalHost.Tests;

/// <summary>The host's admin API, and the library API the CLI demo and end-to-end tests use.</summary>
[Collection(SharedHostCollection.Name)]
public sealed class AdminTests(LocalHostFixture fixture)
{
    [Fact]
    public async Task Host_status_shows_the_state_the_worker_the_functions_and_the_queue_listeners()
    {
        using var json = JsonDocument.Parse(await fixture.Http.GetStringAsync("admin/host/status"));
        var root = json.RootElement;
        Assert.Equal("Running", root.GetProperty("state").GetString());
        Assert.Equal(fixture.Host.HostId, root.GetProperty("id").GetString());
        Assert.Equal(fixture.Host.WorkerProcessId, root.GetProperty("worker").GetProperty("processId").GetInt32());
        Assert.Equal(0, root.GetProperty("worker").GetProperty("restarts").GetInt32());
        var work = root.GetProperty("functions").EnumerateArray().Single(f => f.GetProperty("name").GetString() == "Work");
        Assert.Equal("queueTrigger", work.GetProperty("triggerType").GetString());
        Assert.Equal("queue 'work'", work.GetProperty("trigger").GetString());
        var listener = root.GetProperty("queueListeners").EnumerateArray().Single(l => l.GetProperty("queue").GetString() == "work");
        Assert.Equal("work-poison", listener.GetProperty("poisonQueue").GetString());
        Assert.True(listener.GetProperty("polls").GetInt64() > 0);
        Assert.Contains(root.GetProperty("timers").EnumerateArray(), t => t.GetProperty("function").GetString() == "Hourly" && t.GetProperty("useMonitor").GetBoolean());
    }

    [Fact]
    public async Task The_root_is_a_page_naming_the_state_and_each_function_with_HTTP_ones_at_their_address()
    {
        using var page = await fixture.Http.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("<h1>The function app is running</h1>", html, StringComparison.Ordinal);
        Assert.Contains($"<td>Item</td><td>GET <code>{new Uri(fixture.Host.BaseAddress, "api/items/{category}/{id:int}")}</code></td>", html, StringComparison.Ordinal);
        Assert.Contains("<td>Work</td><td>queueTrigger</td>", html, StringComparison.Ordinal);
        Assert.Equal(13, System.Text.RegularExpressions.Regex.Count(html, "<tr>"));
    }

    [Fact]
    public async Task The_function_list_has_every_function_with_its_bindings_and_HTTP_address()
    {
        using var json = JsonDocument.Parse(await fixture.Http.GetStringAsync("admin/functions"));
        var functions = json.RootElement.EnumerateArray().ToDictionary(f => f.GetProperty("name").GetString()!);
        Assert.Equal(13, functions.Count);
        Assert.Equal(new Uri(fixture.Host.BaseAddress, "api/items/{category}/{id:int}").ToString(), functions["Item"].GetProperty("invoke_url_template").GetString());
        Assert.Equal(JsonValueKind.Null, functions["Work"].GetProperty("invoke_url_template").ValueKind);
        var submitBindings = functions["Submit"].GetProperty("config").GetProperty("bindings").EnumerateArray().ToList();
        Assert.Contains(submitBindings, b => b.GetProperty("type").GetString() == "queue" && b.GetProperty("queueName").GetString() == "submissions");

        using var one = await fixture.Http.GetAsync("admin/functions/Tick");
        Assert.Equal(HttpStatusCode.OK, one.StatusCode);
        using var none = await fixture.Http.GetAsync("admin/functions/Nope");
        Assert.Equal(HttpStatusCode.NotFound, none.StatusCode);
    }

    [Fact]
    public async Task Posting_to_a_function_runs_it_and_answers_202_at_once()
    {
        var key = AzuriteFixture.NewKey("admin");
        using var response = await fixture.Http.PostAsJsonAsync("admin/functions/Text", new { input = $"from admin:{key}" });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.True(await Wait.UntilAsync(async () => (await fixture.RecordsAsync(key, "Text")).Count == 1, TimeSpan.FromSeconds(10)), fixture.Log.Tail());
        var record = (await fixture.RecordsAsync(key, "Text"))[0];
        Assert.Equal($"from admin:{key}", record.GetString("Message"));
        Assert.Equal(0L, record.GetInt64("DequeueCount"));
    }

    [Fact]
    public async Task With_wait_the_answer_is_the_outcome_of_the_invocation()
    {
        using var ok = await fixture.Http.PostAsJsonAsync("admin/functions/Hourly?wait=true", new { input = "" });
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        using (var json = JsonDocument.Parse(await ok.Content.ReadAsStringAsync()))
        {
            Assert.True(json.RootElement.GetProperty("succeeded").GetBoolean());
            Assert.Equal("Hourly", json.RootElement.GetProperty("function").GetString());
            Assert.True(Guid.TryParse(json.RootElement.GetProperty("invocationId").GetString(), out _));
        }

        using var failed = await fixture.Http.PostAsJsonAsync("admin/functions/Text?wait=true", new { input = "fail on purpose:x" });
        Assert.Equal(HttpStatusCode.OK, failed.StatusCode);
        using (var json = JsonDocument.Parse(await failed.Content.ReadAsStringAsync()))
        {
            Assert.False(json.RootElement.GetProperty("succeeded").GetBoolean());
            Assert.Equal("System.InvalidOperationException", json.RootElement.GetProperty("exceptionType").GetString());
            Assert.Equal("Text asked to fail", json.RootElement.GetProperty("exceptionMessage").GetString());
        }
    }

    [Fact]
    public async Task Unknown_functions_are_404_and_HTTP_functions_400()
    {
        using var unknown = await fixture.Http.PostAsJsonAsync("admin/functions/Nope", new { input = "" });
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        using var http = await fixture.Http.PostAsJsonAsync("admin/functions/Echo", new { input = "" });
        Assert.Equal(HttpStatusCode.BadRequest, http.StatusCode);
        Assert.Equal("application/problem+json", http.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task The_library_API_lists_the_functions_and_invokes_them()
    {
        Assert.Equal(LocalHostState.Running, fixture.Host.State);
        Assert.NotNull(fixture.Host.WorkerProcessId);
        Assert.Equal("api", fixture.Host.RoutePrefix);
        var tick = Assert.Single(fixture.Host.Functions, f => f.Name == "Tick");
        Assert.Equal("timerTrigger", tick.TriggerType);
        Assert.Equal("schedule '*/2 * * * * *', runOnStartup", tick.Trigger);

        var key = AzuriteFixture.NewKey("lib");
        var outcome = await fixture.Host.InvokeAsync("Work", JsonSerializer.Serialize(new { key, mode = "always" }));
        Assert.False(outcome.Succeeded);
        Assert.Equal("Always failing", outcome.ExceptionMessage);
        Assert.Equal("Work", outcome.FunctionName);

        await Assert.ThrowsAsync<ArgumentException>(() => fixture.Host.InvokeAsync("Echo"));
        await Assert.ThrowsAsync<ArgumentException>(() => fixture.Host.InvokeAsync("Nope"));
    }
}
