using AlliancePipeline.Core.Studies;
using static AlliancePipeline.Core.Tests.Studies.StudyFixture;

namespace AlliancePipeline.Core.Tests.Studies;

/// <summary>The study file's <c>analysis</c> section, and the outcome dates it bounds (recorded day, end of follow-up).</summary>
public class StudyAnalysisTests
{
    [Fact]
    public void Without_an_analysis_section_the_study_gets_the_defaults()
    {
        Assert.Equal(StudyAnalysis.Default, Valid().Analysis);
        Assert.Equal(StudyAnalysis.Default, Valid(Yaml + "analysis: {}\n").Analysis);
        Assert.Equal(new StudyAnalysis(null, ClusterRule.Relative, 0.10, 2, 8, false, MissingMeetings.Complete, null), StudyAnalysis.Default);
    }

    [Fact]
    public void Every_setting_is_read()
    {
        var a = Valid(Yaml + "analysis:\n  scores: deviation\n  clusters: { rule: absolute, minShare: 0.15, minK: 3, maxK: 6 }\n"
                      + "  missingMeetings: assign\n  followUp: { days: 182, from: firstMeeting }\n").Analysis;
        Assert.Equal(new StudyAnalysis(null, ClusterRule.Absolute, 0.15, 3, 6, true, MissingMeetings.Assign, new FollowUp(182, FollowUpOrigin.FirstMeeting)), a);
        var fixedK = Valid(Yaml + "analysis:\n  clusters: { k: 3 }\n  followUp: { days: 365 }\n").Analysis;
        Assert.Equal((3, new FollowUp(365, FollowUpOrigin.Enrolment)), (fixedK.FixedK, fixedK.FollowUp));
    }

    [Theory]
    [InlineData("analysis:\n  clusters: { rule: largest }\n", "analysis.clusters.rule", "'largest'")]
    [InlineData("analysis:\n  scores: shape\n", "analysis.scores", "'shape'")]
    [InlineData("analysis:\n  missingMeetings: impute\n", "analysis.missingMeetings", "'impute'")]
    [InlineData("analysis:\n  clusters: { minShare: 0.6 }\n", "analysis.clusters.minShare", "0.6")]
    [InlineData("analysis:\n  clusters: { k: 1 }\n", "analysis.clusters.k", "1")]
    [InlineData("analysis:\n  followUp: { from: enrolment }\n", "analysis.followUp.days", "")]
    [InlineData("analysis:\n  followUp: { days: 0 }\n", "analysis.followUp.days", "0")]
    [InlineData("analysis:\n  followUp: { days: 182, from: consent }\n", "analysis.followUp.from", "'consent'")]
    [InlineData("analysis:\n  clusters: { k: 3, rule: absolute }\n", "analysis.clusters.rule", "either k")]
    [InlineData("analysis:\n  clusters: { minK: 5, maxK: 4 }\n", "analysis.clusters.maxK", "the k range is empty: minK (5) is above maxK (4)")]
    [InlineData("analysis:\n  primaryTest: clusterOutcome\n", "analysis.primaryTest", "'clusterOutcome'")]
    [InlineData("analysis:\n  primaryTest: timeToJob\n", "analysis.primaryTest", "timeToJob needs a follow-up (analysis.followUp)")]
    [InlineData("analysis:\n  colour: blue\n", "analysis.colour", "'colour' is not a field of analysis")]
    public void A_bad_setting_is_refused_naming_its_field(string section, string field, string says)
    {
        var error = SingleError(Parse(Yaml + section));
        Assert.Equal(field, error.Field);
        Assert.Contains(says, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("patternEmployment", PrimaryTest.PatternEmployment)]
    [InlineData("timeToJob", PrimaryTest.TimeToJob)]
    [InlineData("allianceEmployment", PrimaryTest.AllianceEmployment)]
    public void The_primary_test_is_read_and_left_out_names_none(string value, PrimaryTest test)
    {
        Assert.Equal(test, Valid(Yaml + $"analysis:\n  followUp: {{ days: 182 }}\n  primaryTest: {value}\n").Analysis.PrimaryTest);
        Assert.Equal(value, PrimaryTests.FileValue(test));
        Assert.Null(Valid(Yaml + "analysis:\n  followUp: { days: 182 }\n").Analysis.PrimaryTest);
    }

    [Fact]
    public void An_unknown_primary_test_is_refused_by_the_schema_naming_its_line_and_the_tests_it_may_name()
    {
        var yaml = Yaml + "analysis:\n  scores: raw\n  primaryTest: fisher\n";
        var error = SingleError(Parse(yaml));
        Assert.Equal((yaml.Split('\n').Length - 1, "analysis.primaryTest"), (error.Line, error.Field));
        Assert.Contains("'fisher'", error.Message, StringComparison.Ordinal);
        Assert.Contains("patternEmployment", error.Message, StringComparison.Ordinal);
    }

    private static readonly DateOnly Today = new(2026, 9, 30);

    [Fact]
    public void A_job_date_after_the_recorded_day_is_refused_and_the_recorded_day_may_not_be_in_the_future()
    {
        var study = Valid();
        var job = new DyadOutcome("d-001", true, new DateOnly(2026, 6, 1));
        Assert.Null(StudyInputs.CheckOutcome(study, job, Today));
        Assert.Null(StudyInputs.CheckOutcome(study, job with { RecordedOn = new DateOnly(2026, 6, 1) }, Today));
        Assert.Equal("the job date 2026-06-01 is after the day the outcome is recorded (2026-05-31): a job is recorded once it has started",
            StudyInputs.CheckOutcome(study, job with { RecordedOn = new DateOnly(2026, 5, 31) }, Today));
        Assert.Equal("the job date 2026-10-01 is after the day the outcome is recorded (2026-09-30): a job is recorded once it has started",
            StudyInputs.CheckOutcome(study, job with { JobDate = new DateOnly(2026, 10, 1) }, Today));
        Assert.Equal("the recorded date 2026-10-01 is after today (2026-09-30): an outcome is recorded on or before the day it is sent",
            StudyInputs.CheckOutcome(study, new DyadOutcome("d-002", false, null) { RecordedOn = new DateOnly(2026, 10, 1) }, Today));
    }

    [Fact]
    public void A_job_date_after_the_end_of_follow_up_is_refused()
    {
        // d-001 enrolled 2026-03-02; 182 days: follow-up ends 2026-08-31.
        var study = Valid(Yaml + "analysis:\n  followUp: { days: 182 }\n");
        var dyad = study.FindDyad("d-001")!;
        Assert.Equal(new DateOnly(2026, 8, 31), StudyInputs.FollowUpEnd(study, dyad));
        Assert.Null(StudyInputs.CheckOutcome(study, new DyadOutcome("d-001", true, new DateOnly(2026, 8, 31)), Today));
        Assert.Equal("the job date 2026-09-01 is after the end of follow-up on 2026-08-31 (182 days from the dyad's enrolment)",
            StudyInputs.CheckOutcome(study, new DyadOutcome("d-001", true, new DateOnly(2026, 9, 1)), Today));
        Assert.Null(StudyInputs.FollowUpEnd(Valid(), dyad));

        // From the first meeting: its recorded date when known, else the day the schedule plans it (day 0 here).
        var fromFirst = Valid(Yaml + "analysis:\n  followUp: { days: 182, from: firstMeeting }\n");
        var firstMeetings = new Dictionary<string, DateOnly> { ["d-001"] = new(2026, 3, 12) };
        Assert.Equal(new DateOnly(2026, 9, 10), StudyInputs.FollowUpEnd(fromFirst, dyad, new DateOnly(2026, 3, 12)));
        Assert.Null(StudyInputs.CheckOutcome(fromFirst, new DyadOutcome("d-001", true, new DateOnly(2026, 9, 10)), Today, firstMeetings));
        Assert.Contains("after the end of follow-up on 2026-09-10 (182 days from the dyad's first meeting)",
            StudyInputs.CheckOutcome(fromFirst, new DyadOutcome("d-001", true, new DateOnly(2026, 9, 11)), Today, firstMeetings), StringComparison.Ordinal);
        Assert.Contains("after the end of follow-up on 2026-08-31", StudyInputs.CheckOutcome(fromFirst, new DyadOutcome("d-001", true, new DateOnly(2026, 9, 10)), Today),
            StringComparison.Ordinal);
    }

    [Fact]
    public void The_outcome_csv_takes_a_recorded_column_and_today_s_three_columns_keep_working()
    {
        var study = Valid(Yaml + "analysis:\n  followUp: { days: 182 }\n");
        var old = StudyCsv.ParseOutcomes("dyad,employed,date\nd-001,yes,2026-06-01\nd-002,no,\n", study, Today);
        Assert.True(old.IsValid);
        Assert.All(old.Rows, r => Assert.Null(r.RecordedOn));

        var recorded = StudyCsv.ParseOutcomes("dyad,employed,date,recorded\nd-001,yes,2026-06-01,2026-06-15\nd-002,no,,\n", study, Today);
        Assert.True(recorded.IsValid);
        Assert.Equal([new DateOnly(2026, 6, 15), (DateOnly?)null], recorded.Rows.Select(r => r.RecordedOn).ToArray());

        var refused = StudyCsv.ParseOutcomes("dyad,employed,date,recorded\nd-001,yes,2026-09-01,2026-09-02\nd-002,yes,2026-06-01,2026-05-01\n", study, Today);
        Assert.False(refused.IsValid);
        Assert.Equal([
            (2, "the job date 2026-09-01 is after the end of follow-up on 2026-08-31 (182 days from the dyad's enrolment)"),
            (3, "the job date 2026-06-01 is after the day the outcome is recorded (2026-05-01): a job is recorded once it has started"),
        ], refused.Errors.Select(e => (e.Line, e.Message)).ToArray());
        var badDate = StudyCsv.ParseOutcomes("dyad,employed,date,recorded\nd-002,no,,June\n", study, Today);
        Assert.Contains("recorded 'June' is not a date", Assert.Single(badDate.Errors).Message, StringComparison.Ordinal);
        var unknown = StudyCsv.ParseOutcomes("dyad,employed,date,when\nd-002,no,,\n", study, Today);
        Assert.Equal("'when' is not a column of this file: the columns are dyad,employed,date (and, if you wish, recorded,daysWorked,tenureDays)", Assert.Single(unknown.Errors).Message);
    }
}
