using System.Net;
using System.Net.Http.Headers;
using System.Text;
using AlliancePipeline.Contracts.Storage;
using AlliancePipeline.Core.Links;
using AlliancePipeline.Functions.Invitations;
using AlliancePipeline.Functions.Mail;
using AlliancePipeline.Functions.Questionnaires;
using AlliancePipeline.Functions.Tests.Infrastructure;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;

namespace AlliancePipeline.Functions.Tests.Mail;

/// <summary>The pause link of a mail (<c>/api/reminders/pause/{token}</c>), followed from the mail MailDev caught.</summary>
[Collection(MailCollection.Name)]
public sealed class PauseLinkTests(MailDevFixture fixture)
{
    private static PauseLinks Links() => TestSettings.Read(TestSettings.Config(TestApp.Settings("UseDevelopmentStorage=true"))).GetRequiredService<PauseLinks>();

    [Fact]
    public async Task The_pause_link_of_a_reminder_shows_a_button_on_GET_changing_nothing_and_POST_pauses_once()
    {
        await using var app = await TestApp.StartAsync(fixture.Azurite, fixture.UseMailDev);
        var to = MailDevFixture.Recipient("pause");
        var scenario = await MailScenario.CreateAsync(app, to, "fr", MailKinds.Reminder);
        await app.Function<SendEmail>().Run(await scenario.QueueAndTakeAsync(fixture.Azurite), "p", 1, default);
        var mail = Assert.Single(await fixture.Client.WaitForAsync(to));
        var link = MailScenario.LinkIn(mail.Text, "/api/reminders/pause/");
        Assert.Equal($"<{link.AbsoluteUri}>", mail.Header("list-unsubscribe"));

        // GET, as a mail scanner would: a page with a button, nothing changed.
        for (var i = 0; i < 2; i++)
        {
            using var get = await app.Client.GetAsync(link.PathAndQuery);
            Assert.Equal(HttpStatusCode.OK, get.StatusCode);
            var page = await get.Content.ReadAsStringAsync();
            Assert.Contains("<html lang=\"fr\">", page, StringComparison.Ordinal);
            Assert.Contains("<h1>Suspendre les rappels ?</h1>", page, StringComparison.Ordinal);
            // It names the one form it pauses (dyad, meeting, role) and says the others' reminders still come.
            var role = scenario.Assessment.RaterRole == "client" ? "du client" : "du praticien";
            Assert.Contains($"Cela suspend les rappels d’un seul questionnaire : le questionnaire {role} sur votre travail avec {scenario.Assessment.DyadId} après la rencontre {scenario.Assessment.Meeting}.", page, StringComparison.Ordinal);
            Assert.Contains("Les rappels de vos autres questionnaires (autres rencontres, autres dyades) continuent.", page, StringComparison.Ordinal);
            Assert.Contains("<form method=\"post\"><button type=\"submit\">Suspendre les rappels</button></form>", page, StringComparison.Ordinal);
            Assert.DoesNotContain("<script", page, StringComparison.Ordinal);
            Assert.Equal("no-store", get.Headers.CacheControl?.ToString());
        }
        Assert.False((await scenario.AssessmentAsync(fixture.Azurite)).RemindersPaused);
        Assert.DoesNotContain(await scenario.AuditAsync(fixture.Azurite), a => a.Action == "reminders.paused");

        // POST, as the button (or a mail client's one-click unsubscribe) does: paused, audited once.
        using var post = await app.Client.PostAsync(link.PathAndQuery, new StringContent("List-Unsubscribe=One-Click", Encoding.UTF8, "application/x-www-form-urlencoded"));
        Assert.Equal(HttpStatusCode.OK, post.StatusCode);
        Assert.Contains("<h1>Rappels suspendus</h1>", await post.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var again = await app.Client.PostAsync(link.PathAndQuery + "?lang=en", null);
        var pausedPage = await again.Content.ReadAsStringAsync();
        Assert.Contains("<h1>Reminders paused</h1>", pausedPage, StringComparison.Ordinal);
        Assert.Contains($"No more reminders will come about the {scenario.Assessment.RaterRole}’s questionnaire on your work with {scenario.Assessment.DyadId} after meeting {scenario.Assessment.Meeting}; only this one is paused, and reminders about your other questionnaires still come.", pausedPage, StringComparison.Ordinal);
        using var json = new HttpRequestMessage(HttpMethod.Get, link.PathAndQuery);
        json.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        using var status = await app.Client.SendAsync(json);
        Assert.Equal($"{{\"status\":\"paused\",\"assessmentId\":\"{scenario.Assessment.Id}\"}}", await status.Content.ReadAsStringAsync());

        Assert.True((await scenario.AssessmentAsync(fixture.Azurite)).RemindersPaused);
        var paused = Assert.Single(await scenario.AuditAsync(fixture.Azurite), a => a.Action == "reminders.paused");
        Assert.Equal(scenario.Assessment.Id, paused.Subject);
        Assert.Equal(($"Assessments/{scenario.Assessment.Id}", "{\"RemindersPaused\":false}", "{\"RemindersPaused\":true}"), (paused.Record, paused.Before, paused.After));

        // The questionnaire link still opens the form.
        using var form = await app.Client.GetAsync(MailScenario.LinkIn(mail.Text, "/api/q/").PathAndQuery);
        Assert.Equal(HttpStatusCode.OK, form.StatusCode);
    }

    [Fact]
    public async Task Pause_tokens_and_questionnaire_tokens_are_not_interchangeable_and_bad_or_expired_ones_are_refused()
    {
        await using var app = await TestApp.StartAsync(fixture.Azurite);
        var studyId = AzuriteFixture.UniqueName("pause");
        var seeded = (await app.SeedAsync(studyId, 1, 1))[0];
        var pause = app.Services.GetRequiredService<PauseLinks>();
        var token = pause.Issue(studyId, seeded.Assessment.Id, seeded.Assessment.LinkVersion, DateTimeOffset.UtcNow.AddDays(1));

        async Task<(HttpStatusCode Status, string Body, string? Type)> Get(string path, bool json = false)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            if (json) request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            using var response = await app.Client.SendAsync(request);
            return (response.StatusCode, await response.Content.ReadAsStringAsync(), response.Content.Headers.ContentType?.MediaType);
        }

        Assert.Equal(HttpStatusCode.NotFound, (await Get($"/api/q/{token}")).Status); // a pause token opens no questionnaire
        Assert.Equal(HttpStatusCode.NotFound, (await Get($"/api/reminders/pause/{seeded.Token}")).Status); // nor the reverse
        var tampered = token[..^2] + (token[^2] == 'A' ? "B" : "A") + token[^1];
        var refused = await Get($"/api/reminders/pause/{tampered}?lang=fr");
        Assert.Equal(HttpStatusCode.NotFound, refused.Status);
        Assert.Contains("Ce lien ne fonctionne pas", refused.Body, StringComparison.Ordinal);
        var expired = pause.Issue(studyId, seeded.Assessment.Id, seeded.Assessment.LinkVersion, DateTimeOffset.UtcNow.AddSeconds(-1));
        Assert.Equal(HttpStatusCode.Gone, (await Get($"/api/reminders/pause/{expired}")).Status);
        var problem = await Get($"/api/reminders/pause/{expired}", json: true);
        Assert.Equal((HttpStatusCode.Gone, "application/problem+json"), (problem.Status, problem.Type));
        Assert.Contains("\"title\":\"Link expired\"", problem.Body, StringComparison.Ordinal);
        using var big = await app.Client.PostAsync($"/api/reminders/pause/{token}", new StringContent(new string('x', 5000)));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, big.StatusCode);
        Assert.False((await fixture.Azurite.Tables.GetTableClient(StorageNames.AssessmentsTable).GetEntityAsync<AssessmentEntity>(studyId, seeded.Assessment.Id)).Value.RemindersPaused);

        // An answered questionnaire has nothing to pause: the page says so, and nothing is written.
        await fixture.Azurite.Tables.GetTableClient(StorageNames.AssessmentsTable).UpdateEntityAsync(
            new TableEntity(studyId, seeded.Assessment.Id) { ["Status"] = "Completed" }, ETag.All, TableUpdateMode.Merge);
        using var answered = await app.Client.PostAsync($"/api/reminders/pause/{token}", null);
        Assert.Contains("<h1>No reminders to pause</h1>", await answered.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.False((await fixture.Azurite.Tables.GetTableClient(StorageNames.AssessmentsTable).GetEntityAsync<AssessmentEntity>(studyId, seeded.Assessment.Id)).Value.RemindersPaused);
    }

    [Fact]
    public void A_pause_token_names_its_assessment_and_is_sealed_under_the_pause_kinds_own_key()
    {
        var links = Links();
        var now = DateTimeOffset.UtcNow;
        var token = links.Issue("study-a", "d-001-m1-practitioner", 3, now.AddDays(2));
        var claims = links.Validate(token, now, out var problem);
        Assert.Equal((LinkProblem.None, "study-a", "d-001-m1-practitioner", 3), (problem, claims!.StudyId, claims.AssessmentId, claims.LinkVersion));
        Assert.Equal((true, false, false), (claims.IsCurrent(3), claims.IsCurrent(2), claims.IsCurrent(4)));
        // A token from before pause tokens carried the link version (0): current only while no link was ever replaced.
        var legacy = links.Validate(links.Issue("study-a", "d-001-m1-practitioner", 0, now.AddDays(2)), now, out _)!;
        Assert.Equal((true, false), (legacy.IsCurrent(1), legacy.IsCurrent(2)));
        Assert.Null(links.Validate(token, now.AddDays(3), out problem));
        Assert.Equal(LinkProblem.Expired, problem);

        var questionnaire = new CoreLinkTokens(LinkSigningKeys.FromSettings("test=" + TestApp.SigningKey, "test"));
        Assert.Null(questionnaire.Validate(token, now, out problem));
        Assert.Equal(LinkProblem.NotValid, problem);
        Assert.Null(links.Validate(questionnaire.Issue(new LinkClaims("study-a", "d-001-m1-practitioner", 1, now.AddDays(2))), now, out problem));
        Assert.Equal(LinkProblem.NotValid, problem);
        Assert.StartsWith("http://localhost:7071/api/reminders/pause/", links.Link("study-a", "a-1", 1, now.AddDays(1)).AbsoluteUri, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => links.Issue("Study A", "a-1", 1, now));
    }
}
