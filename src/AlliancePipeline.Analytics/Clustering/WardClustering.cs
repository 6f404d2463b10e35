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
/// <item><b>R's algorithm on distinct rows</b> (<see cref="WardPath.RNearestNeighborList"/>): identical rows are
/// merged first as R merges them, then R's loop runs on the distinct rows with the same floating-point operations.
/// Bit-for-bit R; memory quadratic in the distinct rows. Used up to <see cref="WardOptions.ExactMaxDistinctRows"/>
/// distinct rows.</item>
/// <item><b>R's algorithm on centroids</b> (<see cref="WardPath.RNearestNeighborListOnCentroids"/>): the same
/// decisions in the same order without the matrix (memory linear in n). Costs come from cluster centroids with a
/// rigorous bound on their distance from R's doubles; where two candidates fall within it, R's doubles are replayed bit
/// for bit from the two clusters' merge histories. If a replay would exceed its budget the comparison is decided on the
/// centroids and the result says so (<see cref="WardPath.RNearestNeighborListOnCentroidsUncertified"/>,
/// <see cref="Dendrogram.CertifiedEqualToR"/> false). Used above <see cref="WardOptions.ExactMaxDistinctRows"/>.</item>
/// </list>
/// </remarks>
public static class WardClustering
{
    /// <summary>Clusters rows of scores (one row per dyad, one column per meeting).</summary>
    /// <exception cref="ArgumentException">Rows are empty, ragged or hold a non-finite value.</exception>
    public static Dendrogram Cluster(IReadOnlyList<IReadOnlyList<double>> rows, WardOptions? options = null) =>
        Cluster(ScoreRows.From(rows), options ?? WardOptions.Default);

    private static Dendrogram Cluster(ScoreRows rows, WardOptions options)
    {
        if (options.Deviation) rows = DeviationScores.Of(rows);
        int n = rows.Rows;
        if (n < 2) throw new ArgumentException("Clustering needs at least two rows.", nameof(rows));
        var groups = DuplicateGroups.Find(rows);
        if (groups.Count <= options.ExactMaxDistinctRows)
        {
            var r = RNearestNeighborListWard.Grouped(rows, groups);
            return Dendrogram.FromRepresentativePairs(n, r.IA, r.IB, r.Heights, WardPath.RNearestNeighborList, groups.Count, 0);
        }
        var c = RNearestNeighborListOnCentroids.Run(rows, options.ReplayBudget);
        var path = c.UndecidedComparisons == 0 ? WardPath.RNearestNeighborListOnCentroids : WardPath.RNearestNeighborListOnCentroidsUncertified;
        return Dendrogram.FromRepresentativePairs(n, c.IA, c.IB, c.Heights, path, groups.Count, c.UndecidedComparisons);
    }
}
