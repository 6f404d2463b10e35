namespace AlliancePipeline.Analytics.Clustering;

/// <summary>
/// Ward's minimum-variance hierarchical clustering (Ward 1963) returning exactly what R returns for
/// <c>hclust(dist(X), method = "ward.D2")</c> (Murtagh &amp; Legendre 2014): the same merge matrix, order and
/// <c>cutree</c> labels, and heights equal to R's within rounding (1e-12 relative).
/// </summary>
/// <remarks>
/// <para>Two exact ways to R's tree (see <c>docs/analytics.md</c>):</para>
/// <list type="number">
/// <item><b>R's algorithm on distinct rows.</b> Identical rows are at Ward cost 0, so R merges them first, group by
/// group in order of each group's first row; those merges, the values R's recurrence carries out of them and R's
/// neighbour lists are reproduced on one value per pair of distinct rows, then R's loop continues on the distinct rows
/// with the same floating-point operations. Bit-for-bit R, ties included; memory quadratic in the distinct rows.</item>
/// <item><b>Nearest-neighbour chain</b> on weighted centroids of the distinct rows: linear memory. Its result is
/// certified equal to R's when every merge beats its competitors for either cluster by
/// <see cref="WardOptions.CertificateMargin"/>, and merges whose costs come within that margin of each other are put in
/// R's order by R's own costs, recomputed bit for bit; otherwise <see cref="WardAlgorithm.Auto"/> falls back to the first
/// way when memory allows, or marks the result <see cref="WardPath.NearestNeighborChainUncertified"/>.</item>
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
        if (options.Algorithm == WardAlgorithm.RLiteral)
        {
            var lit = RNearestNeighborListWard.Literal(rows);
            return Dendrogram.FromRepresentativePairs(n, lit.IA, lit.IB, lit.Heights, WardPath.RNearestNeighborList,
                DuplicateGroups.Find(rows).Count);
        }
        var groups = DuplicateGroups.Find(rows);
        bool exact = options.Algorithm == WardAlgorithm.RNearestNeighborList
                     || (options.Algorithm == WardAlgorithm.Auto
                         && (groups.Count <= options.ExactMaxDistinctRows
                             || (groups.Count <= options.FallbackMaxDistinctRows && IsDiscrete(rows, options.DiscreteMaxLevels))));
        if (!exact)
        {
            var chain = NearestNeighborChainWard.Run(rows, groups);
            var (ordered, certified) = NearestNeighborChainWard.Certify(rows, groups, chain, options.CertificateMargin);
            if (certified || options.Algorithm == WardAlgorithm.NearestNeighborChain
                          || groups.Count > options.FallbackMaxDistinctRows)
                return FromChain(n, groups, chain, ordered, certified ? WardPath.NearestNeighborChain : WardPath.NearestNeighborChainUncertified);
        }
        var r = RNearestNeighborListWard.Grouped(rows, groups);
        return Dendrogram.FromRepresentativePairs(n, r.IA, r.IB, r.Heights, WardPath.RNearestNeighborList, groups.Count);
    }

    /// <summary>
    /// True when every column takes at most <paramref name="maxLevels"/> distinct values (Likert items, means of a fixed
    /// number of items): equal distances between distinct rows are then all but certain, the chain's certificate would
    /// fail, and R's algorithm is run directly.
    /// </summary>
    private static bool IsDiscrete(ScoreRows rows, int maxLevels)
    {
        for (int j = 0; j < rows.Columns; j++)
        {
            var levels = new HashSet<double>();
            for (int i = 0; i < rows.Rows; i++)
                if (levels.Add(rows.Values[i * rows.Columns + j]) && levels.Count > maxLevels) return false;
        }
        return true;
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
        return Dendrogram.FromRepresentativePairs(n, ia, ib, heights, path, g);
    }
}
