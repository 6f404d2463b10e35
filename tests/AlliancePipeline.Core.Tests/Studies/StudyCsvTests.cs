using AlliancePipeline.Core.Studies;
using static AlliancePipeline.Core.Tests.Studies.StudyFixture;

namespace AlliancePipeline.Core.Tests.Studies;

public class StudyCsvTests
{
    private static string[] Errors<T>(CsvImport<T> import) => import.Errors.Select(e => e.ToString()).ToArray();

    [Fact]
    public void Outcomes_are_read_with_every_spelling_of_yes_and_no()
    {
        var import = StudyCsv.ParseOutcomes("dyad,employed,date\nd-001,yes,2026-06-01\nd-002,No,\nd-003,1,2026-05-02\nd-004, false ,\nd-005,TRUE,2026-04-30\nd-006,0,\nd-007,Oui,2026-04-29\nd-008,NON,\n");
        Assert.True(import.IsValid, string.Join("; ", Errors(import)));
        Assert.Equal(
        [
            new DyadOutcome("d-001", true, new DateOnly(2026, 6, 1)),
            new DyadOutcome("d-002", false, null),
            new DyadOutcome("d-003", true, new DateOnly(2026, 5, 2)),
            new DyadOutcome("d-004", false, null),
            new DyadOutcome("d-005", true, new DateOnly(2026, 4, 30)),
            new DyadOutcome("d-006", false, null),
            new DyadOutcome("d-007", true, new DateOnly(2026, 4, 29)),
            new DyadOutcome("d-008", false, null),
        ], import.Rows.ToArray());
    }

    [Fact]
    public void Each_bad_outcome_line_is_named()
    {
        var text = "Dyad , EMPLOYED,date\r\nd-001,maybe,\r\nd-002,yes,\r\nd-003,no,2026-04-01\r\nD 4,yes,01/04/2026\r\n\r\nd-005,yes\r\nd-006,yes,2026-04-01\r\nd-006,no,\r\n";
        var import = StudyCsv.ParseOutcomes(text);
        Assert.False(import.IsValid);
        Assert.Equal(
        [
            "line 2: employed must be yes or no (or oui/non, true/false, 1/0), not 'maybe'",
            "line 3: the date the job started is missing: it is required when employed is yes",
            "line 4: a date is given but employed is no: leave the date empty",
            "line 5: 'D 4' is not a dyad code (lower-case letters, digits and hyphens, e.g. d-001)",
            "line 5: date '01/04/2026' is not a date: write it as YYYY-MM-DD, e.g. 2026-03-31",
            "line 7: has 2 values; expected 3 (Dyad,EMPLOYED,date)",
            "line 9: dyad 'd-006' is already on line 8",
        ], Errors(import));
        Assert.Equal([new DyadOutcome("d-006", true, new DateOnly(2026, 4, 1))], import.Rows.ToArray());
    }

    [Fact]
    public void Outcomes_are_checked_against_the_study_when_it_is_known()
    {
        var import = StudyCsv.ParseOutcomes("dyad,employed,date\nd-001,yes,2026-03-01\nd-002,yes,2026-03-04\nd-404,no,\n", Valid());
        Assert.Equal(
        [
            "line 2: the job date 2026-03-01 is before the dyad's enrolment on 2026-03-02",
            "line 4: dyad 'd-404' is not in study 'test-study'",
        ], Errors(import));
        Assert.Equal("d-002", Assert.Single(import.Rows).DyadId);
    }

    [Fact]
    public void Columns_may_come_in_any_order_and_semicolons_separate_too()
    {
        var import = StudyCsv.ParseOutcomes("date;dyad;employed\n2026-06-01;d-001;oui\n;d-002;non\n;d-003;peut-être\n");
        Assert.Equal(["line 4: employed must be yes or no (or oui/non, true/false, 1/0), not 'peut-être'"], Errors(import));
        Assert.Equal([new DyadOutcome("d-001", true, new DateOnly(2026, 6, 1)), new DyadOutcome("d-002", false, null)], import.Rows.ToArray());
    }

    [Theory]
    [InlineData("", "line 1: the file is empty: its first line must name the columns dyad,employed,date")]
    [InlineData("dyad,employed,date\n", "line 1: the file has a header but no rows")]
    [InlineData("dyad,employed\nd-001,no\n", "line 1: column 'date' is missing: the first line must name the columns dyad,employed,date")]
    [InlineData("dyad,employed,date,notes\nd-001,no,,x\n", "line 1: 'notes' is not a column of this file: the columns are dyad,employed,date (and, if you wish, recorded,daysWorked,tenureDays)")]
    [InlineData("dyad,employed,date,dyad\nd-001,no,,d-1\n", "line 1: column 'dyad' is named twice")]
    public void A_wrong_header_is_refused(string text, string error)
    {
        Assert.Equal([error], Errors(StudyCsv.ParseOutcomes(text)));
    }

    [Fact]
    public void A_broken_quote_spoils_only_its_own_line()
    {
        var import = StudyCsv.ParseOutcomes("dyad,employed,date\n\"d-001,yes,2026-06-01\nd-002,no,\nd-\"003,no,\n");
        Assert.Equal(
        [
            "line 2: a quote (\") opens a value that is not closed on this line",
            "line 4: a quote (\") stands inside a value: put the whole value in quotes and double the quote (\"\")",
        ], Errors(import));
        Assert.Equal("d-002", Assert.Single(import.Rows).DyadId);
    }

    [Fact]
    public void Meeting_dates_are_read_and_checked()
    {
        var good = StudyCsv.ParseMeetingDates("dyad,meeting,date\nd-001,1,2026-03-05\nd-001,2,2026-03-19\n\"d-002\",1,2026-03-04\n", Valid());
        Assert.True(good.IsValid, string.Join("; ", Errors(good)));
        Assert.Equal(
        [
            new RecordedMeeting("d-001", 1, new DateOnly(2026, 3, 5)),
            new RecordedMeeting("d-001", 2, new DateOnly(2026, 3, 19)),
            new RecordedMeeting("d-002", 1, new DateOnly(2026, 3, 4)),
        ], good.Rows.ToArray());

        var bad = StudyCsv.ParseMeetingDates("dyad,meeting,date\nd-001,first,2026-03-05\nd-001,4,2026-03-05\nd-002,1,2026-03-03\nd-001,1,\nd-001,1,2026-03-05\nd-001,1,2026-03-06\n", Valid());
        Assert.Equal(
        [
            "line 2: meeting must be a meeting number such as 1, 2 or 3, not 'first'",
            "line 3: meeting 4 is not in the study's schedule (meetings 1 to 3)",
            "line 4: meeting 1 of dyad 'd-002' on 2026-03-03 is before its enrolment on 2026-03-04",
            "line 5: the date is missing",
            "line 7: meeting 1 of dyad 'd-001' is already on line 6",
        ], Errors(bad));
    }

    [Fact]
    public void Meeting_dates_without_a_study_check_only_the_format()
    {
        var import = StudyCsv.ParseMeetingDates("dyad,meeting,date\nd-009,7,2020-01-01\nd-009,0,2020-01-01\n");
        Assert.Equal(["line 3: meeting must be a meeting number such as 1, 2 or 3, not '0'"], Errors(import));
        Assert.Equal([new RecordedMeeting("d-009", 7, new DateOnly(2020, 1, 1))], import.Rows.ToArray());
    }

    [Fact]
    public void However_many_lines_are_bad_the_first_100_problems_are_listed_and_all_are_counted()
    {
        var text = "dyad,employed,date\n" + string.Concat(Enumerable.Repeat("D-X,maybe,someday\n", 250));
        var import = StudyCsv.ParseOutcomes(text, Valid());
        Assert.False(import.IsValid);
        Assert.Equal(StudyCsv.MaxListedErrors, import.Errors.Length);
        Assert.Equal((750, 250), (import.ErrorCount, import.RefusedLines));
        Assert.Equal(2, import.Errors[0].Line);
        Assert.Equal(35, import.Errors[^1].Line); // three problems a line: lines 2 to 34 hold the first 99, line 35 the 100th
    }

    [Fact]
    public void A_dyad_not_in_the_study_is_said_so_before_anything_else_about_its_line()
    {
        var import = StudyCsv.ParseMeetingDates("dyad,meeting,date\nd-404,9,1900-01-01\n", Valid());
        Assert.Equal(["line 2: dyad 'd-404' is not in study 'test-study'"], Errors(import));
        Assert.True(import.NamesUnknownDyad);
        Assert.False(StudyCsv.ParseMeetingDates("dyad,meeting,date\nd-001,9,2026-03-05\n", Valid()).NamesUnknownDyad);
    }

    [Fact]
    public void Dates_lie_within_the_dyad_s_ten_years_from_enrolment()
    {
        Assert.True(StudyCsv.ParseMeetingDates("dyad,meeting,date\nd-001,1,2036-03-02\n", Valid()).IsValid);
        Assert.Equal(
            ["line 2: the date 9999-12-31 of meeting 1 of dyad 'd-001' is more than 10 years after its enrolment on 2026-03-02: the last day it may be is 2036-03-02"],
            Errors(StudyCsv.ParseMeetingDates("dyad,meeting,date\nd-001,1,9999-12-31\n", Valid())));
        Assert.True(StudyCsv.ParseOutcomes("dyad,employed,date\nd-001,yes,2036-03-02\n", Valid()).IsValid);
        Assert.Equal(
            ["line 2: the job date 2036-03-03 is more than 10 years after the dyad's enrolment on 2026-03-02: the last day it may be is 2036-03-02"],
            Errors(StudyCsv.ParseOutcomes("dyad,employed,date\nd-001,yes,2036-03-03\n", Valid())));
    }
}
