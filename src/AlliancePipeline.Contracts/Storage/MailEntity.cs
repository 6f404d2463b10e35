using Azure;
using Azure.Data.Tables;

namespace AlliancePipeline.Contracts.Storage;

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
