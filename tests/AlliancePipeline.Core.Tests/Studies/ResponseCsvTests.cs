using AlliancePipeline.Core.Instruments;
using AlliancePipeline.Core.Studies;
using static AlliancePipeline.Core.Tests.Studies.StudyFixture;

namespace AlliancePipeline.Core.Tests.Studies;

/// <summary>Reading ratings a study already has (<c>alliance responses import</c>): the export's form, the minimal form, every bad line named.</summary>
public class ResponseCsvTests
{
    private static readonly DateOnly Today = new(2026, 6, 1);

    private static IReadOnlyDictionary<string, InstrumentDefinition> Instruments(StudyDefinition study) =>
        study.Instruments.ToDictionary(p => p.Key, p => InstrumentCatalog.Shipped.Get(p.Value.InstrumentId), StringComparer.Ordinal);

    private static CsvImport<ImportedResponse> Parse(string text, DateOnly? today = null)
    {
        var study = Valid();
        return ResponseCsv.Parse(text, study, Instruments(study), today ?? Today);
    }

    private static string[] Errors(CsvImport<ImportedResponse> import) => import.Errors.Select(e => e.ToString()).ToArray();

    private const string Items = "item1,item2,item3,item4,item5,item6,item7,item8,item9,item10,item11,item12";

    [Fact]
    public void The_minimal_form_is_read_a_day_alone_at_its_start_in_UTC()
    {
        var import = Parse($"dyad,meeting,role,date,{Items}\nd-001,1,practitioner,2026-03-02,5,5,5,5,5,5,5,5,5,5,5,5\nd-001,1,Client,2026-03-03,1,2,3,4,5,6,7,1,2,3,4,5\n");
        Assert.True(import.IsValid, string.Join("; ", Errors(import)));
        Assert.Equal(2, import.Rows.Length);
        var client = import.Rows[1];
        Assert.Equal((3, "d-001", 1, "client", new DateTimeOffset(2026, 3, 3, 0, 0, 0, TimeSpan.Zero), "d-001-m1-client"),
            (client.Line, client.DyadId, client.Meeting, client.RaterRole, client.SubmittedAt, client.AssessmentId));
        Assert.Equal([1, 2, 3, 4, 5, 6, 7, 1, 2, 3, 4, 5], client.Items.ToArray());
    }

    [Fact]
    public void The_apps_own_export_is_read_its_other_columns_known_and_not_read()
    {
        // The header of responses.csv for a WAI-S study, with a French spreadsheet's semicolons and decimal commas in its scores.
        var text = "StudyId;AssessmentId;SiteId;DyadId;ArmId;Meeting;RaterRole;RaterId;Item01;Item02;Item03;Item04;Item05;Item06;Item07;Item08;Item09;Item10;Item11;Item12;"
            + "Goal;Task;Bond;Global;SubmittedAt;Provenance;Cluster;ClusterLabel;Employed;JobDate;DaysToJob\r\n"
            + "old-study;d-002-m2-practitioner;site-b;d-002;tvs;2;practitioner;p-002;6;6;5;6;6;6;5;6;6;6;6;6;5,75;5,75;6;5,833333333333333;2026-03-20T14:05:09Z;rater-link;1;SHA;1;2026-05-01;58\r\n";
        var import = Parse(text);
        Assert.True(import.IsValid, string.Join("; ", Errors(import)));
        var row = Assert.Single(import.Rows);
        Assert.Equal(("d-002", 2, "practitioner", new DateTimeOffset(2026, 3, 20, 14, 5, 9, TimeSpan.Zero)), (row.DyadId, row.Meeting, row.RaterRole, row.SubmittedAt));
        Assert.Equal([6, 6, 5, 6, 6, 6, 5, 6, 6, 6, 6, 6], row.Items.ToArray());
    }

    [Fact]
    public void Columns_the_study_cannot_place_and_missing_ones_are_named_on_line_1()
    {
        var import = Parse("Dyad,Rater role,when,comment,item1,item13,item1\nd-001,practitioner,2026-03-02,,5,,5\n");
        Assert.Equal(
        [
            "line 1: 'when' is not a column of this file: the columns are dyad,meeting,role,date,item1..itemN (or the columns of the app's own export)",
            "line 1: 'comment' is not a column of this file: the columns are dyad,meeting,role,date,item1..itemN (or the columns of the app's own export)",
            "line 1: 'item13' is not a column of this study: its instruments have 12 items at most (client: wai-s-client, 12 items; practitioner: wai-s-practitioner, 12 items)",
            "line 1: item 1 is named twice ('item1' and 'item1')",
            "line 1: column 'meeting' is missing: the first line must name the columns dyad,meeting,role,date,item1..itemN (or the columns of the app's own export)",
            "line 1: column 'date' is missing: the first line must name the columns dyad,meeting,role,date,item1..itemN (or the columns of the app's own export)",
        ], Errors(import));
        Assert.Empty(import.Rows);
    }

    [Fact]
    public void Every_bad_line_is_named_with_all_its_problems_and_nothing_is_kept_valid()
    {
        var text = $"dyad,meeting,role,date,{Items}\n"
            + "d-001,1,practitioner,2026-03-02,5,5,5,5,5,5,5,5,5,5,5,5\n" // 2: good
            + "d-404,1,practitioner,2026-03-02,5,5,5,5,5,5,5,5,5,5,5,5\n" // 3: no such dyad
            + "d-001,4,therapist,2026-03-02,5,5,5,5,5,5,5,5,5,5,5,5\n" // 4: meeting, role
            + "d-002,1,client,2026-03-05,5,5,5,5,5,5,5,5,5,5,5,5\n" // 5: d-002 has no client rater
            + "d-001,2,practitioner,2026-03-01,5,5,5,5,5,5,5,5,5,5,5,5\n" // 6: before enrolment
            + "d-001,3,practitioner,2026-06-02,5,5,5,5,5,5,5,5,5,5,5,5\n" // 7: after today
            + "d-001,2,client,31/03/2026,0,8,x,,5,5,5,5,5,5,5,5\n" // 8: date, items off the scale, not a number, missing
            + "d-001,1,practitioner,2026-03-03,5,5,5,5,5,5,5,5,5,5,5,5\n" // 9: the form of line 2 again
            + "d-001,3,client,2026-03-30,5,5,5\n"; // 10: too few values
        var import = Parse(text);
        Assert.False(import.IsValid);
        Assert.True(import.NamesUnknownDyad);
        Assert.Equal(
        [
            "line 3: dyad 'd-404' is not in study 'test-study'",
            "line 4: meeting 4 is not in the study's schedule (meetings 1 to 3)",
            "line 4: role must be client or practitioner (the study's rater roles), not 'therapist'",
            "line 5: dyad 'd-002' has no client rater: only its practitioner rates",
            "line 6: date 2026-03-01 is before the enrolment of dyad 'd-001' on 2026-03-02",
            "line 7: date 2026-06-02 is after today (2026-06-01): a response is imported once it was given",
            "line 8: date '31/03/2026' is not a date: write it as YYYY-MM-DD, e.g. 2026-03-31 (or as the export writes it, 2026-03-31T14:05:00Z)",
            "line 8: item 1: 0 is off the scale of wai-s-client (1 to 7)",
            "line 8: item 2: 8 is off the scale of wai-s-client (1 to 7)",
            "line 8: item 3: 'x' is not a whole number",
            "line 8: item 4 is not answered: every item of wai-s-client is",
            "line 9: meeting 1 of dyad 'd-001' (practitioner) is already on line 2",
            "line 10: has 7 values; expected 16 (dyad,meeting,role,date,item1,item2,item3,item4,item5,item6,item7,item8,item9,item10,item11,item12)",
        ], Errors(import));
        Assert.Equal(8, import.RefusedLines);
    }

    [Fact]
    public void A_shorter_instrument_leaves_the_items_it_lacks_empty()
    {
        // The client answers a 5-item instrument of the study's own; the export has Item01..Item12 for the practitioner's.
        var study = Valid();
        var instruments = new Dictionary<string, InstrumentDefinition>(Instruments(study), StringComparer.Ordinal);
        var client = instruments["client"];
        instruments["client"] = client with { Items = [.. client.Items.Take(5)] };
        var import = ResponseCsv.Parse($"dyad,meeting,role,date,{Items}\nd-001,1,client,2026-03-02,1,2,3,4,5,,,,,,,\nd-001,2,client,2026-03-16,1,2,3,4,5,6,,,,,,\n", study, instruments, Today);
        Assert.Equal(["line 3: item 6 is answered ('6'), but wai-s-client has 5 items: leave it empty"], Errors(import));
        Assert.Equal([1, 2, 3, 4, 5], Assert.Single(import.Rows).Items.ToArray());
    }

    [Fact]
    public void An_empty_file_or_a_header_alone_is_refused()
    {
        Assert.Equal(["line 1: the file is empty: its first line must name the columns dyad,meeting,role,date,item1..itemN (or the columns of the app's own export)"], Errors(Parse("")));
        Assert.Equal(["line 1: the file has a header but no rows"], Errors(Parse($"dyad,meeting,role,date,{Items}\n")));
        Assert.Equal(["line 1: no item columns: name one per item, item1..item12 (or Item01..Item12)"], Errors(Parse("dyad,meeting,role,date\nd-001,1,practitioner,2026-03-02\n")));
    }
}
