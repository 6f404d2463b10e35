using AlliancePipeline.Analytics.Statistics;

namespace AlliancePipeline.Analytics.Clustering;

/// <summary>How stable one cluster of the chosen solution is under resampling of the dyads (Hennig 2007).</summary>
/// <param name="Cluster">Cluster number (R's cutree label).</param>
/// <param name="MeanJaccard">Mean over the resamples of the cluster's Jaccard similarity with the most similar cluster
/// of the resample's own clustering (clusterboot's <c>bootmean</c>).</param>
/// <param name="Dissolved">Resamples in which that similarity was at most 0.5 (<c>bootbrd</c>).</param>
/// <param name="Recovered">Resamples in which it was above 0.75 (<c>bootrecover</c>).</param>
public sealed record ClusterStabilityRow(int Cluster, double MeanJaccard, int Dissolved, int Recovered)
{
    /// <summary>Hennig's reading of a mean Jaccard (fpc's <c>clusterboot</c> help): below 0.6 not to be trusted,
    /// 0.6 to 0.75 a pattern whose membership is highly doubtful, 0.75 to 0.85 stable, 0.85 and above highly stable.</summary>
    public string Reading => MeanJaccard switch
    {
        < 0.6 => "not to be trusted",
        < 0.75 => "a pattern, membership doubtful",
        < 0.85 => "stable",
        _ => "highly stable",
    };
}

/// <summary>The bootstrap stability of each cluster of a Ward solution.</summary>
/// <param name="K">Number of clusters.</param>
/// <param name="Resamples">Number of bootstrap resamples (clusterboot's <c>B</c>).</param>
/// <param name="Seed">The seed of R's generator the resamples were drawn with; null when they were given.</param>
/// <param name="Clusters">One row per cluster, in cluster order.</param>
/// <param name="Jaccard">Jaccard per cluster (rows) and resample (columns), clusterboot's <c>bootresult</c>.</param>
/// <param name="TooSmall">Resamples with fewer distinct dyads than clusters (R's <c>cutree</c> would stop there): every
/// cluster counts as dissolved (Jaccard 0) in them.</param>
public sealed record ClusterStabilityResult(int K, int Resamples, int? Seed, IReadOnlyList<ClusterStabilityRow> Clusters, double[,] Jaccard, int TooSmall);

/// <summary>
/// Cluster-wise stability by the bootstrap (Hennig 2007), as R's
/// <c>fpc::clusterboot(Y, B, bootmethod = "boot", clustermethod = hclustCBI, method = "ward.D2", k = k, scaling = FALSE, seed = seed)</c>:
/// each resample draws n dyads with replacement (R's <c>sample(n, n, replace = TRUE)</c> from R's generator after
/// <c>set.seed(seed)</c>), keeps each dyad once in order of its first draw, clusters those rows by Ward (R's tree, whose
/// ties depend on row order) and cuts it at k; each original cluster, restricted to the dyads drawn, is compared with every
/// cluster of the resample by the Jaccard coefficient |A ∩ B| / |A ∪ B| (0 when both are empty) and keeps the largest.
/// The mean over resamples is the cluster's stability. No I/O.
/// </summary>
public static class ClusterStability
{
    /// <summary>Resamples when none is given (clusterboot's default B).</summary>
    public const int DefaultResamples = 100;

    /// <summary>Draws R's <c>sample(n, n, replace = TRUE)</c>, 1-based, from <paramref name="uniform"/>.</summary>
    public static int[] Resample(RUniform uniform, int n)
    {
        ArgumentNullException.ThrowIfNull(uniform);
        var draw = new int[n];
        for (int i = 0; i < n; i++) draw[i] = uniform.Index(n) + 1;
        return draw;
    }

    /// <summary>Stability with the resamples drawn from R's generator after <c>set.seed(<paramref name="seed"/>)</c>.</summary>
    /// <param name="rows">The clustered rows (raw scores; <paramref name="ward"/> says whether Ward takes deviations).</param>
    /// <param name="partition">The solution whose clusters are assessed: cutree's labels 1..k of the rows.</param>
    /// <param name="ward">Ward's settings, as for the solution.</param>
    /// <param name="resamples">B.</param>
    /// <param name="seed">R's seed.</param>
    public static ClusterStabilityResult Bootstrap(IReadOnlyList<IReadOnlyList<double>> rows, IReadOnlyList<int> partition, WardOptions ward,
        int resamples, int seed)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentOutOfRangeException.ThrowIfLessThan(resamples, 1);
        var uniform = new RUniform(seed);
        var draws = new int[resamples][];
        for (int b = 0; b < resamples; b++) draws[b] = Resample(uniform, rows.Count);
        return Bootstrap(rows, partition, ward, draws) with { Seed = seed };
    }

    /// <summary>Stability over given resamples: each the n draws of <c>sample(n, n, replace = TRUE)</c>, 1-based.</summary>
    public static ClusterStabilityResult Bootstrap(IReadOnlyList<IReadOnlyList<double>> rows, IReadOnlyList<int> partition, WardOptions ward,
        IReadOnlyList<IReadOnlyList<int>> draws)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(partition);
        ArgumentNullException.ThrowIfNull(ward);
        ArgumentNullException.ThrowIfNull(draws);
        int n = rows.Count;
        if (partition.Count != n) throw new ArgumentException($"{partition.Count} labels for {n} rows.", nameof(partition));
        int k = partition.Max();
        if (partition.Min() < 1 || Enumerable.Range(1, k).Any(c => !partition.Contains(c)))
            throw new ArgumentException("The partition must number its clusters 1..k.", nameof(partition));
        var jaccard = new double[k, draws.Count];
        int tooSmall = 0;
        for (int b = 0; b < draws.Count; b++)
        {
            var seen = new HashSet<int>();
            var kept = new List<int>(n);
            foreach (int d in draws[b])
            {
                if (d < 1 || d > n) throw new ArgumentException($"Resample {b + 1} draws {d}, outside 1..{n}.", nameof(draws));
                if (seen.Add(d)) kept.Add(d - 1);
            }
            if (kept.Count < Math.Max(k, 2))
            {
                tooSmall++;
                continue;
            }
            var labels = WardClustering.Cluster(kept.Select(i => rows[i]).ToArray(), ward).CutTree(k);
            var both = new int[k + 1, k + 1];
            var original = new int[k + 1];
            var resampled = new int[k + 1];
            for (int i = 0; i < kept.Count; i++)
            {
                int a = partition[kept[i]], c = labels[i];
                both[a, c]++;
                original[a]++;
                resampled[c]++;
            }
            for (int a = 1; a <= k; a++)
            {
                double best = 0;
                for (int c = 1; c <= k; c++)
                {
                    int union = original[a] + resampled[c] - both[a, c];
                    double g = union == 0 ? 0 : (double)both[a, c] / union;
                    if (g > best) best = g;
                }
                jaccard[a - 1, b] = best;
            }
        }
        var clusters = new ClusterStabilityRow[k];
        for (int a = 0; a < k; a++)
        {
            double sum = 0;
            int dissolved = 0, recovered = 0;
            for (int b = 0; b < draws.Count; b++)
            {
                double g = jaccard[a, b];
                sum += g;
                if (g <= 0.5) dissolved++;
                if (g > 0.75) recovered++;
            }
            clusters[a] = new ClusterStabilityRow(a + 1, sum / draws.Count, dissolved, recovered);
        }
        return new ClusterStabilityResult(k, draws.Count, null, clusters, jaccard, tooSmall);
    }
}
