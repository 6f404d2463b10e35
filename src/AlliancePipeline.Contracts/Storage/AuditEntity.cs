using Azure;
using Azure.Data.Tables;

namespace AlliancePipeline.Contracts.Storage;

/// <summary>
/// A row of <c>Audit</c>: one change of state, or one read of personal data. PartitionKey the study id (or
/// <see cref="StorageNames.SystemPartition"/> for keys and the rest), RowKey
/// <c>{inverted ticks:D19}-{inverted sequence:x12}{random:x8}</c> so a partition lists newest first, and rows written by
/// one process in the same tick (a clock that stands still) in the order they were written.
/// </summary>
/// <remarks>
/// <para><b>Changes.</b> Every write that changes a stored record through the app or the <c>alliance</c> tool (an outcome,
/// a meeting date, a withdrawal, a reissued link, a paused reminder, a study file applied, a key issued or revoked) writes
/// one row <em>per record changed</em>: <see cref="Actor"/> who (<c>key:{keyId}</c>, <c>cli</c>, a process),
/// <see cref="At"/> when, <see cref="Action"/> the operation (<c>outcome.recorded</c>, <c>meeting.recorded</c>,
/// <c>dyad.withdrawn</c>, <c>link.reissued</c>, <c>reminders.paused</c>, <c>study.applied</c>, <c>key.issued</c>,
/// <c>key.revoked</c>, <c>alert.closed</c>), <see cref="Subject"/> the record's own id (a dyad, assessment, participant or
/// key id: pseudonymous codes), <see cref="Record"/> the row (<c>{Table}/{RowKey}</c>), and <see cref="Before"/> →
/// <see cref="After"/> the fields that changed (<see cref="AuditChange"/>: compact JSON, personal fields named but never
/// written). Replaying a record's <see cref="After"/> values oldest first gives its stored fields. A write that changes
/// nothing (the same outcome or date imported again) writes neither the record nor a row; a CSV import adds one summary
/// row (<c>outcome.imported</c>, <c>meeting.imported</c>: lines, changed, unchanged), and applying a study file its
/// <c>study.applied</c> summary (<see cref="Record"/> empty). The record is written first and its row after: a process
/// that dies between the two leaves a change without its row, never a row without its change.</para>
/// <para><b>Reads.</b> Every read of personal data through the app (an export: <c>export.read</c>; a report file:
/// <c>report.read</c>) writes one row before the content is answered: the key in <see cref="Actor"/>, the study in the
/// partition, the file in <see cref="Subject"/>, and in <see cref="Details"/> <c>format {f}; scope {study|site s}; rows {n}</c>
/// (never the content; <c>rows -</c> for a file that is not a table). Unchanged and read rows have <see cref="Record"/>,
/// <see cref="Before"/> and <see cref="After"/> empty. The mail machinery, scoring and reminders keep their own event rows
/// (<c>mail.*</c>, <c>response.stored</c>, <c>link.issued</c>, …) without before and after.</para>
/// </remarks>
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
    /// <summary>The stored record changed, <c>{Table}/{RowKey}</c> (<see cref="AuditChange.Record"/>); empty for an event, a summary or a read.</summary>
    public string Record { get; set; } = "";
    /// <summary>The changed fields as they were, compact JSON (<see cref="AuditChange.Before"/>); empty when the record was created, or for a row that changed no record.</summary>
    public string Before { get; set; } = "";
    /// <summary>The changed fields as they are after, compact JSON (<see cref="AuditChange.After"/>); empty for a row that changed no record.</summary>
    public string After { get; set; } = "";

    private static long _sequence;

    /// <summary>
    /// A row key that sorts newest first and never collides: the time inverted, then this process's write sequence
    /// inverted (rows of one tick in the order written), then random hex (rows of other processes).
    /// </summary>
    public static string NewRowKey(DateTimeOffset at)
    {
        const long Mask = 0xFFFF_FFFF_FFFF;
        var sequence = Interlocked.Increment(ref _sequence) & Mask;
        return $"{DateTimeOffset.MaxValue.UtcTicks - at.UtcTicks:D19}-{Mask - sequence:x12}{Guid.NewGuid():N}"[..40];
    }
}
