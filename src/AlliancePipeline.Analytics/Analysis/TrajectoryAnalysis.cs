using AlliancePipeline.Analytics.Clustering;
using AlliancePipeline.Analytics.Patterns;
using AlliancePipeline.Analytics.Statistics;

namespace AlliancePipeline.Analytics.Analysis;

/// <summary>Options of a trajectory analysis.</summary>
public sealed record TrajectoryAnalysisOptions
{
    /// <summary>Cluster deviation (shape-only) scores instead of raw scores.</summary>
    public bool Deviation { get; init; }

    /// <summary>A k fixed by the study (null: chosen by the coefficient rule).</summary>
    public int? FixedK { get; init; }

    /// <summary>How the rule reads the agglomeration coefficient: largest relative jump (default) or largest absolute increase.</summary>
    public ClusterCountCriterion Rule { get; init; } = ClusterCountCriterion.Relative;

    /// <summary>Smallest k considered (default 2).</summary>
    public int MinK { get; init; } = 2;

    /// <summary>Minimum share of dyads per cluster for the rule (default 0.10).</summary>
    public double MinClusterShare { get; init; } = 0.10;

    /// <summary>Minimum number of dyads per cluster for the rule (default 2: one dyad is an outlier, not a pattern).</summary>
    public int MinClusterSize { get; init; } = 2;

    /// <summary>
    /// Fewer complete dyads than this many per cluster and the result carries a warning that the sample is too small for
    /// the clusters (and their names) to be more than a description of these dyads (default 10).
    /// </summary>
    public int WarnBelowDyadsPerCluster { get; init; } = 10;

    /// <summary>Largest k considered (default 8).</summary>
    public int MaxK { get; init; } = 8;

    /// <summary>Pattern-naming thresholds.</summary>
    public PatternThresholds Thresholds { get; init; } = new();

    /// <summary>Ward algorithm settings (its <see cref="WardOptions.Deviation"/> is set from <see cref="Deviation"/>).</summary>
    public WardOptions Ward { get; init; } = WardOptions.Default;
}

/// <summary>One cluster of the chosen solution with its pattern name.</summary>
/// <param name="Cluster">Cluster number (R's cutree label).</param>
/// <param name="Centroid">Mean raw score at each meeting.</param>
/// <param name="Shape">Level, slope, curvature, change, bend and name (from raw-score means, also when clustering deviations).</param>
/// <param name="Descriptive">Size, share, mean (SD) per meeting and overall.</param>
/// <param name="Label">The pattern's name for this solution, never the same for two clusters: the code (SHA, LDA, …)
/// where it is unique, else the code with what tells the clusters apart (<see cref="PatternNamer.Labels"/>).</param>
public sealed record NamedCluster(int Cluster, IReadOnlyList<double> Centroid, TrajectoryShape Shape, ClusterDescriptive Descriptive, string Label);

/// <summary>Everything a study report needs from the clustering of alliance trajectories.</summary>
/// <param name="Dendrogram">R's tree of the clustered dyads.</param>
/// <param name="Schedule">Agglomeration schedule with SPSS's coefficient.</param>
/// <param name="Selection">The chosen k, the rule and its sentence, and the candidates with CH and silhouette.</param>
/// <param name="ClusteredDyadIds">Ids of the clustered (complete) dyads, in the tree's observation order.</param>
/// <param name="Assignments">Cluster of each clustered dyad at the chosen k.</param>
/// <param name="Clusters">The clusters with names and descriptives.</param>
/// <param name="IncompleteDyadIds">Dyads left out because a meeting is missing.</param>
/// <param name="Warnings">Plain sentences a report must show beside the result: dyads left out for a missing meeting, a
/// sample too small for the chosen k, a cluster of one dyad, a tree not certified equal to R's. Empty when there is
/// nothing to say.</param>
public sealed record TrajectoryAnalysisResult(
    Dendrogram Dendrogram,
    IReadOnlyList<AgglomerationStep> Schedule,
    ClusterCountSelection Selection,
    IReadOnlyList<string> ClusteredDyadIds,
    IReadOnlyDictionary<string, int> Assignments,
    IReadOnlyList<NamedCluster> Clusters,
    IReadOnlyList<string> IncompleteDyadIds,
    IReadOnlyList<string> Warnings)
{
    /// <summary>The naming thresholds as applied: <see cref="PatternThresholds.HighLevel"/> filled in (the mean of all scores by default).</summary>
    public PatternThresholds Naming { get; init; } = new();
}

/// <summary>The single entry point of the analysis: trajectories in, the whole clustering analysis out. No I/O.</summary>
public static class TrajectoryAnalysis
{
    /// <summary>Clusters complete trajectories by Ward (R's ward.D2), chooses k, names the patterns, describes the clusters.</summary>
    /// <exception cref="ArgumentException">Fewer than 3 complete dyads, a fixed k outside 2..dyads, or invalid options; the
    /// message is a sentence for the user.</exception>
    public static TrajectoryAnalysisResult Run(TrajectoryMatrix trajectories, TrajectoryAnalysisOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(trajectories);
        var o = options ?? new TrajectoryAnalysisOptions();
        var complete = Enumerable.Range(0, trajectories.Count).Where(i => !trajectories.Scores[i].Any(double.IsNaN)).ToArray();
        var incomplete = Enumerable.Range(0, trajectories.Count).Except(complete).Select(i => trajectories.DyadIds[i]).ToArray();
        if (complete.Length < 3)
            throw new ArgumentException($"Clustering needs at least 3 dyads with every meeting scored; {complete.Length} of {trajectories.Count} are complete.");
        ClusterCountSelection.CheckFixedK(o.FixedK, complete.Length);
        var ids = complete.Select(i => trajectories.DyadIds[i]).ToArray();
        var raw = complete.Select(i => trajectories.Scores[i]).ToArray();
        var wardOptions = o.Ward with { Deviation = o.Deviation };
        var tree = WardClustering.Cluster(raw, wardOptions);
        var clustered = o.Deviation ? DeviationScores.Of(ScoreRows.From(raw)) : ScoreRows.From(raw);
        var selection = ClusterCountSelection.Choose(tree, clustered, new ClusterCountOptions
        {
            Criterion = o.Rule,
            MinK = o.MinK,
            MaxK = o.MaxK,
            MinClusterShare = o.MinClusterShare,
            MinClusterSize = o.MinClusterSize,
            FixedK = o.FixedK,
        });
        var labels = tree.CutTree(selection.K);
        var descriptives = ClusterDescriptive.Of(raw, labels);
        double grandMean = raw.SelectMany(r => r).Average();
        var centroids = descriptives.Select(d => d.PerMeeting.Select(m => m.Mean).ToArray()).ToArray();
        var shapes = centroids.Select(c => PatternNamer.Name(c, grandMean, o.Thresholds)).ToArray();
        var names = PatternNamer.Labels(shapes, descriptives.Select(d => d.Cluster).ToArray());
        var clusters = descriptives.Select((d, i) => new NamedCluster(d.Cluster, centroids[i], shapes[i], d, names[i])).ToArray();
        var assignments = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < ids.Length; i++) assignments[ids[i]] = labels[i];
        return new TrajectoryAnalysisResult(tree, AgglomerationSchedule.Of(tree), selection, ids, assignments, clusters, incomplete,
            Warnings(tree, selection, clusters, ids.Length, incomplete, o))
        {
            Naming = o.Thresholds with { HighLevel = o.Thresholds.HighLevel ?? grandMean },
        };
    }

    /// <summary>
    /// The sensitivity analysis of <c>missingMeetings: assign</c>: each dyad left out for a missing meeting goes to the
    /// cluster whose centroid is nearest (Euclidean) over the meetings it has; with deviation scores both the dyad's
    /// scores and the centroid's are taken as deviations from their own mean over those meetings. A dyad needs two rated
    /// meetings to be assigned; ties go to the lower cluster number (R's <c>which.min</c>).
    /// </summary>
    /// <returns>The cluster of each assigned dyad, by id, in the matrix's order.</returns>
    public static IReadOnlyDictionary<string, int> AssignPartial(TrajectoryMatrix trajectories, TrajectoryAnalysisResult result, bool deviation)
    {
        ArgumentNullException.ThrowIfNull(trajectories);
        ArgumentNullException.ThrowIfNull(result);
        var left = result.IncompleteDyadIds.ToHashSet(StringComparer.Ordinal);
        var assigned = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < trajectories.Count; i++)
        {
            if (!left.Contains(trajectories.DyadIds[i])) continue;
            var row = trajectories.Scores[i];
            var present = Enumerable.Range(0, row.Count).Where(m => !double.IsNaN(row[m])).ToArray();
            if (present.Length < 2) continue;
            double[] On(IReadOnlyList<double> v)
            {
                var x = present.Select(m => v[m]).ToArray();
                if (!deviation) return x;
                double mean = x.Average();
                return x.Select(e => e - mean).ToArray();
            }
            var own = On(row);
            var best = (Cluster: 0, Distance: double.PositiveInfinity);
            foreach (var c in result.Clusters)
            {
                var centroid = On(c.Centroid);
                double d = Math.Sqrt(own.Select((v, j) => (v - centroid[j]) * (v - centroid[j])).Sum());
                if (d < best.Distance) best = (c.Cluster, d);
            }
            assigned[trajectories.DyadIds[i]] = best.Cluster;
        }
        return assigned;
    }

    private static string[] Warnings(Dendrogram tree, ClusterCountSelection selection, IReadOnlyList<NamedCluster> clusters, int n,
        IReadOnlyList<string> incomplete, TrajectoryAnalysisOptions o)
    {
        var warnings = new List<string>();
        int k = selection.K;
        if (incomplete.Count > 0)
            warnings.Add($"{incomplete.Count} dyad{(incomplete.Count == 1 ? " has" : "s have")} a meeting missing and {(incomplete.Count == 1 ? "is" : "are")} not clustered: "
                         + string.Join(", ", incomplete.Take(10)) + (incomplete.Count > 10 ? $" and {incomplete.Count - 10} more" : "") + ".");
        if (n < o.WarnBelowDyadsPerCluster * k)
            warnings.Add($"Only {n} dyads for {k} clusters (fewer than {o.WarnBelowDyadsPerCluster} per cluster): with so few dyads the "
                         + "clusters and their names can change when a few dyads are added or removed; read them as a description of "
                         + "these dyads, not as patterns of the population.");
        var singles = clusters.Where(c => c.Descriptive.N == 1).Select(c => c.Cluster).ToArray();
        if (singles.Length > 0)
            warnings.Add($"Cluster{(singles.Length > 1 ? "s" : "")} {string.Join(", ", singles)} hold{(singles.Length > 1 ? "" : "s")} a single dyad: "
                         + "an outlier rather than a pattern.");
        if (selection.Rule == ClusterCountRule.NoAdmissibleSolution)
            warnings.Add("No solution had every cluster at the minimum size; the coarsest was kept (see the reason for k).");
        if (!tree.CertifiedEqualToR)
            warnings.Add($"The tree is a correct Ward tree but not certified equal to R's: {tree.UndecidedComparisons} comparison"
                         + $"{(tree.UndecidedComparisons == 1 ? "" : "s")} between Ward costs equal to within rounding could not be replayed with R's own "
                         + "values and were decided on cluster centroids, so merges at those heights may come in a different order than in R's hclust.");
        return warnings.ToArray();
    }
}
