using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using AlliancePipeline.Contracts.Api;
using AlliancePipeline.Contracts.Storage;
using AlliancePipeline.Core.Access;
using AlliancePipeline.Functions.Dashboards;
using AlliancePipeline.Functions.Infrastructure.Http;
using AlliancePipeline.Functions.Tests.Infrastructure;

namespace AlliancePipeline.Functions.Tests.Studies;

/// <summary>
/// The coordinators' console of a dyad through its HTTP functions on Azurite: the schedule as JSON (and who may read
/// it), the page in the site's language, and the page's forms: each calls the service the API uses, is audited with the
/// key id, answers 303 back to the page, and is refused (changing nothing) when it does not come from the app's pages.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class DyadConsoleTests(AzuriteFixture azurite)
{
    private static async Task<string> ApplyExampleAsync(TestApp app, string prefix)
    {
        var study = AzuriteFixture.UniqueName(prefix);
        await app.ApplyStudyAsync(study, StudyFiles.Example(study));
        return study;
    }

    private static async Task<(HttpStatusCode Status, string Body)> GetJsonAsync(TestApp app, string key, string path)
    {
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = app.Client.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        using var response = await client.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>A form post as the page's browser sends it: the key in the cookie, and where the request comes from.</summary>
    private static async Task<HttpResponseMessage> PostFormAsync(TestApp app, string key, string path, Dictionary<string, string> fields, string fetchSite = "same-origin")
    {
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = app.Client.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent(fields) };
        request.Headers.Add("Cookie", $"{KeyCookie.Name}={key}");
        request.Headers.Add("Sec-Fetch-Site", fetchSite);
        return await client.SendAsync(request);
    }

    private async Task<AssessmentEntity> AssessmentAsync(string study, string id) =>
        (await azurite.Tables.GetTableClient(StorageNames.AssessmentsTable).GetEntityAsync<AssessmentEntity>(study, id)).Value;

    private List<AuditEntity> Audit(string study, string action) =>
        [.. azurite.Tables.GetTableClient(StorageNames.AuditTable).Query<AuditEntity>(a => a.PartitionKey == study && a.Action == action)];

    private static string KeyId(string key) => key.Substring(3, 16);

    [Fact]
    public async Task The_schedule_is_read_by_the_coordinators_of_the_dyads_site_only()
    {
        await using var app = await TestApp.StartAsync(azurite);
        var study = await ApplyExampleAsync(app, "console-json");
        var north = await app.KeyAsync(AccessScope.ForSite(study, "site-north"));

        var (status, body) = await GetJsonAsync(app, north, $"/api/studies/{study}/dyads/d-001");
        Assert.Equal(HttpStatusCode.OK, status);
        var schedule = JsonSerializer.Deserialize<DyadSchedule>(body, JsonSerializerOptions.Web)!;
        Assert.Equal(("d-001", "site-north", "ips", new DateOnly(2026, 1, 12), false), (schedule.DyadId, schedule.SiteId, schedule.Arm, schedule.EnrolledOn, schedule.Withdrawn));
        Assert.Equal([1, 2, 3], schedule.Meetings.Select(m => m.Meeting));
        var first = schedule.Meetings[0];
        Assert.Equal((new DateOnly(2026, 1, 12), false), (first.Date, first.DateRecorded));
        Assert.Equal(["practitioner", "client"], first.Forms.Select(f => f.RaterRole));
        Assert.All(first.Forms, f => Assert.Equal(("pending", 1, false), (f.Status, f.LinkVersion, f.RemindersPaused)));
        Assert.DoesNotContain("@", body, StringComparison.Ordinal); // no rater's address

        // Another site's dyad is, to a site key, one the study does not have: the same 404, naming neither its site.
        var (other, otherBody) = await GetJsonAsync(app, north, $"/api/studies/{study}/dyads/d-003");
        var (none, noneBody) = await GetJsonAsync(app, north, $"/api/studies/{study}/dyads/d-999");
        Assert.Equal((HttpStatusCode.NotFound, HttpStatusCode.NotFound), (other, none));
        Assert.DoesNotContain("river", otherBody, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(noneBody.Replace("d-999", "d-003", StringComparison.Ordinal), otherBody);

        // The study key reads every site's dyads; a researcher key none (the schedule is the coordinators' view).
        Assert.Equal(HttpStatusCode.OK, (await GetJsonAsync(app, await app.KeyAsync(AccessScope.ForStudy(study)), $"/api/studies/{study}/dyads/d-003")).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await GetJsonAsync(app, await app.KeyAsync(AccessScope.ForResearcher(study)), $"/api/studies/{study}/dyads/d-001")).Status);
    }

    [Fact]
    public async Task The_French_sites_pages_are_French_and_the_other_sites_English()
    {
        await using var app = await TestApp.StartAsync(azurite);
        var study = AzuriteFixture.UniqueName("console-fr");
        await app.ApplyStudyAsync(study, StudyFiles.Example(study).Replace("name: Working alliance in supported employment (example)",
            "name:\n  en: Working alliance at work\n  fr: Alliance de travail en emploi", StringComparison.Ordinal));
        var river = await app.KeyAsync(AccessScope.ForSite(study, "site-river"));
        var north = await app.KeyAsync(AccessScope.ForSite(study, "site-north"));
        async Task<string> PageAsync(string key, string path)
        {
            using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = app.Client.BaseAddress };
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
            request.Headers.AcceptLanguage.ParseAdd("en-GB");
            using var response = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return await response.Content.ReadAsStringAsync();
        }

        var dashboard = await PageAsync(river, $"/api/studies/{study}/dashboard");
        Assert.Contains("<html lang=\"fr\">", dashboard, StringComparison.Ordinal);
        Assert.Contains("<h1>Taux de réponse : Alliance de travail en emploi</h1>", dashboard, StringComparison.Ordinal);
        Assert.Contains("href=\"dyads/d-003\"", dashboard, StringComparison.Ordinal);
        var page = await PageAsync(river, $"/api/studies/{study}/dyads/d-003");
        Assert.Contains("<html lang=\"fr\">", page, StringComparison.Ordinal);
        Assert.Contains("Dyade d-003", page, StringComparison.Ordinal);
        Assert.Contains("Suspendre les rappels", page, StringComparison.Ordinal);
        Assert.Contains("<title>Dyade d-003 : Alliance de travail en emploi</title>", page, StringComparison.Ordinal);
        var english = await PageAsync(north, $"/api/studies/{study}/dashboard");
        Assert.Contains("<html lang=\"en\">", english, StringComparison.Ordinal);
        Assert.Contains("<h1>Completion: Working alliance at work</h1>", english, StringComparison.Ordinal);
        // The withdrawn dyad's page, in French too.
        Assert.Contains("Retirée", await PageAsync(river, $"/api/studies/{study}/dyads/d-004"), StringComparison.Ordinal);
        Assert.Empty(ConsoleText.Missing);
    }

    [Fact]
    public async Task The_pages_forms_act_through_the_services_audited_with_the_key_id_and_only_from_the_apps_pages()
    {
        await using var app = await TestApp.StartAsync(azurite);
        var study = await ApplyExampleAsync(app, "console-act");
        var key = await app.KeyAsync(AccessScope.ForSite(study, "site-north"));
        var actions = $"/api/studies/{study}/dyads/d-001/console/";
        var form = new Dictionary<string, string> { ["assessment"] = "d-001-m2-client" };

        // Another site's page, or no proof of the app's own origin: refused, nothing changed.
        using (var crossSite = await PostFormAsync(app, key, actions + "pause", form, fetchSite: "cross-site"))
            Assert.Equal(HttpStatusCode.Unauthorized, crossSite.StatusCode);
        using (var otherSite = await PostFormAsync(app, key, $"/api/studies/{study}/dyads/d-003/console/pause", new() { ["assessment"] = "d-003-m2-client" }))
            Assert.Equal(HttpStatusCode.NotFound, otherSite.StatusCode);
        Assert.False((await AssessmentAsync(study, "d-001-m2-client")).RemindersPaused);
        Assert.False((await AssessmentAsync(study, "d-003-m2-client")).RemindersPaused);

        // Pause, then resume: 303 back to the page, saying what was done; each audited with the key id.
        using (var paused = await PostFormAsync(app, key, actions + "pause", form))
        {
            Assert.Equal(HttpStatusCode.SeeOther, paused.StatusCode);
            Assert.Equal("../../d-001?done=pause", paused.Headers.Location!.OriginalString);
        }
        Assert.True((await AssessmentAsync(study, "d-001-m2-client")).RemindersPaused);
        Assert.Equal("key:" + KeyId(key), Assert.Single(Audit(study, "reminders.paused")).Actor);
        using (var resumed = await PostFormAsync(app, key, actions + "resume", form))
            Assert.Equal(HttpStatusCode.SeeOther, resumed.StatusCode);
        Assert.False((await AssessmentAsync(study, "d-001-m2-client")).RemindersPaused);
        Assert.Equal("key:" + KeyId(key), Assert.Single(Audit(study, "reminders.resumed")).Actor);

        // A meeting date: the due dates move; a bad date is refused on the page itself, saying why.
        using (var recorded = await PostFormAsync(app, key, actions + "meeting", new() { ["meeting"] = "1", ["date"] = "2026-01-15" }))
            Assert.Equal(HttpStatusCode.SeeOther, recorded.StatusCode);
        Assert.True((await AssessmentAsync(study, "d-001-m1-practitioner")).MeetingDateRecorded);
        using (var refused = await PostFormAsync(app, key, actions + "meeting", new() { ["meeting"] = "2", ["date"] = "2025-01-01" }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Contains("before its enrolment", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        // Reissue and send: a new link version, the invitation log cleared (the next Reminders run mails it).
        using (var reissued = await PostFormAsync(app, key, actions + "reissue", form))
            Assert.Equal(HttpStatusCode.SeeOther, reissued.StatusCode);
        Assert.Equal(2, (await AssessmentAsync(study, "d-001-m2-client")).LinkVersion);
        Assert.Equal("key:" + KeyId(key), Assert.Single(Audit(study, "link.reissued")).Actor);

        // Withdraw, then reinstate: the forms are withdrawn, then pending again, each with a new link.
        using (var withdrawn = await PostFormAsync(app, key, actions + "withdraw", []))
            Assert.Equal(HttpStatusCode.SeeOther, withdrawn.StatusCode);
        Assert.Equal("Withdrawn", (await AssessmentAsync(study, "d-001-m3-practitioner")).Status);
        using (var reinstated = await PostFormAsync(app, key, actions + "reinstate", []))
            Assert.Equal(HttpStatusCode.SeeOther, reinstated.StatusCode);
        var back = await AssessmentAsync(study, "d-001-m3-practitioner");
        Assert.Equal(("Pending", 2, (DateTimeOffset?)null), (back.Status, back.LinkVersion, back.InvitationSentAt));
        Assert.All(Audit(study, "dyad.reinstated"), a => Assert.Equal("key:" + KeyId(key), a.Actor));
        Assert.Contains(Audit(study, "dyad.reinstated"), a => a.Subject == "d-001");
        var (_, json) = await GetJsonAsync(app, key, $"/api/studies/{study}/dyads/d-001");
        Assert.False(JsonSerializer.Deserialize<DyadSchedule>(json, JsonSerializerOptions.Web)!.Withdrawn);

        // A dyad the study file withdraws is reinstated by the file, not here.
        var river = await app.KeyAsync(AccessScope.ForSite(study, "site-river"));
        using (var fileWithdrawn = await PostFormAsync(app, river, $"/api/studies/{study}/dyads/d-004/console/reinstate", []))
            Assert.Equal(HttpStatusCode.Conflict, fileWithdrawn.StatusCode);

        // A CSV of meeting dates, uploaded as the page's file field.
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = app.Client.BaseAddress };
        using var upload = new MultipartFormDataContent { { new StringContent("dyad,meeting,date\nd-002,1,2026-01-20\n", Encoding.UTF8, "text/csv"), "csv", "dates.csv" } };
        using var request = new HttpRequestMessage(HttpMethod.Post, actions + "meetings") { Content = upload };
        request.Headers.Add("Cookie", $"{KeyCookie.Name}={key}");
        request.Headers.Add("Sec-Fetch-Site", "same-origin");
        using (var imported = await client.SendAsync(request))
            Assert.Equal(HttpStatusCode.SeeOther, imported.StatusCode);
        Assert.True((await AssessmentAsync(study, "d-002-m1-practitioner")).MeetingDateRecorded);

        // A body that says it is multipart but has no boundary is refused on the page (400), not a failure of the worker.
        using var broken = new HttpRequestMessage(HttpMethod.Post, actions + "meetings") { Content = new StringContent("csv=x") };
        broken.Content.Headers.ContentType = new MediaTypeHeaderValue("multipart/form-data");
        broken.Headers.Add("Cookie", $"{KeyCookie.Name}={key}");
        broken.Headers.Add("Sec-Fetch-Site", "same-origin");
        using (var refusedForm = await client.SendAsync(broken))
            Assert.Equal(HttpStatusCode.BadRequest, refusedForm.StatusCode);
    }

    [Fact]
    public async Task The_covariate_form_and_the_outcomes_days_record_through_the_services_the_API_uses_audited_and_refused_in_the_pages_language()
    {
        await using var app = await TestApp.StartAsync(azurite);
        var study = AzuriteFixture.UniqueName("console-cov");
        await app.ApplyStudyAsync(study, StudyFiles.Example(study) + """
            covariates:
              - { name: education, type: categorical, levels: [primary, secondary, tertiary], label: { en: Education, fr: Scolarité } }
              - { name: age, type: numeric, min: 18, max: 70 }
            analysis:
              followUp: { days: 182 }

            """);
        var north = await app.KeyAsync(AccessScope.ForSite(study, "site-north"));
        var actions = $"/api/studies/{study}/dyads/d-001/console/";
        var covariates = azurite.Tables.GetTableClient(StorageNames.CovariatesTable);

        // Another site's dyad is not found, a cross-site post is refused: nothing recorded.
        using (var otherSite = await PostFormAsync(app, north, $"/api/studies/{study}/dyads/d-003/console/covariates", new() { ["age"] = "40" }))
            Assert.Equal(HttpStatusCode.NotFound, otherSite.StatusCode);
        using (var crossSite = await PostFormAsync(app, north, actions + "covariates", new() { ["age"] = "40" }, fetchSite: "cross-site"))
            Assert.Equal(HttpStatusCode.Unauthorized, crossSite.StatusCode);
        Assert.False((await covariates.GetEntityIfExistsAsync<CovariateEntity>(study, "d-003")).HasValue);
        Assert.False((await covariates.GetEntityIfExistsAsync<CovariateEntity>(study, "d-001")).HasValue);

        // Recorded as the API records them (the level as the study file spells it), audited with the key id; 303 to the page.
        using (var recorded = await PostFormAsync(app, north, actions + "covariates", new() { ["education"] = "Secondary", ["age"] = "34" }))
        {
            Assert.Equal(HttpStatusCode.SeeOther, recorded.StatusCode);
            Assert.Equal("../../d-001?done=covariates", recorded.Headers.Location!.OriginalString);
        }
        var row = (await covariates.GetEntityAsync<CovariateEntity>(study, "d-001")).Value;
        Assert.Equal(("{\"age\":34,\"education\":\"secondary\"}", "console"), (row.Values, row.Source));
        var audit = Assert.Single(Audit(study, "covariates.recorded"));
        Assert.Equal(("key:" + KeyId(north), "d-001"), (audit.Actor, audit.Subject));
        // An empty field keeps what was recorded; the page shows the values.
        using (var again = await PostFormAsync(app, north, actions + "covariates", new() { ["education"] = "", ["age"] = "35" }))
            Assert.Equal(HttpStatusCode.SeeOther, again.StatusCode);
        Assert.Equal("{\"age\":35,\"education\":\"secondary\"}", (await covariates.GetEntityAsync<CovariateEntity>(study, "d-001")).Value.Values);

        // Refused by the covariate's own check (the API's), on the page, nothing changed.
        using (var refused = await PostFormAsync(app, north, actions + "covariates", new() { ["age"] = "90" }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Contains("covariate &#x27;age&#x27; must be a number from 18 to 70, not &#x27;90&#x27;", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        using (var unknown = await PostFormAsync(app, north, actions + "covariates", new() { ["income"] = "3" }))
            Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Equal("{\"age\":35,\"education\":\"secondary\"}", (await covariates.GetEntityAsync<CovariateEntity>(study, "d-001")).Value.Values);

        // The outcome with days worked and tenure, as the API records them.
        using (var outcome = await PostFormAsync(app, north, actions + "outcome", new() { ["employed"] = "yes", ["date"] = "2026-03-02", ["daysWorked"] = "40", ["tenureDays"] = "20" }))
            Assert.Equal(HttpStatusCode.SeeOther, outcome.StatusCode);
        var stored = (await azurite.Tables.GetTableClient(StorageNames.OutcomesTable).GetEntityAsync<OutcomeEntity>(study, "d-001")).Value;
        Assert.Equal((true, 40, 20, "console"), (stored.Employed, stored.DaysWorked, stored.TenureDays, stored.Source));
        Assert.Equal("key:" + KeyId(north), Assert.Single(Audit(study, "outcome.recorded")).Actor);
        using (var refusedDays = await PostFormAsync(app, north, actions + "outcome", new() { ["employed"] = "yes", ["date"] = "2026-03-02", ["daysWorked"] = "forty" }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, refusedDays.StatusCode);
            Assert.Contains("whole numbers of days", await refusedDays.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        // The French site's coordinator reads the console's own refusals in French.
        var river = await app.KeyAsync(AccessScope.ForSite(study, "site-river"));
        using (var french = await PostFormAsync(app, river, $"/api/studies/{study}/dyads/d-003/console/covariates", new() { ["education"] = "" }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, french.StatusCode);
            Assert.Contains("Non fait : Donnez la valeur d&#x27;au moins une covariable.", await french.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        Assert.Equal(40, (await azurite.Tables.GetTableClient(StorageNames.OutcomesTable).GetEntityAsync<OutcomeEntity>(study, "d-001")).Value.DaysWorked);
    }
}
