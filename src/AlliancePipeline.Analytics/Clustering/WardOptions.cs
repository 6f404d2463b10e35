namespace AlliancePipeline.Analytics.Clustering;

/// <summary>Options for <see cref="WardClustering.Cluster(IReadOnlyList{IReadOnlyList{double}}, WardOptions?)"/>.</summary>
public sealed record WardOptions
{
    /// <summary>Default options: raw scores, automatic algorithm choice.</summary>
    public static WardOptions Default { get; } = new();

    /// <summary>
    /// Cluster deviation (shape-only) scores: each score minus its row's mean, the mean formed as R's <c>rowMeans</c>
    /// forms it (Kivlighan &amp; Shaughnessy 2000). False clusters the raw scores (level and shape; de Roten et al. 2004).
    /// </summary>
    public bool Deviation { get; init; }

    /// <summary>
    /// R's algorithm runs with its dissimilarity matrix on the distinct rows when there are at most this many (memory
    /// g(g−1)/2 doubles: 2,000 rows ≈ 16 MB), and on centroids (linear memory) above (<see cref="WardPath"/>). Default 2,000.
    /// </summary>
    public int ExactMaxDistinctRows { get; init; } = 2_000;

    /// <summary>
    /// For <see cref="WardPath.RNearestNeighborListOnCentroids"/>: the most Lance–Williams steps one replay of R's
    /// values may take (each step one cost of R's recurrence, memoized). A comparison whose replay would need more is
    /// decided on centroid costs and the result is marked not certified. Default 4,000,000 (tens of milliseconds).
    /// </summary>
    public long ReplayBudget { get; init; } = 4_000_000;
}
