using System.Net;
using System.Text.Json.Nodes;
using AlliancePipeline.Contracts.Storage;
using AlliancePipeline.Functions.Tests.Infrastructure;

namespace AlliancePipeline.Functions.Tests.Dashboard;

/// <summary>
/// Site scoping tried as an attacker would, holding the north site's key (or another key that must not reach the south
/// site): another site's id in the query, another study in the route, case changes, URL-encoded ids, dot segments and
/// encoded slashes, a key in both header and query, revoked and expired keys, a study key of another study. Whatever the
/// answer, no byte of it names anything of the south site.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class SiteScopingTests(AzuriteFixture azurite)
{
    private sealed record Seeded(TestApp App, string Study, string Other, SeededKeys Keys) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => App.DisposeAsync();
    }

    private async Task<Seeded> SeedAsync()
    {
        var app = await TestApp.StartAsync(azurite);
        var study = AzuriteFixture.UniqueName("scope");
        var other = AzuriteFixture.UniqueName("other");
        var keys = await DashboardSeed.SeedAsync(azurite.Tables, study, other);
        return new Seeded(app, study, other, keys);
    }

    private static async Task<(HttpStatusCode Status, string Body)> SendAsync(TestApp app, HttpRequestMessage request)
    {
        using var response = await app.Client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("south", body, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("   at ", body, StringComparison.Ordinal); // no stack trace
        return (response.StatusCode, body);
    }

    [Fact]
    public async Task The_north_key_sees_its_own_site_only_in_JSON_and_HTML()
    {
        await using var s = await SeedAsync();
        var (status, body) = await SendAsync(s.App, DashboardSeed.Get($"/api/studies/{s.Study}/completion", s.Keys.North));
        Assert.Equal(HttpStatusCode.OK, status);
        var json = JsonNode.Parse(body)!;
        Assert.Equal("site-north", json["site"]!.GetValue<string>());
        Assert.Equal(["site-north"], json["bySite"]!.AsArray().Select(x => x!["siteId"]!.GetValue<string>()));
        Assert.Equal(3, json["totals"]!["assessments"]!.GetValue<int>());
        Assert.Equal(2, json["totals"]!["due"]!.GetValue<int>());
        Assert.Equal(["d-north-1-m2-practitioner"], json["overdue"]!.AsArray().Select(x => x!["assessmentId"]!.GetValue<string>()));
        Assert.Equal(["d-north-1-m1-practitioner"], json["openAlerts"]!.AsArray().Select(x => x!["assessmentId"]!.GetValue<string>()));

        (status, body) = await SendAsync(s.App, DashboardSeed.Get($"/api/studies/{s.Study}/dashboard", s.Keys.North, "text/html"));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("Northern Clinic", body, StringComparison.Ordinal);
        Assert.Contains("d-north-1", body, StringComparison.Ordinal);

        // Asking for its own site explicitly is fine too.
        (status, _) = await SendAsync(s.App, DashboardSeed.Get($"/api/studies/{s.Study}/completion?site=site-north", s.Keys.North));
        Assert.Equal(HttpStatusCode.OK, status);
    }

    [Theory]
    [InlineData("/api/studies/{study}/completion?site=site-south", HttpStatusCode.Forbidden)]
    [InlineData("/api/studies/{study}/dashboard?site=site-south", HttpStatusCode.Forbidden)]
    [InlineData("/api/studies/{study}/completion?site=SITE-SOUTH", HttpStatusCode.Forbidden)]
    [InlineData("/api/studies/{study}/completion?site=SITE-NORTH", HttpStatusCode.Forbidden)]
    [InlineData("/api/studies/{study}/completion?site=site%2Dsouth", HttpStatusCode.Forbidden)]
    [InlineData("/api/studies/{study}/completion?site=site-north%00", HttpStatusCode.Forbidden)]
    [InlineData("/api/studies/{study}/completion?site=site-north%20", HttpStatusCode.Forbidden)]
    [InlineData("/api/studies/{study}/completion?site=site-north&site=site-south", HttpStatusCode.BadRequest)]
    [InlineData("/api/studies/{study}/completion?SITE=site-south", HttpStatusCode.Forbidden)]
    [InlineData("/api/studies/{STUDY}/completion", HttpStatusCode.Forbidden)]
    [InlineData("/api/studies/{other}/completion", HttpStatusCode.Forbidden)]
    [InlineData("/api/studies/no-such-study/completion", HttpStatusCode.Forbidden)]
    [InlineData("/api/studies/{study}%2F..%2F{other}/completion", HttpStatusCode.Forbidden)]
    [InlineData("/api/studies/{study}/%2e%2e/{other}/completion", HttpStatusCode.Forbidden)]
    [InlineData("/api/studies/{study}%20/completion", HttpStatusCode.Forbidden)]
    [InlineData("/api/studies/%7Bstudy%7D/completion", HttpStatusCode.Forbidden)]
    public async Task A_site_key_bending_the_route_or_query_gets_no_row_of_another_site(string template, HttpStatusCode expected)
    {
        await using var s = await SeedAsync();
        var url = template.Replace("{study}", s.Study, StringComparison.Ordinal).Replace("{STUDY}", s.Study.ToUpperInvariant(), StringComparison.Ordinal)
            .Replace("{other}", s.Other, StringComparison.Ordinal);
        var (status, body) = await SendAsync(s.App, DashboardSeed.Get(url, s.Keys.North));
        Assert.Equal(expected, status);
        Assert.DoesNotContain("d-north", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_study_that_does_not_exist_and_another_study_that_does_are_refused_alike()
    {
        await using var s = await SeedAsync();
        var existing = await SendAsync(s.App, DashboardSeed.Get($"/api/studies/{s.Other}/completion", s.Keys.North));
        var missing = await SendAsync(s.App, DashboardSeed.Get("/api/studies/no-such-study/completion", s.Keys.North));
        Assert.Equal(HttpStatusCode.Forbidden, existing.Status);
        Assert.Equal(existing, missing);
        // An admin is told the truth.
        var admin = await SendAsync(s.App, DashboardSeed.Get("/api/studies/no-such-study/completion", s.Keys.Admin));
        Assert.Equal(HttpStatusCode.NotFound, admin.Status);
        var adminSite = await SendAsync(s.App, DashboardSeed.Get($"/api/studies/{s.Study}/completion?site=site-nowhere", s.Keys.Admin));
        Assert.Equal(HttpStatusCode.NotFound, adminSite.Status);
    }

    [Fact]
    public async Task A_key_in_both_header_and_query_is_refused_whichever_is_stronger()
    {
        await using var s = await SeedAsync();
        var request = DashboardSeed.Get($"/api/studies/{s.Study}/completion?key={Uri.EscapeDataString(s.Keys.Admin)}", s.Keys.North);
        var (status, body) = await SendAsync(s.App, request);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("not both", body, StringComparison.Ordinal);

        var twice = DashboardSeed.Get($"/api/studies/{s.Study}/completion?key={Uri.EscapeDataString(s.Keys.North)}&key={Uri.EscapeDataString(s.Keys.Admin)}", null);
        Assert.Equal(HttpStatusCode.BadRequest, (await SendAsync(s.App, twice)).Status);
    }

    [Fact]
    public async Task The_key_in_the_query_alone_is_moved_into_the_cookie_and_the_page_it_opens_carries_no_key_in_its_links()
    {
        await using var s = await SeedAsync();
        using var browser = DashboardSeed.Browser(s.App);
        using var opened = await browser.SendAsync(DashboardSeed.FromBrowser(HttpMethod.Get, $"/api/studies/{s.Study}/dashboard?key={Uri.EscapeDataString(s.Keys.North)}", null));
        Assert.Equal(HttpStatusCode.SeeOther, opened.StatusCode);
        Assert.Equal("./dashboard", opened.Headers.Location!.OriginalString);
        using var page = await browser.SendAsync(DashboardSeed.FromBrowser(HttpMethod.Get, $"/api/studies/{s.Study}/dashboard", s.Keys.North));
        var body = await page.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.DoesNotContain("south", body, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("completion?site=site-north\"", body, StringComparison.Ordinal);
        Assert.DoesNotContain("key=", body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("NorthRevoked", "revoked")]
    [InlineData("NorthExpired", "expired")]
    public async Task Revoked_and_expired_keys_get_401_and_nothing_else(string which, string word)
    {
        await using var s = await SeedAsync();
        var key = (string)typeof(SeededKeys).GetProperty(which)!.GetValue(s.Keys)!;
        foreach (var page in new[] { "completion", "dashboard" })
        {
            using var response = await s.App.Client.SendAsync(DashboardSeed.Get($"/api/studies/{s.Study}/{page}", key, page == "dashboard" ? "text/html" : "application/json"));
            var body = await response.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Contains(word, body, StringComparison.Ordinal);
            Assert.DoesNotContain("d-north", body, StringComparison.Ordinal);
            Assert.StartsWith("Bearer", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_study_key_of_another_study_and_a_key_with_one_character_changed_reach_nothing()
    {
        await using var s = await SeedAsync();
        var (status, body) = await SendAsync(s.App, DashboardSeed.Get($"/api/studies/{s.Study}/completion", s.Keys.OtherStudy));
        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.DoesNotContain("d-north", body, StringComparison.Ordinal);

        var bent = s.Keys.Study[..^2] + (s.Keys.Study[^2] == 'A' ? 'B' : 'A') + s.Keys.Study[^1];
        (status, body) = await SendAsync(s.App, DashboardSeed.Get($"/api/studies/{s.Study}/completion", bent));
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.DoesNotContain("d-north", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_researcher_reads_the_completion_JSON_but_not_the_dashboard_and_closes_nothing()
    {
        await using var s = await SeedAsync();
        using var json = await s.App.Client.SendAsync(DashboardSeed.Get($"/api/studies/{s.Study}/completion", s.Keys.Researcher));
        Assert.Equal(HttpStatusCode.OK, json.StatusCode);
        Assert.Equal(6, JsonNode.Parse(await json.Content.ReadAsStringAsync())!["totals"]!["assessments"]!.GetValue<int>());
        using var page = await s.App.Client.SendAsync(DashboardSeed.Get($"/api/studies/{s.Study}/dashboard", s.Keys.Researcher, "text/html"));
        Assert.Equal(HttpStatusCode.Forbidden, page.StatusCode);
        var close = new HttpRequestMessage(HttpMethod.Post, $"/api/studies/{s.Study}/alerts/d-north-1-m1-practitioner/close");
        close.Headers.Authorization = new("Bearer", s.Keys.Researcher);
        close.Headers.Accept.ParseAdd("application/json");
        using var closed = await s.App.Client.SendAsync(close);
        Assert.Equal(HttpStatusCode.Forbidden, closed.StatusCode);
    }

    [Fact]
    public async Task A_site_key_cannot_close_another_sites_alert_and_is_not_told_it_exists()
    {
        await using var s = await SeedAsync();
        async Task<(HttpStatusCode, string)> CloseAsync(string id, string key)
        {
            var close = new HttpRequestMessage(HttpMethod.Post, $"/api/studies/{s.Study}/alerts/{id}/close");
            close.Headers.Authorization = new("Bearer", key);
            close.Headers.Accept.ParseAdd("application/json");
            using var response = await s.App.Client.SendAsync(close);
            return (response.StatusCode, await response.Content.ReadAsStringAsync());
        }
        var other = await CloseAsync("d-south-2-m1-practitioner", s.Keys.North);
        var none = await CloseAsync("d-nowhere-m1-practitioner", s.Keys.North);
        Assert.Equal(HttpStatusCode.NotFound, other.Item1);
        Assert.Equal(none, other);
        var alert = (await azurite.Tables.GetTableClient(StorageNames.AlertsTable).GetEntityAsync<AlertEntity>(s.Study, "d-south-2-m1-practitioner")).Value;
        Assert.Equal("open", alert.Status);

        // Its own alert it can close, once; the Audit row names its key id and never the secret.
        var own = await CloseAsync("d-north-1-m1-practitioner", s.Keys.North);
        Assert.Equal(HttpStatusCode.OK, own.Item1);
        Assert.Equal("closed", JsonNode.Parse(own.Item2)!["status"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, (await CloseAsync("d-north-1-m1-practitioner", s.Keys.North)).Item1);
        var audit = azurite.Tables.GetTableClient(StorageNames.AuditTable).Query<AuditEntity>(a => a.PartitionKey == s.Study && a.Action == "alert.closed").ToList();
        var row = Assert.Single(audit);
        Assert.Equal("key:" + s.Keys.North.Substring(3, 16), row.Actor);
        Assert.Equal("d-north-1-m1-practitioner", row.Subject);
        Assert.DoesNotContain(s.Keys.North[20..], row.Details + row.Actor, StringComparison.Ordinal);

        // The study coordinator can close the south one.
        Assert.Equal(HttpStatusCode.OK, (await CloseAsync("d-south-2-m1-practitioner", s.Keys.Study)).Item1);
    }

    [Fact]
    public async Task No_log_line_holds_a_key_or_its_secret()
    {
        await using var s = await SeedAsync();
        foreach (var key in new[] { s.Keys.North, s.Keys.NorthRevoked, s.Keys.NorthExpired, s.Keys.OtherStudy })
            await SendAsync(s.App, DashboardSeed.Get($"/api/studies/{s.Study}/completion?site=site-south", key));
        Assert.NotEmpty(s.App.Logs.GetSnapshot());
        foreach (var key in new[] { s.Keys.North, s.Keys.NorthRevoked, s.Keys.NorthExpired, s.Keys.OtherStudy })
            Assert.DoesNotContain(s.App.Logs.GetSnapshot(), r => r.Text().Contains(key[20..], StringComparison.Ordinal));
    }
}
