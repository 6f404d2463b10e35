using System.Collections.Immutable;
using System.Globalization;

namespace AlliancePipeline.Core.Studies;

/// <summary>The date a dyad's meeting actually took place, as recorded (API, CLI or CSV import).</summary>
/// <param name="DyadId">The dyad code.</param>
/// <param name="Meeting">The meeting number, 1..T.</param>
/// <param name="Date">The day of the meeting.</param>
public sealed record RecordedMeeting(string DyadId, int Meeting, DateOnly Date);

/// <summary>
/// One assessment enrolment plans: who rates which dyad after which meeting, in which language, and when the invitation
/// goes and the form is due.
/// </summary>
/// <param name="Id">Deterministic id <c>{dyadId}-m{meeting}-{role}</c> (the assessment's row key; planning again gives the same ids).</param>
/// <param name="DyadId">The dyad.</param>
/// <param name="Meeting">The meeting number.</param>
/// <param name="RaterRole">The rater role.</param>
/// <param name="RaterId">The rater (the dyad's practitioner or client).</param>
/// <param name="SiteId">The dyad's site.</param>
/// <param name="ArmId">The dyad's arm.</param>
/// <param name="Language">The rater's language.</param>
/// <param name="InstrumentId">The instrument the role answers.</param>
/// <param name="MeetingDate">The meeting day used: recorded, or planned (see <see cref="EnrolmentPlan.For"/>).</param>
/// <param name="MeetingDateRecorded">Whether <paramref name="MeetingDate"/> was recorded for this very meeting.</param>
/// <param name="InviteOn">The day the invitation goes out: the meeting day.</param>
/// <param name="DueOn">The day the form is due: the meeting day plus the meeting's window (overdue from the next day).</param>
public sealed record PlannedAssessment(
    string Id,
    string DyadId,
    int Meeting,
    string RaterRole,
    string RaterId,
    string SiteId,
    string ArmId,
    string Language,
    string InstrumentId,
    DateOnly MeetingDate,
    bool MeetingDateRecorded,
    DateOnly InviteOn,
    DateOnly DueOn)
{
    /// <summary>
    /// The stored assessment for this plan, due at 00:00 UTC of <see cref="DueOn"/> (the due day itself: see
    /// <see cref="StudyCalendar"/>).
    /// </summary>
    public Assessment ToAssessment(string studyId, AssessmentStatus status = AssessmentStatus.Pending, int linkVersion = 1) =>
        new(Id, studyId, SiteId, DyadId, Meeting, RaterRole, RaterId, StudyCalendar.StartOf(DueOn), status, linkVersion, Language);
}

/// <summary>
/// Enrolment: the assessments a study's dyads are to fill, one per dyad × meeting × rater role the dyad has (the
/// practitioner always; the client when the dyad names a client rater, which the study file allows only when the study
/// has a client instrument). Withdrawn dyads plan nothing new.
/// </summary>
public static class EnrolmentPlan
{
    /// <summary>The assessment id: <c>{dyadId}-m{meeting}-{role}</c>, e.g. <c>d-001-m2-client</c>.</summary>
    public static string AssessmentId(string dyadId, int meeting, string raterRole) =>
        string.Create(CultureInfo.InvariantCulture, $"{dyadId}-m{meeting}-{raterRole}");

    /// <summary>
    /// Plans every active dyad's assessments, in file order of dyads, then meeting, then role (practitioner first).
    /// </summary>
    /// <param name="study">The study.</param>
    /// <param name="recorded">
    /// Meeting dates recorded so far (any order; for a dyad and meeting recorded twice the last one counts; dates of
    /// unknown dyads or meetings are ignored: check them with <see cref="StudyInputs.CheckMeetingDate"/> when they come in).
    /// </param>
    /// <remarks>
    /// A meeting's date is its recorded date; else the latest earlier recorded meeting's date plus the schedule's
    /// distance between the two (a dyad whose first meeting was a week late keeps the planned spacing after it); else
    /// the enrolment date plus the meeting's expected day. So recording a meeting moves that meeting's invitation and
    /// due date, and the planned dates of the unrecorded meetings after it.
    /// </remarks>
    public static ImmutableArray<PlannedAssessment> For(StudyDefinition study, IEnumerable<RecordedMeeting>? recorded = null)
    {
        ArgumentNullException.ThrowIfNull(study);
        var byDyad = (recorded ?? [])
            .GroupBy(r => r.DyadId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.GroupBy(r => r.Meeting).ToDictionary(m => m.Key, m => m.Last().Date), StringComparer.Ordinal);
        return study.Dyads
            .SelectMany(d => ForDyad(study, d, byDyad.GetValueOrDefault(d.Id) ?? []))
            .ToImmutableArray();
    }

    /// <summary>The meeting days of one dyad, meeting 1..T, by the rule in <see cref="For"/>.</summary>
    /// <param name="study">The study.</param>
    /// <param name="dyad">The dyad.</param>
    /// <param name="recorded">The dyad's recorded meeting dates by meeting number.</param>
    public static ImmutableArray<(DateOnly Date, bool Recorded)> MeetingDates(StudyDefinition study, StudyDyad dyad, IReadOnlyDictionary<int, DateOnly> recorded)
    {
        ArgumentNullException.ThrowIfNull(study);
        ArgumentNullException.ThrowIfNull(dyad);
        ArgumentNullException.ThrowIfNull(recorded);
        var dates = ImmutableArray.CreateBuilder<(DateOnly, bool)>(study.Meetings.Length);
        var anchor = (Date: dyad.Enrolled, Day: 0);
        foreach (var meeting in study.Meetings)
        {
            if (recorded.TryGetValue(meeting.Number, out var date))
            {
                dates.Add((date, true));
                anchor = (date, meeting.ExpectedDay);
            }
            else
            {
                dates.Add((anchor.Date.AddDays(meeting.ExpectedDay - anchor.Day), false));
            }
        }

        return dates.MoveToImmutable();
    }

    /// <summary>
    /// Warnings for newly planned forms already due on <paramref name="today"/> or before (a dyad enrolled late, or in the
    /// past): one line per dyad, naming how many of its new forms are due and the first one's meeting and due day. Such
    /// forms are invited at the next Reminders run and are overdue at once (or the same day); applying is not refused.
    /// </summary>
    /// <param name="added">The assessments the apply adds.</param>
    /// <param name="today">The study calendar's day now.</param>
    public static ImmutableArray<string> AlreadyDue(IEnumerable<PlannedAssessment> added, DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(added);
        return added
            .Where(p => p.DueOn <= today)
            .GroupBy(p => p.DyadId, StringComparer.Ordinal)
            .Select(g =>
            {
                var first = g.MinBy(p => (p.DueOn, p.Meeting))!;
                var count = g.Count();
                return string.Create(CultureInfo.InvariantCulture,
                    $"dyad {g.Key}: {count} new form{(count == 1 ? " is" : "s are")} already due (the first, meeting {first.Meeting}, was due on {first.DueOn:yyyy-MM-dd}; today is {today:yyyy-MM-dd}): they are invited at the next Reminders run and show as overdue from the day after their due day. Check the enrolment date, or record the meeting dates.");
            })
            .ToImmutableArray();
    }

    private static IEnumerable<PlannedAssessment> ForDyad(StudyDefinition study, StudyDyad dyad, IReadOnlyDictionary<int, DateOnly> recorded)
    {
        if (dyad.Withdrawn)
        {
            yield break;
        }

        var raters = new List<StudyRater>(2);
        if (study.FindRater(dyad.PractitionerId) is { } practitioner)
        {
            raters.Add(practitioner);
        }

        if (dyad.ClientId is { } clientId && study.Instruments.ContainsKey(RaterRoles.Client) && study.FindRater(clientId) is { } client)
        {
            raters.Add(client);
        }

        var dates = MeetingDates(study, dyad, recorded);
        for (var i = 0; i < study.Meetings.Length; i++)
        {
            var meeting = study.Meetings[i];
            var (date, wasRecorded) = dates[i];
            foreach (var rater in raters)
            {
                yield return new PlannedAssessment(
                    AssessmentId(dyad.Id, meeting.Number, rater.Role), dyad.Id, meeting.Number, rater.Role, rater.Id,
                    dyad.SiteId, dyad.ArmId, rater.Language, study.Instruments[rater.Role].InstrumentId,
                    date, wasRecorded, date, date.AddDays(meeting.WindowDays));
            }
        }
    }
}
