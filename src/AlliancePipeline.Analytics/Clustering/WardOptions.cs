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

    /// <summary>Which algorithm to use; <see cref="WardAlgorithm.Auto"/> picks by the number of distinct rows.</summary>
    public WardAlgorithm Algorithm { get; init; } = WardAlgorithm.Auto;

    /// <summary>
    /// Auto runs R's algorithm with its dissimilarity matrix on the distinct rows when there are at most this many
    /// (memory g(g−1)/2 doubles: 2,000 rows ≈ 16 MB), and R's algorithm on centroids (linear memory) above. Default 2,000.
    /// </summary>
    public int ExactMaxDistinctRows { get; init; } = 2_000;

    /// <summary>
    /// For <see cref="WardAlgorithm.RNearestNeighborListOnCentroids"/>: the most Lance–Williams steps one replay of R's
    /// values may take (each step one cost of R's recurrence, memoized). A comparison whose replay would need more is
    /// decided on centroid costs and the result is marked not certified. Default 4,000,000 (tens of milliseconds).
    /// </summary>
    public long ReplayBudget { get; init; } = 4_000_000;

    /// <summary>
    /// For <see cref="WardAlgorithm.NearestNeighborChain"/> only: relative margin of the chain's tie certificate; a merge
    /// is certified when every competing Ward cost exceeds it by more than this fraction. It must exceed the relative
    /// rounding of R's Lance–Williams recurrence and of the centroid costs (both near 1e-13 for 10^5 rows). Default 1e-9.
    /// </summary>
    public double CertificateMargin { get; init; } = 1e-9;
}

/// <summary>Algorithm for Ward clustering. Every choice returns R's tree when it returns a certified one.</summary>
public enum WardAlgorithm
{
    /// <summary>
    /// <see cref="RNearestNeighborList"/> for up to <see cref="WardOptions.ExactMaxDistinctRows"/> distinct rows,
    /// <see cref="RNearestNeighborListOnCentroids"/> above.
    /// </summary>
    Auto,

    /// <summary>R's nearest-neighbour-list algorithm on the distinct rows (quadratic memory in distinct rows).</summary>
    RNearestNeighborList,

    /// <summary>
    /// Nearest-neighbour chain (Benzécri 1982; Murtagh 1983) with a tie certificate (linear memory), no fallback: on data
    /// with ties it is usually not certified. Kept for comparison; Auto does not use it.
    /// </summary>
    NearestNeighborChain,

    /// <summary>R's algorithm on every row, duplicates included: a literal replica of hclust.f, for verification.</summary>
    RLiteral,

    /// <summary>
    /// R's nearest-neighbour-list algorithm without its matrix (linear memory): costs from centroids with a rounding
    /// bound, R's own values replayed bit for bit where two candidates fall within it.
    /// </summary>
    RNearestNeighborListOnCentroids,
}
