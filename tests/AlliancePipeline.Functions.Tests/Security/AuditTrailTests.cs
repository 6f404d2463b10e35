using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using AlliancePipeline.Contracts.Storage;
using AlliancePipeline.Core.Access;
using AlliancePipeline.Functions.Reports;
using AlliancePipeline.Functions.Tests.Infrastructure;
using AlliancePipeline.Functions.Tests.Studies;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace AlliancePipeline.Functions.Tests.Security;

/// <summary>
/// Security finding 7, "the audit trail forgets": every change keeps, per record, who, when, before and after; every read
/// of personal data (exports, report files) leaves a row with the key id. On Azurite, through the HTTP functions. The
/// audit rows are read as plain table rows (<c>Record</c>, <c>Before</c>, <c>After</c> by name) and their JSON parsed
/// here, so the tests do not lean on the code they check.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class AuditTrailTests(AzuriteFixture azurite, ITestOutputHelper output)
{
    private static readonly string[] Keys = ["PartitionKey", "RowKey", "Timestamp", "odata.etag"];

    private sealed record Keyed(HttpClient Client, string KeyId) : IDisposable
    {
        public void Dispose() => Client.Dispose();
    }

    private static async Task<Keyed> KeyedAsync(TestApp app, AccessScope scope)
    {
        var key = await app.KeyAsync(scope);
        var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = app.Client.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return new Keyed(client, key.Substring(3, 16));
    }

    private static async Task<string> ApplyExampleAsync(TestApp app, string prefix)
    {
        var study = AzuriteFixture.UniqueName(prefix);
        using var put = await app.AdminClient.PutAsync($"/api/manage/studies/{study}", new StringContent(StudyFiles.Example(study), Encoding.UTF8, "application/yaml"));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        return study;
    }

    private static async Task<(HttpStatusCode Status, JsonNode? Body)> SendAsync(HttpClient client, HttpMethod method, string path, string? body = null, string type = "application/json")
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : new StringContent(body, Encoding.UTF8, type) };
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length > 0 && text.TrimStart().StartsWith('{') ? JsonNode.Parse(text) : null);
    }

    /// <summary>The study's audit rows, oldest first (a partition lists newest first).</summary>
    private async Task<List<TableEntity>> AuditAsync(string study)
    {
        var rows = new List<TableEntity>();
        await foreach (var row in azurite.Tables.GetTableClient(StorageNames.AuditTable).QueryAsync<TableEntity>(e => e.PartitionKey == study)) rows.Add(row);
        rows.Sort((a, b) => string.CompareOrdinal(b.RowKey, a.RowKey));
        return rows;
    }

    private static Dictionary<string, JsonElement> Fields(string? json)
    {
        var fields = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        if (string.IsNullOrEmpty(json)) return fields;
        using var doc = JsonDocument.Parse(json);
        foreach (var p in doc.RootElement.EnumerateObject()) fields[p.Name] = p.Value.Clone();
        return fields;
    }

    private static DateTimeOffset Day(string day) => DateTimeOffset.Parse(day + "T00:00:00Z", CultureInfo.InvariantCulture);

    private static DateTimeOffset? Time(JsonElement value) =>
        value.ValueKind == JsonValueKind.Null ? null : DateTimeOffset.Parse(value.GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);

    /// <summary>Whether a stored value and an audited one are the same value.</summary>
    private static bool Same(object? stored, JsonElement audited) => stored switch
    {
        null => audited.ValueKind == JsonValueKind.Null,
        bool b => audited.ValueKind is JsonValueKind.True or JsonValueKind.False && audited.GetBoolean() == b,
        int or long => audited.ValueKind == JsonValueKind.Number && audited.GetInt64() == Convert.ToInt64(stored, CultureInfo.InvariantCulture),
        double d => audited.ValueKind == JsonValueKind.Number && audited.GetDouble().Equals(d),
        DateTimeOffset t => audited.ValueKind == JsonValueKind.String && Time(audited) == t,
        DateTime t => audited.ValueKind == JsonValueKind.String && Time(audited) == new DateTimeOffset(DateTime.SpecifyKind(t, DateTimeKind.Utc)),
        string s => audited.ValueKind == JsonValueKind.String && audited.GetString() == s,
        _ => false,
    };

    private static void NoPersonalData(IEnumerable<TableEntity> rows)
    {
        foreach (var row in rows)
        {
            foreach (var (name, value) in row)
            {
                if (value is string text) Assert.DoesNotMatch(@"[\w.+-]+@[\w-]+\.[a-z]", text); // no address in any column
            }
        }
    }

    [Fact]
    public async Task An_outcome_CSV_import_that_changes_an_outcome_leaves_a_row_naming_the_dyad_with_before_and_after()
    {
        await using var app = await TestApp.StartAsync(azurite);
        var study = await ApplyExampleAsync(app, "audit-outcome");
        using var coordinator = await KeyedAsync(app, AccessScope.ForStudy(study));
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(coordinator.Client, HttpMethod.Put, $"/api/studies/{study}/dyads/d-001/outcome", "{\"employed\":true,\"date\":\"2026-04-01\"}")).Status);

        // The import corrects d-001 (employed → not employed) and records d-002 for the first time.
        var (status, _) = await SendAsync(coordinator.Client, HttpMethod.Post, $"/api/studies/{study}/outcomes", "dyad,employed,date\nd-001,no,\nd-002,yes,2026-05-04\n", "text/csv");
        Assert.Equal(HttpStatusCode.OK, status);

        var audit = await AuditAsync(study);
        var corrected = audit.Where(r => r.GetString("Action") == "outcome.recorded" && r.GetString("Subject") == "d-001").ToList();
        Assert.Equal(2, corrected.Count); // the first recording, then the correction
        var row = corrected[^1];
        Assert.Equal("key:" + coordinator.KeyId, row.GetString("Actor"));
        Assert.Equal("Outcomes/d-001", row.GetString("Record"));
        var before = Fields(row.GetString("Before"));
        var after = Fields(row.GetString("After"));
        Assert.True(before["Employed"].GetBoolean());
        Assert.Equal(Day("2026-04-01"), Time(before["JobDate"]));
        Assert.False(after["Employed"].GetBoolean());
        Assert.Null(Time(after["JobDate"]));

        var created = Assert.Single(audit, r => r.GetString("Action") == "outcome.recorded" && r.GetString("Subject") == "d-002");
        Assert.Equal("", created.GetString("Before")); // it did not exist
        Assert.Equal(Day("2026-05-04"), Time(Fields(created.GetString("After"))["JobDate"]));
        Assert.Contains(audit, r => r.GetString("Action") == "outcome.imported" && r.GetString("Details")!.Contains("2 changed, 0 unchanged", StringComparison.Ordinal));
        NoPersonalData(audit);
    }

    [Fact]
    public async Task A_meeting_date_correction_leaves_a_row_per_assessment_with_before_and_after()
    {
        await using var app = await TestApp.StartAsync(azurite);
        var study = await ApplyExampleAsync(app, "audit-meeting");
        using var north = await KeyedAsync(app, AccessScope.ForSite(study, "site-north"));
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(north.Client, HttpMethod.Put, $"/api/studies/{study}/dyads/d-001/meetings/1", "{\"date\":\"2026-01-15\"}")).Status);
        // Corrected by CSV: the 15th was wrong, it was the 16th.
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(north.Client, HttpMethod.Post, $"/api/studies/{study}/meetings", "dyad,meeting,date\nd-001,1,2026-01-16\n", "text/csv")).Status);

        var audit = await AuditAsync(study);
        var rows = audit.Where(r => r.GetString("Action") == "meeting.recorded" && r.GetString("Subject") == "d-001-m1-practitioner").ToList();
        Assert.Equal(2, rows.Count);
        var correction = rows[^1];
        Assert.Equal("key:" + north.KeyId, correction.GetString("Actor"));
        Assert.Equal("Assessments/d-001-m1-practitioner", correction.GetString("Record"));
        Assert.Contains("dyad d-001", correction.GetString("Details"), StringComparison.Ordinal);
        var before = Fields(correction.GetString("Before"));
        var after = Fields(correction.GetString("After"));
        Assert.Equal(Day("2026-01-15"), Time(before["MeetingDate"]));
        Assert.Equal(Day("2026-01-16"), Time(after["MeetingDate"]));
        Assert.Equal(Day("2026-01-22"), Time(before["DueDate"]));
        Assert.Equal(Day("2026-01-23"), Time(after["DueDate"]));
        Assert.False(after.ContainsKey("RaterId")); // only what changed
        // The client's form of the same meeting, and the meetings planned after it, each have their own row.
        Assert.Contains(audit, r => r.GetString("Action") == "meeting.recorded" && r.GetString("Subject") == "d-001-m1-client" && r.GetString("Before")!.Length > 0);
        Assert.Contains(audit, r => r.GetString("Action") == "meeting.recorded" && r.GetString("Subject") == "d-001-m2-practitioner");
        NoPersonalData(audit);
    }

    [Fact]
    public async Task An_idempotent_reimport_writes_no_record_and_no_row_but_its_summary()
    {
        await using var app = await TestApp.StartAsync(azurite);
        var study = await ApplyExampleAsync(app, "audit-again");
        using var coordinator = await KeyedAsync(app, AccessScope.ForStudy(study));
        const string Outcomes = "dyad,employed,date\nd-001,no,\nd-002,yes,2026-05-04\n";
        const string Meetings = "dyad,meeting,date\nd-001,1,2026-01-15\nd-003,2,2026-02-02\n";
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(coordinator.Client, HttpMethod.Post, $"/api/studies/{study}/outcomes", Outcomes, "text/csv")).Status);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(coordinator.Client, HttpMethod.Post, $"/api/studies/{study}/meetings", Meetings, "text/csv")).Status);
        var outcomesTable = azurite.Tables.GetTableClient(StorageNames.OutcomesTable);
        var stored = await outcomesTable.QueryAsync<TableEntity>(e => e.PartitionKey == study).ToListAsync();
        var first = await AuditAsync(study);

        var (status, body) = await SendAsync(coordinator.Client, HttpMethod.Post, $"/api/studies/{study}/outcomes", Outcomes, "text/csv");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal((2, 0, 2), (body!["imported"]!.GetValue<int>(), body["changed"]!.GetValue<int>(), body["unchanged"]!.GetValue<int>()));
        (status, body) = await SendAsync(coordinator.Client, HttpMethod.Post, $"/api/studies/{study}/meetings", Meetings, "text/csv");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(0, body!["assessmentsMoved"]!.GetValue<int>());

        // The records are not written again (same ETags), and the only new rows are the two imports' summaries.
        var again = await outcomesTable.QueryAsync<TableEntity>(e => e.PartitionKey == study).ToListAsync();
        Assert.Equal(stored.Select(e => e.ETag.ToString()).Order(), again.Select(e => e.ETag.ToString()).Order());
        var added = (await AuditAsync(study)).Skip(first.Count).ToList();
        Assert.Equal(["meeting.imported", "outcome.imported"], added.Select(r => r.GetString("Action")).Order(StringComparer.Ordinal));
        Assert.Contains("0 changed, 2 unchanged", added.Single(r => r.GetString("Action") == "outcome.imported").GetString("Details"), StringComparison.Ordinal);
        Assert.Contains("0 assessment(s) changed", added.Single(r => r.GetString("Action") == "meeting.imported").GetString("Details"), StringComparison.Ordinal);
        Assert.All(added, r => Assert.Equal("", r.GetString("Record") ?? ""));
    }

    [Fact]
    public async Task A_CSV_export_a_FHIR_export_and_a_report_download_each_leave_a_read_row_with_the_key_id()
    {
        await using var app = await TestApp.StartAsync(azurite);
        var study = await ApplyExampleAsync(app, "audit-read");
        var assessments = await azurite.Tables.GetTableClient(StorageNames.AssessmentsTable).QueryAsync<AssessmentEntity>(e => e.PartitionKey == study).ToListAsync();
        var responses = azurite.Tables.GetTableClient(StorageNames.ResponsesTable);
        var answered = assessments.Where(a => a.Meeting <= 2 && a.Status == "Pending").ToList();
        foreach (var a in answered)
        {
            await responses.AddEntityAsync(new ResponseEntity
            {
                PartitionKey = study,
                RowKey = a.RowKey,
                Items = [.. Enumerable.Repeat(5, 12)],
                Goal = 5,
                Task = 5,
                Bond = 5,
                Global = 5,
                Meeting = a.Meeting,
                RaterRole = a.RaterRole,
                SiteId = a.SiteId,
                DyadId = a.DyadId,
                SubmittedAt = DateTime.UtcNow,
            });
        }
        Assert.NotNull(await app.Services.GetRequiredService<ReportWriter>().RunAsync(study, force: false, default));
        using var researcher = await KeyedAsync(app, AccessScope.ForResearcher(study));
        var before = (await AuditAsync(study)).Count;

        foreach (var path in new[] { $"/api/studies/{study}/export?format=csv", $"/api/studies/{study}/export?format=fhir", $"/api/studies/{study}/reports/latest/report.html", $"/api/studies/{study}/reports/latest/responses.csv" })
        {
            using var response = await researcher.Client.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            // An export is streamed as it is written (no length known before its end); a report file has its length.
            Assert.Equal(path.Contains("/export?", StringComparison.Ordinal), response.Headers.TransferEncodingChunked == true);
        }
        // A refused read (no such file) reads nothing and leaves no row.
        using (var missing = await researcher.Client.GetAsync($"/api/studies/{study}/reports/latest/nothing.txt")) Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);

        var reads = (await AuditAsync(study)).Skip(before).ToList();
        foreach (var row in reads) output.WriteLine($"{row.GetString("Action")} {row.GetString("Actor")} {row.GetString("Subject")}: {row.GetString("Details")}");
        Assert.Equal(4, reads.Count);
        Assert.All(reads, r => Assert.Equal("key:" + researcher.KeyId, r.GetString("Actor")));
        var n = answered.Count;
        Assert.Equal($"format csv; scope study; rows {n}", reads.Single(r => r.GetString("Action") == "export.read" && r.GetString("Subject") == $"{study}-responses.csv").GetString("Details"));
        Assert.Equal($"format fhir; scope study; rows {n}", reads.Single(r => r.GetString("Action") == "export.read" && r.GetString("Subject") == $"{study}-fhir.json").GetString("Details"));
        Assert.Equal("format html; scope study; rows -", reads.Single(r => r.GetString("Action") == "report.read" && r.GetString("Subject") == "latest/report.html").GetString("Details"));
        Assert.Equal($"format csv; scope study; rows {n}", reads.Single(r => r.GetString("Action") == "report.read" && r.GetString("Subject") == "latest/responses.csv").GetString("Details"));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public async Task Replaying_each_record_s_audited_after_values_in_order_gives_its_stored_fields(int seed)
    {
        await using var app = await TestApp.StartAsync(azurite);
        var study = await ApplyExampleAsync(app, $"audit-replay{seed}");
        using var coordinator = await KeyedAsync(app, AccessScope.ForStudy(study));
        var enrolled = new Dictionary<string, DateTime> { ["d-001"] = new(2026, 1, 12), ["d-002"] = new(2026, 1, 19), ["d-003"] = new(2026, 1, 14) };
        var dyads = enrolled.Keys.ToArray();
        var random = new Random(seed);
        // Few values, so that a value often comes again (an idempotent write) and often changes.
        string Date(string dyad) => enrolled[dyad].AddDays(7 * random.Next(4)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        // A meeting's dates lie in a window of its own (meeting m within days 14(m − 1) to 14(m − 1) + 7), so any mix of
        // recorded meetings stays in order, as the date rules require.
        string MeetingDate(string dyad, int meeting) => enrolled[dyad].AddDays(14 * (meeting - 1) + 7 * random.Next(2)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        string Outcome(string dyad) => random.Next(3) == 0 ? $"{dyad},no," : $"{dyad},yes,{Date(dyad)}";
        T[] Some<T>(T[] all) => [.. all.OrderBy(_ => random.Next()).Take(1 + random.Next(all.Length))];
        var steps = new List<string>();
        for (var step = 0; step < 14; step++)
        {
            var kind = random.Next(6);
            var path = $"/api/studies/{study}";
            var dyad = dyads[random.Next(dyads.Length)];
            var meeting = 1 + random.Next(3);
            var (status, _) = kind switch
            {
                0 => await SendAsync(coordinator.Client, HttpMethod.Post, path + "/outcomes", "dyad,employed,date\n" + string.Join('\n', Some(dyads).Select(Outcome)) + "\n", "text/csv"),
                1 => await SendAsync(coordinator.Client, HttpMethod.Put, $"{path}/dyads/{dyad}/outcome", random.Next(2) == 0 ? "{\"employed\":false}" : $"{{\"employed\":true,\"date\":\"{Date(dyad)}\"}}"),
                2 => await SendAsync(coordinator.Client, HttpMethod.Post, path + "/meetings", "dyad,meeting,date\n" + string.Join('\n', Some([.. dyads.SelectMany(d => new[] { 1, 2, 3 }.Select(m => (d, m)))]).Select(p => $"{p.d},{p.m},{MeetingDate(p.d, p.m)}")) + "\n", "text/csv"),
                3 => await SendAsync(coordinator.Client, HttpMethod.Put, $"{path}/dyads/{dyad}/meetings/{meeting}", $"{{\"date\":\"{MeetingDate(dyad, meeting)}\"}}"),
                4 => await SendAsync(coordinator.Client, HttpMethod.Post, $"{path}/assessments/{dyad}-m{1 + random.Next(3)}-practitioner/reissue"),
                _ => step > 9 ? await SendAsync(coordinator.Client, HttpMethod.Post, $"{path}/dyads/{dyad}/withdraw") : (HttpStatusCode.OK, null),
            };
            steps.Add($"{kind}:{(int)status}");
            Assert.True(status == HttpStatusCode.OK || (kind == 4 && status == HttpStatusCode.Conflict), $"step {step} ({kind}) answered {status}");
        }
        output.WriteLine($"seed {seed}: {string.Join(' ', steps)}");

        // Replay, oldest first: each row's Before is the record as the rows before it left it, and its After then holds.
        var state = new Dictionary<string, Dictionary<string, JsonElement>>(StringComparer.Ordinal);
        var replayed = 0;
        foreach (var row in await AuditAsync(study))
        {
            var record = row.GetString("Record");
            if (string.IsNullOrEmpty(record) || !(record.StartsWith("Outcomes/", StringComparison.Ordinal) || record.StartsWith("Assessments/", StringComparison.Ordinal))) continue;
            var fields = state.TryGetValue(record, out var known) ? known : null;
            if (row.GetString("Before") is { Length: > 0 } before)
            {
                Assert.True(fields is not null, $"{record}: a change of a record no row created");
                foreach (var (name, value) in Fields(before))
                {
                    var current = fields!.GetValueOrDefault(name);
                    Assert.True(current.ValueKind == JsonValueKind.Undefined ? value.ValueKind == JsonValueKind.Null : current.GetRawText() == value.GetRawText(),
                        $"{record}.{name}: the row says it was {value.GetRawText()}, the rows before left {(current.ValueKind == JsonValueKind.Undefined ? "nothing" : current.GetRawText())}");
                }
            }
            else
            {
                Assert.True(fields is null, $"{record}: created twice");
            }
            fields ??= state[record] = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
            foreach (var (name, value) in Fields(row.GetString("After"))) fields[name] = value;
            replayed++;
        }
        output.WriteLine($"seed {seed}: {replayed} change rows over {state.Count} records");

        foreach (var table in new[] { StorageNames.OutcomesTable, StorageNames.AssessmentsTable })
        {
            await foreach (var stored in azurite.Tables.GetTableClient(table).QueryAsync<TableEntity>(e => e.PartitionKey == study))
            {
                var record = $"{table}/{stored.RowKey}";
                Assert.True(state.TryGetValue(record, out var fields), $"{record} is stored but no audit row created it");
                var storedFields = stored.Where(p => !Keys.Contains(p.Key)).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
                foreach (var (name, value) in storedFields)
                    Assert.True(fields!.TryGetValue(name, out var audited) && Same(value, audited), $"{record}.{name}: stored {value}, replayed {(fields!.TryGetValue(name, out var a) ? a.GetRawText() : "nothing")}");
                foreach (var (name, audited) in fields!.Where(f => f.Value.ValueKind != JsonValueKind.Null))
                    Assert.True(storedFields.ContainsKey(name), $"{record}.{name}: replayed {audited.GetRawText()}, not stored");
            }
        }
    }
}
