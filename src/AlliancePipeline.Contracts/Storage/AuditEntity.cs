using Azure;
using Azure.Data.Tables;

namespace AlliancePipeline.Contracts.Storage;

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
