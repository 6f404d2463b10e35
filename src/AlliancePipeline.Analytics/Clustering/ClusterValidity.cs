using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace AlliancePipeline.Analytics.Clustering;

/// <summary>
/// Internal validity indices of a partition, on Euclidean distances of the clustered scores, shown beside each candidate
/// k (<see cref="ClusterCountSelection"/>).
/// </summary>
internal static class ClusterValidity
{
    /// <summary>
    /// Calinski–Harabasz index (Calinski &amp; Harabasz 1974): (B / (k − 1)) / (W / (n − k)), B and W the between- and
    /// within-cluster sums of squares.
    /// </summary>
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

    /// <summary>
    /// Mean silhouettes of several labelings at once, over distinct rows: O(g²) distances for g distinct rows, each computed
    /// once. Rows are grouped by the common refinement of the labelings (for the cuts of one tree, the finest cut) and
    /// sorted by group, so each distance is added to two running sums per group without scattered writes: the sum for the
    /// row over the other row's group, and the sum for the other row over this row's group.
    /// </summary>
    internal static double[] MeanSilhouettes(ScoreRows rows, IReadOnlyList<int[]> labelings)
    {
        var groups = DuplicateGroups.Find(rows);
        int g = groups.Count, d = rows.Columns, n = rows.Rows, L = labelings.Count;
        // Common refinement: one class per distinct tuple of labels.
        var classIds = new Dictionary<string, int>(StringComparer.Ordinal);
        var classOfGroup = new int[g];
        for (int q = 0; q < g; q++)
        {
            int rep = groups.Representative(q);
            string key = string.Join(",", labelings.Select(l => l[rep]));
            if (!classIds.TryGetValue(key, out int c)) classIds[key] = c = classIds.Count;
            classOfGroup[q] = c;
        }
        int classes = classIds.Count;
        var order = Enumerable.Range(0, g).OrderBy(q => classOfGroup[q]).ThenBy(q => q).ToArray();
        var x = new double[d * g];
        var w = new double[g];
        var cls = new int[g];
        var blockStart = new int[classes + 1];
        for (int pos = 0; pos < g; pos++)
        {
            int q = order[pos], rep = groups.Representative(q);
            for (int j = 0; j < d; j++) x[j * g + pos] = rows.Values[rep * d + j];
            w[pos] = groups.Members[q].Length;
            cls[pos] = classOfGroup[q];
            blockStart[cls[pos] + 1] = pos + 1;
        }
        for (int c = 1; c <= classes; c++) blockStart[c] = Math.Max(blockStart[c], blockStart[c - 1]);

        // sums[c * g + pos]: Σ over rows of class c (with their multiplicity) of the distance to distinct row pos.
        int workers = g >= 2048 ? Math.Max(1, Math.Min(Environment.ProcessorCount, 8)) : 1;
        var partial = new double[workers][];
        Parallel.For(0, workers, t =>
        {
            var sums = partial[t] = new double[classes * g];
            for (int pos = t; pos < g; pos += workers) AddDistances(x, w, cls, blockStart, g, d, pos, sums);
        });
        var total = partial[0];
        for (int t = 1; t < workers; t++)
            for (int i = 0; i < total.Length; i++) total[i] += partial[t][i];

        var result = new double[L];
        for (int l = 0; l < L; l++)
        {
            int k = labelings[l].Max();
            var labelOfClass = new int[classes];
            for (int pos = 0; pos < g; pos++) labelOfClass[cls[pos]] = labelings[l][groups.Representative(order[pos])];
            var size = new int[k + 1];
            foreach (int c in labelings[l]) size[c]++;
            var byLabel = new double[k + 1];
            double sum = 0;
            for (int pos = 0; pos < g; pos++)
            {
                int own = labelOfClass[cls[pos]];
                if (size[own] == 1) continue; // s(i) = 0
                Array.Clear(byLabel);
                for (int c = 0; c < classes; c++) byLabel[labelOfClass[c]] += total[c * g + pos];
                double a = byLabel[own] / (size[own] - 1);
                double b = double.PositiveInfinity;
                for (int c = 1; c <= k; c++)
                    if (c != own) b = Math.Min(b, byLabel[c] / size[c]);
                double m = Math.Max(a, b);
                sum += w[pos] * (m > 0 ? (b - a) / m : 0.0);
            }
            result[l] = sum / n;
        }
        return result;
    }

    /// <summary>Adds the distances between distinct row <paramref name="pos"/> and every later one to both rows' class sums.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // also in short-lived processes (the CLI) and first runs
    private static void AddDistances(double[] x, double[] w, int[] cls, int[] blockStart, int g, int d, int pos, double[] sums)
    {
        int own = cls[pos];
        double wp = w[pos];
        Span<double> centre = stackalloc double[d];
        for (int j = 0; j < d; j++) centre[j] = x[j * g + pos];
        ref double x0 = ref MemoryMarshal.GetArrayDataReference(x);
        ref double w0 = ref MemoryMarshal.GetArrayDataReference(w);
        ref double ownSums = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(sums), own * g);
        int classes = blockStart.Length - 1;
        for (int c = own; c < classes; c++)
        {
            int from = Math.Max(pos + 1, blockStart[c]), to = blockStart[c + 1];
            if (from >= to) continue;
            int r = from;
            double tail = 0;
            if (Vector256.IsHardwareAccelerated && to - r >= 4)
            {
                var acc = Vector256<double>.Zero;
                var vwp = Vector256.Create(wp);
                if (d == 4)
                {
                    // The usual case (4 meetings), unrolled.
                    Vector256<double> c0 = Vector256.Create(centre[0]), c1 = Vector256.Create(centre[1]),
                        c2 = Vector256.Create(centre[2]), c3 = Vector256.Create(centre[3]);
                    for (; r + 4 <= to; r += 4)
                    {
                        var e0 = c0 - Vector256.LoadUnsafe(ref x0, (nuint)r);
                        var e1 = c1 - Vector256.LoadUnsafe(ref x0, (nuint)(g + r));
                        var e2 = c2 - Vector256.LoadUnsafe(ref x0, (nuint)(2 * g + r));
                        var e3 = c3 - Vector256.LoadUnsafe(ref x0, (nuint)(3 * g + r));
                        var dist = Vector256.Sqrt(e0 * e0 + e1 * e1 + e2 * e2 + e3 * e3);
                        acc += dist * Vector256.LoadUnsafe(ref w0, (nuint)r);
                        (Vector256.LoadUnsafe(ref ownSums, (nuint)r) + dist * vwp).StoreUnsafe(ref ownSums, (nuint)r);
                    }
                }
                else
                {
                    for (; r + 4 <= to; r += 4)
                    {
                        var s2 = Vector256<double>.Zero;
                        for (int j = 0; j < d; j++)
                        {
                            var e = Vector256.Create(centre[j]) - Vector256.LoadUnsafe(ref x0, (nuint)(j * g + r));
                            s2 += e * e;
                        }
                        var dist = Vector256.Sqrt(s2);
                        acc += dist * Vector256.LoadUnsafe(ref w0, (nuint)r);
                        (Vector256.LoadUnsafe(ref ownSums, (nuint)r) + dist * vwp).StoreUnsafe(ref ownSums, (nuint)r);
                    }
                }
                tail = Vector256.Sum(acc);
            }
            for (; r < to; r++)
            {
                double s2 = 0;
                for (int j = 0; j < d; j++)
                {
                    double e = centre[j] - x[j * g + r];
                    s2 += e * e;
                }
                double dist = Math.Sqrt(s2);
                tail += dist * w[r];
                Unsafe.Add(ref ownSums, r) += dist * wp;
            }
            sums[c * g + pos] += tail;
        }
    }
}
