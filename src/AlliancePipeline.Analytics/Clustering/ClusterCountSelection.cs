using System.Globalization;

namespace AlliancePipeline.Analytics.Clustering;

/// <summary>How the number of clusters was chosen.</summary>
public enum ClusterCountRule
{
    /// <summary>The study fixed k.</summary>
    Fixed,

    /// <summary>
    /// The elbow of the agglomeration coefficient (largest relative jump between two solutions), reduced one cluster at a
    /// time until every cluster reaches the minimum share.
    /// </summary>
    CoefficientJump,

    /// <summary>
    /// The largest absolute increase of the agglomeration coefficient between two solutions (as the agglomeration schedule
    /// is read in SPSS), reduced one cluster at a time until every cluster reaches the minimum share.
    /// </summary>
    CoefficientIncrease,

    /// <summary>Reduction reached the smallest k without every cluster at the minimum share: the smallest k is kept.</summary>
    NoAdmissibleSolution,
}

/// <summary>How the elbow of the agglomeration coefficient is read (the study file's <c>analysis.clusters.rule</c>).</summary>
public enum ClusterCountCriterion
{
    /// <summary>The largest relative jump, (coefficient at k − 1 − coefficient at k) / coefficient at k (the default).</summary>
    Relative,

    /// <summary>
    /// The largest absolute increase, coefficient at k − 1 − coefficient at k, as researchers read SPSS's agglomeration
    /// schedule. Ward's increases never shrink from one merge to the next, so among the compared merges the largest is
    /// the merge into the smallest k compared: this rule starts at max(3, MinK).
    /// </summary>
    Absolute,
}

/// <summary>Settings of the choice of k.</summary>
public sealed record ClusterCountOptions
{
    /// <summary>How the elbow is read (default: the largest relative jump).</summary>
    public ClusterCountCriterion Criterion { get; init; } = ClusterCountCriterion.Relative;

    /// <summary>Smallest k considered (default 2).</summary>
    public int MinK { get; init; } = 2;

    /// <summary>Largest k considered (default 8).</summary>
    public int MaxK { get; init; } = 8;

    /// <summary>Every cluster must hold at least this share of dyads (default 0.10, Hair &amp; Black 2000).</summary>
    public double MinClusterShare { get; init; } = 0.10;

    /// <summary>
    /// And at least this many dyads (default 2): in a small sample 10 % can be a single dyad, which is an outlier, not a
    /// pattern.
    /// </summary>
    public int MinClusterSize { get; init; } = 2;

    /// <summary>A k fixed by the study, overriding the rule (null: use the rule).</summary>
    public int? FixedK { get; init; }
}

/// <summary>One candidate solution in the choice of k.</summary>
/// <param name="K">Number of clusters.</param>
/// <param name="Coefficient">Agglomeration coefficient with k clusters.</param>
/// <param name="RelativeJump">(coefficient at k − 1 − coefficient at k) / coefficient at k: how much merging down to
/// k − 1 clusters would add (∞ when the coefficient at k is 0).</param>
/// <param name="SmallestClusterSize">Size of the smallest of the k clusters.</param>
/// <param name="SmallestClusterShare">Its share of all dyads.</param>
/// <param name="Admissible">Every cluster reaches the minimum share and the minimum size.</param>
/// <param name="CalinskiHarabasz">Calinski–Harabasz index.</param>
/// <param name="MeanSilhouette">Mean silhouette width.</param>
public sealed record ClusterCountCandidate(int K, double Coefficient, double RelativeJump, int SmallestClusterSize,
    double SmallestClusterShare, bool Admissible, double CalinskiHarabasz, double MeanSilhouette)
{
    /// <summary>Coefficient at k − 1 − coefficient at k: how much merging down to k − 1 clusters adds, in sums of squares.</summary>
    public double Increase { get; init; }
}

/// <summary>
/// The choice of the number of clusters by iterative reduction (Hair &amp; Black 2000): start at the elbow of the
/// agglomeration coefficient, the k (3..MaxK) whose merge into k − 1 clusters raises the coefficient by the largest
/// relative amount, or with <see cref="ClusterCountCriterion.Absolute"/> by the largest absolute amount (the final merge
/// into a single cluster always jumps and is not compared), then reduce k one step at a
/// time until every cluster holds at least the minimum share of dyads (default 10 %) and at least two dyads.
/// Calinski–Harabasz and mean silhouette are reported beside it for k = MinK..MaxK; a k fixed by the study overrides.
/// </summary>
/// <param name="K">The chosen number of clusters.</param>
/// <param name="Rule">Which rule chose it.</param>
/// <param name="Reason">One sentence a report can print.</param>
/// <param name="Candidates">The table of candidates k = MinK..MaxK (those below n).</param>
public sealed record ClusterCountSelection(int K, ClusterCountRule Rule, string Reason, IReadOnlyList<ClusterCountCandidate> Candidates)
{
    /// <summary>A fixed k must lie in 2..n; the message is a sentence for the user.</summary>
    internal static void CheckFixedK(int? k, int n)
    {
        if (k is int v && (v < 2 || v > n))
            throw new ArgumentException(v < 2
                ? $"k = {v} is not a clustering: choose k between 2 and the number of dyads clustered ({n})."
                : $"k = {v} asks for more clusters than there are dyads to cluster ({n}): choose k between 2 and {n}.");
    }

    /// <summary>
    /// The k the rule gives on these candidates when the elbow is read by <paramref name="criterion"/>, whatever the
    /// study chose (a fixed k included): the report's table of k under both rules. Null when there is no candidate.
    /// </summary>
    public int? KBy(ClusterCountCriterion criterion) => Candidates.Count == 0 ? null : Reduce(Candidates, criterion).Chosen.K;

    /// <summary>The elbow among k ≥ 3 (the final merge into one cluster always jumps and ends no solution), then k reduced
    /// while a cluster is under the minimum share or size, not below the smallest candidate.</summary>
    private static (ClusterCountCandidate Elbow, ClusterCountCandidate Chosen) Reduce(IReadOnlyList<ClusterCountCandidate> candidates, ClusterCountCriterion criterion)
    {
        bool absolute = criterion == ClusterCountCriterion.Absolute;
        var elbow = candidates.Where(c => c.K >= 3).OrderByDescending(c => absolute ? c.Increase : c.RelativeJump).ThenBy(c => c.K).FirstOrDefault()
                    ?? candidates[0];
        var chosen = elbow;
        while (!chosen.Admissible && chosen.K > candidates[0].K) chosen = candidates.Single(c => c.K == chosen.K - 1);
        return (elbow, chosen);
    }

    internal static ClusterCountSelection Choose(Dendrogram tree, ScoreRows rows, ClusterCountOptions options)
    {
        ArgumentNullException.ThrowIfNull(tree);
        int n = tree.Count;
        if (options.MinK < 2 || options.MaxK < options.MinK)
            throw new ArgumentException($"Need 2 ≤ MinK ≤ MaxK (got MinK = {options.MinK}, MaxK = {options.MaxK}).", nameof(options));
        if (options.MinClusterShare is < 0 or > 0.5)
            throw new ArgumentException($"MinClusterShare must be between 0 and 0.5 (got {options.MinClusterShare}).", nameof(options));
        CheckFixedK(options.FixedK, n);
        var schedule = AgglomerationSchedule.Of(tree);
        int maxK = Math.Min(options.MaxK, n - 1);
        var ks = Enumerable.Range(options.MinK, Math.Max(0, maxK - options.MinK + 1)).ToArray();
        var labelings = ks.Select(tree.CutTree).ToArray();
        var silhouettes = ClusterValidity.MeanSilhouettes(rows, labelings);
        var candidates = new List<ClusterCountCandidate>();
        for (int i = 0; i < ks.Length; i++)
        {
            int k = ks[i];
            double at = AgglomerationSchedule.CoefficientAt(schedule, k);
            double next = AgglomerationSchedule.CoefficientAt(schedule, k - 1);
            double jump = at > 0 ? (next - at) / at : double.PositiveInfinity;
            int smallest = labelings[i].GroupBy(l => l).Min(g => g.Count());
            double share = (double)smallest / n;
            candidates.Add(new ClusterCountCandidate(k, at, jump, smallest, share,
                share >= options.MinClusterShare && smallest >= options.MinClusterSize,
                ClusterValidity.CalinskiHarabasz(rows, labelings[i]), silhouettes[i])
            { Increase = next - at });
        }

        string Pct(double v) => (v * 100).ToString("0.#", CultureInfo.InvariantCulture) + " %";
        string Dyads(int count) => count == 1 ? "1 dyad" : $"{count} dyads";
        string MinimumText() => options.MinClusterSize > 1
            ? $"at least {Pct(options.MinClusterShare)} of dyads and at least {Dyads(options.MinClusterSize)}"
            : $"at least {Pct(options.MinClusterShare)} of dyads";
        bool absolute = options.Criterion == ClusterCountCriterion.Absolute;
        string Jump(ClusterCountCandidate c) => absolute
            ? "by " + c.Increase.ToString("0.###", CultureInfo.InvariantCulture)
            : double.IsPositiveInfinity(c.RelativeJump) ? "from 0" : "+" + Pct(c.RelativeJump);
        string most = absolute ? "increases most" : "jumps most";
        string among = absolute ? "the largest absolute increase among" : "among";
        if (options.FixedK is int fixedK)
            return new ClusterCountSelection(fixedK, ClusterCountRule.Fixed, $"k = {fixedK} was fixed by the study.", candidates);
        if (candidates.Count == 0)
            return new ClusterCountSelection(Math.Min(2, n), ClusterCountRule.NoAdmissibleSolution,
                $"Too few dyads ({n}) to compare solutions; k = {Math.Min(2, n)}.", candidates);
        // The elbow: the largest relative jump among merges between two solutions (k ≥ 3; the final merge into one
        // cluster always jumps and ends no solution), then reduction while a cluster is under the minimum share.
        var (elbow, chosen) = Reduce(candidates, options.Criterion);
        if (!chosen.Admissible)
            return new ClusterCountSelection(chosen.K, ClusterCountRule.NoAdmissibleSolution,
                $"k = {chosen.K}: no solution from {chosen.K} to {elbow.K} clusters had every cluster holding {MinimumText()} "
                + $"(the elbow of the agglomeration coefficient was at k = {elbow.K}), so the coarsest was kept.", candidates);
        string reason = chosen.K == elbow.K
            ? $"k = {chosen.K}: the agglomeration coefficient {most} ({Jump(elbow)}) when {elbow.K} clusters are merged into {elbow.K - 1} "
              + $"({among} solutions of {Math.Max(3, options.MinK)} to {maxK} clusters), and every cluster holds {MinimumText()} "
              + $"(smallest {Dyads(chosen.SmallestClusterSize)}, {Pct(chosen.SmallestClusterShare)})"
            : $"k = {chosen.K}: the agglomeration coefficient {most} ({Jump(elbow)}) when {elbow.K} clusters are merged into {elbow.K - 1}, "
              + $"but that solution has a cluster of {Dyads(elbow.SmallestClusterSize)} ({Pct(elbow.SmallestClusterShare)}); reducing k one step at a time, "
              + $"{chosen.K} clusters is the first solution in which every cluster holds {MinimumText()} "
              + $"(smallest {Dyads(chosen.SmallestClusterSize)}, {Pct(chosen.SmallestClusterShare)})";
        return new ClusterCountSelection(chosen.K, absolute ? ClusterCountRule.CoefficientIncrease : ClusterCountRule.CoefficientJump, reason + ".", candidates);
    }
}
