using Azure;
using Azure.Data.Tables;

namespace AlliancePipeline.Contracts.Storage;

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
