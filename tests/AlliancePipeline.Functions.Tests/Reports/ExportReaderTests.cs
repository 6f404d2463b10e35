using System.Text;
using AlliancePipeline.Contracts.Storage;
using AlliancePipeline.Core.Studies;
using AlliancePipeline.Functions.Exports;
using AlliancePipeline.Functions.Reports;
using AlliancePipeline.Functions.Tests.Infrastructure;
using AlliancePipeline.Functions.Tests.Studies;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace AlliancePipeline.Functions.Tests.Reports;

/// <summary>
/// The exports read from storage as they are written (<see cref="ExportReader"/>, issue #19) on Azurite: byte for byte
/// the file the whole study read at once and sorted gives (<see cref="ReportSource"/> and the report set's writers), for a
/// study whose table order is not the export's: meetings of 10 and more, a dyad id that is another's followed by
/// <c>-m…</c> (its rows among the other's) or by <c>-m-</c> (its rows before the other's), a row stored under a key out of
/// the usual pattern, a response with more answers and a score column no instrument names; raters and arms from
/// assessments of dyads the study file does not list, a rater who stood in for one meeting, a response with no assessment.
/// A response stored after the export began is left out.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class ExportReaderTests(AzuriteFixture azurite)
{
    private static FakeTimeProvider Clock() => new(new DateTimeOffset(2026, 6, 1, 12, 0, 0, TimeSpan.Zero));

    private static ResponseEntity Response(string study, string dyad, int meeting, string role, int answer, string? rowKey = null, int items = 12, bool extraScore = false)
    {
        var scores = new Dictionary<string, double> { ["Goal"] = answer, ["Task"] = answer + 0.25, ["Bond"] = answer - 0.5, ["Global"] = answer + 0.125 };
        if (extraScore) scores["Zeal"] = 2.5;
        return new ResponseEntity
        {
            PartitionKey = study,
            RowKey = rowKey ?? EnrolmentPlan.AssessmentId(dyad, meeting, role),
            Items = [.. Enumerable.Range(0, items).Select(i => 1 + ((answer + i) % 7))],
            Scores = scores,
            Meeting = meeting,
            RaterRole = role,
            SiteId = "site-north",
            DyadId = dyad,
            // Later meetings answered earlier: the time is no proxy for the order.
            SubmittedAt = new DateTime(2026, 3, 1, 9, 0, 0, DateTimeKind.Utc).AddHours(100 - meeting),
        };
    }

    private static AssessmentEntity Assessment(string study, string dyad, int meeting, string role, string? rater = null, string? rowKey = null) => new()
    {
        PartitionKey = study,
        RowKey = rowKey ?? EnrolmentPlan.AssessmentId(dyad, meeting, role),
        SiteId = "site-north",
        DyadId = dyad,
        Meeting = meeting,
        RaterRole = role,
        RaterId = rater ?? $"rater-{dyad}-{role}",
        Arm = meeting == 1 ? null : "tvs",
        DueDate = new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero),
    };

    /// <summary>The example study with awkwardly ordered responses (and, <paramref name="offPattern"/>, a row keyed out of pattern).</summary>
    private async Task<(TestApp App, string Study)> StudyAsync(bool offPattern)
    {
        var app = await TestApp.StartAsync(azurite, clock: Clock());
        var study = AzuriteFixture.UniqueName("exportorder");
        await app.ApplyStudyAsync(study, StudyFiles.Example(study));
        var responses = azurite.Tables.GetTableClient(StorageNames.ResponsesTable);
        var assessments = azurite.Tables.GetTableClient(StorageNames.AssessmentsTable);
        var rows = new List<ResponseEntity>();
        for (var m = 1; m <= 12; m++)
        {
            rows.Add(Response(study, "d-001", m, "practitioner", m));
            if (m % 3 != 0) rows.Add(Response(study, "d-001", m, "client", m + 1));
        }
        foreach (var m in new[] { 1, 2, 11 }) rows.Add(Response(study, "d-001-m", m, "practitioner", m));
        foreach (var m in new[] { 1, 3, 10 }) rows.Add(Response(study, "d-001-m1x", m, "client", m));
        rows.Add(Response(study, "d-002", 2, "practitioner", 4, items: 14));
        rows.Add(Response(study, "d-002", 10, "practitioner", 5, extraScore: true));
        rows.Add(Response(study, "d-004", 1, "client", 6));
        if (offPattern) rows.Add(Response(study, "d-000", 3, "practitioner", 2, rowKey: "zz-imported-3"));
        foreach (var r in rows) await responses.UpsertEntityAsync(r, TableUpdateMode.Replace);
        // Raters: one per dyad and role, a meeting with another rater (and, offPattern, an assessment keyed out of pattern); d-001-m's meeting 2 has none.
        foreach (var (dyad, m, role) in new[] { ("d-001-m", 1, "practitioner"), ("d-001-m", 11, "practitioner"), ("d-001-m1x", 1, "client"), ("d-001-m1x", 3, "client"), ("d-001", 11, "practitioner") })
            await assessments.UpsertEntityAsync(Assessment(study, dyad, m, role), TableUpdateMode.Replace);
        await assessments.UpsertEntityAsync(Assessment(study, "d-001-m1x", 10, "client", rater: "rater-stand-in"), TableUpdateMode.Replace);
        if (offPattern) await assessments.UpsertEntityAsync(Assessment(study, "d-000", 3, "practitioner", rater: "rater-imported", rowKey: "zz-imported-3"), TableUpdateMode.Replace);
        return (app, study);
    }

    /// <summary>The file as the whole study read at once and sorted makes it.</summary>
    private static async Task<string> WholeAsync(TestApp app, string study, string format)
    {
        var data = await app.Services.GetRequiredService<ReportSource>().ReadAsync(study, "export", app.Services.GetRequiredService<TimeProvider>().GetUtcNow(), null, default);
        var input = data!.Input;
        return format switch
        {
            "csv" => ResponseTables.ResponsesCsv(input),
            "json" => ResponseExport.Json(input),
            _ => FhirExport.ToJson(FhirExport.Study(input)),
        };
    }

    public static TheoryData<string, bool> Cases => new()
    {
        { "csv", false },
        { "json", false },
        { "fhir", false },
        { "csv", true },
        { "json", true },
        { "fhir", true },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task An_export_read_as_it_is_written_is_byte_for_byte_the_whole_study_sorted(string format, bool offPattern)
    {
        var (app, study) = await StudyAsync(offPattern);
        await using var _ = app;
        var stored = new List<string>();
        await foreach (var e in azurite.Tables.GetTableClient(StorageNames.ResponsesTable).QueryAsync<ResponseEntity>(e => e.PartitionKey == study)) stored.Add(e.RowKey);
        var whole = await WholeAsync(app, study, format);

        var exported = await app.Services.GetRequiredService<ExportService>().ExportAsync(study, format, default);

        Assert.Equal(whole, Encoding.UTF8.GetString(exported!.Content));
        Assert.Equal(stored.Count, exported.Rows);
        // The table's order is not the export's: the test is of the awkward case.
        var order = ResponseRowLookups.Order((await app.Services.GetRequiredService<ReportSource>().ReadAsync(study, "x", DateTimeOffset.UnixEpoch, null, default))!.Input.Responses
            .Select(r => new ResponseRow(r, null, RowDyad.None))).Select(r => r.Response.AssessmentId);
        Assert.NotEqual(stored, order);
        Assert.Contains("d-001-m1x-m10-client", whole, StringComparison.Ordinal);
        Assert.Contains("rater-stand-in", whole, StringComparison.Ordinal);
        Assert.Equal(offPattern, whole.Contains("rater-imported", StringComparison.Ordinal));
        // Read as written unless a key is out of pattern; then read whole, and the log says why.
        var opened = await app.Services.GetRequiredService<ExportReader>().OpenAsync(study, DateTimeOffset.UnixEpoch, default);
        Assert.Equal(offPattern, opened!.ReadWhole);
        Assert.Equal(offPattern, app.Logs.GetSnapshot().Any(r => r.Says("reads the study whole") && r.Says(study)));
    }

    /// <summary>
    /// A study whose every table the export reads spans several of its pages (<c>ExportReader.PageRows</c>), so that the
    /// merge of the four tables crosses page boundaries at different rows in each: 330 dyads (2 pages of dyad records), 1,155
    /// responses (12 pages), 1,650 assessments (5 pages of the count's columns, 4 of raters'), 220 outcomes (2 pages); each
    /// dyad's rows written in one batch.
    /// </summary>
    [Theory]
    [InlineData("csv")]
    [InlineData("json")]
    [InlineData("fhir")]
    public async Task An_export_over_several_pages_of_every_table_is_byte_for_byte_the_whole_study_sorted(string format)
    {
        var app = await TestApp.StartAsync(azurite, clock: Clock());
        await using var _ = app;
        var study = AzuriteFixture.UniqueName("exportpages");
        await app.ApplyStudyAsync(study, StudyFiles.Example(study));
        var participants = azurite.Tables.GetTableClient(StorageNames.ParticipantsTable);
        var responses = azurite.Tables.GetTableClient(StorageNames.ResponsesTable);
        var assessments = azurite.Tables.GetTableClient(StorageNames.AssessmentsTable);
        var outcomes = azurite.Tables.GetTableClient(StorageNames.OutcomesTable);
        const int Dyads = 330;
        var (dyadBatch, outcomeBatch) = (new List<TableTransactionAction>(), new List<TableTransactionAction>());
        for (var d = 1; d <= Dyads; d++)
        {
            var dyad = $"p-{d:D4}";
            dyadBatch.Add(new(TableTransactionActionType.UpsertReplace, new ParticipantEntity
            {
                PartitionKey = study,
                RowKey = ParticipantEntity.Key(ParticipantEntity.Kinds.Dyad, dyad),
                Kind = ParticipantEntity.Kinds.Dyad,
                Id = dyad,
                SiteId = "site-north",
                Arm = d % 2 == 0 ? "tvs" : "usual",
                EnrolledOn = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).AddDays(d % 40),
            }));
            if (d % 3 != 0)
            {
                outcomeBatch.Add(new(TableTransactionActionType.UpsertReplace, new OutcomeEntity
                {
                    PartitionKey = study,
                    RowKey = dyad,
                    Employed = d % 2 == 0,
                    RecordedAt = new DateTimeOffset(2026, 5, 1, 0, 0, 0, TimeSpan.Zero),
                    Source = "import",
                    DaysWorked = d % 2 == 0 ? d : null,
                }));
            }
            // Meetings 1 and 2 rated by both roles; the client's meeting-2 form and a third meeting left unanswered.
            var rows = new List<TableTransactionAction>();
            var assessmentRows = new List<TableTransactionAction>();
            foreach (var (meeting, role) in new[] { (1, "practitioner"), (1, "client"), (2, "practitioner"), (2, "client"), (3, "practitioner") })
            {
                assessmentRows.Add(new(TableTransactionActionType.UpsertReplace, Assessment(study, dyad, meeting, role, rater: $"rater-{d % 17}-{role}")));
                if (meeting == 3 || (meeting == 2 && role == "client" && d % 2 == 1)) continue;
                rows.Add(new(TableTransactionActionType.UpsertReplace, Response(study, dyad, meeting, role, 1 + (d % 6))));
            }
            await responses.SubmitTransactionAsync(rows);
            await assessments.SubmitTransactionAsync(assessmentRows);
            if (dyadBatch.Count == 100 || d == Dyads)
            {
                await participants.SubmitTransactionAsync(dyadBatch);
                dyadBatch.Clear();
            }
            if (outcomeBatch.Count == 100 || (d == Dyads && outcomeBatch.Count > 0))
            {
                await outcomes.SubmitTransactionAsync(outcomeBatch);
                outcomeBatch.Clear();
            }
        }
        var whole = await WholeAsync(app, study, format);

        var exported = await app.Services.GetRequiredService<ExportService>().ExportAsync(study, format, default);

        Assert.Equal(whole, Encoding.UTF8.GetString(exported!.Content));
        Assert.Equal(Dyads * 3 + Dyads / 2, exported.Rows);
        var opened = await app.Services.GetRequiredService<ExportReader>().OpenAsync(study, DateTimeOffset.UnixEpoch, default);
        Assert.False(opened!.ReadWhole);
        // Every table read spans more than one of its pages.
        Assert.True(exported.Rows > 2 * ExportReader.PageRows.Responses && Dyads * 5 > 2 * ExportReader.PageRows.AssessmentCounts && Dyads * 5 > ExportReader.PageRows.Raters);
        Assert.True(Dyads > ExportReader.PageRows.Dyads && Dyads * 2 / 3 > ExportReader.PageRows.Outcomes);
        Assert.Contains("rater-16-client", whole, StringComparison.Ordinal);
        Assert.Contains("p-0330-m2-practitioner", whole, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_response_stored_after_the_export_began_is_left_out()
    {
        var (app, study) = await StudyAsync(offPattern: false);
        await using var _ = app;
        var before = await WholeAsync(app, study, "csv");
        var export = await app.Services.GetRequiredService<ExportService>().OpenAsync(study, "csv", default);
        var responses = azurite.Tables.GetTableClient(StorageNames.ResponsesTable);
        // A meeting of a counted dyad that comes before its last row, and a dyad the count did not see.
        await responses.AddEntityAsync(Response(study, "d-002", 1, "client", 3));
        await responses.AddEntityAsync(Response(study, "d-003", 1, "client", 3));

        using var written = new MemoryStream();
        var progress = new ExportProgress();
        await export!.WriteAsync(written, progress, default);

        Assert.Equal(before, Encoding.UTF8.GetString(written.ToArray()));
        Assert.NotEqual(before, await WholeAsync(app, study, "csv"));
    }
    /// <summary>
    /// The export takes the study's name and instruments from its <c>Studies</c> row, not from the applied file (which
    /// lists every dyad): a role the file gives an instrument but that has no assessment and no response yet (the
    /// example's client) still has its instrument in the file, as the whole study read with its file gives it.
    /// </summary>
    [Theory]
    [InlineData("csv")]
    [InlineData("json")]
    [InlineData("fhir")]
    public async Task A_role_with_no_rows_yet_keeps_its_instrument_from_the_studys_row(string format)
    {
        var app = await TestApp.StartAsync(azurite, clock: Clock());
        await using var _ = app;
        var study = AzuriteFixture.UniqueName("exportroles");
        await app.ApplyStudyAsync(study, StudyFiles.Example(study));
        var assessments = azurite.Tables.GetTableClient(StorageNames.AssessmentsTable);
        await foreach (var a in assessments.QueryAsync<TableEntity>(e => e.PartitionKey == study, select: ["PartitionKey", "RowKey"]))
            await assessments.DeleteEntityAsync(a.PartitionKey, a.RowKey);
        var responses = azurite.Tables.GetTableClient(StorageNames.ResponsesTable);
        foreach (var m in new[] { 1, 2 }) await responses.UpsertEntityAsync(Response(study, "d-001", m, "practitioner", m), TableUpdateMode.Replace);

        var whole = await WholeAsync(app, study, format);
        var exported = await app.Services.GetRequiredService<ExportService>().ExportAsync(study, format, default);

        Assert.Equal(whole, Encoding.UTF8.GetString(exported!.Content));
        // JSON and FHIR name each instrument (the CSV names none: its columns are the same for both roles' instruments).
        Assert.Equal(format != "csv", whole.Contains("wai-s-client", StringComparison.Ordinal));
    }
}
