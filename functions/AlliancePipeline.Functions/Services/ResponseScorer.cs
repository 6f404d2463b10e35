namespace AlliancePipeline.Functions.Services;

/// <summary>The scores of one 12-item WAI short-form response.</summary>
/// <param name="Goal">Mean of the goal items.</param>
/// <param name="Task">Mean of the task items.</param>
/// <param name="Bond">Mean of the bond items.</param>
/// <param name="Global">Mean of the 12 items.</param>
public sealed record AllianceScores(double Goal, double Task, double Bond, double Global);

/// <summary>Scores a response. Core's instrument-driven scorer replaces the minimal one here when merged.</summary>
public interface IResponseScorer
{
    /// <summary>The scale's lowest and highest answer for the instrument.</summary>
    (int Min, int Max) ScaleOf(string instrumentId);

    /// <summary>Scores 12 answers (1-based item order) of the instrument; throws <see cref="ArgumentException"/> on a bad answer.</summary>
    AllianceScores Score(string instrumentId, IReadOnlyList<int> items);
}

/// <summary>
/// A minimal WAI short-form scorer: subscale = mean of its four items, global = mean of the 12, no reverse scoring.
/// Items per subscale follow the WAI-SR (Hatcher &amp; Gillaspy 2006): goal 4, 6, 8, 11; task 1, 2, 10, 12;
/// bond 3, 5, 7, 9. Scale 1–5 for instruments whose id contains "wai-sr", else 1–7 (WAI-S, Tracey &amp; Kokotovic 1989).
/// Placeholder for Core's instrument files, which carry the item keys and reverse-scored items.
/// </summary>
public sealed class MinimalWaiScorer : IResponseScorer
{
    private static readonly int[] GoalItems = [4, 6, 8, 11];
    private static readonly int[] TaskItems = [1, 2, 10, 12];
    private static readonly int[] BondItems = [3, 5, 7, 9];

    /// <inheritdoc />
    public (int Min, int Max) ScaleOf(string instrumentId) =>
        instrumentId.Contains("wai-sr", StringComparison.OrdinalIgnoreCase) ? (1, 5) : (1, 7);

    /// <inheritdoc />
    public AllianceScores Score(string instrumentId, IReadOnlyList<int> items)
    {
        if (items.Count != 12) throw new ArgumentException($"Expected 12 answers, got {items.Count}.", nameof(items));
        var (min, max) = ScaleOf(instrumentId);
        for (var i = 0; i < items.Count; i++)
        {
            if (items[i] < min || items[i] > max)
                throw new ArgumentException($"Item{i + 1:00} is {items[i]}: answers run from {min} to {max}.", nameof(items));
        }
        double Mean(int[] which) => which.Average(n => (double)items[n - 1]);
        return new AllianceScores(Mean(GoalItems), Mean(TaskItems), Mean(BondItems), items.Average(x => (double)x));
    }
}
