using AlliancePipeline.Analytics.Reports;
using AlliancePipeline.Core.Instruments;

namespace AlliancePipeline.Functions.Reports;

/// <summary>
/// The answer and score columns of a study's responses as the report set and the exports lay them out, from the
/// instruments its roles answer: <c>Item01</c>..<c>ItemNN</c> for the largest instrument's N items (a shorter instrument's
/// responses leave the rest empty), then each instrument's score columns, subscales in declared order then the global
/// score, the practitioner's instrument first, columns two instruments share once. A WAI study gets <c>Item01</c>..
/// <c>Item12</c>, <c>Goal</c>, <c>Task</c>, <c>Bond</c>, <c>Global</c>. Columns stored by an instrument the study no
/// longer names come after, in ordinal order.
/// </summary>
/// <param name="ItemCount">N: the answer columns are <c>Item01</c>..<c>ItemNN</c>.</param>
/// <param name="ScoreColumns">The score columns, in order.</param>
/// <param name="Instruments">The instruments by role, the practitioner's first.</param>
public sealed record ResponseLayout(int ItemCount, IReadOnlyList<string> ScoreColumns, IReadOnlyList<KeyValuePair<string, InstrumentDefinition>> Instruments)
{
    /// <summary>The answer columns, <c>Item01</c>..<c>ItemNN</c>.</summary>
    public IEnumerable<string> ItemColumns => Enumerable.Range(1, ItemCount).Select(ResponseColumns.Item);

    /// <summary>The layout of <paramref name="input"/>'s responses.</summary>
    public static ResponseLayout Of(ReportInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return Of(input.Instruments, input.Responses.Select(r => r.Items.Count).DefaultIfEmpty(0).Max(), input.Responses.SelectMany(r => r.Scores.Keys));
    }

    /// <summary>
    /// The layout of responses answering <paramref name="instruments"/> (by role) whose longest has
    /// <paramref name="storedItems"/> answers and which store the score columns <paramref name="storedScores"/> (in any
    /// order, repeated or not): what a reader that does not hold the responses gathers as it reads them.
    /// </summary>
    public static ResponseLayout Of(IReadOnlyDictionary<string, InstrumentDefinition> instruments, int storedItems, IEnumerable<string> storedScores)
    {
        ArgumentNullException.ThrowIfNull(instruments);
        var ordered = instruments.OrderBy(p => p.Key == "practitioner" ? 0 : 1).ThenBy(p => p.Key, StringComparer.Ordinal).ToArray();
        var items = ordered.Select(p => p.Value.Items.Length).Append(storedItems).Max();
        var columns = ordered.SelectMany(p => p.Value.Subscales.Select(s => s.Column).Append(p.Value.Global.Column)).Distinct(StringComparer.Ordinal).ToList();
        columns.AddRange(storedScores.Distinct(StringComparer.Ordinal).Except(columns, StringComparer.Ordinal).Order(StringComparer.Ordinal));
        return new ResponseLayout(items, columns, ordered);
    }
}
