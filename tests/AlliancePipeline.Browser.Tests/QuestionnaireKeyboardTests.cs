using AlliancePipeline.Functions.Tests.Infrastructure;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace AlliancePipeline.Browser.Tests;

/// <summary>
/// A rater on a 360 px phone fills the questionnaire with the keyboard alone, in real Chromium: Tab into each radio
/// group, Space and arrow keys to choose, Enter on the button. No mouse, no element clicks, no checking by script.
/// Screenshots of the form, the error page and the thank-you page are kept under the test output's
/// <c>artifacts/screenshots/</c>.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class QuestionnaireKeyboardTests(BrowserFixture browser, ITestOutputHelper output)
{
    private const int PhoneWidth = 360;

    private async Task<IPage> PhoneAsync(string locale)
    {
        var context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = PhoneWidth, Height = 740 },
            Locale = locale,
            HasTouch = true,
        });
        return await context.NewPageAsync();
    }

    /// <summary>Presses Tab until the focused element matches <paramref name="selector"/> (at most 80 presses).</summary>
    private static async Task TabToAsync(IPage page, string selector)
    {
        for (var i = 0; i < 80; i++)
        {
            await page.Keyboard.PressAsync("Tab");
            if (await page.EvaluateAsync<bool>("s => document.activeElement !== null && document.activeElement.matches(s)", selector)) return;
        }
        throw new InvalidOperationException($"Tab never reached {selector}.");
    }

    /// <summary>Answers one item by keyboard: Tab into its group, Space on the first point, ArrowRight to the value.</summary>
    private static async Task AnswerAsync(IPage page, int item, int value)
    {
        await TabToAsync(page, $"input[name='item-{item}']");
        await page.Keyboard.PressAsync("Space");
        for (var v = 1; v < value; v++) await page.Keyboard.PressAsync("ArrowRight");
        Assert.Equal(value.ToString(System.Globalization.CultureInfo.InvariantCulture), await page.EvaluateAsync<string>("() => document.activeElement.value"));
    }

    private async Task ScreenshotAsync(IPage page, string name, bool fullPage = true)
    {
        var path = Path.Combine(browser.ScreenshotFolder, name + ".png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = fullPage });
        Assert.True(new FileInfo(path).Length > 1000, $"{path} is a real picture");
        output.WriteLine($"screenshot: {path}");
    }

    private static Task<int> ScrollWidthAsync(IPage page) => page.EvaluateAsync<int>("() => document.documentElement.scrollWidth");

    private static Task<string?> CheckedAsync(IPage page, int item) =>
        page.EvaluateAsync<string?>("n => document.querySelector(`input[name='item-${n}']:checked`)?.value ?? null", item);

    [Fact]
    public async Task A_French_rater_completes_the_form_by_keyboard_on_a_360_px_phone_sees_a_validation_message_with_answers_kept_and_the_thank_you_page()
    {
        var url = await browser.SeedLinkAsync(AzuriteFixture.UniqueName("kbd-fr"), "fr");
        var page = await PhoneAsync("fr-FR");
        await page.GotoAsync(url);

        Assert.Equal("fr", await page.GetAttributeAsync("html", "lang"));
        Assert.True(await ScrollWidthAsync(page) <= PhoneWidth, "no horizontal scrolling at 360 px");
        var firstChoice = await page.Locator("fieldset label").First.BoundingBoxAsync();
        Assert.True(firstChoice!.Height >= 44, $"touch target {firstChoice.Height} px high");
        // Each statement's text sits inside its box, below the top border, not across it.
        var across = await page.EvaluateAsync<int>("""
            () => [...document.querySelectorAll('fieldset')].filter(f => {
                const box = f.getBoundingClientRect(), legend = f.querySelector('legend').getBoundingClientRect();
                return legend.top < box.top + parseFloat(getComputedStyle(f).borderTopWidth);
            }).length
            """);
        Assert.Equal(0, across);
        await ScreenshotAsync(page, "form-fr-360");
        await ScreenshotAsync(page, "form-fr-360-first-screen", fullPage: false);

        // Everything but item 7, then Enter on the button: the server refuses, in French, beside item 7.
        int[] answers = [6, 7, 6, 5, 6, 7, 0, 5, 6, 7, 6, 5];
        for (var item = 1; item <= 12; item++)
        {
            if (answers[item - 1] > 0) await AnswerAsync(page, item, answers[item - 1]);
        }
        var focusedLabel = await page.EvaluateAsync<string>("() => getComputedStyle(document.activeElement.closest('label')).outlineStyle");
        Assert.NotEqual("none", focusedLabel);
        await TabToAsync(page, "button[type=submit]");
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForSelectorAsync("#error-summary");

        Assert.Contains("Veuillez choisir une réponse", await page.InnerTextAsync("#error-item-7"), StringComparison.Ordinal);
        Assert.Equal("true", await page.GetAttributeAsync("input[name='item-7']", "aria-invalid"));
        for (var item = 1; item <= 12; item++)
            Assert.Equal(answers[item - 1] > 0 ? answers[item - 1].ToString(System.Globalization.CultureInfo.InvariantCulture) : null, await CheckedAsync(page, item));
        Assert.True(await ScrollWidthAsync(page) <= PhoneWidth, "no horizontal scrolling with errors shown");
        await ScreenshotAsync(page, "form-fr-360-error");
        await ScreenshotAsync(page, "form-fr-360-error-first-screen", fullPage: false);

        // Answer item 7 by keyboard and send again.
        await page.Keyboard.PressAsync("Escape");
        await AnswerAsync(page, 7, 4);
        await TabToAsync(page, "button[type=submit]");
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForSelectorAsync("#message");

        Assert.Equal("Merci", await page.InnerTextAsync("h1"));
        Assert.Contains("done=1", page.Url, StringComparison.Ordinal);
        await ScreenshotAsync(page, "thank-you-fr-360");

        // Opening the link again: refused politely, the first answers stand.
        var again = await page.GotoAsync(url);
        Assert.Equal(409, again!.Status);
        Assert.Equal("Déjà répondu", await page.InnerTextAsync("h1"));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task An_English_rater_completes_the_form_by_keyboard_alone()
    {
        var url = await browser.SeedLinkAsync(AzuriteFixture.UniqueName("kbd-en"), "en");
        var page = await PhoneAsync("en-GB");
        await page.GotoAsync(url);
        Assert.Equal("en", await page.GetAttributeAsync("html", "lang"));
        Assert.True(await ScrollWidthAsync(page) <= PhoneWidth, "no horizontal scrolling at 360 px");
        await ScreenshotAsync(page, "form-en-360");

        for (var item = 1; item <= 12; item++) await AnswerAsync(page, item, 1 + (item % 7));
        await TabToAsync(page, "button[type=submit]");
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForSelectorAsync("#message");

        Assert.Equal("Thank you", await page.InnerTextAsync("h1"));
        await ScreenshotAsync(page, "thank-you-en-360");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_tampered_link_shows_a_clear_page_not_a_stack_trace()
    {
        var url = await browser.SeedLinkAsync(AzuriteFixture.UniqueName("kbd-bad"), "fr");
        var page = await PhoneAsync("fr-FR");
        var tampered = url[..^3] + (url[^3] == 'A' ? "B" : "A") + url[^2..];
        var response = await page.GotoAsync(tampered + "?lang=fr");
        Assert.Equal(404, response!.Status);
        Assert.Equal("Ce lien ne fonctionne pas", await page.InnerTextAsync("h1"));
        Assert.True(await ScrollWidthAsync(page) <= PhoneWidth);
        await ScreenshotAsync(page, "bad-link-fr-360");
        await page.Context.CloseAsync();
    }
}
