using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using AlliancePipeline.Contracts.Storage;
using AlliancePipeline.Core.Access;
using AlliancePipeline.Functions.Invitations;
using AlliancePipeline.Functions.Questionnaires;
using AlliancePipeline.Functions.Scoring;
using AlliancePipeline.Functions.Studies;
using AlliancePipeline.Functions.Tests.Infrastructure;
using AlliancePipeline.Functions.Tests.Studies;
using Azure.Data.Tables;
using CsvHelper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace AlliancePipeline.Functions.Tests.Security;

/// <summary>
/// Security finding 3, "a coordinator can answer as the rater": a reissue answered the live link to the key holder, and
/// an answer through it was audited as the rater's. Now a reissue answers what it did and when the link is mailed; a
/// hand-over link exists only where the study allows it, for a coordinator's key, once, audited, and every answer
/// through it is marked <c>hand-over</c> (the row, the exports, the report), a genuine one <c>rater-link</c>.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class HandOverTests(AzuriteFixture azurite)
{
    private const string Reason = "no e-mail; the client answers by phone with the coordinator";

    /// <summary>The example, enrolled on 12-21 January 2026, under a fresh id; with <c>handOver: allowed</c> when asked.</summary>
    private static async Task<string> ApplyAsync(TestApp app, string prefix, bool handOver)
    {
        var study = AzuriteFixture.UniqueName(prefix);
        await app.ApplyStudyAsync(study, StudyFiles.Example(study, handOver));
        return study;
    }

    private async Task<AssessmentEntity> AssessmentAsync(string study, string id) =>
        (await azurite.Tables.GetTableClient(StorageNames.AssessmentsTable).GetEntityAsync<AssessmentEntity>(study, id)).Value;

    private async Task<List<AuditEntity>> AuditAsync(string study)
    {
        var rows = new List<AuditEntity>();
        await foreach (var row in azurite.Tables.GetTableClient(StorageNames.AuditTable).QueryAsync<AuditEntity>(e => e.PartitionKey == study)) rows.Add(row);
        return rows;
    }

    private static Task<HttpResponseMessage> HandOverAsync(HttpClient client, string study, string dyad, int meeting, string role, string? body = null) =>
        client.PostAsync($"/api/studies/{study}/dyads/{dyad}/meetings/{meeting}/raters/{role}/hand-over",
            new StringContent(body ?? new JsonObject { ["reason"] = Reason }.ToJsonString(), Encoding.UTF8, "application/json"));

    /// <summary>Posts twelve answers to a link as a tool does; the status.</summary>
    private static async Task<HttpStatusCode> AnswerAsync(TestApp app, string path)
    {
        using var post = await app.Client.PostAsync(path, new StringContent("{\"items\":[5,6,5,6,5,6,5,6,5,6,5,6]}", Encoding.UTF8, "application/json"));
        return post.StatusCode;
    }

    /// <summary>Scores the queued submission of <paramref name="assessmentId"/> as the queue trigger would.</summary>
    private async Task ScoreAsync(TestApp app, string study, string assessmentId)
    {
        var message = await QueueScan.TakeAsync(azurite.Queues.GetQueueClient(StorageNames.ResponsesQueue),
            t => t.Contains($"\"studyId\":\"{study}\"", StringComparison.Ordinal) && t.Contains($"\"assessmentId\":\"{assessmentId}\"", StringComparison.Ordinal), TimeSpan.FromSeconds(20));
        Assert.NotNull(message);
        await app.Function<ScoreResponse>().Run(message, Guid.NewGuid().ToString(), 1, default);
    }

    [Fact]
    public async Task A_reissue_answers_the_new_version_and_when_the_Reminders_run_mails_it_never_the_link()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 1, 12, 9, 17, 0, TimeSpan.Zero));
        await using var app = await TestApp.StartAsync(azurite, clock: clock);
        var study = await ApplyAsync(app, "reissue-nolink", handOver: false);
        using var north = await app.ClientWithKeyAsync(AccessScope.ForSite(study, "site-north"));
        var tokens = app.Services.GetRequiredService<ILinkTokens>();

        // Meeting 1 of d-001 was on 12 January (invited already): the next run, 09:05 next hour. Meeting 2 is on the 26th:
        // the first run of that day.
        foreach (var (assessment, mailed) in new[]
        {
            ("d-001-m1-client", new DateTimeOffset(2026, 1, 12, 10, 5, 0, TimeSpan.Zero)),
            ("d-001-m2-practitioner", new DateTimeOffset(2026, 1, 26, 0, 5, 0, TimeSpan.Zero)),
        })
        {
            using var reissued = await north.PostAsync($"/api/studies/{study}/assessments/{assessment}/reissue", null);
            var text = await reissued.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.OK, reissued.StatusCode);
            Assert.Empty(LinkScan.Links(text, tokens, clock.GetUtcNow()));
            var body = JsonNode.Parse(text)!.AsObject();
            Assert.Equal(["assessmentId", "expiresAt", "linkVersion", "mailedAt", "mailing", "studyId"], body.Select(p => p.Key).Order(StringComparer.Ordinal));
            Assert.Equal(2, body["linkVersion"]!.GetValue<int>());
            Assert.Equal(mailed, body["mailedAt"]!.GetValue<DateTimeOffset>());
            Assert.Contains($"Reminders run of {mailed.UtcDateTime:yyyy-MM-dd HH:mm} UTC", body["mailing"]!.GetValue<string>(), StringComparison.Ordinal);
            var row = await AssessmentAsync(study, assessment);
            Assert.Equal((2, (DateTimeOffset?)null, (int?)null), (row.LinkVersion, row.InvitationQueuedAt, row.HandOverLinkVersion));
        }
    }

    [Fact]
    public async Task A_hand_over_is_refused_where_the_study_does_not_allow_it_to_an_admin_key_and_for_another_site_s_dyad()
    {
        await using var app = await TestApp.StartAsync(azurite);
        var closed = await ApplyAsync(app, "handover-off", handOver: false);
        var open = await ApplyAsync(app, "handover-on", handOver: true);
        using var closedNorth = await app.ClientWithKeyAsync(AccessScope.ForSite(closed, "site-north"));
        using var closedStudy = await app.ClientWithKeyAsync(AccessScope.ForStudy(closed));
        using var openNorth = await app.ClientWithKeyAsync(AccessScope.ForSite(open, "site-north"));
        using var openResearcher = await app.ClientWithKeyAsync(AccessScope.ForResearcher(open));

        async Task RefusedAsync(HttpClient client, string study, string dyad, int meeting, string role, HttpStatusCode status, string words, string? body = null)
        {
            using var answer = await HandOverAsync(client, study, dyad, meeting, role, body);
            var text = await answer.Content.ReadAsStringAsync();
            Assert.True(answer.StatusCode == status, $"{study} {dyad}/m{meeting}/{role}: {(int)answer.StatusCode} {text}");
            Assert.Equal("application/problem+json", answer.Content.Headers.ContentType?.MediaType);
            Assert.Contains(words, JsonNode.Parse(text)!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        }

        // The study does not allow it: 409, whichever coordinator's key asks.
        await RefusedAsync(closedNorth, closed, "d-001", 1, "client", HttpStatusCode.Conflict, "does not allow hand-over links");
        await RefusedAsync(closedStudy, closed, "d-003", 2, "practitioner", HttpStatusCode.Conflict, "does not allow hand-over links");
        // An admin key is no coordinator's (403); a researcher's key does not coordinate (403 at the edge); another site's
        // dyad is, to a site key, a dyad the study does not have (404, before anything about the study is told).
        await RefusedAsync(app.AdminClient, open, "d-001", 1, "client", HttpStatusCode.Forbidden, "not an admin key");
        using (var researcher = await HandOverAsync(openResearcher, open, "d-001", 1, "client")) Assert.Equal(HttpStatusCode.Forbidden, researcher.StatusCode);
        await RefusedAsync(openNorth, open, "d-003", 1, "client", HttpStatusCode.NotFound, "dyad 'd-003' is not in study");
        await RefusedAsync(closedNorth, closed, "d-003", 1, "client", HttpStatusCode.NotFound, "dyad 'd-003' is not in study");
        // What the request carries.
        await RefusedAsync(openNorth, open, "d-001", 1, "rater", HttpStatusCode.BadRequest, "not a rater role");
        await RefusedAsync(openNorth, open, "d-001", 1, "client", HttpStatusCode.BadRequest, "\"reason\"", "{}");
        await RefusedAsync(openNorth, open, "d-001", 1, "client", HttpStatusCode.BadRequest, "\"reason\"", "{\"reason\":\"   \"}");
        await RefusedAsync(openNorth, open, "d-001", 1, "client", HttpStatusCode.BadRequest, "\"reason\"", new JsonObject { ["reason"] = new string('x', 501) }.ToJsonString());
        await RefusedAsync(openNorth, open, "d-002", 1, "client", HttpStatusCode.NotFound, "no assessment 'd-002-m1-client'"); // d-002 has no client rater

        foreach (var study in new[] { closed, open })
        {
            Assert.Equal((1, (int?)null), ((await AssessmentAsync(study, "d-001-m1-client")).LinkVersion, (await AssessmentAsync(study, "d-001-m1-client")).HandOverLinkVersion));
            Assert.DoesNotContain(await AuditAsync(study), a => a.Action == "link.handed-over");
        }
    }

    [Fact]
    public async Task A_hand_over_link_works_once_the_mailed_link_answers_410_and_its_answer_is_marked_hand_over_in_the_row_exports_and_report()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 1, 12, 9, 0, 0, TimeSpan.Zero));
        await using var app = await TestApp.StartAsync(azurite, clock: clock);
        var study = await ApplyAsync(app, "handover", handOver: true);
        var tokens = app.Services.GetRequiredService<ILinkTokens>();
        var key = await app.KeyAsync(AccessScope.ForSite(study, "site-north"));
        var keyId = key.Split('_')[1];
        using var north = new HttpClient { BaseAddress = app.Client.BaseAddress };
        north.DefaultRequestHeaders.Authorization = new("Bearer", key);

        // The links the Reminders run mails: the client's and the practitioner's of d-001, meeting 1.
        var expires = clock.GetUtcNow().AddDays(30);
        var mailed = "/api/q/" + tokens.Issue(new LinkClaims(study, "d-001-m1-client", 1, expires));
        var practitioner = "/api/q/" + tokens.Issue(new LinkClaims(study, "d-001-m1-practitioner", 1, expires));
        using (var before = await app.Client.GetAsync(mailed)) Assert.Equal(HttpStatusCode.OK, before.StatusCode);

        // The client has no working address and is reached by phone: the site's coordinator takes the link in hand.
        using var handed = await HandOverAsync(north, study, "d-001", 1, "client");
        var text = await handed.Content.ReadAsStringAsync();
        Assert.True(handed.StatusCode == HttpStatusCode.OK, text);
        Assert.Equal("no-store", handed.Headers.CacheControl!.ToString());
        var body = JsonNode.Parse(text)!;
        Assert.Equal(("d-001-m1-client", 2), (body["assessmentId"]!.GetValue<string>(), body["linkVersion"]!.GetValue<int>()));
        var link = new Uri(body["link"]!.GetValue<string>()).PathAndQuery;
        Assert.Equal((2, (int?)2), ((await AssessmentAsync(study, "d-001-m1-client")).LinkVersion, (await AssessmentAsync(study, "d-001-m1-client")).HandOverLinkVersion));
        var audit = Assert.Single(await AuditAsync(study), a => a.Action == "link.handed-over");
        Assert.Equal(("key:" + keyId, "d-001-m1-client"), (audit.Actor, audit.Subject));
        Assert.Contains("link version 2", audit.Details, StringComparison.Ordinal);
        Assert.Contains("reason: " + Reason, audit.Details, StringComparison.Ordinal);

        // The mailed link answers 410; the hand-over link opens the form, takes one answer, then says it was answered.
        using (var stale = await app.Client.GetAsync(mailed)) Assert.Equal(HttpStatusCode.Gone, stale.StatusCode);
        Assert.Equal(HttpStatusCode.Gone, await AnswerAsync(app, mailed));
        using (var form = await app.Client.GetAsync(link)) Assert.Equal(HttpStatusCode.OK, form.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, await AnswerAsync(app, link));
        Assert.Equal(HttpStatusCode.Conflict, await AnswerAsync(app, link));
        // The practitioner answers through the mailed link: a genuine rater's answer.
        Assert.Equal(HttpStatusCode.Accepted, await AnswerAsync(app, practitioner));
        await ScoreAsync(app, study, "d-001-m1-client");
        await ScoreAsync(app, study, "d-001-m1-practitioner");

        // The rows, and who the audit says answered.
        var responses = azurite.Tables.GetTableClient(StorageNames.ResponsesTable);
        Assert.Equal("hand-over", (await responses.GetEntityAsync<TableEntity>(study, "d-001-m1-client")).Value["Provenance"]);
        Assert.Equal("rater-link", (await responses.GetEntityAsync<TableEntity>(study, "d-001-m1-practitioner")).Value["Provenance"]);
        var accepted = (await AuditAsync(study)).Where(a => a.Action == "submission.accepted").ToDictionary(a => a.Subject, a => a.Actor, StringComparer.Ordinal);
        Assert.Equal(("hand-over", "rater-link"), (accepted["d-001-m1-client"], accepted["d-001-m1-practitioner"]));

        // The exports: a CSV column, a JSON property, a FHIR extension.
        using var csv = CsvReader.FromText(await app.AdminClient.GetStringAsync($"/api/studies/{study}/export?format=csv"), CsvReaderOptions.Default with { HasHeader = true });
        var (idColumn, provenanceColumn) = (csv.Headers.ToList().IndexOf("AssessmentId"), csv.Headers.ToList().IndexOf("Provenance"));
        var provenance = new Dictionary<string, string>(StringComparer.Ordinal);
        while (csv.Read()) provenance[csv.GetString(idColumn)] = csv.GetString(provenanceColumn);
        Assert.Equal(("hand-over", "rater-link"), (provenance["d-001-m1-client"], provenance["d-001-m1-practitioner"]));
        var json = JsonNode.Parse(await app.AdminClient.GetStringAsync($"/api/studies/{study}/export?format=json"))!["responses"]!.AsArray()
            .ToDictionary(r => r!["assessmentId"]!.GetValue<string>(), r => r!["provenance"]!.GetValue<string>(), StringComparer.Ordinal);
        Assert.Equal(("hand-over", "rater-link"), (json["d-001-m1-client"], json["d-001-m1-practitioner"]));
        var fhir = JsonNode.Parse(await app.AdminClient.GetStringAsync($"/api/studies/{study}/export?format=fhir"))!["entry"]!.AsArray()
            .Select(e => e!["resource"]!).Where(r => r["resourceType"]!.GetValue<string>() == "QuestionnaireResponse")
            .ToDictionary(r => r["id"]!.GetValue<string>(), r => r["extension"]!.AsArray()
                .Single(x => x!["url"]!.GetValue<string>() == Exports.FhirExport.ProvenanceExtension)!["valueCode"]!.GetValue<string>(), StringComparer.Ordinal);
        Assert.Equal(("hand-over", "rater-link"), (fhir["d-001-m1-client"], fhir["d-001-m1-practitioner"]));

        // The report counts it, in the numbers and in the methods.
        using (var recluster = await app.AdminClient.PostAsync($"/api/manage/studies/{study}/recluster", null)) Assert.Equal(HttpStatusCode.OK, recluster.StatusCode);
        var report = (await azurite.Blobs.GetBlobContainerClient(StorageNames.ReportsContainer).GetBlobClient($"{study}/latest/report.html").DownloadContentAsync()).Value.Content.ToString();
        var page = new AngleSharp.Html.Parser.HtmlParser().ParseDocument(report);
        Assert.Equal("1", page.QuerySelector("#hand-over-count")!.TextContent);
        Assert.Contains("except 1 of the 2 responses, given through a coordinator hand-over", page.QuerySelector("#methods")!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_handed_over_form_is_not_mailed_and_a_reissue_makes_its_link_the_rater_s_again()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 1, 12, 9, 0, 0, TimeSpan.Zero));
        await using var app = await TestApp.StartAsync(azurite, clock: clock);
        var study = await ApplyAsync(app, "handover-mail", handOver: true);
        using var coordinator = await app.ClientWithKeyAsync(AccessScope.ForStudy(study));
        using (var handed = await HandOverAsync(coordinator, study, "d-001", 1, "client")) Assert.Equal(HttpStatusCode.OK, handed.StatusCode);
        var definition = (await app.Services.GetRequiredService<StudyStore>().LoadAsync(study, default))!.Definition;
        var mailings = app.Services.GetRequiredService<StudyMailings>();

        // 12 January, meeting 1 of d-001: the practitioner is invited, the client's form (in the coordinator's hands) is not.
        var run = await mailings.RunAsync(definition, default);
        Assert.Equal(1, run.Invitations);
        Assert.NotNull((await AssessmentAsync(study, "d-001-m1-practitioner")).InvitationQueuedAt);
        Assert.Null((await AssessmentAsync(study, "d-001-m1-client")).InvitationQueuedAt);

        // The client gets an address after all: a reissue ends the hand-over (its link answers 410) and the next run mails.
        var tokens = app.Services.GetRequiredService<ILinkTokens>();
        var handOverLink = "/api/q/" + tokens.Issue(new LinkClaims(study, "d-001-m1-client", 2, clock.GetUtcNow().AddDays(30)));
        using (var reissued = await coordinator.PostAsync($"/api/studies/{study}/assessments/d-001-m1-client/reissue", null)) Assert.Equal(HttpStatusCode.OK, reissued.StatusCode);
        var row = await AssessmentAsync(study, "d-001-m1-client");
        Assert.Equal((3, (int?)null), (row.LinkVersion, row.HandOverLinkVersion));
        using (var gone = await app.Client.GetAsync(handOverLink)) Assert.Equal(HttpStatusCode.Gone, gone.StatusCode);
        clock.Advance(TimeSpan.FromHours(1));
        run = await mailings.RunAsync(definition, default);
        Assert.Equal(1, run.Invitations);
        Assert.NotNull((await AssessmentAsync(study, "d-001-m1-client")).InvitationQueuedAt);
    }
}
