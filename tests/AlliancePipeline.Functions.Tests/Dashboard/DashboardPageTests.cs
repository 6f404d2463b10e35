using System.Net;
using System.Text.Json.Nodes;
using AlliancePipeline.Contracts.Storage;
using AlliancePipeline.Functions.Tests.Infrastructure;
using AngleSharp.Html.Parser;

namespace AlliancePipeline.Functions.Tests.Dashboard;

/// <summary>
/// The dashboard page as a study coordinator gets it: headings, tables with captions and scoped header cells, no script,
/// the page headers; closing an alert from the page's form (303 back, the alert gone); and the new
/// functions in the generated metadata, none on a route the Functions host reserves.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class DashboardPageTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task The_page_has_headings_captioned_tables_with_scoped_headers_no_script_and_the_page_headers()
    {
        await using var app = await TestApp.StartAsync(azurite);
        var study = AzuriteFixture.UniqueName("page");
        var keys = await DashboardSeed.SeedAsync(azurite.Tables, study, AzuriteFixture.UniqueName("page-other"));
        using var response = await app.Client.SendAsync(DashboardSeed.Get($"/api/studies/{study}/dashboard", keys.Study, "text/html"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html; charset=utf-8", response.Content.Headers.ContentType!.ToString());
        Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
        Assert.Contains("default-src 'none'", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.Equal("no-store", response.Headers.CacheControl!.ToString());

        var html = await response.Content.ReadAsStringAsync();
        var doc = new HtmlParser().ParseDocument(html);
        Assert.Equal("en", doc.DocumentElement.GetAttribute("lang"));
        Assert.Empty(doc.QuerySelectorAll("script"));
        Assert.Empty(doc.QuerySelectorAll("[src], link[href]"));
        Assert.Equal("Completion: Alliance at work", doc.QuerySelector("h1")!.TextContent);
        Assert.Equal(["Summary", "Completion by site, meeting, arm and rater", "Overdue (2)", "Weekly trend", "Open alerts (2)"],
            doc.QuerySelectorAll("h2").Select(h => h.TextContent));
        var tables = doc.QuerySelectorAll("table");
        Assert.Equal(["By site", "By meeting", "By arm", "By rater (pseudonymous id)", "Overdue forms, most overdue first",
            "Answers per ISO week, and completion up to the end of each week (the current week: up to now)", "Open rupture alerts, newest first"],
            tables.Select(t => t.QuerySelector("caption")!.TextContent));
        Assert.All(tables, t =>
        {
            Assert.All(t.QuerySelectorAll("thead th"), th => Assert.Equal("col", th.GetAttribute("scope")));
            Assert.All(t.QuerySelectorAll("tbody th"), th => Assert.Equal("row", th.GetAttribute("scope")));
            var region = t.ParentElement!;
            Assert.Equal("region", region.GetAttribute("role"));
            Assert.Equal(t.QuerySelector("caption")!.Id, region.GetAttribute("aria-labelledby"));
        });
        // By site: 1 of 2 due answered at the north (2 days after the meeting), 2 of 3 at the south (5 and 6 days: median 5.5).
        var sites = doc.QuerySelectorAll("#t-site tbody tr").Select(tr => string.Join("|", tr.Children.Select(c => c.TextContent.Trim()))).ToList();
        Assert.Equal(["Northern Clinic|50%|1|2|1|1|2", "Southern Clinic|67%|2|3|1|0|5.5"], sites);
        Assert.Equal("dashboard?site=site-north", doc.QuerySelector("#t-site tbody a")!.GetAttribute("href"));
        Assert.Equal(2, doc.QuerySelectorAll("#t-alerts form[method=post]").Length);
    }

    [Fact]
    public async Task Closing_an_alert_from_the_page_answers_303_back_to_the_page_and_the_alert_is_gone()
    {
        await using var app = await TestApp.StartAsync(azurite);
        var study = AzuriteFixture.UniqueName("close");
        var keys = await DashboardSeed.SeedAsync(azurite.Tables, study, AzuriteFixture.UniqueName("close-other"));
        using var browser = DashboardSeed.Browser(app);
        // As a browser holds the page: opened by the key cookie, its Close form posted from the app's own page.
        using var page = await browser.SendAsync(DashboardSeed.FromBrowser(HttpMethod.Get, $"/api/studies/{study}/dashboard", keys.North));
        var doc = new HtmlParser().ParseDocument(await page.Content.ReadAsStringAsync());
        var action = doc.QuerySelector("#t-alerts form")!.GetAttribute("action")!;
        Assert.Equal("alerts/d-north-1-m1-practitioner/close", action);

        using var post = await browser.SendAsync(DashboardSeed.FromBrowser(HttpMethod.Post, new Uri(new Uri(app.Client.BaseAddress!, $"/api/studies/{study}/dashboard"), action).PathAndQuery,
            keys.North, ("Sec-Fetch-Site", "same-origin")));
        Assert.Equal(HttpStatusCode.SeeOther, post.StatusCode);
        var back = new Uri(post.RequestMessage!.RequestUri!, post.Headers.Location!);
        Assert.Equal($"/api/studies/{study}/dashboard", back.AbsolutePath);
        Assert.Equal("?closed=d-north-1-m1-practitioner", back.Query);

        using var after = await browser.SendAsync(DashboardSeed.FromBrowser(HttpMethod.Get, back.PathAndQuery, keys.North));
        var html = await after.Content.ReadAsStringAsync();
        Assert.Contains("Alert d-north-1-m1-practitioner closed.", html, StringComparison.Ordinal);
        Assert.Contains("No open alerts.", html, StringComparison.Ordinal);
        var alert = (await azurite.Tables.GetTableClient(StorageNames.AlertsTable).GetEntityAsync<AlertEntity>(study, "d-north-1-m1-practitioner")).Value;
        Assert.Equal(("closed", "key:" + keys.North.Substring(3, 16)), (alert.Status, alert.ClosedBy));
    }

    [Fact]
    public async Task When_storage_does_not_answer_keyed_requests_get_503_with_Retry_After_not_500_nor_401()
    {
        var deadPort = Emulators.EmulatorProcess.FreePorts(1)[0];
        var h = azurite.Handle;
        var connection = $"DefaultEndpointsProtocol=http;AccountName={Emulators.Azurite.AccountName};AccountKey={Emulators.Azurite.AccountKey};" +
            $"BlobEndpoint={h.BlobEndpoint};QueueEndpoint={h.QueueEndpoint};TableEndpoint=http://127.0.0.1:{deadPort}/{Emulators.Azurite.AccountName}";
        await using var app = await TestApp.StartAsync(azurite, s =>
        {
            s["AzureWebJobsStorage"] = connection;
            s["AlliancePipeline:Storage:CreateResources"] = "false";
        });
        var key = Core.Access.AccessKeyFormat.Compose(Core.Access.AccessKeyFormat.NewKeyId(), Core.Access.AccessKeyFormat.NewSecret());
        using var json = await app.Client.SendAsync(DashboardSeed.Get("/api/studies/any-study/completion", key));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, json.StatusCode);
        Assert.Equal("30", json.Headers.RetryAfter!.ToString());
        Assert.Equal("application/problem+json", json.Content.Headers.ContentType!.MediaType);
        using var page = await app.Client.SendAsync(DashboardSeed.Get("/api/studies/any-study/dashboard", key, "text/html"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, page.StatusCode);
        Assert.Contains("Temporarily unavailable", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain(app.Logs.GetSnapshot(), r => r.Text().Contains(key[20..], StringComparison.Ordinal) || r.Text().Contains("AccountKey", StringComparison.Ordinal));
    }

    [Fact]
    public void The_generated_metadata_has_the_key_and_dashboard_functions_and_no_route_the_host_reserves()
    {
        var functions = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "functions.metadata")))!.AsArray()
            .ToDictionary(f => f!["name"]!.GetValue<string>(), f => f!["bindings"]!.AsArray().FirstOrDefault(b => b!["type"]!.GetValue<string>() == "httpTrigger"));
        var expected = new Dictionary<string, (string Route, string Method)>
        {
            ["IssueKey"] = ("keys", "post"),
            ["ListKeys"] = ("keys", "get"),
            ["RevokeKey"] = ("keys/{keyId}", "delete"),
            ["Dashboard"] = ("studies/{studyId}/dashboard", "get"),
            ["Completion"] = ("studies/{studyId}/completion", "get"),
            ["CloseAlert"] = ("studies/{studyId}/alerts/{assessmentId}/close", "post"),
        };
        foreach (var (name, (route, method)) in expected)
        {
            var http = functions[name]!;
            Assert.Equal(route, http["route"]!.GetValue<string>());
            Assert.Equal([method], http["methods"]!.AsArray().Select(m => m!.GetValue<string>()));
        }
        foreach (var (name, http) in functions)
        {
            // The Functions host refuses functions named or routed admin… or runtime… (its own APIs), whatever the prefix.
            Assert.False(name.StartsWith("admin", StringComparison.OrdinalIgnoreCase), name);
            var route = http?["route"]?.GetValue<string>() ?? "";
            Assert.False(route.StartsWith("admin", StringComparison.OrdinalIgnoreCase) || route.StartsWith("runtime", StringComparison.OrdinalIgnoreCase), route);
        }
    }
}
