using AlliancePipeline.Contracts.Storage;
using AlliancePipeline.Core.Access;
using AlliancePipeline.Functions.Tests.Infrastructure;
using AlliancePipeline.Functions.Tests.Studies;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace AlliancePipeline.Browser.Tests;

/// <summary>
/// The coordinators' console in real Chromium, with the example study applied: the French site's key opens a French
/// dashboard (whatever the browser's language), follows a dyad's row to its page, and acts there through the page's
/// forms by the key cookie (a meeting date, pause and resume, reissue and send, withdraw and reinstate); a form posted
/// from another site's page is refused and changes nothing; a site key opening another site's dyad gets 404; the dyad's
/// covariates and its outcome with days worked and tenure are recorded through the page and read back from their tables.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class ConsoleBrowserTests(BrowserFixture browser, ITestOutputHelper output)
{
    private async Task<(string Study, IBrowserContext Context, IPage Page)> OpenAsRiverAsync(string prefix, string more = "")
    {
        var study = AzuriteFixture.UniqueName(prefix);
        await browser.App.ApplyStudyAsync(study, StudyFiles.Example(study) + more);
        var key = await browser.App.KeyAsync(AccessScope.ForSite(study, "site-river"));
        var context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = 1280, Height = 900 },
            Locale = "en-GB", // the browser asks for English; the French site's console is French all the same
            JavaScriptEnabled = true, // only for the test's own reads; the pages have no script
        });
        var page = await context.NewPageAsync();
        var response = await page.GotoAsync(new Uri(browser.App.Client.BaseAddress!, $"/api/studies/{study}/dashboard?key={Uri.EscapeDataString(key)}").ToString());
        Assert.Equal(200, response!.Status);
        return (study, context, page);
    }

    private async Task<AssessmentEntity> AssessmentAsync(string study, string id) =>
        (await browser.App.Services.GetRequiredService<TableServiceClient>().GetTableClient(StorageNames.AssessmentsTable).GetEntityAsync<AssessmentEntity>(study, id)).Value;

    private async Task ScreenshotAsync(IPage page, string name)
    {
        var path = Path.Combine(browser.ScreenshotFolder, name + ".png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        output.WriteLine($"screenshot: {path}");
    }

    [Fact]
    public async Task The_French_sites_coordinator_gets_a_French_console_and_acts_on_a_dyad_through_its_forms()
    {
        var (study, context, page) = await OpenAsRiverAsync("console-fr");
        await using var _ = context;
        Assert.Equal("fr", await page.GetAttributeAsync("html", "lang"));
        Assert.StartsWith("Taux de réponse", await page.InnerTextAsync("h1"), StringComparison.Ordinal);
        Assert.Equal("Résumé", await page.InnerTextAsync("#h-summary"));

        // The overdue row of dyad d-003 opens its page.
        await page.ClickAsync("#t-overdue a:text('d-003, rencontre 1') >> nth=0");
        Assert.EndsWith($"/api/studies/{study}/dyads/d-003", page.Url, StringComparison.Ordinal);
        Assert.Equal("Dyade d-003", await page.InnerTextAsync("h1"));
        Assert.Equal(6, await page.Locator("#t-forms tbody tr").CountAsync());
        Assert.Equal(0, await page.Locator("script").CountAsync());
        await ScreenshotAsync(page, "console-dyad-fr");

        // A meeting date.
        await page.SelectOptionAsync("#meeting", "2");
        await page.FillAsync("#date", "2026-01-29");
        await page.ClickAsync("section[aria-labelledby=h-meeting] form button");
        Assert.Equal("Date de rencontre enregistrée.", await page.InnerTextAsync(".status"));
        Assert.DoesNotContain("key=", page.Url, StringComparison.Ordinal);
        Assert.True((await AssessmentAsync(study, "d-003-m2-practitioner")).MeetingDateRecorded);

        // Pause, then resume, the reminders of meeting 2's client form.
        await page.ClickAsync("button[aria-label='Suspendre les rappels de rencontre 2, client']");
        Assert.Equal("Rappels suspendus.", await page.InnerTextAsync(".status"));
        Assert.True((await AssessmentAsync(study, "d-003-m2-client")).RemindersPaused);
        await page.ClickAsync("button[aria-label='Reprendre les rappels de rencontre 2, client']");
        Assert.Equal("Rappels repris.", await page.InnerTextAsync(".status"));
        Assert.False((await AssessmentAsync(study, "d-003-m2-client")).RemindersPaused);

        // Reissue and send: a new link version, shown on the page.
        await page.ClickAsync("button[aria-label='Renouveler et envoyer le lien de rencontre 3, intervenant']");
        Assert.StartsWith("Nouveau lien émis", await page.InnerTextAsync(".status"), StringComparison.Ordinal);
        Assert.Equal(2, (await AssessmentAsync(study, "d-003-m3-practitioner")).LinkVersion);
        Assert.Contains("version 2", await page.InnerTextAsync("#t-forms"), StringComparison.Ordinal);

        // Withdraw, then reinstate.
        await page.ClickAsync("#dyad-action");
        Assert.Equal("Dyade retirée.", await page.InnerTextAsync(".status"));
        Assert.Equal("Withdrawn", (await AssessmentAsync(study, "d-003-m1-client")).Status);
        Assert.Equal("Réintégrer", await page.InnerTextAsync("#dyad-action"));
        await page.ClickAsync("#dyad-action");
        Assert.Equal("Dyade réintégrée.", await page.InnerTextAsync(".status"));
        Assert.Equal("Pending", (await AssessmentAsync(study, "d-003-m1-client")).Status);
    }

    [Fact]
    public async Task A_form_posted_from_another_sites_page_is_refused_and_another_sites_dyad_is_not_found()
    {
        var (study, context, page) = await OpenAsRiverAsync("console-csrf");
        await using var _ = context;
        var action = new Uri(browser.App.Client.BaseAddress!, $"/api/studies/{study}/dyads/d-003/console/pause").ToString();
        // A page of another site, which posts the console's form to the app on its own: Chromium sends no SameSite=Strict
        // cookie with it, and says Sec-Fetch-Site: cross-site.
        await page.RouteAsync("http://elsewhere.example/**", route => route.FulfillAsync(new RouteFulfillOptions
        {
            ContentType = "text/html",
            Body = $"<form id=f method=post action=\"{action}\"><input name=assessment value=d-003-m2-client></form><script>document.getElementById('f').submit()</script>",
        }));
        var refused = await page.RunAndWaitForResponseAsync(() => page.GotoAsync("http://elsewhere.example/"), r => r.Url == action);
        Assert.Equal(401, refused.Status);
        Assert.False((await AssessmentAsync(study, "d-003-m2-client")).RemindersPaused);

        // The river site's key on a north dyad: 404, naming no site.
        var other = await page.GotoAsync(new Uri(browser.App.Client.BaseAddress!, $"/api/studies/{study}/dyads/d-001").ToString());
        Assert.Equal(404, other!.Status);
        var text = await page.InnerTextAsync("main");
        Assert.DoesNotContain("north", text, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("d-001", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_coordinator_records_a_dyads_covariates_and_its_outcome_with_days_worked_through_the_page()
    {
        var (study, context, page) = await OpenAsRiverAsync("console-cov", """
            covariates:
              - { name: education, type: categorical, levels: [primary, secondary, tertiary], label: { en: Education, fr: Scolarité } }
              - { name: age, type: numeric, min: 18, max: 70 }
            analysis:
              followUp: { days: 182 }

            """);
        await using var _ = context;
        var tables = browser.App.Services.GetRequiredService<TableServiceClient>();
        var dyad = await page.GotoAsync(new Uri(browser.App.Client.BaseAddress!, $"/api/studies/{study}/dyads/d-003").ToString());
        Assert.Equal(200, dyad!.Status);
        Assert.Equal("Saisir les covariables", await page.InnerTextAsync("#h-covariates"));
        Assert.Equal("non saisie", await page.InnerTextAsync("#covariate-age-recorded"));

        // The covariates: a level chosen from the select, a number typed.
        await page.SelectOptionAsync("#covariate-education", "secondary");
        await page.FillAsync("#covariate-age", "34");
        await page.ClickAsync("section[aria-labelledby=h-covariates] form button");
        Assert.Equal("Covariables enregistrées.", await page.InnerTextAsync(".status"));
        var row = (await tables.GetTableClient(StorageNames.CovariatesTable).GetEntityAsync<CovariateEntity>(study, "d-003")).Value;
        Assert.Equal(("{\"age\":34,\"education\":\"secondary\"}", "console"), (row.Values, row.Source));
        // The page shows what was recorded.
        Assert.Equal("secondary", await page.InputValueAsync("#covariate-education"));
        Assert.Equal("34", await page.InputValueAsync("#covariate-age"));
        Assert.Equal("saisie : 34", await page.InnerTextAsync("#covariate-age-recorded"));

        // The outcome: employed, its start date, days worked and tenure.
        await page.CheckAsync("section[aria-labelledby=h-outcome] input[name=employed][value=yes]");
        await page.FillAsync("#job", "2026-03-02");
        await page.FillAsync("#days-worked", "40");
        await page.FillAsync("#tenure-days", "20");
        await page.ClickAsync("section[aria-labelledby=h-outcome] form button");
        Assert.Equal("Résultat enregistré.", await page.InnerTextAsync(".status"));
        var outcome = (await tables.GetTableClient(StorageNames.OutcomesTable).GetEntityAsync<OutcomeEntity>(study, "d-003")).Value;
        Assert.Equal((true, 40, 20), (outcome.Employed, outcome.DaysWorked, outcome.TenureDays));
        await ScreenshotAsync(page, "console-covariates-fr");

        // A tenure for a client not employed: refused by the API's own check, shown on the page, nothing changed.
        await page.CheckAsync("section[aria-labelledby=h-outcome] input[name=employed][value=no]");
        await page.FillAsync("#job", "");
        await page.FillAsync("#days-worked", "");
        await page.FillAsync("#tenure-days", "5");
        await page.ClickAsync("section[aria-labelledby=h-outcome] form button");
        Assert.StartsWith("Non fait : tenureDays is given but employed is no", await page.InnerTextAsync("[role=alert]"), StringComparison.Ordinal);
        Assert.Equal(40, (await tables.GetTableClient(StorageNames.OutcomesTable).GetEntityAsync<OutcomeEntity>(study, "d-003")).Value.DaysWorked);
    }
}
