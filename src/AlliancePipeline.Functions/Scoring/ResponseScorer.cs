using System.Collections.Immutable;
using AlliancePipeline.Core.Instruments;
using AlliancePipeline.Core.Scoring;

namespace AlliancePipeline.Functions.Scoring;

/// <summary>
/// The scores of one complete response, by the storage column the instrument names, in the instrument's order: each
/// subscale's, then the global score's (the WAI: <c>Goal</c>, <c>Task</c>, <c>Bond</c>, <c>Global</c>).
/// </summary>
/// <param name="Columns">Column and score, subscales in declared order, then the global score.</param>
/// <param name="GlobalColumn">The global score's column.</param>
public sealed record ResponseScores(IReadOnlyList<KeyValuePair<string, double>> Columns, string GlobalColumn)
{
    /// <summary>The score in <paramref name="column"/>.</summary>
    /// <exception cref="KeyNotFoundException">The instrument has no such score column.</exception>
    public double this[string column] =>
        Columns.FirstOrDefault(c => c.Key == column) is { Key: not null } found
            ? found.Value
            : throw new KeyNotFoundException($"No score column '{column}'; the columns are {string.Join(", ", Columns.Select(c => c.Key))}.");

    /// <summary>The global score (what trajectories, clustering and rupture alerts use).</summary>
    public double Global => this[GlobalColumn];
}

/// <summary>Scores a response of a study's instrument.</summary>
public interface IResponseScorer
{
    /// <summary>
    /// Scores one answer per item (in item-number order); throws <see cref="ArgumentException"/> when their number is not the
    /// instrument's or an answer is refused (the message names it).
    /// </summary>
    ResponseScores Score(InstrumentDefinition definition, IReadOnlyList<int> items);
}

/// <summary>
/// Scoring by Core's instrument definitions (<see cref="InstrumentScorer"/>): reverse-scored items become
/// min + max − answer, subscales and global as the definition's rules say (WAI-S: Tracey &amp; Kokotovic 1989; WAI-SR:
/// Hatcher &amp; Gillaspy 2006; any instrument a study supplies). Answers are given in item-number order and stored as
/// answered (<c>Item01</c>..<c>ItemNN</c>).
/// </summary>
public sealed class InstrumentResponseScorer : IResponseScorer
{
    /// <inheritdoc />
    public ResponseScores Score(InstrumentDefinition definition, IReadOnlyList<int> items)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(items);
        var instrumentId = definition.Id;
        if (items.Count != definition.Items.Length)
            throw new ArgumentException($"Expected {definition.Items.Length} answers, got {items.Count}.", nameof(items));
        var answers = definition.Items.ToImmutableDictionary(i => i.Id, i => (int?)items[i.Number - 1], StringComparer.Ordinal);
        var result = InstrumentScorer.Score(definition, answers);
        if (!result.IsValid) throw new ArgumentException(string.Join(" ", result.Errors.Select(e => e.Message)), nameof(items));
        var scores = result.Value.Scores;
        double Valid(string column, double? score) => score ?? throw new InvalidOperationException($"{instrumentId} gave no {column} score for a complete response.");
        return new ResponseScores(
            [.. scores.Subscales.Select(s => KeyValuePair.Create(s.Column, Valid(s.Column, s.Score))), KeyValuePair.Create(scores.GlobalColumn, Valid(scores.GlobalColumn, scores.Global))],
            scores.GlobalColumn);
    }
}
