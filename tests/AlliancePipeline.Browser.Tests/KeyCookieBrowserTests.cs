using AlliancePipeline.Functions.Tests.Dashboard;
using AlliancePipeline.Functions.Tests.Infrastructure;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace AlliancePipeline.Browser.Tests;

/// <summary>
/// Issue 17, finding 10 (keys in addresses), in real Chromium over plain HTTP on the loopback, by both names the local
/// host and the demo print (<c>localhost</c>, <c>127.0.0.1</c>): a dashboard or report opened with <c>?key=</c> ends on
/// the address without it, the key held in an HttpOnly, Secure, SameSite=Strict cookie that the page's own script could
/// not read; reloading, following the page's links and posting its Close form work by the cookie; opening another key's
/// address switches to that key.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class KeyCookieBrowserTests(BrowserFixture browser)
{
    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("localhost")]
    public async Task A_dashboard_and_a_report_opened_with_their_keys_end_on_addresses_without_them_and_keep_working_by_the_cookie(string host)
    {
        var study = AzuriteFixture.UniqueName("cookie-page");
        var keys = await DashboardSeed.SeedAsync(browser.App.Services.GetRequiredService<TableServiceClient>(), study, AzuriteFixture.UniqueName("cookie-page-other"));
        await DashboardSeed.SeedReportAsync(browser.App, study);
        var origin = new UriBuilder(browser.App.Client.BaseAddress!) { Host = host }.Uri;
        await using var context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions { JavaScriptEnabled = true }); // only for the test's own reads
        var page = await context.NewPageAsync();

        var response = await page.GotoAsync(new Uri(origin, $"/api/studies/{study}/dashboard?site=site-north&key={Uri.EscapeDataString(keys.Study)}").ToString());
        Assert.Equal(200, response!.Status);
        Assert.Equal(new Uri(origin, $"/api/studies/{study}/dashboard?site=site-north").ToString(), page.Url);
        Assert.Equal("Completion: Alliance at work", await page.InnerTextAsync("h1"));
        Assert.Contains("Northern Clinic", await page.InnerTextAsync("main"), StringComparison.Ordinal);
        var cookie = Assert.Single(await context.CookiesAsync(), c => c.Name == "__Host-alliance-key");
        Assert.Equal(keys.Study, cookie.Value);
        Assert.Equal(host, cookie.Domain);
        Assert.Equal("/", cookie.Path);
        Assert.True(cookie.HttpOnly, "HttpOnly");
        Assert.True(cookie.Secure, "Secure (kept over plain HTTP on the loopback)");
        Assert.Equal(SameSiteAttribute.Strict, cookie.SameSite);
        Assert.DoesNotContain(keys.Study[20..], await page.EvaluateAsync<string>("() => document.cookie"), StringComparison.Ordinal);
        Assert.DoesNotContain(keys.Study[20..], await page.ContentAsync(), StringComparison.Ordinal);

        var reloaded = await page.ReloadAsync();
        Assert.Equal(200, reloaded!.Status);
        Assert.Equal("Completion: Alliance at work", await page.InnerTextAsync("h1"));

        // The page's links and its Close form work by the cookie: all sites, then an alert closed.
        await page.ClickAsync("nav a:text('All sites')");
        Assert.Equal(new Uri(origin, $"/api/studies/{study}/dashboard").ToString(), page.Url);
        Assert.Contains("Southern Clinic", await page.InnerTextAsync("main"), StringComparison.Ordinal);
        await page.ClickAsync("#t-alerts form button >> nth=0");
        await page.WaitForSelectorAsync(".status");
        Assert.StartsWith("Alert ", await page.InnerTextAsync(".status"), StringComparison.Ordinal);
        Assert.DoesNotContain("key=", page.Url, StringComparison.Ordinal);

        // The figures as JSON, which the page links: opened by the cookie too.
        var json = await page.RunAndWaitForResponseAsync(() => page.ClickAsync("nav a:text('These figures as JSON')"), r => r.Url.Contains("/completion", StringComparison.Ordinal));
        Assert.Equal(200, json.Status);
        Assert.Contains("\"studyId\"", await json.TextAsync(), StringComparison.Ordinal);

        // A report opened with the researcher's key: the same, and the browser now holds that key instead.
        response = await page.GotoAsync(new Uri(origin, $"/api/studies/{study}/reports/latest/report.html?key={Uri.EscapeDataString(keys.Researcher)}").ToString());
        Assert.Equal(200, response!.Status);
        Assert.Equal(new Uri(origin, $"/api/studies/{study}/reports/latest/report.html").ToString(), page.Url);
        Assert.Equal("The study report", await page.InnerTextAsync("h1"));
        Assert.Equal(keys.Researcher, Assert.Single(await context.CookiesAsync(), c => c.Name == "__Host-alliance-key").Value);
        Assert.Equal(200, (await page.ReloadAsync())!.Status);
        // The researcher's key does not open the dashboard: refused by the cookie's key, as a page.
        response = await page.GotoAsync(new Uri(origin, $"/api/studies/{study}/dashboard").ToString());
        Assert.Equal(403, response!.Status);
    }

    [Fact]
    public async Task A_revoked_key_in_the_cookie_gets_the_key_page_and_the_cookie_is_gone()
    {
        var study = AzuriteFixture.UniqueName("cookie-revoked");
        var tables = browser.App.Services.GetRequiredService<TableServiceClient>();
        var keys = await DashboardSeed.SeedAsync(tables, study, AzuriteFixture.UniqueName("cookie-revoked-other"));
        await using var context = await browser.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        var dashboard = new Uri(browser.App.Client.BaseAddress!, $"/api/studies/{study}/dashboard").ToString();
        Assert.Equal(200, (await page.GotoAsync(dashboard + "?key=" + Uri.EscapeDataString(keys.North)))!.Status);

        Core.Access.AccessKeyFormat.TryParse(keys.North, out var parsed);
        await new Functions.Infrastructure.Access.AccessKeys(tables, Functions.Infrastructure.Access.AccessClock.System).RevokeAsync(parsed.KeyId, "test", default);
        var refused = await page.ReloadAsync();
        Assert.Equal(401, refused!.Status);
        Assert.Equal("Access key refused", await page.InnerTextAsync("h1"));
        Assert.DoesNotContain(await context.CookiesAsync(), c => c.Name == "__Host-alliance-key");
    }
}
