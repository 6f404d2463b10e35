using AlliancePipeline.Core.Studies;
using static AlliancePipeline.Core.Tests.Studies.StudyFixture;

namespace AlliancePipeline.Core.Tests.Studies;

public class EnrolmentPlanTests
{
    private static DateOnly D(int month, int day) => new(2026, month, day);

    private static string[] Rows(IEnumerable<PlannedAssessment> plan) =>
        plan.Select(a => $"{a.Id} {a.RaterId} {a.SiteId} {a.ArmId} {a.Language} {a.InstrumentId} meet {a.MeetingDate:MM-dd}{(a.MeetingDateRecorded ? "*" : "")} invite {a.InviteOn:MM-dd} due {a.DueOn:MM-dd}").ToArray();

    [Fact]
    public void One_assessment_per_dyad_meeting_and_rater_role_with_known_dates()
    {
        Assert.Equal(
        [
            "d-001-m1-practitioner p-001 site-a ips en wai-s-practitioner meet 03-02 invite 03-02 due 03-09",
            "d-001-m1-client c-001 site-a ips en wai-s-client meet 03-02 invite 03-02 due 03-09",
            "d-001-m2-practitioner p-001 site-a ips en wai-s-practitioner meet 03-16 invite 03-16 due 03-23",
            "d-001-m2-client c-001 site-a ips en wai-s-client meet 03-16 invite 03-16 due 03-23",
            "d-001-m3-practitioner p-001 site-a ips en wai-s-practitioner meet 03-30 invite 03-30 due 04-06",
            "d-001-m3-client c-001 site-a ips en wai-s-client meet 03-30 invite 03-30 due 04-06",
            "d-002-m1-practitioner p-002 site-b tvs fr-CA wai-s-practitioner meet 03-04 invite 03-04 due 03-11",
            "d-002-m2-practitioner p-002 site-b tvs fr-CA wai-s-practitioner meet 03-18 invite 03-18 due 03-25",
            "d-002-m3-practitioner p-002 site-b tvs fr-CA wai-s-practitioner meet 04-01 invite 04-01 due 04-08",
        ], Rows(EnrolmentPlan.For(Valid())));
    }

    [Fact]
    public void Lookups_by_id_follow_the_list_of_the_definition_they_are_asked_of()
    {
        var study = Valid();
        Assert.Equal("p-001", study.FindDyad("d-001")!.PractitionerId);
        // A copy with other lists (as the applier makes for dyads withdrawn through the API) answers from its own lists.
        var copy = study with { Dyads = [.. study.Dyads.Select(d => d.Id == "d-001" ? d with { Withdrawn = true } : d)], Raters = [.. study.Raters.Where(r => r.Id != "c-001")] };
        Assert.True(copy.FindDyad("d-001")!.Withdrawn);
        Assert.False(study.FindDyad("d-001")!.Withdrawn);
        Assert.Null(copy.FindRater("c-001"));
        Assert.NotNull(study.FindRater("c-001"));
        Assert.Null(study.FindDyad("d-999"));
        Assert.Null((study with { Dyads = [] }).FindDyad("d-001"));
    }

    [Fact]
    public void A_recorded_meeting_moves_its_dates_and_the_planned_meetings_after_it()
    {
        var plan = EnrolmentPlan.For(Valid(), [new RecordedMeeting("d-001", 1, D(3, 5)), new RecordedMeeting("d-001", 3, D(4, 1))])
            .Where(a => a.RaterRole == "practitioner" && a.DyadId == "d-001");
        Assert.Equal(
        [
            "d-001-m1-practitioner p-001 site-a ips en wai-s-practitioner meet 03-05* invite 03-05 due 03-12",
            "d-001-m2-practitioner p-001 site-a ips en wai-s-practitioner meet 03-19 invite 03-19 due 03-26",
            "d-001-m3-practitioner p-001 site-a ips en wai-s-practitioner meet 04-01* invite 04-01 due 04-08",
        ], Rows(plan));
    }

    [Fact]
    public void A_later_record_for_the_same_meeting_wins_and_unknown_ones_are_ignored()
    {
        var plan = EnrolmentPlan.For(Valid(),
        [
            new RecordedMeeting("d-002", 2, D(3, 20)), new RecordedMeeting("d-002", 2, D(3, 21)),
            new RecordedMeeting("d-999", 1, D(3, 1)), new RecordedMeeting("d-002", 7, D(5, 1)),
        ]);
        var m2 = plan.Single(a => a.Id == "d-002-m2-practitioner");
        Assert.Equal((D(3, 21), true, D(3, 28)), (m2.MeetingDate, m2.MeetingDateRecorded, m2.DueOn));
        Assert.Equal(D(4, 4), plan.Single(a => a.Id == "d-002-m3-practitioner").MeetingDate);
        Assert.Equal(9, plan.Length);
    }

    [Fact]
    public void Withdrawn_dyads_plan_nothing()
    {
        var study = Valid(With("enrolled: 2026-03-02 }", "enrolled: 2026-03-02, withdrawn: true }"));
        Assert.All(EnrolmentPlan.For(study), a => Assert.Equal("d-002", a.DyadId));
        Assert.Equal(3, EnrolmentPlan.For(study).Length);
    }

    [Fact]
    public void Planning_twice_gives_the_same_ids()
    {
        Assert.Equal(EnrolmentPlan.For(Valid()).Select(a => a.Id), EnrolmentPlan.For(Valid()).Select(a => a.Id));
        Assert.Equal("d-001-m2-client", EnrolmentPlan.AssessmentId("d-001", 2, "client"));
        Assert.True(StudyIds.IsValid(EnrolmentPlan.AssessmentId(new string('d', StudyFile.MaxDyadIdLength), StudyFile.MaxMeetings, "practitioner")));
    }

    [Fact]
    public void A_planned_assessment_becomes_a_stored_assessment_due_at_the_start_of_its_due_day()
    {
        var planned = EnrolmentPlan.For(Valid()).Single(a => a.Id == "d-002-m1-practitioner");
        var assessment = planned.ToAssessment("test-study");
        Assert.Equal(new Assessment("d-002-m1-practitioner", "test-study", "site-b", "d-002", 1, "practitioner", "p-002",
            new DateTimeOffset(2026, 3, 11, 0, 0, 0, TimeSpan.Zero), AssessmentStatus.Pending, 1, "fr-CA"), assessment);
        Assert.False(assessment.IsOverdue(new DateTimeOffset(2026, 3, 11, 23, 59, 59, TimeSpan.Zero)));
        Assert.True(assessment.IsOverdue(new DateTimeOffset(2026, 3, 12, 0, 0, 0, TimeSpan.Zero)));
        Assert.False((assessment with { Status = AssessmentStatus.Completed }).IsOverdue(new DateTimeOffset(2026, 4, 1, 0, 0, 0, TimeSpan.Zero)));
    }

    [Fact]
    public void Meeting_dates_are_checked_against_the_study()
    {
        var study = Valid();
        Assert.Null(StudyInputs.CheckMeetingDate(study, new RecordedMeeting("d-001", 3, D(3, 2))));
        Assert.Equal("dyad 'd-404' is not in study 'test-study'", StudyInputs.CheckMeetingDate(study, new RecordedMeeting("d-404", 1, D(3, 2))));
        Assert.Equal("meeting 4 is not in the study's schedule (meetings 1 to 3)", StudyInputs.CheckMeetingDate(study, new RecordedMeeting("d-001", 4, D(3, 2))));
        Assert.Equal("meeting 1 of dyad 'd-001' on 2026-03-01 is before its enrolment on 2026-03-02",
            StudyInputs.CheckMeetingDate(study, new RecordedMeeting("d-001", 1, D(3, 1))));
    }
}
