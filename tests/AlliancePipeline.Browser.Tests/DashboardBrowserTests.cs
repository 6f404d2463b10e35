using AlliancePipeline.Functions.Tests.Dashboard;
using AlliancePipeline.Functions.Tests.Infrastructure;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace AlliancePipeline.Browser.Tests;

/// <summary>
/// The coordinator dashboard in real Chromium, opened as a printed link (<c>?key=</c>) at 1280 px (a desk) and 360 px (a
/// phone): no horizontal scrolling of the page, the headings and captioned tables there, no script run. Screenshots are
/// kept under the test output's <c>artifacts/screenshots/</c>.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class DashboardBrowserTests(BrowserFixture browser, ITestOutputHelper output)
{
    private async Task<IPage> OpenAsync(int width, string url)
    {
        var context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = width, Height = width > 800 ? 900 : 740 },
            Locale = "en-GB",
            JavaScriptEnabled = true, // only for the test's own measurements; the page has no script
        });
        var page = await context.NewPageAsync();
        var response = await page.GotoAsync(url);
        Assert.Equal(200, response!.Status);
        return page;
    }

    private async Task ScreenshotAsync(IPage page, string name, bool fullPage = true)
    {
        var path = Path.Combine(browser.ScreenshotFolder, name + ".png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = fullPage });
        Assert.True(new FileInfo(path).Length > 1000, $"{path} is a real picture");
        output.WriteLine($"screenshot: {path}");
    }

    [Theory]
    [InlineData(1280, "Study")]
    [InlineData(360, "Study")]
    [InlineData(360, "North")]
    public async Task The_dashboard_reads_without_horizontal_scrolling(int width, string holder)
    {
        var study = AzuriteFixture.UniqueName("dash");
        var keys = await DashboardSeed.SeedAsync(browser.App.Services.GetRequiredService<TableServiceClient>(), study, AzuriteFixture.UniqueName("dash-other"));
        var key = holder == "North" ? keys.North : keys.Study;
        var page = await OpenAsync(width, new Uri(browser.App.Client.BaseAddress!, $"/api/studies/{study}/dashboard?key={Uri.EscapeDataString(key)}").ToString());

        Assert.Equal("Completion: Alliance at work", await page.InnerTextAsync("h1"));
        Assert.Equal(5, await page.Locator("h2").CountAsync());
        Assert.Equal(7, await page.Locator("table caption").CountAsync());
        Assert.Equal(0, await page.Locator("script").CountAsync());
        var scrollWidth = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth");
        Assert.True(scrollWidth <= width, $"page is {scrollWidth} px wide at {width} px");
        // Every button is a touch target of at least 44 px.
        foreach (var box in await page.Locator("button").AllAsync())
            Assert.True((await box.BoundingBoxAsync())!.Height >= 44);
        if (holder == "North")
            Assert.DoesNotContain("south", await page.ContentAsync(), StringComparison.OrdinalIgnoreCase);
        await ScreenshotAsync(page, $"dashboard-{holder.ToLowerInvariant()}-{width}");
        await ScreenshotAsync(page, $"dashboard-{holder.ToLowerInvariant()}-{width}-first-screen", fullPage: false);
        await page.Locator("#t-overdue").ScrollIntoViewIfNeededAsync();
        await ScreenshotAsync(page, $"dashboard-{holder.ToLowerInvariant()}-{width}-overdue", fullPage: false);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Without_a_key_the_page_asks_for_one_and_opens_the_dashboard_when_it_is_typed()
    {
        var study = AzuriteFixture.UniqueName("dash-key");
        var keys = await DashboardSeed.SeedAsync(browser.App.Services.GetRequiredService<TableServiceClient>(), study, AzuriteFixture.UniqueName("dash-key-other"));
        var context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 360, Height = 740 } });
        var page = await context.NewPageAsync();
        var response = await page.GotoAsync(new Uri(browser.App.Client.BaseAddress!, $"/api/studies/{study}/dashboard").ToString());
        Assert.Equal(401, response!.Status);
        Assert.Equal("Access key needed", await page.InnerTextAsync("h1"));
        await ScreenshotAsync(page, "dashboard-key-needed-360");
        await page.FocusAsync("#key");
        await page.Keyboard.TypeAsync(keys.North);
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForSelectorAsync("#h-summary");
        Assert.Equal("Completion: Alliance at work", await page.InnerTextAsync("h1"));
        await context.CloseAsync();
    }
}
