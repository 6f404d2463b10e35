using AlliancePipeline.Contracts.Storage;
using AlliancePipeline.Core.Studies;

namespace AlliancePipeline.Functions.Dashboards;

/// <summary>What a completion report is computed from: rows as read from storage, already limited to what the caller may see.</summary>
/// <param name="StudyId">The study.</param>
/// <param name="StudyName">Its display name.</param>
/// <param name="Site">The one site the report is limited to (a site key's, or one asked for), or null for every site.</param>
/// <param name="SiteNames">Site names by id (from <c>Participants</c>); sites listed here appear even without assessments.</param>
/// <param name="Assessments">The study's <c>Assessments</c> rows.</param>
/// <param name="OpenAlerts">The study's open <c>Alerts</c> rows.</param>
public sealed record CompletionInput(
    string StudyId,
    string StudyName,
    string? Site,
    IReadOnlyDictionary<string, string> SiteNames,
    IReadOnlyList<AssessmentEntity> Assessments,
    IReadOnlyList<AlertEntity> OpenAlerts);

/// <summary>Completion figures of a set of assessments at a moment (see <see cref="CompletionReport"/> for the definitions).</summary>
/// <param name="Assessments">Assessments not withdrawn.</param>
/// <param name="Due">Answered, or past their due day unanswered: the denominator.</param>
/// <param name="Answered">Submitted or completed.</param>
/// <param name="Overdue">Pending and past their due day.</param>
/// <param name="Upcoming">Pending and not yet past their due day (not counted as due).</param>
/// <param name="Withdrawn">Withdrawn (counted nowhere else).</param>
/// <param name="CompletionRate">Answered ÷ due, 0..1; null when nothing is due.</param>
/// <param name="MedianDaysToAnswer">Median of UTC calendar days from meeting date to answer, over answered assessments with both dates; null when none.</param>
public sealed record CompletionFigures(int Assessments, int Due, int Answered, int Overdue, int Upcoming, int Withdrawn, double? CompletionRate, double? MedianDaysToAnswer);

/// <summary>A site's figures.</summary>
public sealed record SiteCompletion(string SiteId, string Name, CompletionFigures Figures);

/// <summary>A rater's figures (pseudonymous rater id).</summary>
public sealed record RaterCompletion(string RaterId, string Role, string SiteId, CompletionFigures Figures);

/// <summary>A meeting's figures.</summary>
public sealed record MeetingCompletion(int Meeting, CompletionFigures Figures);

/// <summary>An arm's figures; <see cref="Arm"/> null for assessments with no arm recorded.</summary>
public sealed record ArmCompletion(string? Arm, CompletionFigures Figures);

/// <summary>A pending assessment past its due day; <paramref name="RemindersPaused"/> when its rater paused its reminders.</summary>
public sealed record OverdueAssessment(
    string AssessmentId, string SiteId, string DyadId, int Meeting, string RaterRole, string RaterId,
    DateOnly DueOn, int DaysOverdue, int RemindersSent, DateTimeOffset? LastReminderAt, bool RemindersPaused = false);

/// <summary>How many pending forms of a site have their reminders paused (by the rater, through the pause link).</summary>
public sealed record PausedReminders(string SiteId, string Name, int Forms);

/// <summary>One ISO week of the trend.</summary>
/// <param name="Week">E.g. <c>2026-W13</c>.</param>
/// <param name="Monday">The week's Monday.</param>
/// <param name="Answered">Answers received in the week.</param>
/// <param name="DueInWeek">Assessments whose due day falls in the week.</param>
/// <param name="DueToDate">Due at the end of the week (for the current week: now).</param>
/// <param name="AnsweredToDate">Answered by then.</param>
/// <param name="CompletionRate">AnsweredToDate ÷ DueToDate; null when nothing was due.</param>
public sealed record WeeklyCompletion(string Week, DateOnly Monday, int Answered, int DueInWeek, int DueToDate, int AnsweredToDate, double? CompletionRate);

/// <summary>An open rupture alert.</summary>
public sealed record OpenAlert(
    string AssessmentId, string SiteId, string DyadId, int Meeting, string RaterRole, string RaterId,
    string Kinds, double? Previous, double Current, double? DropThreshold, double? Cutoff, DateTimeOffset RaisedAt);

/// <summary>
/// Completion of a study (or of one site of it) at a moment, computed from its rows alone (no I/O; "now" is passed in).
/// </summary>
/// <remarks>
/// <para>Definitions (UTC calendar days, as everywhere in the app: <see cref="StudyCalendar"/>):</para>
/// <list type="bullet">
/// <item><b>Answered</b>: status <c>Submitted</c> or <c>Completed</c>; its time is <c>SubmittedAt</c>, else <c>CompletedAt</c>.</item>
/// <item><b>Overdue</b>: status <c>Pending</c> and now is past its due day (from 00:00 UTC the day after
/// <c>DueDate</c>: <see cref="Assessment.IsOverdue"/>). <b>Days overdue</b> = today − due day (1 on the first day).</item>
/// <item><b>Due</b> = answered + overdue: everything answered (even early) and everything whose due day has passed.
/// Pending assessments not yet past their due day are <b>upcoming</b> and not counted.</item>
/// <item><b>Completion rate</b> = answered ÷ due (null when nothing is due).</item>
/// <item><b>Withdrawn</b> assessments count nowhere but in <c>Withdrawn</c>.</item>
/// <item><b>Days to answer</b> = answer day − meeting day (<c>MeetingDate</c>), per answered assessment with both; the
/// median of an even count is the mean of the middle two.</item>
/// <item><b>Weekly trend</b>: ISO weeks (Monday–Sunday, UTC) from the first week with an answer or a passed due day to
/// the current week (at most the last <see cref="MaxWeeks"/>). Per week: answers received in it, assessments due in it,
/// and the completion rate up to its end (for the current week, up to now; then it equals the totals). An answer with no
/// recorded time, or dated after now, counts at now.</item>
/// </list>
/// <para>When <see cref="CompletionInput.Site"/> is set, rows of every other site are dropped before anything is
/// computed (the reader already asked storage for that site only; this is the second fence).</para>
/// </remarks>
public sealed record CompletionReport(
    string StudyId,
    string StudyName,
    string? Site,
    DateTimeOffset GeneratedAt,
    CompletionFigures Totals,
    IReadOnlyList<SiteCompletion> BySite,
    IReadOnlyList<RaterCompletion> ByRater,
    IReadOnlyList<MeetingCompletion> ByMeeting,
    IReadOnlyList<ArmCompletion> ByArm,
    IReadOnlyList<OverdueAssessment> Overdue,
    IReadOnlyList<WeeklyCompletion> Weekly,
    IReadOnlyList<OpenAlert> OpenAlerts)
{
    /// <summary>
    /// Pending forms whose reminders are paused, per site with any (sites in order); their total is
    /// <see cref="RemindersPausedTotal"/>. Withdrawn and answered forms are not counted (no reminder would go anyway).
    /// </summary>
    public IReadOnlyList<PausedReminders> RemindersPaused { get; init; } = [];

    /// <summary>Pending forms whose reminders are paused, over the sites shown.</summary>
    public int RemindersPausedTotal => RemindersPaused.Sum(p => p.Forms);

    /// <summary>Most weeks in the trend (the most recent are kept; the rates still count everything before).</summary>
    public const int MaxWeeks = 156;

    /// <summary>Computes the report at <paramref name="now"/>.</summary>
    public static CompletionReport Build(CompletionInput input, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(input);
        var rows = input.Assessments.Where(a => string.Equals(a.PartitionKey, input.StudyId, StringComparison.Ordinal) && InScope(input.Site, a.SiteId));
        return Of(input, CompletionSummary.Of(rows, now));
    }

    /// <summary>
    /// The report of <paramref name="summary"/> (the input's assessments in scope, summarised at the report's moment, or
    /// its sites' summaries merged), with the input's study, site names and open alerts; its assessments are not read.
    /// </summary>
    public static CompletionReport Of(CompletionInput input, CompletionSummary summary)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(summary);
        var site = input.Site;
        var now = summary.Now;
        var alerts = input.OpenAlerts.Where(a => string.Equals(a.PartitionKey, input.StudyId, StringComparison.Ordinal) && InScope(site, a.SiteId)
            && string.Equals(a.Status, "open", StringComparison.Ordinal)).ToList();
        var names = input.SiteNames.Where(p => InScope(site, p.Key)).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        string Name(string id) => names.GetValueOrDefault(id) is { Length: > 0 } n ? n : id;

        var siteIds = summary.BySite.Keys.Where(id => InScope(site, id)).Concat(names.Keys).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
        var bySite = siteIds.Select(id => new SiteCompletion(id, Name(id),
            (summary.BySite.GetValueOrDefault(id) ?? new CompletionSummary.Tally()).Figures())).ToList();
        var byRater = summary.ByRater
            .OrderBy(p => p.Key.Site, StringComparer.Ordinal).ThenBy(p => p.Key.Rater, StringComparer.Ordinal).ThenBy(p => p.Key.Role, StringComparer.Ordinal)
            .Select(p => new RaterCompletion(p.Key.Rater, p.Key.Role, p.Key.Site, p.Value.Figures())).ToList();
        var byMeeting = summary.ByMeeting.OrderBy(p => p.Key).Select(p => new MeetingCompletion(p.Key, p.Value.Figures())).ToList();
        var byArm = summary.ByArm.Select(p => (Arm: p.Key.Length == 0 ? null : p.Key, Tally: p.Value))
            .OrderBy(p => p.Arm is null).ThenBy(p => p.Arm, StringComparer.Ordinal)
            .Select(p => new ArmCompletion(p.Arm, p.Tally.Figures())).ToList();

        var overdue = summary.Overdue
            .OrderByDescending(o => o.DaysOverdue).ThenBy(o => o.SiteId, StringComparer.Ordinal).ThenBy(o => o.DyadId, StringComparer.Ordinal)
            .ThenBy(o => o.Meeting).ThenBy(o => o.RaterRole, StringComparer.Ordinal).ThenBy(o => o.AssessmentId, StringComparer.Ordinal).ToList();

        var openAlerts = alerts
            .Select(a => new OpenAlert(a.RowKey, a.SiteId, a.DyadId, a.Meeting, a.RaterRole, a.RaterId, a.Kinds, a.Previous, a.Current, a.DropThreshold, a.Cutoff, a.RaisedAt))
            .OrderByDescending(a => a.RaisedAt).ThenBy(a => a.AssessmentId, StringComparer.Ordinal).ToList();

        var paused = summary.Paused.OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => new PausedReminders(p.Key, Name(p.Key), p.Value)).ToList();

        return new CompletionReport(input.StudyId, input.StudyName, site, now, summary.Totals.Figures(), bySite, byRater, byMeeting, byArm, overdue,
            summary.Trend(), openAlerts)
        {
            RemindersPaused = paused,
        };
    }

    private static bool InScope(string? site, string siteId) => site is null || string.Equals(siteId, site, StringComparison.Ordinal);
}
