using System.Runtime.CompilerServices;

namespace AlliancePipeline.Analytics.Clustering;

/// <summary>
/// The active clusters of <see cref="RNearestNeighborListOnCentroids"/>: centroid, size and bound term of each, in a
/// k-d tree (Bentley 1975) over the centroids, rebuilt when half the clusters have gone. Each node keeps, over the live
/// clusters below it, the bounding box of their centroids, the smallest size, the largest bound term, the lowest and
/// highest unit (row index) and the largest upper bound of the units' neighbour costs (also divided by twice the size),
/// so that searches skip every node whose clusters provably cannot qualify.
/// </summary>
/// <remarks>
/// A node's lower bound of the lower end w (s − τ s − t − T_p) of a cluster's cost interval to a center of size m uses the
/// squared distance s from the center to the box (no larger, even after rounding, than the computed squared distance of
/// any centroid inside: correctly rounded operations are monotone), w = 2 m n_p / (m + n_p) ≥ min(m, smallest n_p) (a
/// harmonic mean) and the largest T, each relaxed by 10⁻¹² against rounding. For adoption (a lower unit whose cost to the
/// merged cluster may be under its neighbour cost ub_p) the test is s − … &lt; ub_p / w_p = ub_p / (2m) + ub_p / (2 n_p).
/// A node is skipped only when no cluster inside can pass the test the cluster itself is put to.
/// </remarks>
internal sealed class CentroidKdTree
{
    private const int LeafSize = 16;
    private const double Slack = 1e-12;

    private readonly int _d;
    private readonly double _tau;

    // Positions (tree order) hold the live clusters; structure of arrays, _x[j * _cap + p].
    private readonly int _cap;
    private double[] _x, _sz, _tb, _lb, _ub;
    private int[] _unitAt;
    private double[] _x2, _sz2, _tb2, _lb2, _ub2;
    private int[] _unitAt2;
    private readonly int[] _posOf;
    private int _count, _live, _liveAtBuild;

    // Nodes: implicit binary tree, node k has children 2k+1 and 2k+2. One record per node, kept together for locality:
    // doubles [box low (d), box high (d), smallest size, largest T, largest upper bound, largest upper bound / (2 size)],
    // ints [live clusters, lowest unit, highest unit, first position, end position, leaf flag].
    private const int MinSize = 0, MaxT = 1, MaxUb = 2, MaxReach = 3, NodeInts = 6;
    private const int Live = 0, MinUnit = 1, MaxUnit = 2, Lo = 3, Hi = 4, IsLeaf = 5;
    private readonly int _stride;
    private double[] _nd = [];
    private int[] _ni = [];
    private int[] _leafOf;

    public CentroidKdTree(int units, int columns, double tau)
    {
        _d = columns;
        _tau = tau;
        _stride = 2 * columns + 4;
        _cap = Math.Max(1, units);
        _x = new double[_d * _cap];
        _sz = new double[_cap];
        _tb = new double[_cap];
        _lb = new double[_cap];
        _ub = new double[_cap];
        _unitAt = new int[_cap];
        _x2 = new double[_d * _cap];
        _sz2 = new double[_cap];
        _tb2 = new double[_cap];
        _lb2 = new double[_cap];
        _ub2 = new double[_cap];
        _unitAt2 = new int[_cap];
        _posOf = new int[_cap];
        _leafOf = new int[_cap];
    }

    /// <summary>Fills the tree with one row per unit (unit i = row i), bounds unknown (−∞, +∞).</summary>
    public void Load(double[] rowMajor)
    {
        for (int i = 0; i < _cap; i++)
        {
            for (int j = 0; j < _d; j++) _x[j * _cap + i] = rowMajor[i * _d + j];
            _sz[i] = 1;
            _tb[i] = 0;
            _lb[i] = double.NegativeInfinity;
            _ub[i] = double.PositiveInfinity;
            _unitAt[i] = i;
        }
        _count = _live = _cap;
        Build();
    }

    public int Position(int unit) => _posOf[unit];

    public int UnitAt(int p) => _unitAt[p];

    public double Size(int p) => _sz[p];

    public double Term(int p) => _tb[p];

    public double LowerBound(int p) => _lb[p];

    public void Centroid(int p, Span<double> c)
    {
        for (int j = 0; j < _d; j++) c[j] = _x[j * _cap + p];
    }

    /// <summary>
    /// The Ward cost 2 m n_p / (m + n_p) ‖c − c_p‖² of the cluster at <paramref name="p"/> to a center, and the bound
    /// τ·cost + w (t + T_p) on its distance from R's value.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double Cost(ReadOnlySpan<double> c, double m, double t, int p, out double bound)
    {
        double s = 0;
        for (int j = 0; j < _d; j++)
        {
            double diff = c[j] - _x[j * _cap + p];
            s += diff * diff;
        }
        double sz = _sz[p];
        double w = 2 * m * sz / (m + sz);
        double v = w * s;
        bound = _tau * v + w * (t + _tb[p]);
        return v;
    }

    /// <summary>Replaces the cluster of the unit at <paramref name="p"/> (centroid, size, bound term).</summary>
    public void SetCluster(int p, ReadOnlySpan<double> c, double size, double term)
    {
        for (int j = 0; j < _d; j++) _x[j * _cap + p] = c[j];
        _sz[p] = size;
        _tb[p] = term;
        Refresh(p);
    }

    /// <summary>Sets the bounds of the neighbour cost of the unit at <paramref name="p"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // also in short-lived processes (the CLI) and first runs
    public void SetBounds(int p, double lb, double ub)
    {
        _lb[p] = lb;
        double old = _ub[p];
        _ub[p] = ub;
        if (ub == old) return;
        int node = _leafOf[p];
        int d2 = 2 * _d;
        while (true)
        {
            double mu = double.NegativeInfinity, mr = double.NegativeInfinity;
            if (_ni[node * NodeInts + IsLeaf] != 0)
            {
                for (int q = _ni[node * NodeInts + Lo]; q < _ni[node * NodeInts + Hi]; q++)
                {
                    if (_unitAt[q] < 0) continue;
                    mu = Math.Max(mu, _ub[q]);
                    mr = Math.Max(mr, _ub[q] / (2 * _sz[q]));
                }
            }
            else
            {
                int a = (2 * node + 1) * _stride + d2, z = (2 * node + 2) * _stride + d2;
                mu = Math.Max(_nd[a + MaxUb], _nd[z + MaxUb]);
                mr = Math.Max(_nd[a + MaxReach], _nd[z + MaxReach]);
            }
            int at = node * _stride + d2;
            if (mu == _nd[at + MaxUb] && mr == _nd[at + MaxReach]) return;
            _nd[at + MaxUb] = mu;
            _nd[at + MaxReach] = mr;
            if (node == 0) return;
            node = (node - 1) / 2;
        }
    }

    /// <summary>Removes the unit at <paramref name="p"/>.</summary>
    public void Remove(int p)
    {
        int unit = _unitAt[p];
        _unitAt[p] = -1;
        _posOf[unit] = -1;
        _live--;
        Refresh(p);
    }

    /// <summary>Rebuilds the tree once half the clusters of the last build have gone (positions change).</summary>
    public void RebuildIfSparse()
    {
        if (_live >= 64 && 2 * _live <= _liveAtBuild) Build();
    }

    private void Refresh(int p)
    {
        int node = _leafOf[p];
        Aggregate(node);
        while (node > 0)
        {
            node = (node - 1) / 2;
            Aggregate(node);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // also in short-lived processes (the CLI) and first runs
    private void Aggregate(int node)
    {
        int d = _d;
        int live = 0, minUnit = int.MaxValue, maxUnit = -1;
        double minSize = double.PositiveInfinity, maxT = double.NegativeInfinity, maxUb = double.NegativeInfinity;
        double maxReach = double.NegativeInfinity;
        var rec = _nd.AsSpan(node * _stride, _stride);
        var lo = rec[..d];
        var hi = rec.Slice(d, d);
        lo.Fill(double.PositiveInfinity);
        hi.Fill(double.NegativeInfinity);
        if (_ni[node * NodeInts + IsLeaf] != 0)
        {
            for (int q = _ni[node * NodeInts + Lo]; q < _ni[node * NodeInts + Hi]; q++)
            {
                int u = _unitAt[q];
                if (u < 0) continue;
                live++;
                minUnit = Math.Min(minUnit, u);
                maxUnit = Math.Max(maxUnit, u);
                minSize = Math.Min(minSize, _sz[q]);
                maxT = Math.Max(maxT, _tb[q]);
                maxUb = Math.Max(maxUb, _ub[q]);
                maxReach = Math.Max(maxReach, _ub[q] / (2 * _sz[q]));
                for (int j = 0; j < d; j++)
                {
                    double v = _x[j * _cap + q];
                    if (v < lo[j]) lo[j] = v;
                    if (v > hi[j]) hi[j] = v;
                }
            }
        }
        else
        {
            foreach (int child in (ReadOnlySpan<int>)[2 * node + 1, 2 * node + 2])
            {
                if (_ni[child * NodeInts + Live] == 0) continue;
                var crec = _nd.AsSpan(child * _stride, _stride);
                live += _ni[child * NodeInts + Live];
                minUnit = Math.Min(minUnit, _ni[child * NodeInts + MinUnit]);
                maxUnit = Math.Max(maxUnit, _ni[child * NodeInts + MaxUnit]);
                minSize = Math.Min(minSize, crec[2 * d + MinSize]);
                maxT = Math.Max(maxT, crec[2 * d + MaxT]);
                maxUb = Math.Max(maxUb, crec[2 * d + MaxUb]);
                maxReach = Math.Max(maxReach, crec[2 * d + MaxReach]);
                for (int j = 0; j < d; j++)
                {
                    lo[j] = Math.Min(lo[j], crec[j]);
                    hi[j] = Math.Max(hi[j], crec[d + j]);
                }
            }
        }
        _ni[node * NodeInts + Live] = live;
        _ni[node * NodeInts + MinUnit] = minUnit;
        _ni[node * NodeInts + MaxUnit] = maxUnit;
        rec[2 * d + MinSize] = minSize;
        rec[2 * d + MaxT] = maxT;
        rec[2 * d + MaxUb] = maxUb;
        rec[2 * d + MaxReach] = maxReach;
    }

    /// <summary>Rebuilds over the live clusters: median splits on the widest coordinate, leaves of at most 16.</summary>
    private void Build()
    {
        int d = _d, g = 0;
        for (int p = 0; p < _count; p++)
        {
            int u = _unitAt[p];
            if (u < 0) continue;
            _unitAt2[g] = p; // old position, reordered below
            g++;
        }
        var order = _unitAt2.AsSpan(0, g).ToArray();
        var keys = new double[g];
        int nodes = 1;
        while (nodes * LeafSize < g) nodes <<= 1;
        nodes = 4 * nodes + 1;
        if (_ni.Length < nodes * NodeInts)
        {
            _nd = new double[nodes * _stride];
            _ni = new int[nodes * NodeInts];
        }
        Array.Clear(_ni);
        Split(0, 0, g, order, keys);
        // Move the clusters to their new positions.
        for (int k = 0; k < g; k++)
        {
            int from = order[k];
            for (int j = 0; j < d; j++) _x2[j * _cap + k] = _x[j * _cap + from];
            _sz2[k] = _sz[from];
            _tb2[k] = _tb[from];
            _lb2[k] = _lb[from];
            _ub2[k] = _ub[from];
            _unitAt2[k] = _unitAt[from];
            _posOf[_unitAt[from]] = k;
        }
        (_x, _x2) = (_x2, _x);
        (_sz, _sz2) = (_sz2, _sz);
        (_tb, _tb2) = (_tb2, _tb);
        (_lb, _lb2) = (_lb2, _lb);
        (_ub, _ub2) = (_ub2, _ub);
        (_unitAt, _unitAt2) = (_unitAt2, _unitAt);
        _count = g;
        _live = _liveAtBuild = g;
        AggregateAll(0);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // also in short-lived processes (the CLI) and first runs
    private void Split(int node, int lo, int hi, int[] order, double[] keys)
    {
        _ni[node * NodeInts + Lo] = lo;
        _ni[node * NodeInts + Hi] = hi;
        if (hi - lo <= LeafSize)
        {
            _ni[node * NodeInts + IsLeaf] = 1;
            for (int k = lo; k < hi; k++) _leafOf[k] = node;
            return;
        }
        _ni[node * NodeInts + IsLeaf] = 0;
        int d = _d, widest = 0;
        double best = -1;
        for (int j = 0; j < d; j++)
        {
            double mn = double.PositiveInfinity, mx = double.NegativeInfinity;
            for (int k = lo; k < hi; k++)
            {
                double v = _x[j * _cap + order[k]];
                mn = Math.Min(mn, v);
                mx = Math.Max(mx, v);
            }
            if (mx - mn > best)
            {
                best = mx - mn;
                widest = j;
            }
        }
        for (int k = lo; k < hi; k++) keys[k] = _x[widest * _cap + order[k]];
        Array.Sort(keys, order, lo, hi - lo);
        int mid = (lo + hi) / 2;
        Split(2 * node + 1, lo, mid, order, keys);
        Split(2 * node + 2, mid, hi, order, keys);
    }

    private void AggregateAll(int node)
    {
        if (_ni[node * NodeInts + IsLeaf] == 0)
        {
            AggregateAll(2 * node + 1);
            AggregateAll(2 * node + 2);
        }
        Aggregate(node);
    }

    /// <summary>
    /// Lower bound, over the node's clusters, of s (1 − τ) − t − T_p (s the squared centroid distance to the center): the
    /// lower end of their cost interval is w_p times this.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private double NodeInner(int node, ReadOnlySpan<double> c, double t)
    {
        double s = 0;
        int at = node * _stride, d = _d;
        for (int j = 0; j < d; j++)
        {
            double lo = _nd[at + j], hi = _nd[at + d + j], cj = c[j];
            double diff = cj < lo ? lo - cj : cj > hi ? cj - hi : 0.0;
            s += diff * diff;
        }
        return (s * (1 - _tau) * (1 - Slack) - (t + _nd[at + 2 * d + MaxT]) * (1 + Slack)) * (1 - Slack);
    }

    /// <summary>
    /// Lower bound, over the node's clusters, of the lower end of their cost interval to a center of size m: the weight
    /// w = 2 m n_p / (m + n_p), a harmonic mean, is at least min(m, n_p).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private double NodeLowerBound(int node, ReadOnlySpan<double> c, double m, double t)
    {
        double inner = NodeInner(node, c, t);
        if (inner <= 0) return double.NegativeInfinity;
        return Math.Min(m, _nd[node * _stride + 2 * _d + MinSize]) * inner * (1 - Slack);
    }

    /// <summary>Work space of one searching thread.</summary>
    internal sealed class Search
    {
        public int[] Nodes = new int[256];
        public double[] Bounds = new double[256];
        public double MinUb = double.PositiveInfinity;
        public readonly List<int> Candidates = new();

        public void Reset()
        {
            MinUb = double.PositiveInfinity;
            Candidates.Clear();
        }
    }

    /// <summary>
    /// Positions of units above <paramref name="unit"/> whose cost to the center may be the smallest: after the search,
    /// every position with a lower bound at most <see cref="Search.MinUb"/> (the smallest upper bound found) is among
    /// <see cref="Search.Candidates"/>, listed by increasing unit. The center's own bound term is <paramref name="t"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // also in short-lived processes (the CLI) and first runs
    public void NearestAbove(ReadOnlySpan<double> c, double m, double t, int unit, Search s)
    {
        s.Reset();
        int top = 0;
        s.Nodes[top] = 0;
        s.Bounds[top++] = double.NegativeInfinity;
        while (top > 0)
        {
            top--;
            int node = s.Nodes[top];
            int ni = node * NodeInts;
            if (s.Bounds[top] > s.MinUb || _ni[ni + Live] == 0 || _ni[ni + MaxUnit] <= unit) continue;
            if (_ni[ni + IsLeaf] != 0)
            {
                for (int p = _ni[ni + Lo]; p < _ni[ni + Hi]; p++)
                {
                    if (_unitAt[p] <= unit) continue; // below the center, or removed (−1)
                    double v = Cost(c, m, t, p, out double b);
                    if (v - b <= s.MinUb)
                    {
                        s.Candidates.Add(p);
                        if (v + b < s.MinUb) s.MinUb = v + b;
                    }
                }
                continue;
            }
            int a = 2 * node + 1, z = 2 * node + 2;
            double la = _ni[a * NodeInts + Live] == 0 || _ni[a * NodeInts + MaxUnit] <= unit ? double.PositiveInfinity : NodeLowerBound(a, c, m, t);
            double lz = _ni[z * NodeInts + Live] == 0 || _ni[z * NodeInts + MaxUnit] <= unit ? double.PositiveInfinity : NodeLowerBound(z, c, m, t);
            if (top + 2 > s.Nodes.Length)
            {
                Array.Resize(ref s.Nodes, s.Nodes.Length * 2);
                Array.Resize(ref s.Bounds, s.Bounds.Length * 2);
            }
            // Nearer child last, so it is searched first.
            if (la <= lz)
            {
                s.Nodes[top] = z; s.Bounds[top++] = lz;
                s.Nodes[top] = a; s.Bounds[top++] = la;
            }
            else
            {
                s.Nodes[top] = a; s.Bounds[top++] = la;
                s.Nodes[top] = z; s.Bounds[top++] = lz;
            }
        }
        // Keep those still in reach, by increasing unit (R's scan order).
        int kept = 0;
        for (int k = 0; k < s.Candidates.Count; k++)
        {
            int p = s.Candidates[k];
            double v = Cost(c, m, t, p, out double b);
            if (v - b <= s.MinUb) s.Candidates[kept++] = p;
        }
        s.Candidates.RemoveRange(kept, s.Candidates.Count - kept);
        if (kept > 1) s.Candidates.Sort((x, y) => _unitAt[x].CompareTo(_unitAt[y]));
    }

    /// <summary>
    /// Positions of units below <paramref name="unit"/> whose cost to the center may be under their own neighbour cost
    /// (lower end of the interval under the upper bound of theirs), in any order.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // also in short-lived processes (the CLI) and first runs
    public void MayAdopt(ReadOnlySpan<double> c, double m, double t, int unit, Search s, List<int> found)
    {
        found.Clear();
        double halfInvM = 0.5 / m * (1 + Slack);
        int top = 0;
        s.Nodes[top++] = 0;
        while (top > 0)
        {
            int node = s.Nodes[--top];
            int ni = node * NodeInts;
            if (_ni[ni + Live] == 0 || _ni[ni + MinUnit] >= unit) continue;
            // A unit adopts only if w_p (s − …) < ub_p, i.e. (s − …) < ub_p / w_p = ub_p / (2m) + ub_p / (2 n_p).
            double inner = NodeInner(node, c, t);
            int at = node * _stride + 2 * _d;
            if (inner > 0 && inner * (1 - Slack) >= (_nd[at + MaxUb] * halfInvM + _nd[at + MaxReach]) * (1 + Slack)) continue;
            if (_ni[ni + IsLeaf] != 0)
            {
                for (int p = _ni[ni + Lo]; p < _ni[ni + Hi]; p++)
                {
                    int u = _unitAt[p];
                    if (u < 0 || u >= unit) continue;
                    double v = Cost(c, m, t, p, out double b);
                    if (v - b < _ub[p]) found.Add(p);
                }
                continue;
            }
            if (top + 2 > s.Nodes.Length) Array.Resize(ref s.Nodes, s.Nodes.Length * 2);
            s.Nodes[top++] = 2 * node + 1;
            s.Nodes[top++] = 2 * node + 2;
        }
    }
}
