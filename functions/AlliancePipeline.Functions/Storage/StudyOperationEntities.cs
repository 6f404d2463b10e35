using Azure;
using Azure.Data.Tables;

namespace AlliancePipeline.Functions.Storage;

/// <summary>
/// A row of <c>Participants</c>: PartitionKey the study id, RowKey <c>{Kind}:{Id}</c>. One row per site (with its
/// coordinators), rater, dyad and report recipient of the applied study file; rows are never deleted (a dyad or rater that
/// leaves the file is marked withdrawn: its data stays).
/// </summary>
public sealed class ParticipantEntity : ITableEntity
{
    /// <summary>Kinds of participant row.</summary>
    public static class Kinds
    {
        /// <summary>A site; <see cref="Coordinators"/> holds its coordinators.</summary>
        public const string Site = "site";
        /// <summary>A rater (practitioner or client).</summary>
        public const string Rater = "rater";
        /// <summary>A dyad (practitioner–client pair, by pseudonymous code).</summary>
        public const string Dyad = "dyad";
        /// <summary>A report recipient (a researcher).</summary>
        public const string Recipient = "recipient";
    }

    /// <inheritdoc />
    public string PartitionKey { get; set; } = "";
    /// <inheritdoc />
    public string RowKey { get; set; } = "";
    /// <inheritdoc />
    public DateTimeOffset? Timestamp { get; set; }
    /// <inheritdoc />
    public ETag ETag { get; set; }

    /// <summary>One of <see cref="Kinds"/>.</summary>
    public string Kind { get; set; } = "";
    /// <summary>The participant's id within the study (site id, rater id, dyad code, recipient number).</summary>
    public string Id { get; set; } = "";
    /// <summary>A site's display name.</summary>
    public string? Name { get; set; }
    /// <summary>The site of a rater or dyad.</summary>
    public string? SiteId { get; set; }
    /// <summary>A rater's role (<c>practitioner</c> or <c>client</c>).</summary>
    public string? Role { get; set; }
    /// <summary>A rater's or recipient's address.</summary>
    public string? Email { get; set; }
    /// <summary>A rater's or recipient's language.</summary>
    public string? Language { get; set; }
    /// <summary>A site's coordinators, as JSON <c>[{"email":…,"language":…}]</c>.</summary>
    public string? Coordinators { get; set; }
    /// <summary>A dyad's practitioner rater.</summary>
    public string? PractitionerId { get; set; }
    /// <summary>A dyad's client rater, if the client rates too.</summary>
    public string? ClientId { get; set; }
    /// <summary>A dyad's arm.</summary>
    public string? Arm { get; set; }
    /// <summary>A dyad's enrolment date.</summary>
    public DateTimeOffset? EnrolledOn { get; set; }
    /// <summary>Whether the dyad or rater is withdrawn: no new links, no reminders.</summary>
    public bool Withdrawn { get; set; }
    /// <summary>When it was withdrawn.</summary>
    public DateTimeOffset? WithdrawnAt { get; set; }
    /// <summary>
    /// How a dyad was withdrawn: <c>file</c> (the study file says <c>withdrawn: true</c>) or <c>api</c> (a coordinator
    /// withdrew it). A withdrawal through the API stays when a file that does not mention it is applied again.
    /// </summary>
    public string? WithdrawnBy { get; set; }

    /// <summary>The row key of a participant.</summary>
    public static string Key(string kind, string id) => $"{kind}:{id}";
}

/// <summary>A row of <c>Outcomes</c>: PartitionKey the study id, RowKey the dyad id.</summary>
public sealed class OutcomeEntity : ITableEntity
{
    /// <inheritdoc />
    public string PartitionKey { get; set; } = "";
    /// <inheritdoc />
    public string RowKey { get; set; } = "";
    /// <inheritdoc />
    public DateTimeOffset? Timestamp { get; set; }
    /// <inheritdoc />
    public ETag ETag { get; set; }

    /// <summary>Whether the client got a job.</summary>
    public bool Employed { get; set; }
    /// <summary>The date of the job, when employed.</summary>
    public DateTimeOffset? JobDate { get; set; }
    /// <summary>When the outcome was recorded.</summary>
    public DateTimeOffset RecordedAt { get; set; }
    /// <summary>How it was recorded: <c>api</c>, <c>cli</c> or <c>csv</c>.</summary>
    public string Source { get; set; } = "";
}

/// <summary>
/// A row of <c>Alerts</c>: a rupture alert raised by one scored response. PartitionKey the study id, RowKey the
/// assessment id of that response, so one response can never raise two alerts.
/// </summary>
public sealed class AlertEntity : ITableEntity
{
    /// <inheritdoc />
    public string PartitionKey { get; set; } = "";
    /// <inheritdoc />
    public string RowKey { get; set; } = "";
    /// <inheritdoc />
    public DateTimeOffset? Timestamp { get; set; }
    /// <inheritdoc />
    public ETag ETag { get; set; }

    /// <summary>The dyad.</summary>
    public string DyadId { get; set; } = "";
    /// <summary>The dyad's site.</summary>
    public string SiteId { get; set; } = "";
    /// <summary>The rater whose response raised it.</summary>
    public string RaterId { get; set; } = "";
    /// <summary>The rater's role.</summary>
    public string RaterRole { get; set; } = "";
    /// <summary>The meeting of the response.</summary>
    public int Meeting { get; set; }
    /// <summary>What triggered it: <c>drop</c>, <c>below</c>, or <c>drop,below</c>.</summary>
    public string Kinds { get; set; } = "";
    /// <summary>The global score at the previous meeting, if any.</summary>
    public double? Previous { get; set; }
    /// <summary>The global score of this response.</summary>
    public double Current { get; set; }
    /// <summary>The drop threshold in force.</summary>
    public double? DropThreshold { get; set; }
    /// <summary>The cutoff in force.</summary>
    public double? Cutoff { get; set; }
    /// <summary>When it was raised.</summary>
    public DateTimeOffset RaisedAt { get; set; }
    /// <summary><c>open</c> until a coordinator closes it.</summary>
    public string Status { get; set; } = "open";
    /// <summary>When it was closed (<see cref="ClosedBy"/> says by which key).</summary>
    public DateTimeOffset? ClosedAt { get; set; }
    /// <summary>Who closed it: <c>key:{keyId}</c> (never a secret).</summary>
    public string? ClosedBy { get; set; }
}

/// <summary>
/// A row of <c>Mail</c>: one mail put on <c>outbox</c>, keyed by its deterministic mail id (e.g.
/// <c>invitation-{assessmentId}-v{linkVersion}</c>, <c>reminder-{assessmentId}-{n}</c>) so queueing or sending it twice
/// is noticed. PartitionKey the study id (or <see cref="StorageNames.SystemPartition"/>).
/// </summary>
public sealed class MailEntity : ITableEntity
{
    /// <summary>States of a mail.</summary>
    public static class States
    {
        /// <summary>On the outbox, not yet sent.</summary>
        public const string Queued = "queued";
        /// <summary>Accepted by the SMTP server.</summary>
        public const string Sent = "sent";
        /// <summary>Given up on (poisoned); <see cref="LastError"/> says why.</summary>
        public const string Failed = "failed";
    }

    /// <inheritdoc />
    public string PartitionKey { get; set; } = "";
    /// <inheritdoc />
    public string RowKey { get; set; } = "";
    /// <inheritdoc />
    public DateTimeOffset? Timestamp { get; set; }
    /// <inheritdoc />
    public ETag ETag { get; set; }

    /// <summary><c>invitation</c>, <c>reminder</c>, <c>digest</c>, <c>alert</c>, <c>report</c> or <c>key</c>.</summary>
    public string Kind { get; set; } = "";
    /// <summary>The assessment it is about, if any.</summary>
    public string? AssessmentId { get; set; }
    /// <summary>The recipient's address.</summary>
    public string To { get; set; } = "";
    /// <summary>One of <see cref="States"/>.</summary>
    public string State { get; set; } = States.Queued;
    /// <summary>Send attempts so far.</summary>
    public int Attempts { get; set; }
    /// <summary>The last failure, in words (never a password or a body).</summary>
    public string? LastError { get; set; }
    /// <summary>When it was queued.</summary>
    public DateTimeOffset QueuedAt { get; set; }
    /// <summary>When the SMTP server accepted it.</summary>
    public DateTimeOffset? SentAt { get; set; }
    /// <summary>When it was given up on.</summary>
    public DateTimeOffset? FailedAt { get; set; }
    /// <summary>
    /// While a <c>SendEmail</c> run is sending it: until when that run holds it (a claim written under the row's ETag,
    /// so two runs never send the same mail; a run that died loses it when the time is past).
    /// </summary>
    public DateTimeOffset? ClaimedUntil { get; set; }
}

/// <summary>
/// A row of <c>AccessKeys</c>: an access key for the dashboards, reports and admin API, stored only as the SHA-256 of
/// its secret. PartitionKey <see cref="Partition"/>, RowKey the key id (the public half of the key).
/// </summary>
public sealed class AccessKeyEntity : ITableEntity
{
    /// <summary>The one partition of keys.</summary>
    public const string Partition = "key";

    /// <inheritdoc />
    public string PartitionKey { get; set; } = Partition;
    /// <inheritdoc />
    public string RowKey { get; set; } = "";
    /// <inheritdoc />
    public DateTimeOffset? Timestamp { get; set; }
    /// <inheritdoc />
    public ETag ETag { get; set; }

    /// <summary>SHA-256 of the secret, lower-case hex.</summary>
    public string SecretHash { get; set; } = "";
    /// <summary><c>admin</c>, <c>study</c> (a study's coordinator), <c>site</c> (a site's coordinator) or <c>researcher</c>.</summary>
    public string Role { get; set; } = "";
    /// <summary>The study it is scoped to (not for admin).</summary>
    public string? StudyId { get; set; }
    /// <summary>The site it is scoped to (site keys only).</summary>
    public string? SiteId { get; set; }
    /// <summary>Who or what it is for, in words (no personal data needed).</summary>
    public string Label { get; set; } = "";
    /// <summary>When it was issued.</summary>
    public DateTimeOffset IssuedAt { get; set; }
    /// <summary>When it stops working.</summary>
    public DateTimeOffset ExpiresAt { get; set; }
    /// <summary>When it was revoked, if it was.</summary>
    public DateTimeOffset? RevokedAt { get; set; }
    /// <summary>The key id (or process) that issued it.</summary>
    public string IssuedBy { get; set; } = "";
}

/// <summary>
/// A row of <c>Audit</c>: one change of state. PartitionKey the study id (or <see cref="StorageNames.SystemPartition"/>),
/// RowKey <c>{inverted ticks:D19}-{random}</c> so a partition lists newest first.
/// </summary>
public sealed class AuditEntity : ITableEntity
{
    /// <inheritdoc />
    public string PartitionKey { get; set; } = "";
    /// <inheritdoc />
    public string RowKey { get; set; } = "";
    /// <inheritdoc />
    public DateTimeOffset? Timestamp { get; set; }
    /// <inheritdoc />
    public ETag ETag { get; set; }

    /// <summary>When it happened.</summary>
    public DateTimeOffset At { get; set; }
    /// <summary>Who did it: <c>key:{keyId}</c>, <c>cli</c>, or a process such as <c>function:ScoreResponse</c> (never a secret).</summary>
    public string Actor { get; set; } = "";
    /// <summary>What happened, e.g. <c>study.applied</c>, <c>link.issued</c>, <c>mail.sent</c>, <c>alert.raised</c>.</summary>
    public string Action { get; set; } = "";
    /// <summary>What it happened to (an assessment, dyad, key or mail id).</summary>
    public string Subject { get; set; } = "";
    /// <summary>Details in words (no answers, no addresses).</summary>
    public string Details { get; set; } = "";

    /// <summary>A row key that sorts newest first and never collides.</summary>
    public static string NewRowKey(DateTimeOffset at) =>
        $"{DateTimeOffset.MaxValue.UtcTicks - at.UtcTicks:D19}-{Guid.NewGuid():N}"[..28];
}
