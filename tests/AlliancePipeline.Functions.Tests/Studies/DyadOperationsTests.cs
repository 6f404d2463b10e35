using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using AlliancePipeline.Contracts.Storage;
using AlliancePipeline.Functions.Questionnaires;
using AlliancePipeline.Functions.Tests.Infrastructure;
using Azure.Data.Tables;

namespace AlliancePipeline.Functions.Tests.Studies;

/// <summary>Meeting dates, outcomes, reissued links and withdrawn dyads, through their HTTP functions on Azurite.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class DyadOperationsTests(AzuriteFixture azurite)
{
    private static async Task<(HttpStatusCode Status, JsonNode Body)> SendAsync(TestApp app, HttpMethod method, string path, string? body = null, string contentType = "application/json")
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : new StringContent(body, Encoding.UTF8, contentType) };
        using var response = await app.AdminClient.SendAsync(request);
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!);
    }

    private static async Task<string> ApplyExampleAsync(TestApp app, string prefix)
    {
        var study = AzuriteFixture.UniqueName(prefix);
        using var put = await app.AdminClient.PutAsync($"/api/manage/studies/{study}", new StringContent(StudyFiles.Example(study), Encoding.UTF8, "application/yaml"));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        return study;
    }

    private async Task<AssessmentEntity> AssessmentAsync(string study, string id) =>
        (await azurite.Tables.GetTableClient(StorageNames.AssessmentsTable).GetEntityAsync<AssessmentEntity>(study, id)).Value;

    [Fact]
    public async Task A_recorded_meeting_date_moves_its_due_date_and_the_planned_meetings_after_it()
    {
        await using var app = await TestApp.StartAsync(azurite);
        var study = await ApplyExampleAsync(app, "meet");
        // d-001 enrolled 2026-01-12; meeting 1 planned that day. It took place on the 15th.
        var (status, body) = await SendAsync(app, HttpMethod.Put, $"/api/studies/{study}/dyads/d-001/meetings/1", "{\"date\":\"2026-01-15\"}");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(6, body["assessmentsMoved"]!.GetValue<int>()); // meetings 1-3, practitioner and client
        var m1 = await AssessmentAsync(study, "d-001-m1-practitioner");
        Assert.Equal((new DateTimeOffset(2026, 1, 15, 0, 0, 0, TimeSpan.Zero), true), (m1.MeetingDate!.Value, m1.MeetingDateRecorded));
        Assert.Equal(new DateTimeOffset(2026, 1, 22, 0, 0, 0, TimeSpan.Zero), m1.DueDate);
        var m2 = await AssessmentAsync(study, "d-001-m2-client");
        Assert.Equal((new DateTimeOffset(2026, 1, 29, 0, 0, 0, TimeSpan.Zero), false), (m2.MeetingDate!.Value, m2.MeetingDateRecorded));

        // Refused: before enrolment, a meeting outside the schedule, not a date (400); an unknown dyad (404, as a dyad a
        // site key may not see: issue 17, finding 1).
        foreach (var (path, json, words, expected) in new[]
        {
            ($"/api/studies/{study}/dyads/d-001/meetings/2", "{\"date\":\"2026-01-01\"}", "before its enrolment", HttpStatusCode.BadRequest),
            ($"/api/studies/{study}/dyads/d-001/meetings/9", "{\"date\":\"2026-02-01\"}", "meeting 9 is not in the study's schedule", HttpStatusCode.BadRequest),
            ($"/api/studies/{study}/dyads/d-999/meetings/1", "{\"date\":\"2026-02-01\"}", "dyad 'd-999' is not in study", HttpStatusCode.NotFound),
            ($"/api/studies/{study}/dyads/d-001/meetings/1", "{\"date\":\"15/01/2026\"}", "yyyy-MM-dd", HttpStatusCode.BadRequest),
        })
        {
            (status, body) = await SendAsync(app, HttpMethod.Put, path, json);
            Assert.Equal(expected, status);
            Assert.Contains(words, body["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        }

        // A CSV import with one bad line records nothing; a good one records every row.
        (status, body) = await SendAsync(app, HttpMethod.Post, $"/api/studies/{study}/meetings", "dyad,meeting,date\nd-002,1,2026-01-20\nd-002,2,yesterday\n", "text/csv");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(3, body["errors"]![0]!["line"]!.GetValue<int>());
        Assert.False((await AssessmentAsync(study, "d-002-m1-practitioner")).MeetingDateRecorded);
        (status, body) = await SendAsync(app, HttpMethod.Post, $"/api/studies/{study}/meetings", "dyad,meeting,date\nd-002,1,2026-01-20\nd-003,2,2026-02-02\n", "text/csv");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(2, body["imported"]!.GetValue<int>());
        Assert.True((await AssessmentAsync(study, "d-002-m1-practitioner")).MeetingDateRecorded);
        Assert.Equal(new DateTimeOffset(2026, 2, 9, 0, 0, 0, TimeSpan.Zero), (await AssessmentAsync(study, "d-003-m2-client")).DueDate);
    }

    [Fact]
    public async Task Dates_a_coordinator_can_trust_meetings_in_order_held_ones_not_in_the_future_jobs_not_after_today()
    {
        // Today is 10 February 2026 on the app's clock.
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2026, 2, 10, 12, 0, 0, TimeSpan.Zero));
        await using var app = await TestApp.StartAsync(azurite, clock: clock);
        var study = await ApplyExampleAsync(app, "dates");
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(app, HttpMethod.Put, $"/api/studies/{study}/dyads/d-001/meetings/2", "{\"date\":\"2026-01-27\"}")).Status);

        // One by one: 400 problem details naming the field and the rule.
        foreach (var (path, json, rule, words) in new[]
        {
            ($"dyads/d-001/meetings/3", "{\"date\":\"2026-02-11\"}", "meeting-held-not-in-future", "is after today (2026-02-10)"),
            ($"dyads/d-001/meetings/1", "{\"date\":\"2026-01-28\"}", "meetings-in-order", "is after meeting 2, recorded on 2026-01-27"),
            ($"dyads/d-001/meetings/3", "{\"date\":\"2026-01-26\"}", "meetings-in-order", "is before meeting 2, recorded on 2026-01-27"),
            ($"dyads/d-001/outcome", "{\"employed\":true,\"date\":\"2026-02-11\"}", "job-date-not-after-recorded-day", "is after today (2026-02-10), the day it is recorded"),
        })
        {
            var (status, problem) = await SendAsync(app, HttpMethod.Put, $"/api/studies/{study}/{path}", json);
            Assert.Equal(HttpStatusCode.BadRequest, status);
            Assert.Contains(words, problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
            var error = Assert.Single(problem["errors"]!.AsArray())!;
            Assert.Equal(("date", rule), (error["field"]!.GetValue<string>(), error["rule"]!.GetValue<string>()));
        }
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(app, HttpMethod.Put, $"/api/studies/{study}/dyads/d-001/meetings/1", "{\"date\":\"2026-01-27\"}")).Status); // same day as meeting 2
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(app, HttpMethod.Put, $"/api/studies/{study}/dyads/d-001/outcome", "{\"employed\":true,\"date\":\"2026-02-10\"}")).Status);

        // A CSV import reports every bad line, against what was recorded and the file's other lines; nothing is recorded.
        var (csvStatus, body) = await SendAsync(app, HttpMethod.Post, $"/api/studies/{study}/meetings",
            "dyad,meeting,date\nd-002,1,2026-01-25\nd-002,2,2026-01-22\nd-003,1,2026-02-12\nd-001,3,2026-01-20\nd-003,2,2026-02-01\n", "text/csv");
        Assert.Equal(HttpStatusCode.BadRequest, csvStatus);
        // Line 6 too: the file's own meeting 1 of d-003 (line 4, in the future) is after its meeting 2.
        Assert.Equal([2, 3, 4, 5, 6], body["errors"]!.AsArray().Select(e => e!["line"]!.GetValue<int>()));
        Assert.Equal(5, body["errorCount"]!.GetValue<int>());
        Assert.Contains("meeting-held-not-in-future", body["errors"]![2]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("is before meeting 1, recorded on 2026-01-27", body["errors"]![3]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.False((await AssessmentAsync(study, "d-002-m1-practitioner")).MeetingDateRecorded);
        (csvStatus, body) = await SendAsync(app, HttpMethod.Post, $"/api/studies/{study}/outcomes", "dyad,employed,date\nd-002,yes,2026-02-11\nd-003,yes,2026-03-01\n", "text/csv");
        Assert.Equal(HttpStatusCode.BadRequest, csvStatus);
        Assert.Equal([2, 3], body["errors"]!.AsArray().Select(e => e!["line"]!.GetValue<int>()));
        Assert.All(body["errors"]!.AsArray(), e => Assert.Contains("job-date-not-after-recorded-day", e!["message"]!.GetValue<string>(), StringComparison.Ordinal));
    }

    [Fact]
    public async Task Outcomes_are_checked_and_stored_one_by_one_or_from_CSV()
    {
        await using var app = await TestApp.StartAsync(azurite);
        var study = await ApplyExampleAsync(app, "outcome");
        var (status, _) = await SendAsync(app, HttpMethod.Put, $"/api/studies/{study}/dyads/d-001/outcome", "{\"employed\":true,\"date\":\"2026-04-01\"}");
        Assert.Equal(HttpStatusCode.OK, status);
        var (refused, problem) = await SendAsync(app, HttpMethod.Put, $"/api/studies/{study}/dyads/d-002/outcome", "{\"employed\":true}");
        Assert.Equal(HttpStatusCode.BadRequest, refused);
        Assert.Contains("date the job started is missing", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        (status, _) = await SendAsync(app, HttpMethod.Post, $"/api/studies/{study}/outcomes", "dyad,employed,date\nd-002,no,\nd-003,yes,2026-05-02\n", "text/csv");
        Assert.Equal(HttpStatusCode.OK, status);

        var rows = new List<OutcomeEntity>();
        await foreach (var row in azurite.Tables.GetTableClient(StorageNames.OutcomesTable).QueryAsync<OutcomeEntity>(e => e.PartitionKey == study)) rows.Add(row);
        Assert.Equal(["d-001:True:2026-04-01:api", "d-002:False::csv", "d-003:True:2026-05-02:csv"],
            rows.OrderBy(r => r.RowKey, StringComparer.Ordinal).Select(r => $"{r.RowKey}:{r.Employed}:{r.JobDate?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)}:{r.Source}"));
    }

    [Fact]
    public async Task An_outcome_keeps_its_recorded_day_and_a_job_after_it_or_after_the_end_of_follow_up_is_refused()
    {
        await using var app = await TestApp.StartAsync(azurite);
        var study = AzuriteFixture.UniqueName("followup");
        var yaml = StudyFiles.Example(study) + "analysis:\n  followUp: { days: 182, from: firstMeeting }\n";
        using (var put = await app.AdminClient.PutAsync($"/api/manage/studies/{study}", new StringContent(yaml, Encoding.UTF8, "application/yaml")))
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        // d-001 enrolled 2026-01-12, its first meeting planned that day: follow-up ends 2026-07-13. Recorded on the 15th,
        // the first meeting moves the end to 2026-07-16.
        foreach (var (json, words) in new[]
        {
            ("{\"employed\":true,\"date\":\"2026-07-14\"}", "after the end of follow-up on 2026-07-13 (182 days from the dyad's first meeting)"),
            ("{\"employed\":true,\"date\":\"2026-05-02\",\"recorded\":\"2026-05-01\"}", "after the day the outcome is recorded (2026-05-01)"),
            ("{\"employed\":false,\"recorded\":\"2999-01-01\"}", "the recorded date 2999-01-01 is after today"),
            ("{\"employed\":false,\"recorded\":\"01/05/2026\"}", "\"recorded\" must be a date written yyyy-MM-dd."),
        })
        {
            var (refused, problem) = await SendAsync(app, HttpMethod.Put, $"/api/studies/{study}/dyads/d-001/outcome", json);
            Assert.Equal(HttpStatusCode.BadRequest, refused);
            Assert.Contains(words, problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        }
        var (status, _) = await SendAsync(app, HttpMethod.Put, $"/api/studies/{study}/dyads/d-001/meetings/1", "{\"date\":\"2026-01-15\"}");
        Assert.Equal(HttpStatusCode.OK, status);
        (status, _) = await SendAsync(app, HttpMethod.Put, $"/api/studies/{study}/dyads/d-001/outcome", "{\"employed\":true,\"date\":\"2026-07-16\",\"recorded\":\"2026-08-01\"}");
        Assert.Equal(HttpStatusCode.OK, status);
        var (csvRefused, csvProblem) = await SendAsync(app, HttpMethod.Post, $"/api/studies/{study}/outcomes", "dyad,employed,date,recorded\nd-002,yes,2026-07-30,2026-08-01\n", "text/csv");
        Assert.Equal(HttpStatusCode.BadRequest, csvRefused);
        Assert.Contains("after the end of follow-up", csvProblem["errors"]![0]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        (status, _) = await SendAsync(app, HttpMethod.Post, $"/api/studies/{study}/outcomes", "dyad,employed,date,recorded\nd-002,no,,2026-08-01\nd-003,yes,2026-05-02,\n", "text/csv");
        Assert.Equal(HttpStatusCode.OK, status);

        var table = azurite.Tables.GetTableClient(StorageNames.OutcomesTable);
        var recorded = new Dictionary<string, DateTimeOffset?>();
        await foreach (var row in table.QueryAsync<OutcomeEntity>(e => e.PartitionKey == study)) recorded[row.RowKey] = row.RecordedOn;
        Assert.Equal(new DateTimeOffset(2026, 8, 1, 0, 0, 0, TimeSpan.Zero), recorded["d-001"]);
        Assert.Equal(new DateTimeOffset(2026, 8, 1, 0, 0, 0, TimeSpan.Zero), recorded["d-002"]);
        Assert.Equal(new DateTimeOffset(DateTime.UtcNow.Date, TimeSpan.Zero), recorded["d-003"]); // left empty: the day it was sent
    }

    [Fact]
    public async Task A_link_reissued_after_its_invitation_and_reminders_went_out_starts_a_fresh_invitation_log()
    {
        // The coordinator's week: the invitation was sent and a reminder too, the rater lost the mail, the link is
        // reissued. The new link must be mailed by the next Reminders run, so the log must really be empty again.
        await using var app = await TestApp.StartAsync(azurite);
        var study = await ApplyExampleAsync(app, "reissue-sent");
        var table = azurite.Tables.GetTableClient(StorageNames.AssessmentsTable);
        var sent = await AssessmentAsync(study, "d-002-m1-practitioner");
        sent.InvitationQueuedAt = DateTimeOffset.UtcNow.AddDays(-9);
        sent.InvitationSentAt = DateTimeOffset.UtcNow.AddDays(-9);
        sent.RemindersSent = 2;
        sent.LastReminderAt = DateTimeOffset.UtcNow.AddDays(-2);
        await table.UpdateEntityAsync(sent, sent.ETag, TableUpdateMode.Replace);

        var (status, body) = await SendAsync(app, HttpMethod.Post, $"/api/studies/{study}/assessments/d-002-m1-practitioner/reissue");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(2, body["linkVersion"]!.GetValue<int>());
        var after = await AssessmentAsync(study, "d-002-m1-practitioner");
        Assert.Equal((2, (DateTimeOffset?)null, (DateTimeOffset?)null, 0, (DateTimeOffset?)null),
            (after.LinkVersion, after.InvitationQueuedAt, after.InvitationSentAt, after.RemindersSent, after.LastReminderAt));
        Assert.Equal((sent.RaterId, sent.DueDate, "Pending"), (after.RaterId, after.DueDate, after.Status)); // the rest of the row kept
    }

    [Fact]
    public async Task A_reissued_link_replaces_the_old_one_and_a_withdrawn_dyad_s_links_stop()
    {
        await using var app = await TestApp.StartAsync(azurite);
        var study = await ApplyExampleAsync(app, "reissue");
        var tokens = new CoreLinkTokens(Core.Links.LinkSigningKeys.FromSettings("test=" + TestApp.SigningKey, "test"));
        var old = tokens.Issue(new LinkClaims(study, "d-002-m1-practitioner", 1, DateTimeOffset.UtcNow.AddDays(5)));
        using (var before = await app.Client.GetAsync($"/api/q/{old}")) Assert.Equal(HttpStatusCode.OK, before.StatusCode);

        var (status, body) = await SendAsync(app, HttpMethod.Post, $"/api/studies/{study}/assessments/d-002-m1-practitioner/reissue");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(2, body["linkVersion"]!.GetValue<int>());
        // The new link as the next Reminders run mails it (the answer does not hold it: security finding 3).
        var link = "/api/q/" + tokens.Issue(new LinkClaims(study, "d-002-m1-practitioner", 2, DateTimeOffset.UtcNow.AddDays(5)));
        using (var stale = await app.Client.GetAsync($"/api/q/{old}")) Assert.Equal(HttpStatusCode.Gone, stale.StatusCode);
        using (var fresh = await app.Client.GetAsync(link)) Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);
        Assert.Null((await AssessmentAsync(study, "d-002-m1-practitioner")).InvitationQueuedAt);

        (status, body) = await SendAsync(app, HttpMethod.Post, $"/api/studies/{study}/dyads/d-002/withdraw");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(3, body["assessmentsWithdrawn"]!.GetValue<int>());
        using (var gone = await app.Client.GetAsync(link)) Assert.Equal(HttpStatusCode.Gone, gone.StatusCode);
        (status, _) = await SendAsync(app, HttpMethod.Post, $"/api/studies/{study}/assessments/d-002-m2-practitioner/reissue");
        Assert.Equal(HttpStatusCode.Conflict, status);

        // The withdrawal through the API holds when the (unchanged) file is applied again.
        using var again = await app.AdminClient.PutAsync($"/api/manage/studies/{study}", new StringContent(StudyFiles.Example(study), Encoding.UTF8, "application/yaml"));
        var report = JsonNode.Parse(await again.Content.ReadAsStringAsync())!;
        Assert.Contains(report["notes"]!.AsArray(), n => n!.GetValue<string>().StartsWith("dyad d-002 was withdrawn by a coordinator", StringComparison.Ordinal));
        Assert.Equal("Withdrawn", (await AssessmentAsync(study, "d-002-m3-practitioner")).Status);
        var audit = new List<AuditEntity>();
        await foreach (var row in azurite.Tables.GetTableClient(StorageNames.AuditTable).QueryAsync<AuditEntity>(e => e.PartitionKey == study)) audit.Add(row);
        Assert.Equal(["dyad.withdrawn", "link.reissued", "study.applied"], audit.Select(a => a.Action).Distinct().Order(StringComparer.Ordinal));
        // One row per record changed, before and after (security finding 7): the reissued link, the dyad, its 3 forms.
        var reissued = Assert.Single(audit, a => a.Action == "link.reissued");
        Assert.Equal("Assessments/d-002-m1-practitioner", reissued.Record);
        Assert.Contains("\"LinkVersion\":1", reissued.Before, StringComparison.Ordinal);
        Assert.Contains("\"LinkVersion\":2", reissued.After, StringComparison.Ordinal);
        var withdrawn = audit.Where(a => a.Action == "dyad.withdrawn").ToList();
        Assert.Equal(["Assessments/d-002-m1-practitioner", "Assessments/d-002-m2-practitioner", "Assessments/d-002-m3-practitioner", "Participants/dyad:d-002"],
            withdrawn.Select(a => a.Record).Order(StringComparer.Ordinal));
        Assert.All(withdrawn.Where(a => a.Record.StartsWith("Assessments/", StringComparison.Ordinal)), a => Assert.Contains("\"Status\":\"Pending\"", a.Before, StringComparison.Ordinal));
        Assert.Contains("\"Withdrawn\":true", withdrawn.Single(a => a.Subject == "d-002").After, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Keys_decide_who_applies_and_records_and_a_site_key_never_reaches_another_site_s_dyads()
    {
        await using var app = await TestApp.StartAsync(azurite);
        var study = await ApplyExampleAsync(app, "scope");
        using var north = await app.ClientWithKeyAsync(Core.Access.AccessScope.ForSite(study, "site-north"));
        using var coordinator = await app.ClientWithKeyAsync(Core.Access.AccessScope.ForStudy(study));
        using var researcher = await app.ClientWithKeyAsync(Core.Access.AccessScope.ForResearcher(study));
        using var other = await app.ClientWithKeyAsync(Core.Access.AccessScope.ForStudy("another-study"));
        StringContent Date() => new("{\"date\":\"2026-01-20\"}", Encoding.UTF8, "application/json");

        // Applying a study file takes an admin key.
        using (var put = await coordinator.PutAsync($"/api/manage/studies/{study}", new StringContent(StudyFiles.Example(study), Encoding.UTF8, "application/yaml")))
            Assert.Equal(HttpStatusCode.Forbidden, put.StatusCode);
        using (var anonymous = await app.Client.PutAsync($"/api/manage/studies/{study}", new StringContent(StudyFiles.Example(study), Encoding.UTF8, "application/yaml")))
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);

        using (var own = await north.PutAsync($"/api/studies/{study}/dyads/d-001/meetings/1", Date())) Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        using (var theirs = await north.PutAsync($"/api/studies/{study}/dyads/d-003/meetings/1", Date())) Assert.Equal(HttpStatusCode.NotFound, theirs.StatusCode);
        using (var csv = await north.PostAsync($"/api/studies/{study}/outcomes", new StringContent("dyad,employed,date\nd-001,no,\nd-003,no,\n", Encoding.UTF8, "text/csv")))
            Assert.Equal(HttpStatusCode.NotFound, csv.StatusCode);
        using (var withdraw = await north.PostAsync($"/api/studies/{study}/dyads/d-004/withdraw", null)) Assert.Equal(HttpStatusCode.NotFound, withdraw.StatusCode);
        using (var reissue = await north.PostAsync($"/api/studies/{study}/assessments/d-003-m1-client/reissue", null)) Assert.Equal(HttpStatusCode.NotFound, reissue.StatusCode);
        using (var read = await researcher.PutAsync($"/api/studies/{study}/dyads/d-001/meetings/1", Date())) Assert.Equal(HttpStatusCode.Forbidden, read.StatusCode);
        using (var elsewhere = await other.PutAsync($"/api/studies/{study}/dyads/d-001/meetings/1", Date())) Assert.Equal(HttpStatusCode.Forbidden, elsewhere.StatusCode);
        using (var all = await coordinator.PutAsync($"/api/studies/{study}/dyads/d-003/meetings/1", Date())) Assert.Equal(HttpStatusCode.OK, all.StatusCode);

        var outcomes = new List<OutcomeEntity>();
        await foreach (var row in azurite.Tables.GetTableClient(StorageNames.OutcomesTable).QueryAsync<OutcomeEntity>(e => e.PartitionKey == study)) outcomes.Add(row);
        Assert.Empty(outcomes);
    }
}
