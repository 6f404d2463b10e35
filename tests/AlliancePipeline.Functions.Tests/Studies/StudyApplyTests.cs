using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using AlliancePipeline.Contracts.Api;
using AlliancePipeline.Contracts.Storage;
using AlliancePipeline.Functions.Questionnaires;
using AlliancePipeline.Functions.Tests.Infrastructure;
using Azure.Data.Tables;
using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.Logging;

namespace AlliancePipeline.Functions.Tests.Studies;

/// <summary>
/// Applying a study file through <c>PUT /api/manage/studies/{studyId}</c> on Azurite: what it writes, that applying it
/// again changes nothing, what a change reports and does, and that a file with errors names each and writes nothing.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class StudyApplyTests(AzuriteFixture azurite)
{
    private static async Task<(HttpStatusCode Status, JsonNode Body)> PutAsync(TestApp app, string studyId, string text, string query = "", string contentType = "application/yaml")
    {
        using var response = await app.AdminClient.PutAsync($"/api/manage/studies/{studyId}{query}", new StringContent(text, Encoding.UTF8, contentType));
        var content = await response.Content.ReadAsStringAsync();
        Assert.True(content.Length > 0, $"{(int)response.StatusCode} with no body; log: {string.Join(Environment.NewLine, app.Logs.GetSnapshot().Where(r => r.Level == LogLevel.Error).Select(r => r.Text()).Select(l => l[..Math.Min(l.Length, 3000)]))}");
        return (response.StatusCode, JsonNode.Parse(content)!);
    }

    private async Task<List<T>> RowsAsync<T>(string table, string studyId) where T : class, ITableEntity, new()
    {
        var rows = new List<T>();
        await foreach (var row in azurite.Tables.GetTableClient(table).QueryAsync<T>(e => e.PartitionKey == studyId)) rows.Add(row);
        return rows;
    }

    [Fact]
    public async Task The_example_file_enrols_its_active_dyads_and_applying_it_again_changes_nothing()
    {
        await using var app = await TestApp.StartAsync(azurite);
        var study = AzuriteFixture.UniqueName("apply");
        var text = StudyFiles.Example(study);

        var (status, body) = await PutAsync(app, study, text);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True(body["applied"]!.GetValue<bool>());
        Assert.True(body["changed"]!.GetValue<bool>());
        // d-001 and d-003 are rated by practitioner and client, d-002 by the practitioner; d-004 is withdrawn: 3 x (2 + 1 + 2).
        Assert.Equal(15, body["assessments"]!["added"]!.GetValue<int>());
        Assert.Contains(body["changes"]!.AsArray(), c => c!["text"]!.GetValue<string>() == "added dyad d-001");

        var assessments = await RowsAsync<AssessmentEntity>(StorageNames.AssessmentsTable, study);
        Assert.Equal(15, assessments.Count);
        Assert.DoesNotContain(assessments, a => a.DyadId == "d-004");
        var d001m2 = assessments.Single(a => a.RowKey == "d-001-m2-client");
        // Enrolled 2026-01-12, meeting 2 expected on day 14, due 7 days later.
        Assert.Equal(new DateTimeOffset(2026, 1, 26, 0, 0, 0, TimeSpan.Zero), d001m2.MeetingDate);
        Assert.Equal(new DateTimeOffset(2026, 1, 26, 0, 0, 0, TimeSpan.Zero), d001m2.InviteOn);
        Assert.Equal(new DateTimeOffset(2026, 2, 2, 0, 0, 0, TimeSpan.Zero), d001m2.DueDate);
        Assert.Equal(("c-001", "client", "site-north", "ips", "en", "Pending"), (d001m2.RaterId, d001m2.RaterRole, d001m2.SiteId, d001m2.Arm, d001m2.Language, d001m2.Status));
        Assert.Equal("fr-CA", assessments.Single(a => a.RowKey == "d-003-m1-practitioner").Language);

        var participants = await RowsAsync<ParticipantEntity>(StorageNames.ParticipantsTable, study);
        Assert.Equal(["dyad:d-001", "dyad:d-002", "dyad:d-003", "dyad:d-004", "rater:c-001", "rater:c-003", "rater:p-001", "rater:p-002", "recipient:1", "site:site-north", "site:site-river"],
            participants.Select(p => p.RowKey).Order(StringComparer.Ordinal));
        Assert.True(participants.Single(p => p.RowKey == "dyad:d-004").Withdrawn);
        Assert.Contains("coordination.riviere@example.org", participants.Single(p => p.RowKey == "site:site-river").Coordinators, StringComparison.Ordinal);

        var entity = (await azurite.Tables.GetTableClient(StorageNames.StudiesTable).GetEntityAsync<StudyEntity>(StudyEntity.Partition, study)).Value;
        Assert.Equal(1, entity.Version);
        Assert.Equal("{\"client\":\"wai-s-client\",\"practitioner\":\"wai-s-practitioner\"}", entity.InstrumentsByRole);
        var source = (await azurite.Blobs.GetBlobContainerClient(StorageNames.StudiesContainer).GetBlobClient($"{study}/study.json").DownloadContentAsync()).Value.Content.ToString();
        Assert.Equal(text, StudySource.TryParse(source, out _)!.Text);

        // Again: nothing changes, nothing is written.
        (status, body) = await PutAsync(app, study, text);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.False(body["changed"]!.GetValue<bool>());
        Assert.False(body["applied"]!.GetValue<bool>());
        Assert.Equal("No change: the study is as the file describes it.", body["summary"]!.GetValue<string>());
        Assert.Equal(1, (await azurite.Tables.GetTableClient(StorageNames.StudiesTable).GetEntityAsync<StudyEntity>(StudyEntity.Partition, study)).Value.Version);
        Assert.Equal(15, (await RowsAsync<AssessmentEntity>(StorageNames.AssessmentsTable, study)).Count);
        // One summary row, and one row per record created (security finding 7): the 15 assessments and 11 participants,
        // each with what it was created with, its addresses and names redacted; applying again added none.
        var audit = await RowsAsync<AuditEntity>(StorageNames.AuditTable, study);
        Assert.Single(audit, a => a.Action == "study.applied" && a.Record.Length == 0);
        var created = audit.Where(a => a.Action == "study.applied" && a.Record.Length > 0).ToList();
        Assert.Equal(15 + 11, created.Count);
        Assert.All(created, a => Assert.Equal("", a.Before));
        var rater = Assert.Single(created, a => a.Record == "Participants/rater:p-001");
        Assert.Contains("\"Email\":\"(redacted)\"", rater.After, StringComparison.Ordinal);
        Assert.All(audit, a => Assert.DoesNotContain("@", a.Before + a.After + a.Details, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_changed_file_reports_what_changed_withdraws_and_reinstates_and_moves_nothing_already_answered()
    {
        await using var app = await TestApp.StartAsync(azurite);
        var study = AzuriteFixture.UniqueName("change");
        var text = StudyFiles.Example(study);
        Assert.Equal(HttpStatusCode.OK, (await PutAsync(app, study, text)).Status);
        // A rater answers d-002's first meeting before the change.
        var assessments = azurite.Tables.GetTableClient(StorageNames.AssessmentsTable);
        await assessments.UpdateEntityAsync(new TableEntity(study, "d-002-m1-practitioner") { ["Status"] = "Completed" }, Azure.ETag.All, TableUpdateMode.Merge);

        var changed = text
            .Replace("    email: p-001@example.org", "    email: p-001.new@example.org", StringComparison.Ordinal)
            .Replace("    arm: tvs\n    enrolled: 2026-01-19", "    arm: tvs\n    enrolled: 2026-01-26", StringComparison.Ordinal)
            .Replace("    enrolled: 2026-01-14", "    enrolled: 2026-01-14\n    withdrawn: true", StringComparison.Ordinal)
            .Replace("    enrolled: 2026-01-21\n    withdrawn: true", "    enrolled: 2026-01-21", StringComparison.Ordinal);
        var (dryStatus, dry) = await PutAsync(app, study, changed, "?dryRun=true");
        Assert.Equal(HttpStatusCode.OK, dryStatus);
        Assert.True(dry["dryRun"]!.GetValue<bool>());
        Assert.False(dry["applied"]!.GetValue<bool>());
        Assert.Equal(1, (await azurite.Tables.GetTableClient(StorageNames.StudiesTable).GetEntityAsync<StudyEntity>(StudyEntity.Partition, study)).Value.Version);

        var (status, body) = await PutAsync(app, study, changed);
        Assert.Equal(HttpStatusCode.OK, status);
        var texts = body["changes"]!.AsArray().Select(c => c!["text"]!.GetValue<string>()).ToList();
        Assert.Contains("updated rater p-001 (email)", texts);
        Assert.Contains("withdrawn dyad d-003", texts);
        Assert.Contains("reinstated dyad d-004", texts);
        Assert.Contains(texts, t => t.StartsWith("updated dyad d-002", StringComparison.Ordinal));
        // d-004 is new to enrolment (3 meetings, practitioner only); d-003's 6 pending ones are withdrawn; d-002's two
        // unanswered meetings move with its enrolment date, its answered first meeting does not; p-001's new address
        // relinks its pending forms (d-001's three, d-002's two), which are updated too.
        Assert.Equal(3, body["assessments"]!["added"]!.GetValue<int>());
        Assert.Equal(6, body["assessments"]!["withdrawn"]!.GetValue<int>());
        Assert.Equal(5, body["assessments"]!["updated"]!.GetValue<int>());
        Assert.Equal(5, body["assessments"]!["relinked"]!.GetValue<int>());

        var rows = (await RowsAsync<AssessmentEntity>(StorageNames.AssessmentsTable, study)).ToDictionary(a => a.RowKey);
        Assert.All(rows.Values.Where(a => a.DyadId == "d-003"), a => Assert.Equal("Withdrawn", a.Status));
        Assert.Equal(new DateTimeOffset(2026, 1, 19, 0, 0, 0, TimeSpan.Zero), rows["d-002-m1-practitioner"].MeetingDate);
        Assert.Equal(new DateTimeOffset(2026, 2, 9, 0, 0, 0, TimeSpan.Zero), rows["d-002-m2-practitioner"].MeetingDate);
        Assert.Equal((2, 2, 1, 1), (rows["d-002-m2-practitioner"].LinkVersion, rows["d-001-m1-practitioner"].LinkVersion, rows["d-002-m1-practitioner"].LinkVersion, rows["d-001-m1-client"].LinkVersion));
        Assert.Equal(2, (await azurite.Tables.GetTableClient(StorageNames.StudiesTable).GetEntityAsync<StudyEntity>(StudyEntity.Partition, study)).Value.Version);

        // Each record the change touched has its own row, before and after (security finding 7); an address never.
        var audit = (await RowsAsync<AuditEntity>(StorageNames.AuditTable, study)).Where(a => a.Before.Length > 0).ToList();
        var readdressed = Assert.Single(audit, a => a.Record == "Participants/rater:p-001");
        Assert.Equal(("{\"Email\":\"(redacted)\"}", "{\"Email\":\"(redacted)\"}", "rater changed"), (readdressed.Before, readdressed.After, readdressed.Details));
        var withdrawn = Assert.Single(audit, a => a.Record == "Assessments/d-003-m1-practitioner");
        Assert.Contains("\"Status\":\"Pending\"", withdrawn.Before, StringComparison.Ordinal);
        Assert.Contains("\"Status\":\"Withdrawn\"", withdrawn.After, StringComparison.Ordinal);
        var reinstated = Assert.Single(audit, a => a.Record == "Participants/dyad:d-004");
        Assert.Equal("dyad reinstated", reinstated.Details);
        Assert.Contains("\"Withdrawn\":true", reinstated.Before, StringComparison.Ordinal);
        Assert.Contains("\"Withdrawn\":false", reinstated.After, StringComparison.Ordinal);
        var relinked = Assert.Single(audit, a => a.Record == "Assessments/d-001-m1-practitioner");
        Assert.Equal(("{\"LinkVersion\":1}", "{\"LinkVersion\":2}"), (relinked.Before, relinked.After));
        Assert.DoesNotContain(audit, a => a.Record == "Assessments/d-002-m1-practitioner"); // answered: untouched
        Assert.All(audit, a => Assert.DoesNotContain("@", a.Before + a.After + a.Details, StringComparison.Ordinal));

        // Withdrawing d-003 again through the file is no change; bringing it back reinstates it with new links.
        // Its first invitation and a reminder had gone out before the withdrawal: the new links must be mailed afresh.
        var assessmentTable = azurite.Tables.GetTableClient(StorageNames.AssessmentsTable);
        foreach (var a in rows.Values.Where(a => a.DyadId == "d-003"))
        {
            (a.InvitationQueuedAt, a.InvitationSentAt, a.RemindersSent, a.LastReminderAt) = (DateTimeOffset.UtcNow.AddDays(-9), DateTimeOffset.UtcNow.AddDays(-9), 1, DateTimeOffset.UtcNow.AddDays(-2));
            await assessmentTable.UpdateEntityAsync(a, a.ETag, Azure.Data.Tables.TableUpdateMode.Replace);
        }
        var back = changed.Replace("    enrolled: 2026-01-14\n    withdrawn: true", "    enrolled: 2026-01-14", StringComparison.Ordinal);
        (status, body) = await PutAsync(app, study, back);
        Assert.Equal(6, body["assessments"]!["reinstated"]!.GetValue<int>());
        rows = (await RowsAsync<AssessmentEntity>(StorageNames.AssessmentsTable, study)).ToDictionary(a => a.RowKey);
        Assert.All(rows.Values.Where(a => a.DyadId == "d-003"), a => Assert.Equal(("Pending", 2), (a.Status, a.LinkVersion)));
        Assert.All(rows.Values.Where(a => a.DyadId == "d-003"), a => Assert.Equal(((DateTimeOffset?)null, (DateTimeOffset?)null, 0, (DateTimeOffset?)null),
            (a.InvitationQueuedAt, a.InvitationSentAt, a.RemindersSent, a.LastReminderAt)));
    }

    [Fact]
    public async Task A_meeting_removed_from_the_file_withdraws_its_pending_forms_lists_them_and_keeps_the_answered_one()
    {
        await using var app = await TestApp.StartAsync(azurite);
        var study = AzuriteFixture.UniqueName("meeting");
        var text = StudyFiles.Example(study);
        Assert.Equal(HttpStatusCode.OK, (await PutAsync(app, study, text)).Status);
        var assessments = azurite.Tables.GetTableClient(StorageNames.AssessmentsTable);
        await assessments.UpdateEntityAsync(new TableEntity(study, "d-001-m3-practitioner") { ["Status"] = "Completed" }, Azure.ETag.All, TableUpdateMode.Merge);
        var tokens = new CoreLinkTokens(Core.Links.LinkSigningKeys.FromSettings("test=" + TestApp.SigningKey, "test"));
        var link = $"/api/q/{tokens.Issue(new LinkClaims(study, "d-003-m3-client", 1, DateTimeOffset.UtcNow.AddDays(30)))}";
        using (var before = await app.Client.GetAsync(link)) Assert.Equal(HttpStatusCode.OK, before.StatusCode);

        var withoutMeeting3 = text.Replace("  - number: 3\n    expectedDay: 28\n    windowDays: 7\n", "", StringComparison.Ordinal);
        Assert.NotEqual(text, withoutMeeting3);
        var (status, body) = await PutAsync(app, study, withoutMeeting3);
        Assert.Equal(HttpStatusCode.OK, status);

        // Meeting 3's pending forms (d-001's client, d-002's practitioner, d-003's two) are withdrawn and listed; the
        // answered d-001-m3-practitioner is kept as it was.
        string[] expected = ["d-001-m3-client", "d-002-m3-practitioner", "d-003-m3-client", "d-003-m3-practitioner"];
        Assert.Equal(4, body["assessments"]!["withdrawn"]!.GetValue<int>());
        Assert.Equal(expected, body["withdrawnAssessments"]!.AsArray().Select(n => n!.GetValue<string>()));
        var note = Assert.Single(body["notes"]!.AsArray(), n => n!.GetValue<string>().StartsWith("meeting 3 is no longer in the file", StringComparison.Ordinal))!.GetValue<string>();
        Assert.All(expected, id => Assert.Contains(id, note, StringComparison.Ordinal));
        var rows = (await RowsAsync<AssessmentEntity>(StorageNames.AssessmentsTable, study)).ToDictionary(a => a.RowKey);
        Assert.All(expected, id => Assert.Equal("Withdrawn", rows[id].Status));
        Assert.Equal("Completed", rows["d-001-m3-practitioner"].Status);
        Assert.DoesNotContain(rows.Values, a => a.Meeting < 3 && a.Status == "Withdrawn");

        // Its link stops (410) and an answer through it is refused; nothing is queued for it.
        using (var after = await app.Client.GetAsync(link)) Assert.Equal(HttpStatusCode.Gone, after.StatusCode);
        var answers = string.Join('&', Enumerable.Range(1, 12).Select(i => $"item-{i}=5"));
        using (var post = await app.Client.PostAsync(link, new StringContent(answers, Encoding.UTF8, "application/x-www-form-urlencoded")))
            Assert.Equal(HttpStatusCode.Gone, post.StatusCode);
        Assert.Equal("Withdrawn", (await assessments.GetEntityAsync<AssessmentEntity>(study, "d-003-m3-client")).Value.Status);

        // Putting the meeting back brings the withdrawn forms back with new links.
        (status, body) = await PutAsync(app, study, text);
        Assert.Equal(4, body["assessments"]!["reinstated"]!.GetValue<int>());
    }

    [Fact]
    public async Task Applying_warns_of_newly_enrolled_forms_already_due_and_applies_them_all_the_same()
    {
        // 20 January 2026: d-001 (enrolled on the 12th) has meeting 1 due on the 19th; d-003 (the 14th) on the 21st;
        // d-002 (the 19th) on the 26th. Only d-001's first forms are already due.
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2026, 1, 20, 9, 0, 0, TimeSpan.Zero));
        await using var app = await TestApp.StartAsync(azurite, clock: clock);
        var study = AzuriteFixture.UniqueName("due");
        var text = StudyFiles.Example(study);
        var (status, body) = await PutAsync(app, study, text, "?dryRun=true");
        Assert.Equal(HttpStatusCode.OK, status);
        var warning = Assert.Single(body["warnings"]!.AsArray())!.GetValue<string>();
        Assert.StartsWith("dyad d-001: 2 new forms are already due (the first, meeting 1, was due on 2026-01-19; today is 2026-01-20)", warning, StringComparison.Ordinal);

        (status, body) = await PutAsync(app, study, text);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True(body["applied"]!.GetValue<bool>());
        Assert.Single(body["warnings"]!.AsArray());
        Assert.Equal(15, body["assessments"]!["added"]!.GetValue<int>());

        // A dyad added later, enrolled a month back: warned of at that apply; the others are not new, so not again.
        clock.Advance(TimeSpan.FromDays(10));
        var later = text.Replace("  - id: d-004\n", "  - id: d-005\n    practitioner: p-001\n    site: site-north\n    arm: ips\n    enrolled: 2025-12-29\n  - id: d-004\n", StringComparison.Ordinal);
        (status, body) = await PutAsync(app, study, later);
        Assert.Equal(HttpStatusCode.OK, status);
        warning = Assert.Single(body["warnings"]!.AsArray())!.GetValue<string>();
        Assert.StartsWith("dyad d-005: 2 new forms are already due (the first, meeting 1, was due on 2026-01-05;", warning, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_file_with_errors_names_each_line_and_field_and_writes_nothing()
    {
        await using var app = await TestApp.StartAsync(azurite);
        var study = AzuriteFixture.UniqueName("errors");
        var broken = StudyFiles.Example(study)
            .Replace("    practitioner: p-002\n    client: c-003", "    practitioner: p-009\n    client: c-003", StringComparison.Ordinal)
            .Replace("  everyDays: 7", "  everyDays: 0", StringComparison.Ordinal);
        var (status, body) = await PutAsync(app, study, broken);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        var errors = body["errors"]!.AsArray();
        Assert.Equal(2, errors.Count);
        Assert.Contains(errors, e => e!["field"]!.GetValue<string>() == "dyads[2].practitioner" && e["message"]!.GetValue<string>().Contains("'p-009'", StringComparison.Ordinal) && e["line"]!.GetValue<int>() > 80);
        Assert.Contains(errors, e => e!["field"]!.GetValue<string>() == "reminders.everyDays");
        Assert.StartsWith("2 error(s); nothing was applied.", body["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.False((await azurite.Tables.GetTableClient(StorageNames.StudiesTable).GetEntityIfExistsAsync<StudyEntity>(StudyEntity.Partition, study)).HasValue);
        Assert.Empty(await RowsAsync<AssessmentEntity>(StorageNames.AssessmentsTable, study));
        Assert.Empty(await RowsAsync<ParticipantEntity>(StorageNames.ParticipantsTable, study));

        // A file for another study, an empty body, and a study source whose instrument file is missing.
        (status, body) = await PutAsync(app, "another-study", StudyFiles.Example(study));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("sent to study 'another-study'", body["errors"]![0]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        (status, _) = await PutAsync(app, study, "  ");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        var withFile = StudyFiles.Example(study).Replace("  client: wai-s-client ", "  client: { file: instruments/ours.json } ", StringComparison.Ordinal);
        var envelope = new StudySource { Source = "study.yaml", Text = withFile }.ToJson();
        (status, body) = await PutAsync(app, study, envelope, contentType: StudySource.MediaType);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(body["errors"]!.AsArray(), e => e!["field"]!.GetValue<string>().StartsWith("instruments.client", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_study_s_own_instrument_sent_with_the_file_serves_its_client_raters()
    {
        await using var app = await TestApp.StartAsync(azurite);
        var study = AzuriteFixture.UniqueName("own");
        var shippedClient = Core.Instruments.InstrumentCatalog.ShippedDefinitionTexts().Single(t => t.Key.Contains("wai-s-client", StringComparison.Ordinal)).Value;
        var own = shippedClient.Replace("\"id\": \"wai-s-client\"", "\"id\": \"study-own-client\"", StringComparison.Ordinal);
        var text = StudyFiles.Example(study).Replace("  client: wai-s-client ", "  client: { file: instruments/ours.json } ", StringComparison.Ordinal);
        var envelope = new StudySource { Source = "study.yaml", Text = text, Files = { ["instruments/ours.json"] = own } }.ToJson();
        var (status, body) = await PutAsync(app, study, envelope, contentType: StudySource.MediaType);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(15, body["assessments"]!["added"]!.GetValue<int>());

        // A client's link opens the study's own form.
        var tokens = new CoreLinkTokens(Core.Links.LinkSigningKeys.FromSettings("test=" + TestApp.SigningKey, "test"));
        var token = tokens.Issue(new LinkClaims(study, "d-001-m1-client", 1, DateTimeOffset.UtcNow.AddDays(1)));
        using var form = await app.Client.GetAsync($"/api/q/{token}");
        Assert.Equal(HttpStatusCode.OK, form.StatusCode);
        var entity = (await azurite.Tables.GetTableClient(StorageNames.StudiesTable).GetEntityAsync<StudyEntity>(StudyEntity.Partition, study)).Value;
        Assert.Contains("study-own-client", entity.StudyInstruments, StringComparison.Ordinal);
        _ = BlobTraits.None;
    }

    [Fact]
    public async Task An_apply_builds_the_views_under_the_study_s_reminder_policy_and_rebuilds_them_when_it_changes()
    {
        await using var app = await TestApp.StartAsync(azurite);
        var study = AzuriteFixture.UniqueName("apply-views");
        var text = StudyFiles.Example(study);
        var views = azurite.Tables.GetTableClient(StorageNames.AssessmentViewsTable);
        async Task<(bool? Built, string? Policy, int Due)> StateAsync()
        {
            var state = (await views.GetEntityAsync<TableEntity>($"{study}|state", "state")).Value;
            var due = 0;
            await foreach (var _ in views.QueryAsync<TableEntity>(e => e.PartitionKey == $"{study}|due")) due++;
            return (state.GetBoolean("Built"), state.GetString("Policy"), due);
        }

        // Before, the first reader (a dashboard, without a policy) built them, and the first Reminders run built them
        // again under the policy: at 2,000 dyads, 25 s of that run.
        Assert.Equal(HttpStatusCode.OK, (await PutAsync(app, study, text)).Status);
        var first = await StateAsync();
        Assert.Equal((true, "3,7,3"), (first.Built, first.Policy));
        Assert.Equal(15, first.Due); // every pending form has its due row

        var changed = text.Replace("  everyDays: 7\n", "  everyDays: 5\n", StringComparison.Ordinal);
        Assert.NotEqual(text, changed);
        Assert.Equal(HttpStatusCode.OK, (await PutAsync(app, study, changed)).Status);
        Assert.Equal((true, "3,5,3", 15), await StateAsync());

        // Unchanged, and views missing (an app updated before its storage): the apply builds them.
        await views.DeleteEntityAsync($"{study}|state", "state");
        var again = await PutAsync(app, study, changed);
        Assert.False(again.Body["changed"]!.GetValue<bool>());
        Assert.Equal((true, "3,5,3", 15), await StateAsync());
    }
}
