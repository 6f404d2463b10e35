using System.Globalization;
using System.Runtime.Serialization;
using Azure;
using Azure.Data.Tables;

namespace AlliancePipeline.Contracts.Storage;

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
