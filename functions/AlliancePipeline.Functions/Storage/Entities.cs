using System.Globalization;
using System.Runtime.Serialization;
using AlliancePipeline.Core.Studies;
using Azure;
using Azure.Data.Tables;

namespace AlliancePipeline.Functions.Storage;

/// <summary>A row of <c>Studies</c>: PartitionKey <see cref="Partition"/>, RowKey the study id.</summary>
public sealed class StudyEntity : ITableEntity
{
    /// <summary>The one partition that holds every study.</summary>
    public const string Partition = "Study";

    /// <inheritdoc />
    public string PartitionKey { get; set; } = Partition;
    /// <inheritdoc />
    public string RowKey { get; set; } = "";
    /// <inheritdoc />
    public DateTimeOffset? Timestamp { get; set; }
    /// <inheritdoc />
    public ETag ETag { get; set; }

    /// <summary>The display name.</summary>
    public string Name { get; set; } = "";
    /// <summary>The instrument its raters answer.</summary>
    public string InstrumentId { get; set; } = "";
    /// <summary>The site ids, comma-separated.</summary>
    public string Sites { get; set; } = "";
    /// <summary>The instrument id per rater role, as JSON (<c>{"practitioner":"wai-s-practitioner","client":"…"}</c>).</summary>
    public string? InstrumentsByRole { get; set; }
    /// <summary>The study's own instruments (not shipped ones), as JSON: instrument id → its definition's JSON text.</summary>
    public string? StudyInstruments { get; set; }
    /// <summary>When the study file was last applied.</summary>
    public DateTimeOffset? AppliedAt { get; set; }
    /// <summary>Who applied it (a key id or <c>cli</c>).</summary>
    public string? AppliedBy { get; set; }
    /// <summary>How many times a changed study file was applied.</summary>
    public int Version { get; set; }
    /// <summary>When the study's report was last mailed on its schedule.</summary>
    public DateTimeOffset? ReportsMailedAt { get; set; }

    /// <summary>The entity of a study.</summary>
    public static StudyEntity From(Study study) => new()
    {
        RowKey = study.Id,
        Name = study.Name,
        InstrumentId = study.InstrumentId,
        Sites = string.Join(',', study.SiteIds),
    };

    /// <summary>The study it holds.</summary>
    public Study ToStudy() => new(RowKey, Name.Length > 0 ? Name : RowKey, InstrumentId, Sites.Split(',', StringSplitOptions.RemoveEmptyEntries),
        string.IsNullOrEmpty(InstrumentsByRole) ? null : System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, string>>(InstrumentsByRole));
}

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

/// <summary>
/// A row of <c>Responses</c> (design, "Names that other tools read"): PartitionKey the study id, RowKey the assessment
/// id, <c>Item01</c>..<c>Item12</c> as answered (before reverse scoring), <c>Goal</c>, <c>Task</c>, <c>Bond</c>,
/// <c>Global</c>, <c>Meeting</c>, <c>RaterRole</c>, <c>SiteId</c>, <c>DyadId</c>, <c>SubmittedAt</c>.
/// </summary>
public sealed class ResponseEntity : ITableEntity
{
    /// <inheritdoc />
    public string PartitionKey { get; set; } = "";
    /// <inheritdoc />
    public string RowKey { get; set; } = "";
    /// <inheritdoc />
    public DateTimeOffset? Timestamp { get; set; }
    /// <inheritdoc />
    public ETag ETag { get; set; }

#pragma warning disable CS1591 // Item01..Item12: the answers in item-number order, as answered.
    public int Item01 { get; set; }
    public int Item02 { get; set; }
    public int Item03 { get; set; }
    public int Item04 { get; set; }
    public int Item05 { get; set; }
    public int Item06 { get; set; }
    public int Item07 { get; set; }
    public int Item08 { get; set; }
    public int Item09 { get; set; }
    public int Item10 { get; set; }
    public int Item11 { get; set; }
    public int Item12 { get; set; }
#pragma warning restore CS1591

    /// <summary>Goal subscale score.</summary>
    public double Goal { get; set; }
    /// <summary>Task subscale score.</summary>
    public double Task { get; set; }
    /// <summary>Bond subscale score.</summary>
    public double Bond { get; set; }
    /// <summary>Global score.</summary>
    public double Global { get; set; }
    /// <summary>The meeting, 1-based.</summary>
    public int Meeting { get; set; }
    /// <summary>Who rated.</summary>
    public string RaterRole { get; set; } = "";
    /// <summary>The dyad's site.</summary>
    public string SiteId { get; set; } = "";
    /// <summary>The dyad's pseudonymous code.</summary>
    public string DyadId { get; set; } = "";
    /// <summary>When the answers were taken (UTC).</summary>
    public DateTime SubmittedAt { get; set; }

    /// <summary>The twelve answers in item-number order (not a column).</summary>
    [IgnoreDataMember]
    public int[] Items
    {
        get => [Item01, Item02, Item03, Item04, Item05, Item06, Item07, Item08, Item09, Item10, Item11, Item12];
        set
        {
            if (value is not { Length: 12 }) throw new ArgumentException("Twelve answers are expected.", nameof(value));
            (Item01, Item02, Item03, Item04, Item05, Item06) = (value[0], value[1], value[2], value[3], value[4], value[5]);
            (Item07, Item08, Item09, Item10, Item11, Item12) = (value[6], value[7], value[8], value[9], value[10], value[11]);
        }
    }

    /// <summary>An item's column name: <c>Item04</c> for item 4.</summary>
    public static string ItemColumn(int number) => string.Create(CultureInfo.InvariantCulture, $"Item{number:00}");
}
