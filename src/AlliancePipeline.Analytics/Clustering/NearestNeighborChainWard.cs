namespace AlliancePipeline.Analytics.Clustering;

/// <summary>
/// Ward's method by the nearest-neighbour chain (Benzécri 1982; Juan 1982; Murtagh 1983) on weighted centroids of the
/// distinct rows: O(g) memory for g distinct rows, O(g²) distance evaluations. The Ward cost of merging clusters a and b
/// is <c>2 n_a n_b / (n_a + n_b) · ‖c_a − c_b‖²</c>, the quantity R's Lance–Williams recurrence tracks for "ward.D2".
/// </summary>
/// <remarks>
/// Ward's cost is reducible, so the chain finds the same merges as R's global-minimum loop whenever no two candidate
/// merges tie. <see cref="Certify"/> checks that on the result: replaying the merges in height order, every merge must
/// beat every other merge open to either of its clusters by a relative margin larger than the rounding both computations
/// can make; merges whose costs come within that margin of each other are put in R's order by R's own costs, recomputed
/// bit for bit (or the result is not certified). Then R's loop, whatever its rounding, makes the same choice at every step, and
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
    /// Puts runs of merges whose costs lie within the margin of each other into R's order, or reports that it cannot.
    /// R takes the smaller of its own costs first, the lower row first on equality (its scan for the smallest neighbour
    /// cost runs over rows in index order with a strict &lt;). R's cost of each merge in a run is recomputed bit for bit by
    /// replaying R's zero-height duplicate phase and Lance–Williams recurrence over the merges that built the two clusters
    /// (<see cref="RCosts"/>); a run with a merge of a cluster formed in the same run, or beyond the budget, is left to
    /// R's rounding: not certified.
    /// </summary>
    private static bool ResolveNearTies(ScoreRows rows, DuplicateGroups groups, ChainMerge[] ordered, double relativeMargin)
    {
        var r = new RCosts(rows, groups, ordered.Length);
        for (int start = 0; start < ordered.Length;)
        {
            int end = start;
            while (end + 1 < ordered.Length && ordered[end + 1].Cost <= ordered[end].Cost * (1.0 + relativeMargin)) end++;
            if (end > start)
            {
                var created = new HashSet<int>();
                for (int t = start; t <= end; t++) created.Add(ordered[t].Created);
                var run = new (ChainMerge Merge, double RCost, int Lower)[end - start + 1];
                for (int t = start; t <= end; t++)
                {
                    var mg = ordered[t];
                    if (created.Contains(mg.ClusterA) || created.Contains(mg.ClusterB)) return false;
                    double cost = r.Cost(mg.ClusterA, mg.ClusterB);
                    if (double.IsNaN(cost)) return false;
                    run[t - start] = (mg, cost, Math.Min(r.Rep(mg.ClusterA), r.Rep(mg.ClusterB)));
                }
                Array.Sort(run, (x, y) => x.RCost != y.RCost ? x.RCost.CompareTo(y.RCost) : x.Lower.CompareTo(y.Lower));
                for (int t = start; t <= end; t++) ordered[t] = run[t - start].Merge;
            }
            for (int t = start; t <= end; t++) r.Record(ordered[t], t);
            start = end + 1;
        }
        return true;
    }

    /// <summary>
    /// R's dissimilarity between two clusters that coexist, recomputed as hclust.f computed it: for two rows, the
    /// squared <c>dist()</c> value; otherwise the younger cluster Z = Z₁ ∪ Z₂ (Z₁ the one with the lower row, R's I2) was
    /// formed while the other, W, existed, and R then set
    /// <c>((n_Z₁+n_W) D(Z₁,W) + (n_Z₂+n_W) D(Z₂,W) − n_W D(Z₁,Z₂)) / (n_Z₁+n_Z₂+n_W)</c>. Memoized, with a budget.
    /// </summary>
    private sealed class RCosts(ScoreRows rows, DuplicateGroups groups, int merges)
    {
        private const int Budget = 2_000_000;
        private readonly int _g = groups.Count;
        private readonly int[] _position = new int[merges];
        private readonly int[] _low = new int[merges];
        private readonly int[] _high = new int[merges];
        private readonly int[] _rep = new int[groups.Count + merges];
        private readonly double[] _size = new double[groups.Count + merges];
        private readonly Dictionary<(int, int), double> _memo = new();
        private int _spent;

        public int Rep(int cluster) => cluster < _g ? groups.Representative(cluster) : _rep[cluster];

        private double Size(int cluster) => cluster < _g ? groups.Members[cluster].Length : _size[cluster];

        public void Record(ChainMerge mg, int position)
        {
            int c = mg.Created - _g;
            _position[c] = position;
            bool aLow = Rep(mg.ClusterA) < Rep(mg.ClusterB);
            _low[c] = aLow ? mg.ClusterA : mg.ClusterB;
            _high[c] = aLow ? mg.ClusterB : mg.ClusterA;
            _rep[mg.Created] = Math.Min(Rep(mg.ClusterA), Rep(mg.ClusterB));
            _size[mg.Created] = Size(mg.ClusterA) + Size(mg.ClusterB);
        }

        /// <summary>
        /// R's dissimilarity between two groups of identical rows after its zero-height phase: the squared <c>dist()</c>
        /// value d, carried through the collapse of the group with the lower first row (P, against each single row of Q),
        /// then through Q's collapse (against P), with the operations of R's update (the merged rows are at 0).
        /// </summary>
        private double GroupCost(int x, int y)
        {
            int p = Rep(x) < Rep(y) ? x : y, q = p == x ? y : x;
            double d = rows.RSquaredDistance(Rep(p), Rep(q));
            int np = groups.Members[p].Length, nq = groups.Members[q].Length;
            double v = d;
            for (double m1 = 1; m1 < np; m1++)
            {
                v = (m1 + 1.0) * v + (1.0 + 1.0) * d - 1.0 * 0.0;
                v /= m1 + 1.0 + 1.0;
            }
            double w = v, mp = np;
            for (double m1 = 1; m1 < nq; m1++)
            {
                w = (m1 + mp) * w + (1.0 + mp) * v - mp * 0.0;
                w /= m1 + 1.0 + mp;
            }
            return w;
        }

        /// <summary>R's cost of merging <paramref name="x"/> and <paramref name="y"/>; NaN when not reproducible here.</summary>
        public double Cost(int x, int y)
        {
            if (x < _g && y < _g) return GroupCost(x, y);
            var key = x < y ? (x, y) : (y, x);
            if (_memo.TryGetValue(key, out double v)) return v;
            if (++_spent > Budget) return double.NaN;
            int z, w;
            if (x < _g) (z, w) = (y, x);
            else if (y < _g) (z, w) = (x, y);
            else (z, w) = _position[x - _g] > _position[y - _g] ? (x, y) : (y, x);
            int z1 = _low[z - _g], z2 = _high[z - _g];
            double d1 = Cost(z1, w), d2 = Cost(z2, w), d12 = Cost(z1, z2);
            if (double.IsNaN(d1) || double.IsNaN(d2) || double.IsNaN(d12)) return double.NaN;
            double mi = Size(z1), mj = Size(z2), mk = Size(w);
            double t = (mi + mk) * d1 + (mj + mk) * d2 - mk * d12;
            v = t / (mi + mj + mk);
            _memo[key] = v;
            return v;
        }
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
        bool certified = ResolveNearTies(rows, groups, ordered, relativeMargin);

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
