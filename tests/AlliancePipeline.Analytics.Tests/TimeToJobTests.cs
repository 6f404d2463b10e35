using AlliancePipeline.Analytics.Reports;
using AlliancePipeline.Core.Studies;

namespace AlliancePipeline.Analytics.Tests;

/// <summary>The report input's time to job: event at the job's start within follow-up, else censored.</summary>
public class TimeToJobTests
{
    private static readonly DateOnly Enrolled = new(2026, 1, 5);
    private static readonly DateTimeOffset At = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Each_dyad_with_an_outcome_gets_an_event_or_a_censoring_day_within_follow_up()
    {
        var dyads = new[] { "a", "b", "c", "d", "e", "f", "g" }.Select(id => new ReportDyad(id, "site", null, id == "g" ? null : Enrolled, false)).ToArray();
        var outcomes = new[]
        {
            new ReportOutcome("a", true, Enrolled.AddDays(40), Enrolled, At),                                   // event on day 40
            new ReportOutcome("b", false, null, Enrolled, At) { RecordedOn = Enrolled.AddDays(90) },           // no job when last seen on day 90
            new ReportOutcome("c", false, null, Enrolled, At),                                                  // recorded after the end: censored at 182
            new ReportOutcome("d", true, Enrolled.AddDays(200), Enrolled, At),                                  // a job after follow-up: censored at 182
            new ReportOutcome("e", true, null, Enrolled, At),                                                   // employed, no date: left out
            new ReportOutcome("a", false, null, Enrolled, At.AddDays(-1)),                                      // an earlier record of a: the later one counts
            new ReportOutcome("g", false, null, null, At),                                                      // no enrolment date: left out
        };
        var rows = TimeToJob.Of(new FollowUp(182, FollowUpOrigin.Enrolment), dyads, outcomes, new Dictionary<string, DateOnly>());
        var end = Enrolled.AddDays(182);
        Assert.Equal([
            new TimeToJob("a", Enrolled, end, 40, true),
            new TimeToJob("b", Enrolled, end, 90, false),
            new TimeToJob("c", Enrolled, end, 182, false),
            new TimeToJob("d", Enrolled, end, 182, false),
        ], rows.ToArray());

        // From the first meeting: its date is the origin; a dyad without one has no row.
        var first = new Dictionary<string, DateOnly> { ["a"] = Enrolled.AddDays(10) };
        var fromFirst = TimeToJob.Of(new FollowUp(182, FollowUpOrigin.FirstMeeting), dyads, outcomes, first);
        Assert.Equal([new TimeToJob("a", Enrolled.AddDays(10), Enrolled.AddDays(192), 30, true)], fromFirst.ToArray());
    }
}
