namespace AlliancePipeline.Core.Studies;

/// <summary>A dyad's employment outcome: did the client acquire a job, and when.</summary>
/// <param name="DyadId">The dyad code.</param>
/// <param name="Employed">Whether the client acquired a job.</param>
/// <param name="JobDate">The day the job started: set when <paramref name="Employed"/>, null otherwise.</param>
public sealed record DyadOutcome(string DyadId, bool Employed, DateOnly? JobDate);

/// <summary>
/// Checks of the values recorded about a study's dyads after the study file (meeting dates, outcomes), whether they
/// arrive one by one (API, CLI) or in a CSV import (<see cref="StudyCsv"/>). Each returns null when the value is fine,
/// else what is wrong in plain words.
/// </summary>
public static class StudyInputs
{
    /// <summary>
    /// A recorded meeting date must be for a dyad of the study, a meeting 1..T of its schedule, and not before the
    /// dyad's enrolment date.
    /// </summary>
    public static string? CheckMeetingDate(StudyDefinition study, RecordedMeeting meeting)
    {
        ArgumentNullException.ThrowIfNull(study);
        ArgumentNullException.ThrowIfNull(meeting);
        if (study.FindDyad(meeting.DyadId) is not { } dyad)
        {
            return $"dyad '{meeting.DyadId}' is not in study '{study.Id}'";
        }

        if (study.FindMeeting(meeting.Meeting) is null)
        {
            return $"meeting {meeting.Meeting} is not in the study's schedule (meetings 1 to {study.Meetings.Length})";
        }

        return meeting.Date < dyad.Enrolled
            ? $"meeting {meeting.Meeting} of dyad '{dyad.Id}' on {StudyDefinition.Format(meeting.Date)} is before its enrolment on {StudyDefinition.Format(dyad.Enrolled)}"
            : null;
    }

    /// <summary>
    /// An outcome must be for a dyad of the study; when employed it needs the job's date, on or after the dyad's
    /// enrolment date; when not employed it has no date.
    /// </summary>
    public static string? CheckOutcome(StudyDefinition? study, DyadOutcome outcome)
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
            return null;
        }

        if (study.FindDyad(outcome.DyadId) is not { } dyad)
        {
            return $"dyad '{outcome.DyadId}' is not in study '{study.Id}'";
        }

        return outcome.JobDate is { } date && date < dyad.Enrolled
            ? $"the job date {StudyDefinition.Format(date)} is before the dyad's enrolment on {StudyDefinition.Format(dyad.Enrolled)}"
            : null;
    }
}
