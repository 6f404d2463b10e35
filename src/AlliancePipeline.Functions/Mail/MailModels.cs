using AlliancePipeline.Core.Studies;
using AlliancePipeline.Functions.Invitations;

namespace AlliancePipeline.Functions.Mail;

/// <summary>What an invitation says (<see cref="MailTemplates.Invitation"/>).</summary>
/// <param name="StudyName">The study's display name (escaped in the HTML part).</param>
/// <param name="DyadCode">The dyad's pseudonymous code (never a name).</param>
/// <param name="Meeting">The meeting the questionnaire is about.</param>
/// <param name="DueOn">The day the answers are due (UTC).</param>
/// <param name="QuestionnaireLink">The assessment's link (<see cref="MailLinks.Questionnaire"/>).</param>
/// <param name="PauseLink">The assessment's pause link (<see cref="PauseLinks.Link"/>).</param>
public sealed record InvitationModel(string StudyName, string DyadCode, int Meeting, DateOnly DueOn, Uri QuestionnaireLink, Uri PauseLink);

/// <summary>What a reminder says (<see cref="MailTemplates.Reminder"/>).</summary>
/// <param name="StudyName">The study's display name.</param>
/// <param name="DyadCode">The dyad's pseudonymous code.</param>
/// <param name="Meeting">The meeting.</param>
/// <param name="DueOn">The day the answers were due.</param>
/// <param name="QuestionnaireLink">The assessment's link.</param>
/// <param name="PauseLink">The assessment's pause link.</param>
/// <param name="Number">Which reminder this is (1-based).</param>
/// <param name="Of">How many the study's policy sends at most.</param>
public sealed record ReminderModel(string StudyName, string DyadCode, int Meeting, DateOnly DueOn, Uri QuestionnaireLink, Uri PauseLink, int Number, int Of);

/// <summary>One overdue assessment in a coordinator's digest (no rater names: the dyad, meeting and role say which).</summary>
/// <param name="DyadCode">The dyad's pseudonymous code.</param>
/// <param name="Meeting">The meeting.</param>
/// <param name="RaterRole"><c>practitioner</c> or <c>client</c>.</param>
/// <param name="DaysOverdue">Whole days since the due day.</param>
/// <param name="RemindersSent">Reminders sent so far.</param>
/// <param name="RemindersPaused">Whether its reminders are paused (by the rater's pause link or a coordinator).</param>
public sealed record DigestLine(string DyadCode, int Meeting, string RaterRole, int DaysOverdue, int RemindersSent, bool RemindersPaused = false)
{
    /// <summary>The line of an overdue <paramref name="assessment"/> at <paramref name="now"/> (days counted between UTC days).</summary>
    public static DigestLine Of(Assessment assessment, int remindersSent, bool remindersPaused, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(assessment);
        var days = StudyCalendar.Day(now).DayNumber - StudyCalendar.Day(assessment.DueDate).DayNumber;
        return new DigestLine(assessment.DyadId, assessment.Meeting, assessment.RaterRole, Math.Max(0, days), remindersSent, remindersPaused);
    }
}

/// <summary>What a coordinator's weekly digest says (<see cref="MailTemplates.Digest"/>).</summary>
/// <param name="StudyName">The study's display name.</param>
/// <param name="SiteName">The coordinator's site (escaped in the HTML part).</param>
/// <param name="Week">The ISO week (<see cref="CoordinatorDigest.Week"/>).</param>
/// <param name="Overdue">The site's overdue assessments, oldest first; the mail lists the first <see cref="Listed"/> and counts the rest.</param>
/// <param name="DashboardLink">The coordinator's dashboard, if any (where the whole list is).</param>
public sealed record DigestModel(string StudyName, string SiteName, IsoWeek Week, IReadOnlyList<DigestLine> Overdue, Uri? DashboardLink)
{
    /// <summary>
    /// Most lines the mail lists (at most <see cref="MailTemplates.MaxDigestLines"/>): fewer when a long list would not
    /// fit a queue message (<see cref="OutboxMessage.MaxTextBytes"/>).
    /// </summary>
    public int Listed { get; init; } = MailTemplates.MaxDigestLines;
}

/// <summary>What a rupture alert says (<see cref="MailTemplates.Alert"/>).</summary>
/// <param name="StudyName">The study's display name.</param>
/// <param name="SiteName">The dyad's site.</param>
/// <param name="DyadCode">The dyad's pseudonymous code.</param>
/// <param name="Meeting">The meeting of the response that raised it.</param>
/// <param name="RaterRole"><c>practitioner</c> or <c>client</c>.</param>
/// <param name="Alert">The findings (<see cref="AlertThresholds.Evaluate"/>): previous and current global score, drop and threshold, cutoff.</param>
/// <param name="DashboardLink">The coordinator's dashboard.</param>
public sealed record AlertModel(string StudyName, string SiteName, string DyadCode, int Meeting, string RaterRole, RuptureAlert Alert, Uri DashboardLink);

/// <summary>What a report mail says (<see cref="MailTemplates.Report"/>).</summary>
/// <param name="StudyName">The study's display name.</param>
/// <param name="RunId">The recluster run.</param>
/// <param name="ReportLink">Where the report can be read.</param>
/// <param name="AttachmentName">The attached file's name (e.g. <c>report.html</c>) when the report is attached (<see cref="OutboxMail.Attachments"/>).</param>
public sealed record ReportModel(string StudyName, string RunId, Uri ReportLink, string? AttachmentName);
