namespace AlliancePipeline.Core.Studies;

/// <summary>A dyad's employment outcome: did the client acquire a job, and when.</summary>
/// <param name="DyadId">The dyad code.</param>
/// <param name="Employed">Whether the client acquired a job.</param>
/// <param name="JobDate">The day the job started: set when <paramref name="Employed"/>, null otherwise.</param>
public sealed record DyadOutcome(string DyadId, bool Employed, DateOnly? JobDate)
{
    /// <summary>The day the outcome was recorded (the researcher's date, e.g. of the follow-up interview); null: the day it is sent.</summary>
    public DateOnly? RecordedOn { get; init; }
}

/// <summary>
/// Checks of the values recorded about a study's dyads after the study file (meeting dates, outcomes), whether they
/// arrive one by one (API, CLI) or in a CSV import (<see cref="StudyCsv"/>). Each returns null when the value is fine,
/// else what is wrong in plain words.
/// </summary>
public static class StudyInputs
{
    /// <summary>
    /// How long after its enrolment a dyad's dates may lie: its years in the study. Meeting dates and the day a job
    /// started are refused beyond them. Ten years is longer than any schedule a study file describes takes to run
    /// and than the long-term follow-ups of supported-employment trials (up to about ten years after enrolment), yet
    /// keeps every date the app computes from them (due dates, reminders, days to job) far inside the calendar, and a
    /// typing error such as 2206 for 2026, or 9999-12-31, out of the dashboard and the report.
    /// </summary>
    public const int YearsInStudy = 10;

    /// <summary>The last day a date about <paramref name="dyad"/> may be: <see cref="YearsInStudy"/> years after its enrolment.</summary>
    public static DateOnly LastDay(StudyDyad dyad)
    {
        ArgumentNullException.ThrowIfNull(dyad);
        return dyad.Enrolled.Year <= DateOnly.MaxValue.Year - YearsInStudy ? dyad.Enrolled.AddYears(YearsInStudy) : DateOnly.MaxValue;
    }

    /// <summary>What is said of a dyad the study does not have (or that the caller may not see: the same words).</summary>
    public static string NotInStudy(StudyDefinition study, string dyadId)
    {
        ArgumentNullException.ThrowIfNull(study);
        return $"dyad '{dyadId}' is not in study '{study.Id}'";
    }

    /// <summary>
    /// A recorded meeting date must be for a dyad of the study, a meeting 1..T of its schedule, and within the dyad's
    /// years in the study: not before its enrolment date, not after <see cref="LastDay"/>.
    /// </summary>
    public static string? CheckMeetingDate(StudyDefinition study, RecordedMeeting meeting)
    {
        ArgumentNullException.ThrowIfNull(study);
        ArgumentNullException.ThrowIfNull(meeting);
        if (study.FindDyad(meeting.DyadId) is not { } dyad)
        {
            return NotInStudy(study, meeting.DyadId);
        }

        if (study.FindMeeting(meeting.Meeting) is null)
        {
            return $"meeting {meeting.Meeting} is not in the study's schedule (meetings 1 to {study.Meetings.Length})";
        }

        if (meeting.Date < dyad.Enrolled)
        {
            return $"meeting {meeting.Meeting} of dyad '{dyad.Id}' on {StudyDefinition.Format(meeting.Date)} is before its enrolment on {StudyDefinition.Format(dyad.Enrolled)}";
        }

        return meeting.Date > LastDay(dyad)
            ? $"the date {StudyDefinition.Format(meeting.Date)} of meeting {meeting.Meeting} of dyad '{dyad.Id}' is more than {YearsInStudy} years after its enrolment on {StudyDefinition.Format(dyad.Enrolled)}: the last day it may be is {StudyDefinition.Format(LastDay(dyad))}"
            : null;
    }

    /// <summary>
    /// The last day of a dyad's follow-up (<c>analysis.followUp</c>): the origin plus the follow-up days, the origin its
    /// enrolment date or its first meeting's date (<paramref name="firstMeeting"/>, else the day the schedule plans it).
    /// Null when the study sets no follow-up.
    /// </summary>
    public static DateOnly? FollowUpEnd(StudyDefinition study, StudyDyad dyad, DateOnly? firstMeeting = null)
    {
        ArgumentNullException.ThrowIfNull(study);
        ArgumentNullException.ThrowIfNull(dyad);
        if (study.Analysis.FollowUp is not { } followUp) return null;
        var origin = followUp.From == FollowUpOrigin.FirstMeeting
            ? firstMeeting ?? dyad.Enrolled.AddDays(study.Meetings.IsDefaultOrEmpty ? 0 : study.Meetings[0].ExpectedDay)
            : dyad.Enrolled;
        return origin.AddDays(followUp.Days);
    }

    /// <summary>
    /// An outcome must be for a dyad of the study; when employed it needs the job's date, within the dyad's years in
    /// the study (on or after its enrolment date, not after <see cref="LastDay"/>); when not employed it has no date.
    /// The day it is recorded (<see cref="DyadOutcome.RecordedOn"/>, else <paramref name="today"/>) may not be after
    /// <paramref name="today"/>, and a job may not start after it, nor after the end of follow-up
    /// (<see cref="FollowUpEnd"/>, with the dyad's first meeting date from <paramref name="firstMeetings"/>). Without
    /// <paramref name="today"/> the recorded day is checked only against the job date.
    /// </summary>
    public static string? CheckOutcome(StudyDefinition? study, DyadOutcome outcome, DateOnly? today = null,
        IReadOnlyDictionary<string, DateOnly>? firstMeetings = null)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        if (outcome.Employed && outcome.JobDate is null)
        {
            return "the date the job started is missing: it is required when employed is yes";
        }

        if (!outcome.Employed && outcome.JobDate is not null)
        {
            return "a date is given but employed is no: leave the date empty";
        }

        if (study is null)
        {
            return RecordedProblem(outcome, today);
        }

        if (study.FindDyad(outcome.DyadId) is not { } dyad)
        {
            return NotInStudy(study, outcome.DyadId);
        }

        if (outcome.JobDate is not { } date)
        {
            return RecordedProblem(outcome, today);
        }

        if (date < dyad.Enrolled)
        {
            return $"the job date {StudyDefinition.Format(date)} is before the dyad's enrolment on {StudyDefinition.Format(dyad.Enrolled)}";
        }

        if (date > LastDay(dyad))
        {
            return $"the job date {StudyDefinition.Format(date)} is more than {YearsInStudy} years after the dyad's enrolment on {StudyDefinition.Format(dyad.Enrolled)}: the last day it may be is {StudyDefinition.Format(LastDay(dyad))}";
        }

        if (RecordedProblem(outcome, today) is { } recordedProblem)
        {
            return recordedProblem;
        }

        DateOnly? firstMeeting = firstMeetings is not null && firstMeetings.TryGetValue(dyad.Id, out var first) ? first : null;
        return FollowUpEnd(study, dyad, firstMeeting) is { } end && date > end
            ? $"the job date {StudyDefinition.Format(date)} is after the end of follow-up on {StudyDefinition.Format(end)} ({study.Analysis.FollowUp!.Days} days from the dyad's {(study.Analysis.FollowUp.From == FollowUpOrigin.FirstMeeting ? "first meeting" : "enrolment")})"
            : null;
    }

    /// <summary>The recorded day may not be after today, and a job may not start after the day it is recorded.</summary>
    private static string? RecordedProblem(DyadOutcome outcome, DateOnly? today)
    {
        if (outcome.RecordedOn is { } on && today is { } now && on > now)
        {
            return $"the recorded date {StudyDefinition.Format(on)} is after today ({StudyDefinition.Format(now)}): an outcome is recorded on or before the day it is sent";
        }

        if (outcome.JobDate is { } started && (outcome.RecordedOn ?? today) is { } recordedDay && started > recordedDay)
        {
            return $"the job date {StudyDefinition.Format(started)} is after the day the outcome is recorded ({StudyDefinition.Format(recordedDay)}): a job is recorded once it has started";
        }

        return null;
    }
}
