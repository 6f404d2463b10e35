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
    /// Auto uses R's nearest-neighbour-list algorithm when the distinct rows are at most this many
    /// (memory g(g−1)/2 doubles: 10,000 rows ≈ 400 MB). Default 10,000.
    /// </summary>
    public int ExactMaxDistinctRows { get; init; } = 10_000;

    /// <summary>
    /// When the chain's tie certificate fails, Auto falls back to R's algorithm if the distinct rows are at most this many
    /// (20,000 rows ≈ 1.6 GB); above it the result is marked <see cref="WardPath.NearestNeighborChainUncertified"/>. Default 20,000.
    /// </summary>
    public int FallbackMaxDistinctRows { get; init; } = 20_000;

    /// <summary>
    /// Auto treats scores as discrete when every column has at most this many distinct values (default 1,000): ties are
    /// then expected, so up to <see cref="FallbackMaxDistinctRows"/> distinct rows it runs R's algorithm without trying
    /// the chain first.
    /// </summary>
    public int DiscreteMaxLevels { get; init; } = 1_000;

    /// <summary>
    /// Relative margin of the tie certificate: a merge is certified when every competing Ward cost exceeds it by more
    /// than this fraction. It must exceed the relative rounding of R's Lance–Williams recurrence and of the centroid
    /// costs (both near 1e-13 for 10^5 rows). Default 1e-9.
    /// </summary>
    public double CertificateMargin { get; init; } = 1e-9;
}

/// <summary>Algorithm for Ward clustering. Every choice returns R's tree when it returns a certified one.</summary>
public enum WardAlgorithm
{
    /// <summary>R's algorithm for up to <see cref="WardOptions.ExactMaxDistinctRows"/> distinct rows, else the certified chain.</summary>
    Auto,

    /// <summary>R's nearest-neighbour-list algorithm on the distinct rows (quadratic memory in distinct rows).</summary>
    RNearestNeighborList,

    /// <summary>Nearest-neighbour chain with the tie certificate (linear memory); no fallback.</summary>
    NearestNeighborChain,

    /// <summary>R's algorithm on every row, duplicates included: a literal replica of hclust.f, for verification.</summary>
    RLiteral,
}
