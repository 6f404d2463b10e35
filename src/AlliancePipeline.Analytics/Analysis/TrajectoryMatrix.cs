namespace AlliancePipeline.Analytics.Analysis;

/// <summary>
/// Alliance trajectories: one row per dyad (an id and the global score at meetings 1..T). A missing meeting is
/// <see cref="double.NaN"/>; such dyads are counted and reported by the analysis, not clustered.
/// </summary>
public sealed class TrajectoryMatrix
{
    private readonly string[] _ids;
    private readonly double[][] _scores;

    /// <summary>Creates the matrix; ids must be unique and non-empty, every row the same length, values finite or NaN.</summary>
    public TrajectoryMatrix(IReadOnlyList<string> dyadIds, IReadOnlyList<IReadOnlyList<double>> scores)
    {
        ArgumentNullException.ThrowIfNull(dyadIds);
        ArgumentNullException.ThrowIfNull(scores);
        if (dyadIds.Count != scores.Count) throw new ArgumentException($"{dyadIds.Count} dyad ids for {scores.Count} rows of scores.");
        if (scores.Count == 0) throw new ArgumentException("The trajectory matrix has no dyads.", nameof(scores));
        int t = scores[0].Count;
        if (t < 2) throw new ArgumentException("Trajectories need at least 2 meetings.", nameof(scores));
        var seen = new HashSet<string>(StringComparer.Ordinal);
        _ids = new string[dyadIds.Count];
        _scores = new double[scores.Count][];
        for (int i = 0; i < scores.Count; i++)
        {
            string id = dyadIds[i];
            if (string.IsNullOrWhiteSpace(id)) throw new ArgumentException($"Dyad {i + 1} has an empty id.", nameof(dyadIds));
            if (!seen.Add(id)) throw new ArgumentException($"Dyad id '{id}' appears more than once.", nameof(dyadIds));
            if (scores[i].Count != t) throw new ArgumentException($"Dyad '{id}' has {scores[i].Count} meetings; the first dyad has {t}.", nameof(scores));
            if (scores[i].Any(double.IsInfinity)) throw new ArgumentException($"Dyad '{id}' has an infinite score.", nameof(scores));
            _ids[i] = id;
            _scores[i] = scores[i].ToArray();
        }
    }

    /// <summary>Dyad ids, in input order.</summary>
    public IReadOnlyList<string> DyadIds => _ids;

    /// <summary>Scores per dyad (copies are not made on read: treat as read-only).</summary>
    public IReadOnlyList<IReadOnlyList<double>> Scores => _scores;

    /// <summary>Number of dyads.</summary>
    public int Count => _ids.Length;
}
