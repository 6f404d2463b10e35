using AlliancePipeline.Core.Studies;
using static AlliancePipeline.Core.Tests.Studies.StudyFixture;

namespace AlliancePipeline.Core.Tests.Studies;

public class OverdueDigestTests
{
    [Fact]
    public void Each_coordinator_gets_their_own_site_overdue_list_for_the_week()
    {
        var study = Valid(With("      - { email: coord.b@example.org, language: fr }",
            "      - { email: coord.b@example.org, language: fr }\n      - { email: assist.b@example.org, language: en }"));
        var assessments = EnrolmentPlan.For(study).Select(p => p.ToAssessment(study.Id)).ToList();
        assessments[0] = assessments[0] with { Status = AssessmentStatus.Completed };     // d-001 m1 practitioner
        assessments.Add(new Assessment("x-m1-practitioner", "another-study", "site-a", "x", 1, "practitioner", "p-x",
            new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero), AssessmentStatus.Pending, 1));
        var now = new DateTimeOffset(2026, 3, 24, 8, 0, 0, TimeSpan.Zero);               // Tuesday of 2026-W13: meeting 2 of d-001 was due the day before

        var digests = OverdueDigest.Build(study, assessments, now);

        Assert.Equal(
        [
            ("site-a", "coord.a@example.org", "d-001-m1-client d-001-m2-client d-001-m2-practitioner"),
            ("site-b", "coord.b@example.org", "d-002-m1-practitioner"),
            ("site-b", "assist.b@example.org", "d-002-m1-practitioner"),
        ], digests.Select(d => (d.SiteId, d.Coordinator.Email, string.Join(" ", d.Overdue.Select(a => a.Id)))));
        Assert.All(digests, d => Assert.Equal(new IsoWeek(2026, 13), d.Week));
        Assert.Equal("2026-w13-site-b-", digests[1].Key[..16]);
        Assert.Matches("^2026-w13-site-b-[0-9a-f]{12}$", digests[1].Key);
        Assert.NotEqual(digests[1].Key, digests[2].Key);
        Assert.True(StudyIds.IsValid(digests[1].Key));
        Assert.Equal(digests[1].Key, (digests[1] with { Coordinator = new StudyContact("COORD.B@example.org", "fr") }).Key);
    }

    [Fact]
    public void The_day_after_the_due_date_an_assessment_joins_the_list()
    {
        var study = Valid();
        var assessments = EnrolmentPlan.For(study).Select(p => p.ToAssessment(study.Id)).ToArray();
        var onDueDay = OverdueDigest.Build(study, assessments, new DateTimeOffset(2026, 3, 9, 23, 0, 0, TimeSpan.Zero));
        Assert.All(onDueDay, d => Assert.Empty(d.Overdue));
        var nextDay = OverdueDigest.Build(study, assessments, new DateTimeOffset(2026, 3, 10, 0, 0, 0, TimeSpan.Zero));
        Assert.Equal(["d-001-m1-client", "d-001-m1-practitioner"], nextDay[0].Overdue.Select(a => a.Id).ToArray());
    }

    [Fact]
    public void A_digest_with_nothing_overdue_is_sent_only_when_the_study_file_asks_for_it()
    {
        var quiet = Valid();
        Assert.Equal(DigestPolicy.Default, quiet.Digests);
        var assessments = EnrolmentPlan.For(quiet).Select(p => p.ToAssessment(quiet.Id)).ToArray();
        var digests = OverdueDigest.Build(quiet, assessments, new DateTimeOffset(2026, 3, 10, 0, 0, 0, TimeSpan.Zero));
        Assert.Equal([true, false], digests.Select(d => !d.Overdue.IsEmpty).ToArray());
        Assert.Equal([true, false], digests.Select(quiet.Digests.Sends).ToArray());

        var always = Valid(Yaml + "digests:\n  whenNothingOverdue: true\n");
        Assert.True(always.Digests.WhenNothingOverdue);
        Assert.All(digests, d => Assert.True(always.Digests.Sends(d)));
        Assert.False(Valid(Yaml + "digests: {}\n").Digests.WhenNothingOverdue);
        Assert.Contains("digests", SingleError(Parse(Yaml + "digests: { whenNothingOverdue: sometimes }\n")).Field, StringComparison.Ordinal);
    }
}

public class IsoWeekTests
{
    [Theory]
    [InlineData("2026-01-01T12:00:00Z", 2026, 1)]
    [InlineData("2027-01-01T00:00:00Z", 2026, 53)]
    [InlineData("2024-12-30T00:00:00Z", 2025, 1)]
    [InlineData("2026-03-15T23:59:59Z", 2026, 11)]
    [InlineData("2026-03-16T00:00:00Z", 2026, 12)]
    [InlineData("2026-03-15T22:00:00-05:00", 2026, 12)]
    public void An_instant_falls_in_the_iso_week_of_its_utc_day(string instant, int year, int week)
    {
        Assert.Equal(new IsoWeek(year, week), IsoWeek.Of(DateTimeOffset.Parse(instant, System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact]
    public void A_week_knows_its_bounds_and_name()
    {
        var week = new IsoWeek(2026, 12);
        Assert.Equal(new DateOnly(2026, 3, 16), week.Monday);
        Assert.Equal(new DateTimeOffset(2026, 3, 16, 0, 0, 0, TimeSpan.Zero), week.Start);
        Assert.Equal(new DateTimeOffset(2026, 3, 23, 0, 0, 0, TimeSpan.Zero), week.End);
        Assert.Equal("2026-W12", week.ToString());
        Assert.True(new IsoWeek(2026, 53).CompareTo(new IsoWeek(2027, 1)) < 0);
        Assert.Equal(new IsoWeek(2027, 1), IsoWeek.Of(new IsoWeek(2026, 53).End));
    }
}
