namespace AlliancePipeline.Analytics.Clustering;

/// <summary>
/// Ward's method by the nearest-neighbour chain (Benzécri 1982; Juan 1982; Murtagh 1983) on weighted centroids of the
/// distinct rows: O(g) memory for g distinct rows, O(g²) distance evaluations. The Ward cost of merging clusters a and b
/// is <c>2 n_a n_b / (n_a + n_b) · ‖c_a − c_b‖²</c>, the quantity R's Lance–Williams recurrence tracks for "ward.D2".
/// </summary>
/// <remarks>
/// Ward's cost is reducible, so the chain finds the same merges as R's global-minimum loop whenever no two candidate
/// merges tie. <see cref="Certify"/> checks that on the result: replaying the merges in height order, every merge must
/// beat every other merge open to either of its clusters, and every next height, by a relative margin larger than the
/// rounding both computations can make. Then R's loop, whatever its rounding, makes the same choice at every step, and
/// the lower-index rule gives the same representatives. See <c>docs/analytics.md</c>.
/// </remarks>
internal static class NearestNeighborChainWard
{
    internal readonly record struct ChainMerge(int ClusterA, int ClusterB, double Cost, int Created);

    /// <summary>Runs the chain. Clusters 0..g−1 are the groups; merge t creates cluster g + t.</summary>
    public static ChainMerge[] Run(ScoreRows rows, DuplicateGroups groups)
    {
        int g = groups.Count, d = rows.Columns;
        var merges = new ChainMerge[Math.Max(0, g - 1)];
        if (g < 2) return merges;
        // Active clusters are kept compact: position p holds cluster id[p], weight w[p], centroid x[p*d..].
        var x = new double[g * d];
        var w = new double[g];
        var id = new int[g];
        var posOf = new int[2 * g - 1];
        for (int q = 0; q < g; q++)
        {
            Array.Copy(rows.Values, groups.Representative(q) * d, x, q * d, d);
            w[q] = groups.Members[q].Length;
            id[q] = q;
            posOf[q] = q;
        }
        int active = g, made = 0;
        var chain = new int[g];
        int top = 0;
        while (active > 1)
        {
            if (top == 0) chain[top++] = id[0];
            int a = chain[top - 1];
            int prev = top > 1 ? chain[top - 2] : -1;
            int pa = posOf[a];
            double best = double.PositiveInfinity;
            int bestPos = -1;
            if (prev >= 0)
            {
                bestPos = posOf[prev];
                best = Cost(x, w, d, pa, bestPos);
            }
            for (int p = 0; p < active; p++)
            {
                if (p == pa) continue;
                double c = Cost(x, w, d, pa, p);
                if (c < best)
                {
                    best = c;
                    bestPos = p;
                }
            }
            int b = id[bestPos];
            if (b != prev)
            {
                chain[top++] = b;
                continue;
            }
            top -= 2;
            int newId = g + made;
            merges[made++] = new ChainMerge(id[Math.Min(pa, bestPos)], id[Math.Max(pa, bestPos)], best, newId);
            MergeCompact(x, w, id, posOf, d, pa, bestPos, newId, active--);
        }
        return merges;
    }

    /// <summary>
    /// Merges the clusters at positions <paramref name="pa"/> and <paramref name="pb"/> of the compact arrays into the
    /// lower position (weighted centroid), moves the last active cluster into the freed position.
    /// </summary>
    private static void MergeCompact(double[] x, double[] w, int[] id, int[] posOf, int d, int pa, int pb, int newId, int active)
    {
        int lo = Math.Min(pa, pb), hi = Math.Max(pa, pb);
        double wa = w[lo], wb = w[hi], wt = wa + wb;
        for (int j = 0; j < d; j++)
            x[lo * d + j] = (wa * x[lo * d + j] + wb * x[hi * d + j]) / wt;
        w[lo] = wt;
        id[lo] = newId;
        posOf[newId] = lo;
        int last = active - 1;
        if (hi != last)
        {
            Array.Copy(x, last * d, x, hi * d, d);
            w[hi] = w[last];
            id[hi] = id[last];
            posOf[id[hi]] = hi;
        }
    }

    private static double Cost(double[] x, double[] w, int d, int p, int q)
    {
        double s = 0.0;
        int ip = p * d, iq = q * d;
        for (int j = 0; j < d; j++)
        {
            double t = x[ip + j] - x[iq + j];
            s += t * t;
        }
        double wp = w[p], wq = w[q];
        return 2.0 * wp * wq / (wp + wq) * s;
    }

    /// <summary>
    /// Orders the chain's merges as R's loop makes them (increasing cost) and checks the tie certificate.
    /// Returns the merges in R's order and whether the certificate holds.
    /// </summary>
    public static (ChainMerge[] Ordered, bool Certified) Certify(ScoreRows rows, DuplicateGroups groups, ChainMerge[] merges,
        double relativeMargin)
    {
        int g = groups.Count, d = rows.Columns;
        var order = new int[merges.Length];
        for (int t = 0; t < order.Length; t++) order[t] = t;
        Array.Sort(order, (s, t) =>
        {
            int c = merges[s].Cost.CompareTo(merges[t].Cost);
            return c != 0 ? c : s.CompareTo(t);
        });
        var ordered = new ChainMerge[merges.Length];
        for (int t = 0; t < order.Length; t++) ordered[t] = merges[order[t]];
        bool certified = true;

        // Replay in R's order over compact active clusters.
        var x = new double[g * d];
        var w = new double[g];
        var posOf = new int[2 * g - 1];
        var id = new int[g];
        Array.Fill(posOf, -1);
        for (int q = 0; q < g; q++)
        {
            Array.Copy(rows.Values, groups.Representative(q) * d, x, q * d, d);
            w[q] = groups.Members[q].Length;
            id[q] = q;
            posOf[q] = q;
        }
        int active = g;
        for (int t = 0; t < ordered.Length && certified; t++)
        {
            var mg = ordered[t];
            int pa = posOf[mg.ClusterA], pb = posOf[mg.ClusterB];
            if (pa < 0 || pb < 0) return (ordered, false); // a parent before its child: heights not monotone
            double limit = mg.Cost * (1.0 + relativeMargin);
            if (t + 1 < ordered.Length && ordered[t + 1].Cost <= limit) certified = false;
            for (int p = 0; p < active && certified; p++)
            {
                if (p == pa || p == pb) continue;
                if (Cost(x, w, d, pa, p) <= limit || Cost(x, w, d, pb, p) <= limit) certified = false;
            }
            posOf[mg.ClusterA] = -1;
            posOf[mg.ClusterB] = -1;
            MergeCompact(x, w, id, posOf, d, pa, pb, mg.Created, active--);
        }
        return (ordered, certified);
    }
}
