using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using AlliancePipeline.Contracts.Storage;
using AlliancePipeline.Core.Access;
using AlliancePipeline.Core.Instruments;
using AlliancePipeline.Core.Studies;
using AlliancePipeline.Functions.Exports;
using AlliancePipeline.Functions.Mail;
using AlliancePipeline.Functions.Scoring;
using AlliancePipeline.Functions.Tests.Infrastructure;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace AlliancePipeline.Functions.Tests.Studies;

/// <summary>
/// <c>POST studies/{id}/responses</c> (<c>alliance responses import</c>) on Azurite: a file with a bad line stores nothing,
/// a good one is scored as a rater's answers are and marked imported in the export, importing it again changes nothing
/// and says so, another answer for an answered form is refused naming the line, each step audited by the key; and a round
/// trip: a study's export imported into a fresh study with the same dyads exports the same answers.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class ResponseImportTests(AzuriteFixture azurite)
{
    private const string Header = "dyad,meeting,role,date,item1,item2,item3,item4,item5,item6,item7,item8,item9,item10,item11,item12\n";

    /// <summary>The app's clock: 1 June 2026, months after the example's dyads were enrolled (January 2026).</summary>
    private static FakeTimeProvider Clock() => new(new DateTimeOffset(2026, 6, 1, 12, 0, 0, TimeSpan.Zero));

    private static async Task<(HttpStatusCode Status, JsonNode Body)> PostAsync(HttpClient client, string study, string csv)
    {
        using var response = await client.PostAsync($"/api/studies/{study}/responses", new StringContent(csv, Encoding.UTF8, "text/csv"));
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!);
    }

    private async Task<List<T>> RowsAsync<T>(string table, string study) where T : class, ITableEntity
    {
        var rows = new List<T>();
        await foreach (var row in azurite.Tables.GetTableClient(table).QueryAsync<T>(e => e.PartitionKey == study)) rows.Add(row);
        return rows;
    }

    /// <summary>The example study under a new id, applied, and a client with its coordinator's (study) key.</summary>
    private static async Task<(string Study, string Key, HttpClient Coordinator)> StudyAsync(TestApp app, string prefix)
    {
        var study = AzuriteFixture.UniqueName(prefix);
        await app.ApplyStudyAsync(study, StudyFiles.Example(study));
        var key = await app.KeyAsync(AccessScope.ForStudy(study));
        var coordinator = new HttpClient { BaseAddress = app.Client.BaseAddress };
        coordinator.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return (study, key, coordinator);
    }

    private static async Task<string> ExportAsync(TestApp app, string study) =>
        Encoding.UTF8.GetString((await app.Services.GetRequiredService<ExportService>().ExportAsync(study, "csv", default))!.Content);

    [Fact]
    public async Task A_file_is_stored_whole_or_not_at_all_scored_as_a_raters_answers_once_and_audited_by_its_key()
    {
        await using var app = await TestApp.StartAsync(azurite, clock: Clock());
        var (study, key, coordinator) = await StudyAsync(app, "import");
        using var _ = coordinator;
        var good = Header
            + "d-001,1,practitioner,2026-01-13,5,6,5,6,5,6,5,6,5,6,5,6\n"
            + "d-001,1,client,2026-01-14,7,7,1,7,7,7,7,7,7,7,7,2\n"
            + "d-003,2,practitioner,2026-01-30,3,3,3,3,3,3,3,3,3,3,3,3\n";

        // One bad line (an item off the scale) and one form the study does not have: nothing is stored.
        var (status, body) = await PostAsync(coordinator, study, good + "d-002,1,practitioner,2026-01-20,5,5,5,5,5,5,5,5,5,5,5,9\n");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("line 5: item 12: 9 is off the scale of wai-s-practitioner (1 to 7)", $"line {body["errors"]![0]!["line"]}: {body["errors"]![0]!["message"]}");
        (status, body) = await PostAsync(coordinator, study, good + "d-002,1,client,2026-01-20,5,5,5,5,5,5,5,5,5,5,5,5\n");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(5, body["errors"]![0]!["line"]!.GetValue<int>());
        Assert.Contains("dyad 'd-002' has no client rater", body["errors"]![0]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        (status, body) = await PostAsync(coordinator, study, good + "d-404,1,practitioner,2026-01-20,5,5,5,5,5,5,5,5,5,5,5,5\n");
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Contains("line 5: dyad 'd-404' is not in study", body["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Empty(await RowsAsync<ResponseEntity>(StorageNames.ResponsesTable, study));

        // The good file: three responses, scored by the scorer a rater's answers go through, their forms completed.
        (status, body) = await PostAsync(coordinator, study, good);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal((3, 3, 0), (body["lines"]!.GetValue<int>(), body["imported"]!.GetValue<int>(), body["unchanged"]!.GetValue<int>()));
        var stored = (await RowsAsync<ResponseEntity>(StorageNames.ResponsesTable, study)).ToDictionary(r => r.RowKey);
        Assert.Equal(["d-001-m1-client", "d-001-m1-practitioner", "d-003-m2-practitioner"], stored.Keys.Order(StringComparer.Ordinal));
        var client = stored["d-001-m1-client"];
        Assert.Equal([7, 7, 1, 7, 7, 7, 7, 7, 7, 7, 7, 2], client.Items);
        Assert.Equal((ResponseProvenance.Imported, new DateTime(2026, 1, 14, 0, 0, 0, DateTimeKind.Utc)), (client.Provenance, client.SubmittedAt));
        var expected = new InstrumentResponseScorer().Score(InstrumentCatalog.Shipped.Get("wai-s-client"), client.Items);
        Assert.Equal(expected.Columns.Select(c => (c.Key, (double?)c.Value)), expected.Columns.Select(c => (c.Key, client.Score(c.Key))));
        var form = (await azurite.Tables.GetTableClient(StorageNames.AssessmentsTable).GetEntityAsync<AssessmentEntity>(study, "d-003-m2-practitioner")).Value;
        Assert.Equal(nameof(AssessmentStatus.Completed), form.Status);

        // Meeting 2's 3s fall below the practitioner's cutoff (4): the alert is recorded, for the dashboard and the report,
        // and not mailed: an imported rating is history, not care in progress.
        var alert = Assert.Single(await RowsAsync<AlertEntity>(StorageNames.AlertsTable, study));
        Assert.Equal(("d-003-m2-practitioner", "below"), (alert.RowKey, alert.Kinds));
        Assert.DoesNotContain(await RowsAsync<MailEntity>(StorageNames.MailTable, study), m => m.Kind == MailKinds.Alert);
        Assert.Contains(await RowsAsync<TableEntity>(StorageNames.AuditTable, study),
            r => r.GetString("Action") == "alert.raised" && r.GetString("Details").EndsWith("an imported rating: not mailed", StringComparison.Ordinal));

        // Again: nothing changes, and the answer says so.
        (status, body) = await PostAsync(coordinator, study, good);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal((0, 3), (body["imported"]!.GetValue<int>(), body["unchanged"]!.GetValue<int>()));
        Assert.Equal("Nothing changed: all 3 response(s) of the file were already stored as given.", body["message"]!.GetValue<string>());

        // Another answer for an answered form: refused naming its line; the stored answer is kept, and the new line with it is not stored.
        (status, body) = await PostAsync(coordinator, study, Header
            + "d-003,3,practitioner,2026-02-10,4,4,4,4,4,4,4,4,4,4,4,4\n"
            + "d-001,1,practitioner,2026-01-13,5,6,5,6,5,6,5,6,5,6,5,5\n");
        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Equal(3, body["errors"]![0]!["line"]!.GetValue<int>());
        Assert.Equal("meeting 1 of dyad 'd-001' (practitioner) is already answered with other answers (on 2026-01-13, imported): the stored answer is kept, never overwritten",
            body["errors"]![0]!["message"]!.GetValue<string>());
        var after = await RowsAsync<ResponseEntity>(StorageNames.ResponsesTable, study);
        Assert.Equal(3, after.Count);
        Assert.Equal([5, 6, 5, 6, 5, 6, 5, 6, 5, 6, 5, 6], after.Single(r => r.RowKey == "d-001-m1-practitioner").Items);

        // Audited by the key: a row per response stored, one per file imported.
        var audit = await RowsAsync<TableEntity>(StorageNames.AuditTable, study);
        var stores = audit.Where(r => r.GetString("Action") == "response.stored").ToList();
        Assert.Equal(3, stores.Count);
        Assert.All(stores, r => Assert.Equal("key:" + key.Substring(3, 16), r.GetString("Actor")));
        var imports = audit.Where(r => r.GetString("Action") == "response.imported").Select(r => (r.GetString("Actor"), r.GetString("Details"))).OrderBy(r => r.Item2, StringComparer.Ordinal).ToList();
        Assert.Equal(
        [
            ("key:" + key.Substring(3, 16), "3 line(s): 0 stored as imported, 3 already stored as given"),
            ("key:" + key.Substring(3, 16), "3 line(s): 3 stored as imported, 0 already stored as given; 2 meeting date(s) recorded from the ratings' days"),
        ], imports);

        // Marked in the export, the codebook's word.
        var export = await ExportAsync(app, study);
        var lines = export.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        var provenance = Array.IndexOf(lines[0].Split(','), "Provenance");
        Assert.All(lines[1..], l => Assert.Equal(ResponseProvenance.Imported, l.Split(',')[provenance]));

        var json = JsonNode.Parse(await app.AdminClient.GetStringAsync($"/api/studies/{study}/export?format=json"))!["responses"]!.AsArray();
        Assert.All(json, r => Assert.Equal(ResponseProvenance.Imported, r!["provenance"]!.GetValue<string>()));
        var fhir = JsonNode.Parse(await app.AdminClient.GetStringAsync($"/api/studies/{study}/export?format=fhir"))!["entry"]!.AsArray()
            .Select(e => e!["resource"]!).Where(r => r["resourceType"]!.GetValue<string>() == "QuestionnaireResponse").ToList();
        Assert.Equal(3, fhir.Count);
        Assert.All(fhir, r => Assert.Equal(ResponseProvenance.Imported, r["extension"]!.AsArray()
            .Single(x => x!["url"]!.GetValue<string>() == FhirExport.ProvenanceExtension)!["valueCode"]!.GetValue<string>()));

        // The report counts them, in the numbers and in the methods.
        using (var recluster = await app.AdminClient.PostAsync($"/api/manage/studies/{study}/recluster", null)) Assert.Equal(HttpStatusCode.OK, recluster.StatusCode);
        var report = (await azurite.Blobs.GetBlobContainerClient(StorageNames.ReportsContainer).GetBlobClient($"{study}/latest/report.html").DownloadContentAsync()).Value.Content.ToString();
        var page = new AngleSharp.Html.Parser.HtmlParser().ParseDocument(report);
        Assert.Equal("3", page.QuerySelector("#imported-count")!.TextContent);
        Assert.Contains("3 of the 3 responses were imported from a file of ratings the study already had", page.QuerySelector("#methods")!.TextContent, StringComparison.Ordinal);

        // A site key may not import (the whole study's file), a researcher key neither.
        foreach (var scope in new[] { AccessScope.ForSite(study, "site-north"), AccessScope.ForResearcher(study) })
        {
            using var other = new HttpClient { BaseAddress = app.Client.BaseAddress };
            other.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await app.KeyAsync(scope));
            Assert.Equal(HttpStatusCode.Forbidden, (await PostAsync(other, study, good)).Status);
        }
    }

    [Fact]
    public async Task A_studys_export_imported_into_a_fresh_study_with_the_same_dyads_exports_the_same_answers()
    {
        await using var app = await TestApp.StartAsync(azurite, clock: Clock());
        var (first, second) = (AzuriteFixture.UniqueName("trip-a"), AzuriteFixture.UniqueName("trip-b"));
        await app.ApplyStudyAsync(first, StudyFiles.Example(first));
        await app.ApplyStudyAsync(second, StudyFiles.Example(second));

        // The first study's answers: two through the queue as a rater's (with their times), one imported.
        var processor = app.Services.GetRequiredService<ResponseProcessor>();
        foreach (var (assessment, items, at) in new[]
        {
            ("d-001-m1-practitioner", new[] { 6, 6, 5, 6, 6, 6, 5, 6, 6, 6, 6, 6 }, new DateTimeOffset(2026, 1, 13, 9, 41, 7, TimeSpan.Zero)),
            ("d-003-m1-client", new[] { 2, 3, 4, 5, 6, 7, 1, 2, 3, 4, 5, 6 }, new DateTimeOffset(2026, 1, 15, 18, 2, 59, TimeSpan.Zero)),
        })
        {
            var message = new SubmissionMessage { StudyId = first, AssessmentId = assessment, LinkVersion = 1, Items = items, SubmittedAt = at }.ToJson();
            Assert.Equal(ProcessingOutcome.Stored, await processor.ProcessAsync(new QueueMessageData(message, assessment, 1), default));
        }
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(app.AdminClient, first, Header + "d-002,2,practitioner,2026-02-02,1,2,1,2,1,2,1,2,1,2,1,2\n")).Status);
        var exported = await ExportAsync(app, first);

        var (status, body) = await PostAsync(app.AdminClient, second, exported);
        Assert.True(status == HttpStatusCode.OK, body.ToJsonString());
        Assert.Equal(3, body["imported"]!.GetValue<int>());
        var again = await ExportAsync(app, second);

        // The same answers, scores, times, forms and raters; only the study and the provenance differ.
        static string[][] Answers(string csv)
        {
            var rows = csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(',')).ToArray();
            var drop = new[] { "StudyId", "Provenance" }.Select(c => Array.IndexOf(rows[0], c)).ToHashSet();
            return [.. rows.Select(r => r.Where((_, i) => !drop.Contains(i)).ToArray())];
        }
        Assert.Equal(Answers(exported), Answers(again));
        Assert.Equal(4, Answers(again).Length);
        Assert.Contains(",d-001-m1-practitioner,", again, StringComparison.Ordinal);
        Assert.Contains("2026-01-15T18:02:59Z", again, StringComparison.Ordinal);
        Assert.DoesNotContain(ResponseProvenance.RaterLink, again, StringComparison.Ordinal);

        // Importing the first study's export into the second again changes nothing.
        (status, body) = await PostAsync(app.AdminClient, second, exported);
        Assert.Equal((HttpStatusCode.OK, 0, 3), (status, body["imported"]!.GetValue<int>(), body["unchanged"]!.GetValue<int>()));
    }

    private async Task<AssessmentEntity> FormAsync(string study, string id) =>
        (await azurite.Tables.GetTableClient(StorageNames.AssessmentsTable).GetEntityAsync<AssessmentEntity>(study, id)).Value;

    [Fact]
    public async Task A_withdrawn_dyad_s_rating_is_imported_only_when_given_before_the_withdrawal_and_reopens_nothing()
    {
        // The app's clock starts on the day of the withdrawal, then moves on to 1 June.
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 2, 10, 12, 0, 0, TimeSpan.Zero));
        await using var app = await TestApp.StartAsync(azurite, clock: clock);
        var (study, key, coordinator) = await StudyAsync(app, "import-wd");
        using var _ = coordinator;

        // d-002 (enrolled 19 January: meetings on 19 January, 2 and 16 February) is withdrawn on 10 February.
        using (var withdraw = await coordinator.PostAsync($"/api/studies/{study}/dyads/d-002/withdraw", null)) Assert.Equal(HttpStatusCode.OK, withdraw.StatusCode);
        clock.SetUtcNow(new DateTimeOffset(2026, 6, 1, 12, 0, 0, TimeSpan.Zero));
        var before = "d-002,1,practitioner,2026-01-20,5,5,5,5,5,5,5,5,5,5,5,5\n";

        // A rating dated after the withdrawal is refused naming its line and the day; nothing of the file is stored.
        var (status, body) = await PostAsync(coordinator, study, Header + before + "d-002,3,practitioner,2026-02-20,4,4,4,4,4,4,4,4,4,4,4,4\n");
        Assert.True(status == HttpStatusCode.Conflict, body.ToJsonString());
        Assert.Equal("Dyad withdrawn", body["title"]!.GetValue<string>());
        var error = Assert.Single(body["errors"]!.AsArray())!;
        Assert.Equal((3, "meeting 3 of dyad 'd-002' (practitioner): dyad 'd-002' was withdrawn on 2026-02-10, and this rating is dated 2026-02-20, after it: "
            + "only its ratings given before the withdrawal are imported (reinstate the dyad first if it was withdrawn by mistake)"),
            (error["line"]!.GetValue<int>(), error["message"]!.GetValue<string>()));
        Assert.Empty(await RowsAsync<ResponseEntity>(StorageNames.ResponsesTable, study));
        Assert.Equal(nameof(AssessmentStatus.Withdrawn), (await FormAsync(study, "d-002-m3-practitioner")).Status);

        // A rating given before it is stored: its form is completed, as it would be had it come in before the withdrawal;
        // the dyad stays withdrawn and its other forms too (no link, no reminder).
        (status, body) = await PostAsync(coordinator, study, Header + before);
        Assert.True(status == HttpStatusCode.OK, body.ToJsonString());
        Assert.Equal(1, body["imported"]!.GetValue<int>());
        Assert.Equal("d-002-m1-practitioner", Assert.Single(await RowsAsync<ResponseEntity>(StorageNames.ResponsesTable, study)).RowKey);
        Assert.Equal(nameof(AssessmentStatus.Completed), (await FormAsync(study, "d-002-m1-practitioner")).Status);
        foreach (var id in new[] { "d-002-m2-practitioner", "d-002-m3-practitioner" }) Assert.Equal(nameof(AssessmentStatus.Withdrawn), (await FormAsync(study, id)).Status);
        var dyad = (await azurite.Tables.GetTableClient(StorageNames.ParticipantsTable).GetEntityAsync<ParticipantEntity>(study, ParticipantEntity.Key(ParticipantEntity.Kinds.Dyad, "d-002"))).Value;
        Assert.True(dyad.Withdrawn);
    }

    [Fact]
    public async Task The_day_a_meeting_was_rated_is_recorded_as_its_date_where_none_is_moving_the_plan_and_audited_as_a_coordinator_s_date()
    {
        await using var app = await TestApp.StartAsync(azurite, clock: Clock());
        var (study, key, coordinator) = await StudyAsync(app, "import-md");
        using var _ = coordinator;
        var d = (int y, int m, int day) => new DateTimeOffset(y, m, day, 0, 0, 0, TimeSpan.Zero);

        // d-001 (enrolled 12 January, meetings every 14 days): meeting 2, planned on 26 January, rated on 29 January by
        // the practitioner (and on 30 January by the client): it took place on the 29th, the earlier of the two.
        var (status, body) = await PostAsync(coordinator, study, Header
            + "d-001,2,client,2026-01-30,6,6,6,6,6,6,6,6,6,6,6,6\n"
            + "d-001,2,practitioner,2026-01-29,5,5,5,5,5,5,5,5,5,5,5,5\n");
        Assert.True(status == HttpStatusCode.OK, body.ToJsonString());
        Assert.Equal(1, body["meetingDatesRecorded"]!.GetValue<int>());
        Assert.EndsWith(" 1 meeting date(s) recorded from the days of their ratings.", body["message"]!.GetValue<string>(), StringComparison.Ordinal);
        foreach (var role in new[] { "practitioner", "client" })
        {
            var form = await FormAsync(study, $"d-001-m2-{role}");
            Assert.Equal((nameof(AssessmentStatus.Completed), d(2026, 1, 29), true), (form.Status, form.MeetingDate, form.MeetingDateRecorded));
        }
        // Meeting 3 is planned again from the recorded date: 14 days after it, not 28 after enrolment.
        var third = await FormAsync(study, "d-001-m3-practitioner");
        Assert.Equal((d(2026, 2, 12), false, d(2026, 2, 12)), (third.MeetingDate, third.MeetingDateRecorded, third.InviteOn));

        // Audited as a date a coordinator records: by the key, what it was and what it is.
        var audit = await RowsAsync<TableEntity>(StorageNames.AuditTable, study);
        var recorded = audit.Where(r => r.GetString("Action") == "meeting.recorded").ToList();
        Assert.Contains(recorded, r => r.GetString("Subject") == "d-001-m2-practitioner" && r.GetString("Details") == "dyad d-001, meeting 2: took place on 2026-01-29");
        Assert.Contains(recorded, r => r.GetString("Subject") == "d-001-m3-practitioner" && r.GetString("Details") == "dyad d-001, meeting 3: planned dates moved by a recorded meeting");
        Assert.All(recorded, r => Assert.Equal("key:" + key.Substring(3, 16), r.GetString("Actor")));
        Assert.Contains(audit, r => r.GetString("Action") == "response.imported" && r.GetString("Details").EndsWith("; 1 meeting date(s) recorded from the ratings' days", StringComparison.Ordinal));

        // A date already recorded is kept: meeting 3 recorded on 10 February, then rated on the 12th.
        using (var put = await coordinator.PutAsync($"/api/studies/{study}/dyads/d-001/meetings/3", new StringContent("{\"date\":\"2026-02-10\"}", Encoding.UTF8, "application/json")))
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        (status, body) = await PostAsync(coordinator, study, Header + "d-001,3,practitioner,2026-02-12,5,5,5,5,5,5,5,5,5,5,5,5\n");
        Assert.True(status == HttpStatusCode.OK, body.ToJsonString());
        Assert.Equal(0, body["meetingDatesRecorded"]!.GetValue<int>());
        Assert.Equal((d(2026, 2, 10), true), ((await FormAsync(study, "d-001-m3-practitioner")).MeetingDate, (await FormAsync(study, "d-001-m3-practitioner")).MeetingDateRecorded));
    }
}
