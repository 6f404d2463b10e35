namespace AlliancePipeline.Analytics.Clustering;

/// <summary>Internal validity indices of a partition, on Euclidean distances of the clustered scores.</summary>
public static class ClusterValidity
{
    /// <summary>
    /// Calinski–Harabasz index (Calinski &amp; Harabasz 1974): (B / (k − 1)) / (W / (n − k)), B and W the between- and
    /// within-cluster sums of squares.
    /// </summary>
    public static double CalinskiHarabasz(IReadOnlyList<IReadOnlyList<double>> rows, IReadOnlyList<int> labels) =>
        CalinskiHarabasz(ScoreRows.From(rows), labels);

    /// <summary>
    /// Mean silhouette width (Rousseeuw 1987), as R's <c>mean(cluster::silhouette(labels, dist(X))[, 3])</c>:
    /// s(i) = (b − a) / max(a, b), a the mean distance to the rest of i's cluster, b the smallest mean distance to another
    /// cluster; s(i) = 0 in a singleton cluster.
    /// </summary>
    public static double MeanSilhouette(IReadOnlyList<IReadOnlyList<double>> rows, IReadOnlyList<int> labels) =>
        MeanSilhouettes(ScoreRows.From(rows), new[] { labels.ToArray() })[0];

    internal static double CalinskiHarabasz(ScoreRows rows, IReadOnlyList<int> labels)
    {
        int n = rows.Rows, d = rows.Columns;
        int k = labels.Max();
        var sums = new double[k + 1, d];
        var counts = new int[k + 1];
        var grand = new double[d];
        for (int i = 0; i < n; i++)
        {
            counts[labels[i]]++;
            for (int j = 0; j < d; j++)
            {
                sums[labels[i], j] += rows.Values[i * d + j];
                grand[j] += rows.Values[i * d + j];
            }
        }
        for (int j = 0; j < d; j++) grand[j] /= n;
        double total = 0, within = 0;
        for (int i = 0; i < n; i++)
        for (int j = 0; j < d; j++)
        {
            double v = rows.Values[i * d + j];
            double c = sums[labels[i], j] / counts[labels[i]];
            total += (v - grand[j]) * (v - grand[j]);
            within += (v - c) * (v - c);
        }
        return (total - within) / (k - 1) / (within / (n - k));
    }

    /// <summary>Mean silhouettes of several labelings at once, over distinct rows (O(g²) distances for g distinct rows).</summary>
    internal static double[] MeanSilhouettes(ScoreRows rows, IReadOnlyList<int[]> labelings)
    {
        var groups = DuplicateGroups.Find(rows);
        int g = groups.Count, d = rows.Columns, n = rows.Rows, L = labelings.Count;
        var rep = new int[g];
        var w = new double[g];
        for (int q = 0; q < g; q++) { rep[q] = groups.Representative(q); w[q] = groups.Members[q].Length; }
        var ks = labelings.Select(l => l.Max()).ToArray();
        // sums[l][q * (k_l + 1) + c]: Σ distances from distinct row q to the rows of cluster c under labeling l.
        var sums = ks.Select(k => new double[g * (k + 1)]).ToArray();
        for (int a = 0; a < g; a++)
        for (int b = a + 1; b < g; b++)
        {
            double s = 0;
            for (int j = 0; j < d; j++)
            {
                double t = rows.Values[rep[a] * d + j] - rows.Values[rep[b] * d + j];
                s += t * t;
            }
            double dist = Math.Sqrt(s);
            for (int l = 0; l < L; l++)
            {
                int stride = ks[l] + 1;
                sums[l][a * stride + labelings[l][rep[b]]] += w[b] * dist;
                sums[l][b * stride + labelings[l][rep[a]]] += w[a] * dist;
            }
        }
        var result = new double[L];
        for (int l = 0; l < L; l++)
        {
            int k = ks[l], stride = k + 1;
            var size = new int[stride];
            foreach (int c in labelings[l]) size[c]++;
            double total = 0;
            for (int q = 0; q < g; q++)
            {
                int own = labelings[l][rep[q]];
                if (size[own] == 1) continue; // s(i) = 0
                double a = sums[l][q * stride + own] / (size[own] - 1);
                double b = double.PositiveInfinity;
                for (int c = 1; c <= k; c++)
                    if (c != own) b = Math.Min(b, sums[l][q * stride + c] / size[c]);
                double m = Math.Max(a, b);
                total += w[q] * (m > 0 ? (b - a) / m : 0.0);
            }
            result[l] = total / n;
        }
        return result;
    }
}
