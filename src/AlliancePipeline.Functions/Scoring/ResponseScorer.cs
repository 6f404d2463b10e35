using System.Collections.Immutable;
using AlliancePipeline.Core.Instruments;
using AlliancePipeline.Core.Scoring;

namespace AlliancePipeline.Functions.Scoring;

/// <summary>The scores of one 12-item WAI short-form response.</summary>
/// <param name="Goal">Goal subscale.</param>
/// <param name="Task">Task subscale.</param>
/// <param name="Bond">Bond subscale.</param>
/// <param name="Global">Global score.</param>
public sealed record AllianceScores(double Goal, double Task, double Bond, double Global);

/// <summary>Scores a response of a study's instrument.</summary>
public interface IResponseScorer
{
    /// <summary>Scores 12 answers (in item-number order); throws <see cref="ArgumentException"/> naming a refused answer.</summary>
    AllianceScores Score(InstrumentDefinition definition, IReadOnlyList<int> items);
}

/// <summary>
/// Scoring by Core's instrument definitions (<see cref="InstrumentScorer"/>): reverse-scored items become
/// min + max − answer, subscales and global as the definition's rules say (WAI-S: Tracey &amp; Kokotovic 1989; WAI-SR:
/// Hatcher &amp; Gillaspy 2006). Answers are given in item-number order; Item01..Item12 are stored as answered.
/// </summary>
public sealed class InstrumentResponseScorer : IResponseScorer
{
    /// <inheritdoc />
    public AllianceScores Score(InstrumentDefinition definition, IReadOnlyList<int> items)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var instrumentId = definition.Id;
        if (items.Count != definition.Items.Length)
            throw new ArgumentException($"Expected {definition.Items.Length} answers, got {items.Count}.", nameof(items));
        var answers = definition.Items.ToImmutableDictionary(i => i.Id, i => (int?)items[i.Number - 1], StringComparer.Ordinal);
        var result = InstrumentScorer.Score(definition, answers);
        if (!result.IsValid) throw new ArgumentException(string.Join(" ", result.Errors.Select(e => e.Message)), nameof(items));
        var columns = result.Value.Scores.Columns;
        double Column(string name) => columns.GetValueOrDefault(name) ?? throw new InvalidOperationException($"{instrumentId} gave no {name} score for a complete response.");
        return new AllianceScores(Column("Goal"), Column("Task"), Column("Bond"), Column("Global"));
    }
}
