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

    /// <summary>Minimum share of dyads per cluster for the rule (default 0.10).</summary>
    public double MinClusterShare { get; init; } = 0.10;

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
/// <param name="Shape">Level, slope, curvature and name (from raw-score means, also when clustering deviations).</param>
/// <param name="Descriptive">Size, share, mean (SD) per meeting and overall.</param>
public sealed record NamedCluster(int Cluster, IReadOnlyList<double> Centroid, TrajectoryShape Shape, ClusterDescriptive Descriptive);

/// <summary>Everything a study report needs from the clustering of alliance trajectories.</summary>
/// <param name="Dendrogram">R's tree of the clustered dyads.</param>
/// <param name="Schedule">Agglomeration schedule with SPSS's coefficient.</param>
/// <param name="Selection">The chosen k, the rule and its sentence, and the candidates with CH and silhouette.</param>
/// <param name="ClusteredDyadIds">Ids of the clustered (complete) dyads, in the tree's observation order.</param>
/// <param name="Assignments">Cluster of each clustered dyad at the chosen k.</param>
/// <param name="Clusters">The clusters with names and descriptives.</param>
/// <param name="IncompleteDyadIds">Dyads left out because a meeting is missing.</param>
public sealed record TrajectoryAnalysisResult(
    Dendrogram Dendrogram,
    IReadOnlyList<AgglomerationStep> Schedule,
    ClusterCountSelection Selection,
    IReadOnlyList<string> ClusteredDyadIds,
    IReadOnlyDictionary<string, int> Assignments,
    IReadOnlyList<NamedCluster> Clusters,
    IReadOnlyList<string> IncompleteDyadIds);

/// <summary>The single entry point of the analysis: trajectories in, the whole clustering analysis out. No I/O.</summary>
public static class TrajectoryAnalysis
{
    /// <summary>Clusters complete trajectories by Ward (R's ward.D2), chooses k, names the patterns, describes the clusters.</summary>
    /// <exception cref="ArgumentException">Fewer than 3 complete dyads, or invalid options.</exception>
    public static TrajectoryAnalysisResult Run(TrajectoryMatrix trajectories, TrajectoryAnalysisOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(trajectories);
        var o = options ?? new TrajectoryAnalysisOptions();
        var complete = Enumerable.Range(0, trajectories.Count).Where(i => !trajectories.Scores[i].Any(double.IsNaN)).ToArray();
        var incomplete = Enumerable.Range(0, trajectories.Count).Except(complete).Select(i => trajectories.DyadIds[i]).ToArray();
        if (complete.Length < 3)
            throw new ArgumentException($"Clustering needs at least 3 dyads with every meeting scored; {complete.Length} of {trajectories.Count} are complete.");
        var ids = complete.Select(i => trajectories.DyadIds[i]).ToArray();
        var raw = complete.Select(i => trajectories.Scores[i]).ToArray();
        var wardOptions = o.Ward with { Deviation = o.Deviation };
        var tree = WardClustering.Cluster(raw, wardOptions);
        var clustered = o.Deviation ? DeviationScores.Of(ScoreRows.From(raw)) : ScoreRows.From(raw);
        var selection = ClusterCountSelection.Choose(tree, clustered,
            new ClusterCountOptions { MaxK = o.MaxK, MinClusterShare = o.MinClusterShare, FixedK = o.FixedK });
        var labels = tree.CutTree(selection.K);
        var descriptives = ClusterDescriptive.Of(raw, labels);
        double grandMean = raw.SelectMany(r => r).Average();
        var clusters = descriptives.Select(d =>
        {
            var centroid = d.PerMeeting.Select(m => m.Mean).ToArray();
            return new NamedCluster(d.Cluster, centroid, PatternNamer.Name(centroid, grandMean, o.Thresholds), d);
        }).ToArray();
        var assignments = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < ids.Length; i++) assignments[ids[i]] = labels[i];
        return new TrajectoryAnalysisResult(tree, AgglomerationSchedule.Of(tree), selection, ids, assignments, clusters, incomplete);
    }
}
