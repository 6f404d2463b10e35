using AlliancePipeline.Analytics.Reports;
using AlliancePipeline.Functions.Reports;
using AlliancePipeline.Functions.Tests.Reports;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace AlliancePipeline.Browser.Tests;

/// <summary>
/// The paper-like study's report.html in real Chromium: every request the page makes is intercepted, and the only one
/// allowed is the page itself (served by the route from the built set), so a stylesheet, font, image or script from
/// anywhere else fails the test; no console error or page error; a screenshot on screen and one in print (A4) media kept
/// under <c>artifacts/screenshots/</c>.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class StudyReportBrowserTests(BrowserFixture browser, ITestOutputHelper output)
{
    private const string PageUrl = "http://report.invalid/reports/paper-like/latest/report.html";

    [Fact]
    public async Task The_report_renders_with_no_console_error_and_no_outside_request_on_screen_and_in_print()
    {
        var input = ReportFixtures.PaperLikeInput() with
        {
            Alerts = [new ReportAlert("d02-m3-practitioner", "d02", "site-a", "practitioner", 3, "drop", 6.0, 4.5, 1.0, null, ReportFixtures.At.AddDays(-1), "open")],
        };
        var html = new StudyReportBuilder().Build(input)["report.html"].Content;

        var context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1100, Height = 900 } });
        var page = await context.NewPageAsync();
        var requests = new List<string>();
        var outside = new List<string>();
        var errors = new List<string>();
        page.Console += (_, m) => { if (m.Type is "error" or "warning") errors.Add($"console {m.Type}: {m.Text}"); };
        page.PageError += (_, e) => errors.Add("page error: " + e);
        await page.RouteAsync("**/*", async route =>
        {
            requests.Add(route.Request.Url);
            if (route.Request.Url == PageUrl) await route.FulfillAsync(new RouteFulfillOptions { Status = 200, ContentType = "text/html; charset=utf-8", Body = html });
            else
            {
                outside.Add(route.Request.Url);
                await route.AbortAsync();
            }
        });

        var response = await page.GotoAsync(PageUrl, new PageGotoOptions { WaitUntil = WaitUntilState.NetworkIdle });
        Assert.Equal(200, response!.Status);
        Assert.Equal("Alliance report: Paper-like study", await page.TitleAsync());
        Assert.Equal(3, await page.Locator("#trajectory-figure g.series").CountAsync());
        var figure = await page.Locator("#trajectory-figure svg").BoundingBoxAsync();
        Assert.True(figure!.Width > 600 && figure.Height > 300, $"the figure is drawn ({figure.Width} × {figure.Height})");
        Assert.True(await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth") <= 1100, "no horizontal scrolling");
        await ScreenshotAsync(page, "report-paper-like");

        await page.EmulateMediaAsync(new PageEmulateMediaOptions { Media = Media.Print });
        await page.SetViewportSizeAsync(794, 1123); // A4 at 96 dpi
        Assert.True(await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth") <= 794, "printed, nothing is wider than A4");
        await ScreenshotAsync(page, "report-paper-like-print-a4");
        var pdf = await page.PdfAsync(new PagePdfOptions { Format = "A4", PrintBackground = false });
        Assert.True(pdf.Length > 10_000, "it prints to A4");

        Assert.Empty(outside);
        Assert.Equal([PageUrl], requests.Distinct());
        Assert.Empty(errors);
        await context.CloseAsync();
    }

    private async Task ScreenshotAsync(IPage page, string name)
    {
        var path = Path.Combine(browser.ScreenshotFolder, name + ".png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        Assert.True(new FileInfo(path).Length > 1000, $"{path} is a real picture");
        output.WriteLine($"screenshot: {path}");
    }
}
