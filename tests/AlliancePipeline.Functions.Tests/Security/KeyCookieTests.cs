using System.Net;
using AlliancePipeline.Contracts.Storage;
using AlliancePipeline.Functions.Tests.Dashboard;
using AlliancePipeline.Functions.Tests.Infrastructure;

namespace AlliancePipeline.Functions.Tests.Security;

/// <summary>
/// Issue 17, finding 10 (keys in addresses): a page opened with <c>?key=</c> moves the key into an HttpOnly, Secure,
/// SameSite=Strict cookie and answers 303 to the same address without it; pages then open by the cookie. Only a valid
/// key is moved; a cookie whose key is refused is cleared; the cookie never authorizes a JSON route, nor a post that does
/// not prove it comes from the app's own pages; nothing logged holds the key.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class KeyCookieTests(AzuriteFixture azurite)
{
    private const string CookieName = DashboardSeed.KeyCookie;

    private sealed record Seeded(TestApp App, HttpClient Http, string Study, SeededKeys Keys) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            Http.Dispose();
            await App.DisposeAsync();
        }
    }

    private async Task<Seeded> SeedAsync()
    {
        var app = await TestApp.StartAsync(azurite);
        var study = AzuriteFixture.UniqueName("cookie");
        var keys = await DashboardSeed.SeedAsync(azurite.Tables, study, AzuriteFixture.UniqueName("cookie-other"));
        return new Seeded(app, DashboardSeed.Browser(app), study, keys);
    }

    private static HttpRequestMessage Request(HttpMethod method, string path, string? cookie = null, params (string Name, string Value)[] headers) =>
        DashboardSeed.FromBrowser(method, path, cookie, headers);

    /// <summary>The attributes of the response's cookie (names lower-cased; a flag's value is empty), with its value under "".</summary>
    private static Dictionary<string, string>? KeyCookie(HttpResponseMessage response)
    {
        if (!response.Headers.TryGetValues("Set-Cookie", out var values)) return null;
        var line = Assert.Single(values, v => v.StartsWith(CookieName + "=", StringComparison.Ordinal));
        var parts = line.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var cookie = new Dictionary<string, string>(StringComparer.Ordinal) { [""] = parts[0][(CookieName.Length + 1)..] };
        foreach (var part in parts.Skip(1))
        {
            var pair = part.Split('=', 2);
            cookie[pair[0].ToLowerInvariant()] = pair.Length == 2 ? pair[1] : "";
        }
        return cookie;
    }

    [Fact]
    public async Task A_page_opened_with_its_key_answers_303_to_the_address_without_it_and_sets_the_cookie_the_page_then_opens_by()
    {
        await using var s = await SeedAsync();
        await DashboardSeed.SeedReportAsync(s.App, s.Study);
        foreach (var (path, key, kept, shows) in new[]
        {
            ($"/api/studies/{s.Study}/dashboard?site=site-north&key={Uri.EscapeDataString(s.Keys.North)}#alerts", s.Keys.North, "?site=site-north", "Northern Clinic"),
            ($"/api/studies/{s.Study}/dashboard?KEY={Uri.EscapeDataString(s.Keys.Study)}&site=site-north&closed=x", s.Keys.Study, "?site=site-north&closed=x", "Northern Clinic"),
            ($"/api/studies/{s.Study}/reports/latest/report.html?key={Uri.EscapeDataString(s.Keys.Researcher)}", s.Keys.Researcher, "", "The study report"),
        })
        {
            using var opened = await s.Http.SendAsync(Request(HttpMethod.Get, path));
            Assert.Equal(HttpStatusCode.SeeOther, opened.StatusCode);
            var location = new Uri(opened.RequestMessage!.RequestUri!, opened.Headers.Location!);
            Assert.Equal(new Uri(s.Http.BaseAddress!, path).AbsolutePath, location.AbsolutePath);
            Assert.Equal(kept, location.Query);
            Assert.DoesNotContain(key, opened.Headers.Location!.OriginalString, StringComparison.Ordinal);
            Assert.DoesNotContain("key", location.Query, StringComparison.OrdinalIgnoreCase);

            var cookie = KeyCookie(opened) ?? throw new Xunit.Sdk.XunitException($"{path}: no {CookieName} cookie set");
            Assert.Equal(key, Uri.UnescapeDataString(cookie[""]));
            Assert.True(cookie.ContainsKey("httponly"), "HttpOnly");
            Assert.True(cookie.ContainsKey("secure"), "Secure");
            Assert.Equal("strict", cookie["samesite"], ignoreCase: true);
            Assert.Equal("/", cookie["path"]);
            Assert.False(cookie.ContainsKey("domain"), "no Domain (the __Host- prefix)");
            // No later than the key's expiry (the seeded keys expire in 30 days).
            var maxAge = long.Parse(cookie["max-age"], System.Globalization.CultureInfo.InvariantCulture);
            Assert.InRange(maxAge, 29L * 24 * 3600, 30L * 24 * 3600);

            using var page = await s.Http.SendAsync(Request(HttpMethod.Get, location.PathAndQuery, cookie[""]));
            var html = await page.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            Assert.Contains(shows, html, StringComparison.Ordinal);
            Assert.DoesNotContain(key, html, StringComparison.Ordinal);
            Assert.DoesNotContain(Uri.EscapeDataString(key), html, StringComparison.Ordinal);
            Assert.False(page.Headers.Contains("Set-Cookie"), "the cookie is set once, by the address with the key");
        }
    }

    [Fact]
    public async Task A_refused_key_in_the_address_gets_the_same_401_page_and_no_cookie()
    {
        await using var s = await SeedAsync();
        var wrong = s.Keys.North[..^1] + (s.Keys.North[^1] == 'A' ? 'B' : 'A');
        foreach (var key in new[] { wrong, s.Keys.NorthRevoked, s.Keys.NorthExpired, "not-a-key" })
        {
            using var response = await s.Http.SendAsync(Request(HttpMethod.Get, $"/api/studies/{s.Study}/dashboard?key={Uri.EscapeDataString(key)}"));
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("text/html", response.Content.Headers.ContentType!.MediaType);
            Assert.False(response.Headers.Contains("Set-Cookie"), key);
        }
    }

    [Fact]
    public async Task A_cookie_whose_key_is_refused_gets_the_401_page_and_is_cleared()
    {
        await using var s = await SeedAsync();
        foreach (var key in new[] { s.Keys.NorthRevoked, s.Keys.NorthExpired, "ak_garbage" })
        {
            using var response = await s.Http.SendAsync(Request(HttpMethod.Get, $"/api/studies/{s.Study}/dashboard", key));
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("text/html", response.Content.Headers.ContentType!.MediaType);
            var cleared = KeyCookie(response) ?? throw new Xunit.Sdk.XunitException($"{key}: the cookie is not cleared");
            Assert.Equal("", cleared[""]);
            Assert.Equal("0", cleared["max-age"]);
            Assert.Equal("/", cleared["path"]);
            Assert.True(cleared.ContainsKey("secure"), "a __Host- cookie is only cleared by a Secure Set-Cookie");
        }
        // A good key's cookie stays, even where its scope does not reach (403).
        using var forbidden = await s.Http.SendAsync(Request(HttpMethod.Get, $"/api/studies/{s.Study}/dashboard", s.Keys.Researcher));
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        Assert.False(forbidden.Headers.Contains("Set-Cookie"));
    }

    [Fact]
    public async Task The_cookie_alone_authorizes_no_post_and_no_JSON_route_and_a_post_from_the_apps_own_page_only()
    {
        await using var s = await SeedAsync();
        var close = $"/api/studies/{s.Study}/alerts/d-north-1-m1-practitioner/close";
        // A post with the cookie and nothing that proves it comes from the app's own page: refused, nothing closed.
        foreach (var proof in new (string, string)[][]
        {
            [],
            [("Sec-Fetch-Site", "cross-site")],
            [("Sec-Fetch-Site", "same-site")],
            [("Origin", "https://evil.example")],
            [("Origin", "null")],
            [("Sec-Fetch-Site", "same-site"), ("Origin", s.Http.BaseAddress!.GetLeftPart(UriPartial.Authority))],
        })
        {
            using var refused = await s.Http.SendAsync(Request(HttpMethod.Post, close, s.Keys.North, proof));
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }
        Assert.Equal("open", (await azurite.Tables.GetTableClient(StorageNames.AlertsTable).GetEntityAsync<AlertEntity>(s.Study, "d-north-1-m1-practitioner")).Value.Status);

        // JSON routes take a header (or ?key=), never the cookie, whatever the request says of itself.
        var sameOrigin = ("Sec-Fetch-Site", "same-origin");
        foreach (var (method, path) in new[]
        {
            (HttpMethod.Get, $"/api/studies/{s.Study}/completion"),
            (HttpMethod.Get, $"/api/studies/{s.Study}/export?format=csv"),
            (HttpMethod.Get, $"/api/studies/{s.Study}/reports/latest/responses.csv"),
            (HttpMethod.Put, $"/api/studies/{s.Study}/dyads/d-north-1/outcome"),
            (HttpMethod.Post, $"/api/manage/studies/{s.Study}/recluster"),
            (HttpMethod.Get, "/api/keys"),
        })
        {
            using var request = Request(method, path, s.Keys.Admin, sameOrigin);
            request.Headers.Accept.Clear();
            request.Headers.Accept.ParseAdd("application/json");
            if (method != HttpMethod.Get) request.Content = new StringContent("{\"employed\":true}", System.Text.Encoding.UTF8, "application/json");
            using var refused = await s.Http.SendAsync(request);
            Assert.True(refused.StatusCode == HttpStatusCode.Unauthorized, $"{method} {path}: {(int)refused.StatusCode}");
        }

        // The figures as JSON, which the dashboard links: a browser following the link opens them by the cookie.
        using (var followed = await s.Http.SendAsync(Request(HttpMethod.Get, $"/api/studies/{s.Study}/completion", s.Keys.North, ("Sec-Fetch-Dest", "document"), sameOrigin)))
        {
            Assert.Equal(HttpStatusCode.OK, followed.StatusCode);
            Assert.Equal("application/json", followed.Content.Headers.ContentType!.MediaType);
        }

        // The Close form of the dashboard, posted by the browser from the app's own page: closed, back to the page.
        using var closed = await s.Http.SendAsync(Request(HttpMethod.Post, close, s.Keys.North, sameOrigin));
        Assert.Equal(HttpStatusCode.SeeOther, closed.StatusCode);
        Assert.DoesNotContain("key", closed.Headers.Location!.OriginalString, StringComparison.OrdinalIgnoreCase);
        var alert = (await azurite.Tables.GetTableClient(StorageNames.AlertsTable).GetEntityAsync<AlertEntity>(s.Study, "d-north-1-m1-practitioner")).Value;
        Assert.Equal("closed", alert.Status);
        // A browser that sends no Sec-Fetch-Site proves it by an Origin equal to the app's own (closing again changes nothing).
        using var again = await s.Http.SendAsync(Request(HttpMethod.Post, close, s.Keys.North, ("Origin", s.Http.BaseAddress!.GetLeftPart(UriPartial.Authority))));
        Assert.Equal(HttpStatusCode.SeeOther, again.StatusCode);
    }

    [Fact]
    public async Task A_key_in_the_address_replaces_the_cookie_a_bearer_key_is_taken_over_it_and_both_explicit_ones_are_400()
    {
        await using var s = await SeedAsync();
        using (var switched = await s.Http.SendAsync(Request(HttpMethod.Get, $"/api/studies/{s.Study}/dashboard?key={Uri.EscapeDataString(s.Keys.Study)}", s.Keys.North)))
        {
            Assert.Equal(HttpStatusCode.SeeOther, switched.StatusCode);
            Assert.Equal(s.Keys.Study, Uri.UnescapeDataString(KeyCookie(switched)![""]));
        }
        using (var bearer = Request(HttpMethod.Get, $"/api/studies/{s.Study}/dashboard", s.Keys.Researcher))
        {
            bearer.Headers.Authorization = new("Bearer", s.Keys.North);
            using var page = await s.Http.SendAsync(bearer);
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            Assert.Contains("Northern Clinic", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        using var both = Request(HttpMethod.Get, $"/api/studies/{s.Study}/dashboard?key={Uri.EscapeDataString(s.Keys.North)}", s.Keys.North);
        both.Headers.Authorization = new("Bearer", s.Keys.North);
        using var refused = await s.Http.SendAsync(both);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.False(refused.Headers.Contains("Set-Cookie"));
    }

    [Fact]
    public async Task Nothing_logged_while_pages_are_opened_by_address_and_by_cookie_holds_the_key()
    {
        await using var s = await SeedAsync();
        var wrong = s.Keys.North[..^1] + (s.Keys.North[^1] == 'A' ? 'B' : 'A');
        foreach (var key in new[] { s.Keys.North, wrong, s.Keys.NorthRevoked })
        {
            using var byAddress = await s.Http.SendAsync(Request(HttpMethod.Get, $"/api/studies/{s.Study}/dashboard?key={Uri.EscapeDataString(key)}"));
            using var byCookie = await s.Http.SendAsync(Request(HttpMethod.Get, $"/api/studies/{s.Study}/dashboard", key));
        }
        var records = s.App.Logs.GetSnapshot();
        Assert.NotEmpty(records);
        foreach (var key in new[] { s.Keys.North, wrong, s.Keys.NorthRevoked })
        {
            var secret = key.Length > 20 ? key[20..] : key;
            Assert.DoesNotContain(records, r => r.Text().Contains(secret, StringComparison.Ordinal) || r.Text().Contains(Uri.EscapeDataString(secret), StringComparison.Ordinal));
        }
        Assert.DoesNotContain(records, r => r.Text().Contains("key=", StringComparison.OrdinalIgnoreCase));
    }
}
