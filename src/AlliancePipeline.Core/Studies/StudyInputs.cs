using System.Globalization;

namespace AlliancePipeline.Core.Studies;

/// <summary>A dyad's employment outcome: did the client acquire a job, and when.</summary>
/// <param name="DyadId">The dyad code.</param>
/// <param name="Employed">Whether the client acquired a job.</param>
/// <param name="JobDate">The day the job started: set when <paramref name="Employed"/>, null otherwise.</param>
public sealed record DyadOutcome(string DyadId, bool Employed, DateOnly? JobDate)
{
    /// <summary>The day the outcome was recorded (the researcher's date, e.g. of the follow-up interview); null: the day it is sent.</summary>
    public DateOnly? RecordedOn { get; init; }

    /// <summary>
    /// Days of paid work during follow-up (<c>daysWorked</c>), any job, when the study records it; null when not given.
    /// A whole number, 0 or more, at most the follow-up's days (<see cref="StudyInputs.CheckOutcome"/>).
    /// </summary>
    public int? DaysWorked { get; init; }

    /// <summary>
    /// Days the job has lasted by the day the outcome is recorded (<c>tenureDays</c>), when employed and given; null
    /// otherwise. A whole number, 0 or more, at most the days from the job date to the recorded day and the follow-up's days.
    /// </summary>
    public int? TenureDays { get; init; }
}

/// <summary>A date that breaks one of the date rules: the field, the rule (a stable name) and what is wrong, in plain words.</summary>
/// <param name="Field">The field, as the request and the CSV name it: <c>date</c>.</param>
/// <param name="Rule">The rule: <see cref="StudyInputs.HeldNotInFuture"/>, <see cref="StudyInputs.MeetingsInOrder"/> or <see cref="StudyInputs.JobNotAfterRecorded"/>.</param>
/// <param name="Message">What is wrong, naming the rule.</param>
public sealed record DateRuleProblem(string Field, string Rule, string Message)
{
    /// <inheritdoc />
    public override string ToString() => Message;
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

    /// <summary>The words <see cref="ParseEmployed"/> takes, as said in its refusals.</summary>
    public const string EmployedWords = "yes or no (or oui/non, true/false, 1/0)";

    /// <summary>
    /// Whether a client is employed, as a coordinator writes it, in the CSV import and on the command line alike:
    /// yes/no, oui/non (French spreadsheets), true/false or 1/0, in any case, spaces around ignored; null for anything else.
    /// </summary>
    public static bool? ParseEmployed(string? text) => text?.Trim().ToLowerInvariant() switch
    {
        "yes" or "oui" or "true" or "1" => true,
        "no" or "non" or "false" or "0" => false,
        _ => null,
    };

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

    /// <summary>The rule that a meeting date is recorded once the meeting was held: not after today.</summary>
    public const string HeldNotInFuture = "meeting-held-not-in-future";

    /// <summary>The rule that a dyad's meetings are in order: meeting n not before an earlier one's date, nor after a later one's.</summary>
    public const string MeetingsInOrder = "meetings-in-order";

    /// <summary>The rule that a job's start date is not after the day it is recorded.</summary>
    public const string JobNotAfterRecorded = "job-date-not-after-recorded-day";

    /// <summary>
    /// The date rules of a meeting date recorded on <paramref name="today"/>, beyond <see cref="CheckMeetingDate"/>: a
    /// meeting recorded as held cannot lie in the future; and it keeps the dyad's meetings in order with the dates
    /// <paramref name="recorded"/> for its other meetings (an earlier meeting on the same day is fine).
    /// </summary>
    /// <param name="meeting">The meeting date to record.</param>
    /// <param name="today">The day it is recorded (the study calendar's day).</param>
    /// <param name="recorded">The dyad's other recorded meeting dates by meeting number (the one recorded here is ignored).</param>
    public static DateRuleProblem? CheckMeetingDateRules(RecordedMeeting meeting, DateOnly today, IReadOnlyDictionary<int, DateOnly> recorded)
    {
        ArgumentNullException.ThrowIfNull(meeting);
        ArgumentNullException.ThrowIfNull(recorded);
        var date = StudyDefinition.Format(meeting.Date);
        if (meeting.Date > today)
        {
            return new DateRuleProblem("date", HeldNotInFuture,
                $"date {date} of meeting {meeting.Meeting} of dyad '{meeting.DyadId}' is after today ({StudyDefinition.Format(today)}): a meeting date is recorded once the meeting was held (rule {HeldNotInFuture})");
        }

        var earlier = recorded.Where(r => r.Key < meeting.Meeting && r.Value > meeting.Date).OrderBy(r => r.Key).Select(r => (KeyValuePair<int, DateOnly>?)r).FirstOrDefault();
        if (earlier is { } e)
        {
            return new DateRuleProblem("date", MeetingsInOrder,
                $"date {date} of meeting {meeting.Meeting} of dyad '{meeting.DyadId}' is before meeting {e.Key}, recorded on {StudyDefinition.Format(e.Value)}: meetings are in order (rule {MeetingsInOrder})");
        }

        var later = recorded.Where(r => r.Key > meeting.Meeting && r.Value < meeting.Date).OrderBy(r => r.Key).Select(r => (KeyValuePair<int, DateOnly>?)r).FirstOrDefault();
        return later is { } l
            ? new DateRuleProblem("date", MeetingsInOrder,
                $"date {date} of meeting {meeting.Meeting} of dyad '{meeting.DyadId}' is after meeting {l.Key}, recorded on {StudyDefinition.Format(l.Value)}: meetings are in order (rule {MeetingsInOrder})")
            : null;
    }

    /// <summary>The date rule of an outcome recorded on <paramref name="today"/>: the job cannot have started after that day.</summary>
    public static DateRuleProblem? CheckOutcomeDateRules(DyadOutcome outcome, DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        return outcome.JobDate is { } job && job > today
            ? new DateRuleProblem("date", JobNotAfterRecorded,
                $"the job date {StudyDefinition.Format(job)} of dyad '{outcome.DyadId}' is after today ({StudyDefinition.Format(today)}), the day it is recorded: record a job once it started (rule {JobNotAfterRecorded})")
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

        if (ContinuousProblem(outcome) is { } continuous)
        {
            return continuous;
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
            return RecordedProblem(outcome, today) ?? DaysProblem(study, dyad, outcome, today);
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
            : DaysProblem(study, dyad, outcome, today);
    }

    /// <summary>The continuous outcomes' names, as the CSV, the API and the command line write them.</summary>
    public const string DaysWorkedField = "daysWorked";

    /// <inheritdoc cref="DaysWorkedField"/>
    public const string TenureDaysField = "tenureDays";

    /// <summary>Days are whole and not negative; a tenure is a job's, so it needs employed yes.</summary>
    private static string? ContinuousProblem(DyadOutcome outcome)
    {
        foreach (var (field, days) in new[] { (DaysWorkedField, outcome.DaysWorked), (TenureDaysField, outcome.TenureDays) })
        {
            if (days is < 0)
            {
                return string.Create(CultureInfo.InvariantCulture, $"{field} {days} is negative: write the days as a whole number, 0 or more");
            }
        }

        return outcome.TenureDays is not null && !outcome.Employed
            ? $"{TenureDaysField} is given but employed is no: a tenure is the job's (leave it empty)"
            : null;
    }

    /// <summary>
    /// Days are within the dyad's follow-up: at most <c>analysis.followUp.days</c> (without a follow-up, the days of its
    /// years in the study); a job's tenure at most the days from the job date to the day the outcome is recorded.
    /// </summary>
    private static string? DaysProblem(StudyDefinition study, StudyDyad dyad, DyadOutcome outcome, DateOnly? today)
    {
        var limit = study.Analysis.FollowUp?.Days ?? LastDay(dyad).DayNumber - dyad.Enrolled.DayNumber;
        var of = study.Analysis.FollowUp is null ? $"the {limit} days of the dyad's {YearsInStudy} years in the study" : $"the study's follow-up of {limit} days";
        foreach (var (field, days) in new[] { (DaysWorkedField, outcome.DaysWorked), (TenureDaysField, outcome.TenureDays) })
        {
            if (days > limit)
            {
                return string.Create(CultureInfo.InvariantCulture, $"{field} {days} is more than {of}");
            }
        }

        if (outcome.TenureDays is { } tenure && outcome.JobDate is { } job && (outcome.RecordedOn ?? today) is { } recorded && tenure > recorded.DayNumber - job.DayNumber)
        {
            return string.Create(CultureInfo.InvariantCulture,
                $"{TenureDaysField} {tenure} is more than the {recorded.DayNumber - job.DayNumber} days from the job date {StudyDefinition.Format(job)} to the day the outcome is recorded ({StudyDefinition.Format(recorded)})");
        }

        return null;
    }

    /// <summary>
    /// Every check of an outcome recorded on <paramref name="today"/>, in one order for the API and the CSV import: the
    /// outcome as written (<see cref="CheckOutcome"/> without today: the dyad, its years, its own recorded day, the end of
    /// follow-up), then the job-date rule against today (<see cref="CheckOutcomeDateRules"/>), then the recorded day
    /// against today. Gives the problem, or the date rule broken, or neither.
    /// </summary>
    public static (string? Problem, DateRuleProblem? Broken) CheckOutcomeOn(StudyDefinition? study, DyadOutcome outcome, DateOnly today,
        IReadOnlyDictionary<string, DateOnly>? firstMeetings = null)
    {
        if (CheckOutcome(study, outcome, null, firstMeetings) is { } wrong) return (wrong, null);
        if (CheckOutcomeDateRules(outcome, today) is { } broken) return (null, broken);
        return (CheckOutcome(study, outcome, today, firstMeetings), null);
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
