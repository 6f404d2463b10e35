using Azure;
using Azure.Data.Tables;

namespace AlliancePipeline.Contracts.Storage;

/// <summary>
/// A row of <c>Covariates</c>: PartitionKey the study id, RowKey the dyad id; the dyad's covariate values as a JSON object
/// (<c>{"age":34,"education":"tertiary"}</c>: a number for a numeric covariate, the level as the study file spells it for a
/// categorical one). One writer: the worker's <c>CovariateOperations</c>.
/// </summary>
public sealed class CovariateEntity : ITableEntity
{
    /// <inheritdoc />
    public string PartitionKey { get; set; } = "";
    /// <inheritdoc />
    public string RowKey { get; set; } = "";
    /// <inheritdoc />
    public DateTimeOffset? Timestamp { get; set; }
    /// <inheritdoc />
    public ETag ETag { get; set; }

    /// <summary>The values, a JSON object of covariate name → number or level.</summary>
    public string Values { get; set; } = "{}";
    /// <summary>When they were last recorded.</summary>
    public DateTimeOffset RecordedAt { get; set; }
    /// <summary>How they were last recorded: <c>api</c>, <c>csv</c> or <c>console</c>.</summary>
    public string Source { get; set; } = "";
}
