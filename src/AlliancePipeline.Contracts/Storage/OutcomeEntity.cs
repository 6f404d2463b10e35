using Azure;
using Azure.Data.Tables;

namespace AlliancePipeline.Contracts.Storage;

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
    /// <summary>The day the researcher recorded it (<c>recorded</c>; the day it was sent when not given), midnight UTC; null in rows written before it existed.</summary>
    public DateTimeOffset? RecordedOn { get; set; }
    /// <summary>Days of paid work during follow-up (<c>daysWorked</c>), when recorded.</summary>
    public int? DaysWorked { get; set; }
    /// <summary>Days the job had lasted on the recorded day (<c>tenureDays</c>), when recorded.</summary>
    public int? TenureDays { get; set; }
    /// <summary>How it was recorded: <c>api</c>, <c>cli</c> or <c>csv</c>.</summary>
    public string Source { get; set; } = "";
}
