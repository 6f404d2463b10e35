namespace AlliancePipeline.Analytics.Clustering;

/// <summary>
/// Ward's minimum-variance hierarchical clustering (Ward 1963) returning exactly what R returns for
/// <c>hclust(dist(X), method = "ward.D2")</c> (Murtagh &amp; Legendre 2014): the same merge matrix, order and
/// <c>cutree</c> labels, and heights equal to R's within rounding (1e-12 relative).
/// </summary>
/// <remarks>
/// <para>R's result is defined by the floating-point operations of <c>stats/src/hclust.f</c> (Murtagh's
/// nearest-neighbour-list algorithm): with Likert data many Ward costs are equal and R's own doubles decide among them.
/// Two ways to R's tree (see <c>docs/analytics.md</c>):</para>
/// <list type="number">
/// <item><b>R's algorithm on distinct rows</b> (<see cref="WardAlgorithm.RNearestNeighborList"/>): identical rows are
/// merged first as R merges them, then R's loop runs on the distinct rows with the same floating-point operations.
/// Bit-for-bit R; memory quadratic in the distinct rows. Auto uses it up to
/// <see cref="WardOptions.ExactMaxDistinctRows"/> distinct rows.</item>
/// <item><b>R's algorithm on centroids</b> (<see cref="WardAlgorithm.RNearestNeighborListOnCentroids"/>): the same
/// decisions in the same order without the matrix (memory linear in n). Costs come from cluster centroids with a
/// rigorous bound on their distance from R's doubles; where two candidates fall within it, R's doubles are replayed bit
/// for bit from the two clusters' merge histories. If a replay would exceed its budget the comparison is decided on the
/// centroids and the result says so (<see cref="WardPath.RNearestNeighborListOnCentroidsUncertified"/>,
/// <see cref="Dendrogram.CertifiedEqualToR"/> false). Auto uses it above <see cref="WardOptions.ExactMaxDistinctRows"/>.</item>
/// </list>
/// </remarks>
public static class WardClustering
{
    /// <summary>Clusters rows of scores (one row per dyad, one column per meeting).</summary>
    /// <exception cref="ArgumentException">Rows are empty, ragged or hold a non-finite value.</exception>
    public static Dendrogram Cluster(IReadOnlyList<IReadOnlyList<double>> rows, WardOptions? options = null) =>
        Cluster(ScoreRows.From(rows), options ?? WardOptions.Default);

    /// <summary>Clusters the rows of a score matrix (rows = dyads, columns = meetings).</summary>
    /// <exception cref="ArgumentException">The matrix is empty or holds a non-finite value.</exception>
    public static Dendrogram Cluster(double[,] scores, WardOptions? options = null) =>
        Cluster(ScoreRows.From(scores), options ?? WardOptions.Default);

    private static Dendrogram Cluster(ScoreRows rows, WardOptions options)
    {
        if (options.Deviation) rows = DeviationScores.Of(rows);
        int n = rows.Rows;
        if (n < 2) throw new ArgumentException("Clustering needs at least two rows.", nameof(rows));
        var groups = DuplicateGroups.Find(rows);
        var algorithm = options.Algorithm;
        if (algorithm == WardAlgorithm.Auto)
            algorithm = groups.Count <= options.ExactMaxDistinctRows ? WardAlgorithm.RNearestNeighborList : WardAlgorithm.RNearestNeighborListOnCentroids;
        switch (algorithm)
        {
            case WardAlgorithm.RLiteral:
            {
                var lit = RNearestNeighborListWard.Literal(rows);
                return Dendrogram.FromRepresentativePairs(n, lit.IA, lit.IB, lit.Heights, WardPath.RNearestNeighborList, groups.Count, 0);
            }
            case WardAlgorithm.NearestNeighborChain:
            {
                var chain = NearestNeighborChainWard.Run(rows, groups);
                var (ordered, certified) = NearestNeighborChainWard.Certify(rows, groups, chain, options.CertificateMargin);
                return FromChain(n, groups, chain, ordered, certified ? WardPath.NearestNeighborChain : WardPath.NearestNeighborChainUncertified);
            }
            case WardAlgorithm.RNearestNeighborListOnCentroids:
            {
                var r = RNearestNeighborListOnCentroids.Run(rows, options.ReplayBudget);
                var path = r.UndecidedComparisons == 0 ? WardPath.RNearestNeighborListOnCentroids : WardPath.RNearestNeighborListOnCentroidsUncertified;
                return Dendrogram.FromRepresentativePairs(n, r.IA, r.IB, r.Heights, path, groups.Count, r.UndecidedComparisons);
            }
            default:
            {
                var r = RNearestNeighborListWard.Grouped(rows, groups);
                return Dendrogram.FromRepresentativePairs(n, r.IA, r.IB, r.Heights, WardPath.RNearestNeighborList, groups.Count, 0);
            }
        }
    }

    private static Dendrogram FromChain(int n, DuplicateGroups groups, NearestNeighborChainWard.ChainMerge[] chain,
        NearestNeighborChainWard.ChainMerge[] ordered, WardPath path)
    {
        int g = groups.Count;
        var ia = new int[n - 1];
        var ib = new int[n - 1];
        var heights = new double[n - 1];
        int step = 0;
        // R's zero-height phase: groups in order of first row, the first row absorbing the others in index order.
        foreach (var members in groups.Members)
            for (int j = 1; j < members.Length; j++)
            {
                ia[step] = members[0];
                ib[step] = members[j];
                step++;
            }
        var rep = new int[2 * g - 1];
        for (int q = 0; q < g; q++) rep[q] = groups.Representative(q);
        foreach (var mg in chain) rep[mg.Created] = Math.Min(rep[mg.ClusterA], rep[mg.ClusterB]);
        foreach (var mg in ordered)
        {
            int a = rep[mg.ClusterA], b = rep[mg.ClusterB];
            ia[step] = Math.Min(a, b);
            ib[step] = Math.Max(a, b);
            heights[step] = Math.Sqrt(mg.Cost);
            step++;
        }
        return Dendrogram.FromRepresentativePairs(n, ia, ib, heights, path, g, path == WardPath.NearestNeighborChain ? 0 : -1);
    }
}
