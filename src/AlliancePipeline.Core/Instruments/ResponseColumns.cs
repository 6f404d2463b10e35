using System.Collections.Immutable;
using System.Globalization;

namespace AlliancePipeline.Core.Instruments;

/// <summary>
/// The columns of a stored response (design, "Names that other tools read": the <c>Responses</c> table, and the
/// report's <c>responses.csv</c> built on it): the fixed ones, <c>Item01</c>..<c>Item99</c> for the answers by position,
/// and the instrument's own score columns (its subscales' and its global score's <c>column</c>). The WAI short forms
/// give <c>Item01</c>..<c>Item12</c>, <c>Goal</c>, <c>Task</c>, <c>Bond</c>, <c>Global</c>. A score column may not be
/// the name of another column (<see cref="IsReserved"/>, compared ignoring case), which the instrument loader enforces,
/// so an instrument that loads is one whose responses can be stored and exported.
/// </summary>
public static class ResponseColumns
{
    /// <summary>The most items an instrument has (<c>items.maxItems</c> in instrument.schema.json): columns Item01..Item99.</summary>
    public const int MaxItems = 99;

    /// <summary>
    /// Columns every <c>Responses</c> row has besides its answers and scores (with the table's keys); <c>Provenance</c>
    /// (<c>rater-link</c> or <c>hand-over</c>, see <c>Studies.ResponseProvenance</c>) is absent from rows stored before it existed.
    /// </summary>
    public static readonly ImmutableArray<string> Fixed =
        ["PartitionKey", "RowKey", "Timestamp", "Meeting", "RaterRole", "SiteId", "DyadId", "SubmittedAt", "Provenance"];

    /// <summary>Columns the report's <c>responses.csv</c> and the exports add (the JSON export's <c>items</c> among them).</summary>
    public static readonly ImmutableArray<string> Report =
        ["StudyId", "AssessmentId", "ArmId", "RaterId", "Items", "Cluster", "ClusterLabel", "Employed", "JobDate", "DaysToJob"];

    /// <summary>The column of item <paramref name="number"/>'s answer: <c>Item04</c> for item 4 (1 to 99).</summary>
    public static string Item(int number) =>
        number is >= 1 and <= ResponseColumns.MaxItems
            ? string.Create(CultureInfo.InvariantCulture, $"Item{number:00}")
            : throw new ArgumentOutOfRangeException(nameof(number), number, $"Items are numbered 1 to {ResponseColumns.MaxItems}.");

    /// <summary>True, with the item's number, for <c>Item01</c>..<c>Item99</c> (exactly that spelling).</summary>
    public static bool IsItem(string column, out int number)
    {
        ArgumentNullException.ThrowIfNull(column);
        number = 0;
        return column.Length == 6 && column.StartsWith("Item", StringComparison.Ordinal) && char.IsAsciiDigit(column[4]) && char.IsAsciiDigit(column[5])
               && (number = (column[4] - '0') * 10 + column[5] - '0') >= 1;
    }

    /// <summary>
    /// True when <paramref name="column"/> cannot be a score column: a fixed or report column, or an item column, ignoring
    /// case (a spreadsheet or R reading the CSV may not tell <c>Meeting</c> from <c>MEETING</c>).
    /// </summary>
    public static bool IsReserved(string column)
    {
        ArgumentNullException.ThrowIfNull(column);
        return Fixed.Concat(Report).Any(c => string.Equals(c, column, StringComparison.OrdinalIgnoreCase))
               || (column.Length == 6 && column.StartsWith("Item", StringComparison.OrdinalIgnoreCase) && char.IsAsciiDigit(column[4]) && char.IsAsciiDigit(column[5]));
    }
}
