using AlliancePipeline.Core.Studies;
using Azure;
using Azure.Data.Tables;

namespace AlliancePipeline.Contracts.Storage;

/// <summary>A row of <c>Assessments</c>: PartitionKey the study id, RowKey the assessment id.</summary>
public sealed class AssessmentEntity : ITableEntity
{
    /// <inheritdoc />
    public string PartitionKey { get; set; } = "";
    /// <inheritdoc />
    public string RowKey { get; set; } = "";
    /// <inheritdoc />
    public DateTimeOffset? Timestamp { get; set; }
    /// <inheritdoc />
    public ETag ETag { get; set; }

    /// <summary>The dyad's site.</summary>
    public string SiteId { get; set; } = "";
    /// <summary>The dyad's pseudonymous code.</summary>
    public string DyadId { get; set; } = "";
    /// <summary>The meeting, 1-based.</summary>
    public int Meeting { get; set; }
    /// <summary>Who rates.</summary>
    public string RaterRole { get; set; } = "";
    /// <summary>The pseudonymous rater id.</summary>
    public string RaterId { get; set; } = "";
    /// <summary>When the answer is due.</summary>
    public DateTimeOffset DueDate { get; set; }
    /// <summary>Where it stands (<see cref="AssessmentStatus"/> by name).</summary>
    public string Status { get; set; } = nameof(AssessmentStatus.Pending);
    /// <summary>The current link version.</summary>
    public int LinkVersion { get; set; } = 1;
    /// <summary>The rater's language.</summary>
    public string Language { get; set; } = "en";
    /// <summary>When the answers were queued.</summary>
    public DateTimeOffset? SubmittedAt { get; set; }
    /// <summary>When the scored response was stored.</summary>
    public DateTimeOffset? CompletedAt { get; set; }
    /// <summary>The submission that won this assessment (see <c>SubmissionMessage.SubmissionId</c>).</summary>
    public string? SubmissionId { get; set; }
    /// <summary>The dyad's arm.</summary>
    public string? Arm { get; set; }
    /// <summary>The meeting's date: recorded, else expected from enrolment.</summary>
    public DateTimeOffset? MeetingDate { get; set; }
    /// <summary>Whether <see cref="MeetingDate"/> was recorded (true) or expected (false).</summary>
    public bool MeetingDateRecorded { get; set; }
    /// <summary>When the invitation goes out (the meeting date).</summary>
    public DateTimeOffset? InviteOn { get; set; }
    /// <summary>When the current link expires.</summary>
    public DateTimeOffset? LinkExpiresAt { get; set; }
    /// <summary>Invitation log: when the invitation for the current link was queued.</summary>
    public DateTimeOffset? InvitationQueuedAt { get; set; }
    /// <summary>Invitation log: when the SMTP server accepted it.</summary>
    public DateTimeOffset? InvitationSentAt { get; set; }
    /// <summary>Invitation log: the last mail failure about this assessment, in words.</summary>
    public string? LastMailError { get; set; }
    /// <summary>Invitation log: reminders queued so far.</summary>
    public int RemindersSent { get; set; }
    /// <summary>Invitation log: when the last reminder was queued.</summary>
    public DateTimeOffset? LastReminderAt { get; set; }
    /// <summary>Whether the rater paused reminders (the link in every mail).</summary>
    public bool RemindersPaused { get; set; }
    /// <summary>
    /// The link version a coordinator was handed (a hand-over link, when the study allows it), or null. It is bound to
    /// that version: the current link is a hand-over link only while <see cref="LinkVersion"/> still equals it
    /// (<see cref="IsHandedOver"/>), so a later reissue or relink, which raises the version, ends it (and a reissue
    /// clears it). Answers through it are stored with <c>Provenance</c> <c>hand-over</c>.
    /// </summary>
    public int? HandOverLinkVersion { get; set; }

    /// <summary>Whether the current link is one a coordinator was handed (not mailed to the rater).</summary>
    public bool IsHandedOver() => HandOverLinkVersion is { } handed && handed == LinkVersion;

    /// <summary>How answers through link version <paramref name="linkVersion"/> came (<see cref="ResponseProvenance"/>).</summary>
    public string ProvenanceOf(int linkVersion) =>
        HandOverLinkVersion is { } handed && handed == linkVersion ? ResponseProvenance.HandOver : ResponseProvenance.RaterLink;

    /// <summary>The entity of an assessment.</summary>
    public static AssessmentEntity From(Assessment a) => new()
    {
        PartitionKey = a.StudyId,
        RowKey = a.Id,
        SiteId = a.SiteId,
        DyadId = a.DyadId,
        Meeting = a.Meeting,
        RaterRole = a.RaterRole,
        RaterId = a.RaterId,
        DueDate = a.DueDate,
        Status = a.Status.ToString(),
        LinkVersion = a.LinkVersion,
        Language = a.Language,
    };

    /// <summary>The assessment it holds.</summary>
    public Assessment ToAssessment() => new(
        RowKey, PartitionKey, SiteId, DyadId, Meeting, RaterRole, RaterId, DueDate,
        Enum.TryParse<AssessmentStatus>(Status, out var s) ? s : AssessmentStatus.Pending,
        LinkVersion, Language.Length > 0 ? Language : "en");
}
