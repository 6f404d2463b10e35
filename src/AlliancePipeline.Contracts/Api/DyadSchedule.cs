namespace AlliancePipeline.Contracts.Api;

/// <summary>
/// A dyad's schedule and mail state, as a coordinator sees it (<c>GET /api/studies/{study}/dyads/{dyad}</c>, the console's
/// dyad page, <c>alliance dyads show</c>). Pseudonymous ids only: no rater's address or name is part of it.
/// </summary>
/// <param name="StudyId">The study.</param>
/// <param name="StudyName">Its display name.</param>
/// <param name="DyadId">The dyad's code.</param>
/// <param name="SiteId">Its site.</param>
/// <param name="SiteName">Its site's display name.</param>
/// <param name="Arm">Its arm, when recorded.</param>
/// <param name="EnrolledOn">Its enrolment day, when recorded.</param>
/// <param name="Withdrawn">Whether it is withdrawn (its links and reminders stopped).</param>
/// <param name="WithdrawnAt">When, when known.</param>
/// <param name="WithdrawnBy"><c>file</c> (the study file says so) or <c>api</c> (a coordinator withdrew it), when withdrawn.</param>
/// <param name="Meetings">Its meetings in order, each with its forms.</param>
public sealed record DyadSchedule(
    string StudyId, string StudyName, string DyadId, string SiteId, string SiteName, string? Arm, DateOnly? EnrolledOn,
    bool Withdrawn, DateTimeOffset? WithdrawnAt, string? WithdrawnBy, IReadOnlyList<DyadMeeting> Meetings);

/// <summary>A meeting of a dyad.</summary>
/// <param name="Meeting">The meeting number, 1-based.</param>
/// <param name="Date">The meeting day: recorded, else planned from enrolment (null when no form holds it).</param>
/// <param name="DateRecorded">Whether <see cref="Date"/> was recorded by a coordinator (else it is planned).</param>
/// <param name="Forms">Its forms, one per rater role.</param>
public sealed record DyadMeeting(int Meeting, DateOnly? Date, bool DateRecorded, IReadOnlyList<DyadForm> Forms);

/// <summary>One form (assessment) of a meeting, with its invitation log.</summary>
/// <param name="AssessmentId">The assessment id.</param>
/// <param name="RaterRole"><c>practitioner</c> or <c>client</c>.</param>
/// <param name="RaterId">The pseudonymous rater id.</param>
/// <param name="Status"><c>pending</c>, <c>submitted</c>, <c>completed</c> or <c>withdrawn</c>.</param>
/// <param name="InviteOn">When the invitation goes (or went) out.</param>
/// <param name="DueOn">The due day (UTC).</param>
/// <param name="Overdue">Pending and past its due day.</param>
/// <param name="InvitationSentAt">When the SMTP server accepted the invitation of the current link, or null.</param>
/// <param name="RemindersSent">Reminders queued for the current link.</param>
/// <param name="LastReminderAt">When the last one was queued.</param>
/// <param name="RemindersPaused">Whether reminders are paused (by the rater's link, or a coordinator).</param>
/// <param name="LinkVersion">The current link version (earlier ones answer 410).</param>
/// <param name="LinkExpiresAt">When the current link stops opening.</param>
/// <param name="HandedOver">Whether the current link was handed to a coordinator rather than mailed.</param>
/// <param name="AnsweredAt">When it was answered, or null.</param>
public sealed record DyadForm(
    string AssessmentId, string RaterRole, string RaterId, string Status, DateTimeOffset? InviteOn, DateOnly DueOn, bool Overdue,
    DateTimeOffset? InvitationSentAt, int RemindersSent, DateTimeOffset? LastReminderAt, bool RemindersPaused,
    int LinkVersion, DateTimeOffset? LinkExpiresAt, bool HandedOver, DateTimeOffset? AnsweredAt);
