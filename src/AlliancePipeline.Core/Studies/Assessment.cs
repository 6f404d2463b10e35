namespace AlliancePipeline.Core.Studies;

/// <summary>Where an assessment stands.</summary>
public enum AssessmentStatus
{
    /// <summary>Created at enrolment, not yet answered.</summary>
    Pending,
    /// <summary>Answered: a <c>Responses</c> entity exists with the same keys.</summary>
    Completed,
    /// <summary>
    /// Answers received and queued on <c>responses</c>, not yet scored: the link shows the thank-you page and refuses a
    /// second submission. Scoring moves it to <see cref="Completed"/>.
    /// </summary>
    Submitted,
    /// <summary>The dyad or rater withdrew: no reminders, and the link no longer opens.</summary>
    Withdrawn,
}

/// <summary>
/// One questionnaire to be answered: by one rater (role), for one dyad, after one meeting. Enrolment creates one per
/// dyad × meeting × rater role. Its id is the row key of its <c>Responses</c> entity, which makes scoring idempotent.
/// </summary>
/// <param name="Id">The assessment id (unique within the study).</param>
/// <param name="StudyId">The study it belongs to.</param>
/// <param name="SiteId">The site of the dyad.</param>
/// <param name="DyadId">The practitioner–client pair rated.</param>
/// <param name="Meeting">The meeting number, 1-based.</param>
/// <param name="RaterRole">Who rates: e.g. <c>practitioner</c> or <c>client</c>.</param>
/// <param name="RaterId">The pseudonymous rater id (never a name or an address).</param>
/// <param name="DueDate">When the answer is due.</param>
/// <param name="Status">Where it stands.</param>
/// <param name="LinkVersion">The version of its link: raising it revokes every link issued before.</param>
/// <param name="Language">The rater's language for the form and emails (BCP 47, e.g. <c>en</c>, <c>fr</c>).</param>
public sealed record Assessment(
    string Id,
    string StudyId,
    string SiteId,
    string DyadId,
    int Meeting,
    string RaterRole,
    string RaterId,
    DateTimeOffset DueDate,
    AssessmentStatus Status,
    int LinkVersion,
    string Language = "en")
{
    /// <summary>Whether a link of version <paramref name="linkVersion"/> may still open this assessment.</summary>
    public bool AcceptsLink(int linkVersion) => Status != AssessmentStatus.Withdrawn && linkVersion == LinkVersion;

    /// <summary>Whether answers were already received for it (queued or scored): a new submission is refused.</summary>
    public bool IsAnswered => Status is AssessmentStatus.Submitted or AssessmentStatus.Completed;

    /// <summary>
    /// Whether it is pending and past its due day at <paramref name="now"/>: overdue from 00:00 UTC on the day after the
    /// UTC day of <see cref="DueDate"/> (see <see cref="StudyCalendar"/>).
    /// </summary>
    public bool IsOverdue(DateTimeOffset now) => Status == AssessmentStatus.Pending && StudyCalendar.IsOverdue(StudyCalendar.Day(DueDate), now);
}
