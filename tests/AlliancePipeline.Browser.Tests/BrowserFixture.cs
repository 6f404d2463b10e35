using AlliancePipeline.Functions.Tests.Infrastructure;
using Microsoft.Playwright;

namespace AlliancePipeline.Browser.Tests;

/// <summary>
/// Debian's Chromium (<c>/usr/bin/chromium</c>, never a downloaded browser) driven by Playwright, and the real app with
/// its <c>Questionnaire</c> function on an isolated Azurite. Fails, rather than skips, when Chromium is missing.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    /// <summary>Where Debian installs Chromium.</summary>
    public const string ChromiumPath = "/usr/bin/chromium";

    private readonly AzuriteFixture _azurite = new();
    private IPlaywright? _playwright;

    /// <summary>The browser.</summary>
    public IBrowser Browser { get; private set; } = null!;

    /// <summary>The app: its services and HTTP functions.</summary>
    public TestApp App { get; private set; } = null!;

    /// <summary>Where screenshots are kept (printed by each test that writes one).</summary>
    public string ScreenshotFolder { get; } = Path.Combine(AppContext.BaseDirectory, "artifacts", "screenshots");

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
            throw new InvalidOperationException($"{ChromiumPath} is missing: install Debian's chromium (tools/test.sh does).");
        Directory.CreateDirectory(ScreenshotFolder);
        await _azurite.InitializeAsync();
        App = await TestApp.StartAsync(_azurite);
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
    }

    /// <summary>Seeds a one-dyad study whose rater reads <paramref name="language"/>; returns its link's URL.</summary>
    public async Task<string> SeedLinkAsync(string studyId, string language)
    {
        var links = await App.SeedAsync(studyId, 1, 1, language);
        return new Uri(App.Client.BaseAddress!, $"/api/q/{links[0].Token}").ToString();
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        _playwright?.Dispose();
        if (App is not null) await App.DisposeAsync();
        await _azurite.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "browser";
}
