using System.Runtime.CompilerServices;

namespace AlliancePipeline.Analytics.Clustering;

/// <summary>
/// R's nearest-neighbour-list algorithm for "ward.D2" (<c>stats/src/hclust.f</c>; Murtagh 1985) run without its
/// n(n−1)/2 dissimilarity matrix: memory linear in n, the same merges, order and <c>cutree</c> as R.
/// </summary>
/// <remarks>
/// <para>R keeps, for every unit, its nearest neighbour among higher indices (first index on ties, strict <c>&lt;</c>), merges
/// the pair of the lowest unit whose neighbour cost is smallest, updates the costs to the merged cluster by the
/// Lance–Williams formula, lets lower units adopt the merged cluster only when strictly nearer, and rescans units whose
/// neighbour was merged. This class makes exactly those decisions in exactly that order. The costs are not stored:
/// each is the Ward cost <c>2 n_a n_b / (n_a + n_b) ‖c_a − c_b‖²</c> of two centroids, computed on the fly with a
/// rigorous bound on how far it can be from the double R holds. A comparison is decided on these costs when their
/// intervals do not overlap; where they do (ties, which grid data make common), R's own doubles are recomputed bit for
/// bit by <see cref="RWardValues"/> and compared as R compares them.</para>
/// <para>The bound. R's value of D(A, B) is the Lance–Williams recurrence evaluated in floating point; with exact
/// arithmetic it equals the Ward cost D*. With the signs of the recurrence's coefficients dropped the same recurrence
/// gives a magnitude M(A, B) = w (‖c_A − c_B‖² + α_A + α_B), w = 2 n_A n_B / (n_A + n_B), with α = 0 for a row and
/// α_Z = (D*(Z₁, Z₂) + (n₁ + n₁n₂/(n₁+n₂)) α₁ + (n₂ + n₁n₂/(n₁+n₂)) α₂) / (n₁ + n₂) per cluster (substituting shows it
/// satisfies the recurrence). Every step of R's evaluation rounds by at most 5u of its terms' magnitudes (u = 2⁻⁵³),
/// the squared <c>dist()</c> values by (d + 5)u, and a replay is at most n_A + n_B − 2 steps deep, so
/// |R − D*| ≤ u (d + 6 + 6 (n_A + n_B)) M(A, B). Centroids carry an absolute error e ≤ (tree depth) · 4u max|x|, which
/// moves the centroid cost by at most (ε + (d + 5)u) D* + 2 d w (1 + 1/ε) (e_A² + e_B²) (ε = 2⁻⁴⁰). Twice the sum of
/// both is used: τ·cost + w (T_A + T_B).</para>
/// <para>Searches go through a k-d tree of the centroids (<see cref="CentroidKdTree"/>), so a rescan visits the
/// neighbourhood of a cluster rather than every cluster; the decisions are the same as R's full scans.</para>
/// </remarks>
internal sealed class RNearestNeighborListOnCentroids
{
    /// <summary>Merges as R's HCLUST reports them (IA &lt; IB, 0-based rows), heights, and how many decisions R's values could not settle.</summary>
    internal readonly record struct Result(int[] IA, int[] IB, double[] Heights, int UndecidedComparisons);

    private const double U = 1.0 / 9007199254740992.0; // 2^-53
    private const double Epsilon = 1.0 / 1099511627776.0; // 2^-40
    private const int ParallelThreshold = 4096;
    private const int SmallExact = 6; // replay R's value eagerly when the two clusters hold this many rows or fewer
    private const long HeightReplayBudget = 200_000;

    private readonly ScoreRows _rows;
    private readonly int _n, _d;
    private readonly double _alphaFactor, _errFactor, _errStep;
    private readonly RWardValues _r;
    private readonly CentroidKdTree _tree;

    // Per unit (row index of the cluster's representative, as R indexes it).
    private readonly int[] _cluster;
    private readonly double[] _alpha, _err;
    private readonly int[] _nn;
    private readonly double[] _disA, _disB, _disX; // approximate cost, its bound, R's value (NaN unknown)
    private readonly int[] _revHead, _revNext, _revPrev; // units whose neighbour is a given unit

    // Min-tree over units 0..n−2 of (lower, upper) bounds of the neighbour cost, for R's choice of the next merge.
    private readonly int _leaves;
    private readonly double[] _tLb, _tUb;

    private readonly CentroidKdTree.Search _search = new();
    private readonly int[] _selectStack = new int[128]; // depth-first walk of the min-tree: at most 2 log2(n) entries
    private readonly List<int> _candidates = new();
    private readonly List<int> _rescan = new();
    private readonly List<int> _adopters = new();
    private readonly double[] _center;
    private readonly double[] _merged;

    private int _undecided;

    private RNearestNeighborListOnCentroids(ScoreRows rows, long replayBudget)
    {
        _rows = rows;
        _n = rows.Rows;
        _d = rows.Columns;
        double maxAbs = 0;
        foreach (double v in rows.Values) maxAbs = Math.Max(maxAbs, Math.Abs(v));
        double c0 = _d + 6, c1 = 6;
        double tau = 2 * (U * (c0 + c1 * _n + _d + 5) + Epsilon);
        _alphaFactor = 2 * U * (c0 + c1 * _n);
        _errFactor = 2 * 2 * _d * (1 + 1 / Epsilon);
        _errStep = 4.5 * U * maxAbs;
        int memoLog2 = Math.Clamp(BitLength(8L * _n), 16, 22);
        _r = new RWardValues(rows, memoLog2) { CallBudget = replayBudget };
        _tree = new CentroidKdTree(_n, _d, tau);
        _tree.Load(rows.Values);

        _cluster = new int[_n];
        for (int i = 0; i < _n; i++) _cluster[i] = i;
        _alpha = new double[_n];
        _err = new double[_n];
        _nn = new int[_n];
        _disA = new double[_n];
        _disB = new double[_n];
        _disX = new double[_n];
        _revHead = new int[_n];
        _revNext = new int[_n];
        _revPrev = new int[_n];
        Array.Fill(_revHead, -1);
        _center = new double[_d];
        _merged = new double[_d];
        _leaves = 1;
        while (_leaves < _n) _leaves <<= 1;
        _tLb = new double[2 * _leaves];
        _tUb = new double[2 * _leaves];
        Array.Fill(_tLb, double.PositiveInfinity);
        Array.Fill(_tUb, double.PositiveInfinity);
    }

    private static int BitLength(long v)
    {
        int b = 0;
        while (v > 0) { b++; v >>= 1; }
        return b;
    }

    /// <summary>Runs R's algorithm on <paramref name="rows"/>; a replay of R's values may take <paramref name="replayBudget"/> steps.</summary>
    public static Result Run(ScoreRows rows, long replayBudget)
    {
        var s = new RNearestNeighborListOnCentroids(rows, replayBudget);
        return s.RunAll();
    }

    private Result RunAll()
    {
        int n = _n;
        var ia = new int[Math.Max(0, n - 1)];
        var ib = new int[Math.Max(0, n - 1)];
        var heights = new double[Math.Max(0, n - 1)];
        if (n < 2) return new Result(ia, ib, heights, 0);
        InitialNeighbours();
        for (int step = 0; step < n - 1; step++)
        {
            int i2 = SelectMerge();
            int j2 = _nn[i2];
            Merge(step, i2, j2, out heights[step]);
            ia[step] = i2;
            ib[step] = j2;
        }
        return new Result(ia, ib, heights, _undecided);
    }

    /// <summary>
    /// Whether the centroid cost of a merge may be further than 10⁻¹³ (relative) from R's value in practice, so that the
    /// height is replayed from R's values: the typical rounding of the centroid difference, 16u Σ (|c_a| + |c_b|) |Δ| over
    /// ‖Δ‖², is large when centroids lie far from the origin compared with their distance (and infinite at distance 0).
    /// The tree never depends on this, only how many digits of the height are R's.
    /// </summary>
    private bool HeightNeedsR(ReadOnlySpan<double> ca, int pb, double approx)
    {
        _tree.Centroid(pb, _merged);
        double cross = 0, s = 0;
        for (int j = 0; j < _d; j++)
        {
            double diff = ca[j] - _merged[j];
            cross += (Math.Abs(ca[j]) + Math.Abs(_merged[j])) * Math.Abs(diff);
            s += diff * diff;
        }
        return !(approx > 0) || 16 * U * cross > 1e-13 * s;
    }

    private double TermOf(double alpha, double err) => _alphaFactor * alpha + _errFactor * err * err;

    // ---------------------------------------------------------------- neighbour lists

    private void Link(int unit, int target)
    {
        _nn[unit] = target;
        if (target < 0) return;
        int head = _revHead[target];
        _revNext[unit] = head;
        _revPrev[unit] = -1;
        if (head >= 0) _revPrev[head] = unit;
        _revHead[target] = unit;
    }

    private void Unlink(int unit)
    {
        int target = _nn[unit];
        if (target < 0) return;
        int prev = _revPrev[unit], next = _revNext[unit];
        if (prev >= 0) _revNext[prev] = next; else _revHead[target] = next;
        if (next >= 0) _revPrev[next] = prev;
        _nn[unit] = -1;
    }

    private void SetNeighbour(int unit, int target, double approx, double bound, double exact)
    {
        if (_nn[unit] != target)
        {
            Unlink(unit);
            Link(unit, target);
        }
        _disA[unit] = approx;
        _disB[unit] = bound;
        _disX[unit] = exact;
        RefreshBounds(unit);
    }

    private void RefreshBounds(int unit)
    {
        double lb, ub;
        if (_nn[unit] < 0) lb = ub = double.PositiveInfinity;
        else if (!double.IsNaN(_disX[unit])) lb = ub = _disX[unit];
        else
        {
            lb = _disA[unit] - _disB[unit];
            ub = _disA[unit] + _disB[unit];
        }
        _tree.SetBounds(_tree.Position(unit), lb, ub);
        if (unit < _n - 1) TreeSet(unit, lb, ub);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // also in short-lived processes (the CLI) and first runs
    private void TreeSet(int unit, double lb, double ub)
    {
        int i = _leaves + unit;
        _tLb[i] = lb;
        _tUb[i] = ub;
        for (i >>= 1; i >= 1; i >>= 1)
        {
            _tLb[i] = Math.Min(_tLb[2 * i], _tLb[2 * i + 1]);
            _tUb[i] = Math.Min(_tUb[2 * i], _tUb[2 * i + 1]);
        }
    }

    /// <summary>R's value of a unit's neighbour cost, replayed if not known; NaN when the replay gives up.</summary>
    private double ExactNeighbourCost(int unit)
    {
        if (_nn[unit] < 0) return double.PositiveInfinity;
        if (double.IsNaN(_disX[unit])) _disX[unit] = _r.Value(_cluster[unit], _cluster[_nn[unit]]);
        return _disX[unit];
    }

    private double ExactCost(int unitA, int unitB) => _r.Value(_cluster[unitA], _cluster[unitB]);

    private bool SmallPair(int unitA, int unitB) =>
        _tree.Size(_tree.Position(unitA)) + _tree.Size(_tree.Position(unitB)) <= SmallExact;

    /// <summary>
    /// Among the candidates (positions by increasing unit) of the center, the one R's scan picks: the smallest of R's
    /// values, the first on ties. Sets the center's neighbour.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // also in short-lived processes (the CLI) and first runs
    private void Resolve(int unit, ReadOnlySpan<double> c, double m, double t, List<int> candidates)
    {
        int count = candidates.Count;
        if (count == 0)
        {
            SetNeighbour(unit, -1, double.PositiveInfinity, 0, double.NaN);
            return;
        }
        if (count == 1)
        {
            int other = _tree.UnitAt(candidates[0]);
            double v = _tree.Cost(c, m, t, candidates[0], out double b);
            double exact = SmallPair(unit, other) ? ExactCost(unit, other) : double.NaN;
            SetNeighbour(unit, other, v, b, exact);
            return;
        }
        double best = double.PositiveInfinity;
        int bestPos = -1;
        bool undecided = false;
        for (int k = 0; k < count; k++)
        {
            double exact = ExactCost(unit, _tree.UnitAt(candidates[k]));
            if (double.IsNaN(exact))
            {
                undecided = true;
                break;
            }
            if (exact < best)
            {
                best = exact;
                bestPos = candidates[k];
            }
        }
        if (undecided)
        {
            // R's values out of reach: take the smallest centroid cost (first on ties) and count the decision.
            _undecided++;
            best = double.PositiveInfinity;
            for (int k = 0; k < count; k++)
            {
                double v = _tree.Cost(c, m, t, candidates[k], out _);
                if (v < best)
                {
                    best = v;
                    bestPos = candidates[k];
                }
            }
            double va = _tree.Cost(c, m, t, bestPos, out double vb);
            SetNeighbour(unit, _tree.UnitAt(bestPos), va, vb, double.NaN);
            return;
        }
        double a = _tree.Cost(c, m, t, bestPos, out double bb);
        SetNeighbour(unit, _tree.UnitAt(bestPos), a, bb, best);
    }

    /// <summary>Searches the neighbour of a unit among higher units and sets it.</summary>
    private void Rescan(int unit)
    {
        int p = _tree.Position(unit);
        _tree.Centroid(p, _center);
        double m = _tree.Size(p), t = _tree.Term(p);
        _tree.NearestAbove(_center, m, t, unit, _search);
        Resolve(unit, _center, m, t, _search.Candidates);
    }

    /// <summary>R's initial lists: for every row its first nearest row among higher indices.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // also in short-lived processes (the CLI) and first runs
    private void InitialNeighbours()
    {
        int n = _n;
        var chosen = new int[n];
        var approx = new double[n];
        var bound = new double[n];
        var exact = new double[n];
        void One(int i, CentroidKdTree.Search s, double[] c)
        {
            int pi = _tree.Position(i);
            _tree.Centroid(pi, c);
            _tree.NearestAbove(c, 1, 0, i, s);
            // Rows: R's values are the squared dist() values themselves.
            double best = double.PositiveInfinity;
            int bestPos = -1;
            foreach (int p in s.Candidates)
            {
                double e = _rows.RSquaredDistance(i, _tree.UnitAt(p));
                if (e < best)
                {
                    best = e;
                    bestPos = p;
                }
            }
            chosen[i] = _tree.UnitAt(bestPos);
            approx[i] = _tree.Cost(c, 1, 0, bestPos, out bound[i]);
            exact[i] = best;
        }
        if (n > ParallelThreshold)
        {
            int blocks = 64;
            Parallel.For(0, blocks, () => (new CentroidKdTree.Search(), new double[_d]), (b, _, local) =>
            {
                for (int i = b; i < n - 1; i += blocks) One(i, local.Item1, local.Item2);
                return local;
            }, _ => { });
        }
        else
        {
            var c = new double[_d];
            for (int i = 0; i < n - 1; i++) One(i, _search, c);
        }
        for (int i = 0; i < n - 1; i++)
        {
            Link(i, chosen[i]);
            _disA[i] = approx[i];
            _disB[i] = bound[i];
            _disX[i] = exact[i];
            _tree.SetBounds(_tree.Position(i), exact[i], exact[i]);
            _tLb[_leaves + i] = _tUb[_leaves + i] = exact[i];
        }
        _nn[n - 1] = -1;
        for (int i = _leaves - 1; i >= 1; i--)
        {
            _tLb[i] = Math.Min(_tLb[2 * i], _tLb[2 * i + 1]);
            _tUb[i] = Math.Min(_tUb[2 * i], _tUb[2 * i + 1]);
        }
    }

    // ---------------------------------------------------------------- R's loop

    /// <summary>R's choice of the next merge: the first unit (rows 1..N−1) whose neighbour cost is smallest.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // also in short-lived processes (the CLI) and first runs
    private int SelectMerge()
    {
        double ubMin = _tUb[1], lbMin = _tLb[1];
        // Walk the candidates (lower bound ≤ smallest upper bound) in index order.
        var stack = _selectStack;
        int top = 0;
        stack[top++] = 1;
        int first = -1, second = -1;
        while (top > 0 && second < 0)
        {
            int node = stack[--top];
            if (_tLb[node] > ubMin) continue;
            if (node >= _leaves)
            {
                if (first < 0) first = node - _leaves; else second = node - _leaves;
                continue;
            }
            stack[top++] = 2 * node + 1;
            stack[top++] = 2 * node;
        }
        if (second < 0) return first;
        // Several candidates: R's values decide, in index order; stop once nothing below the best can follow.
        _candidates.Clear();
        top = 0;
        stack[top++] = 1;
        double best = double.PositiveInfinity;
        int bestUnit = -1;
        bool undecided = false;
        while (top > 0)
        {
            int node = stack[--top];
            if (_tLb[node] > ubMin || _tLb[node] >= best) continue;
            if (node >= _leaves)
            {
                int unit = node - _leaves;
                double e = ExactNeighbourCost(unit);
                _candidates.Add(unit);
                if (double.IsNaN(e))
                {
                    undecided = true;
                    break;
                }
                if (e < best)
                {
                    best = e;
                    bestUnit = unit;
                }
                if (best <= lbMin) break;
                continue;
            }
            stack[top++] = 2 * node + 1;
            stack[top++] = 2 * node;
        }
        foreach (int unit in _candidates) RefreshBounds(unit);
        if (!undecided) return bestUnit;
        _undecided++;
        // Out of reach: the smallest centroid cost, first on ties.
        best = double.PositiveInfinity;
        top = 0;
        stack[top++] = 1;
        while (top > 0)
        {
            int node = stack[--top];
            if (_tLb[node] > ubMin) continue;
            if (node >= _leaves)
            {
                int unit = node - _leaves;
                double v = double.IsNaN(_disX[unit]) ? _disA[unit] : _disX[unit];
                if (v < best)
                {
                    best = v;
                    bestUnit = unit;
                }
                continue;
            }
            stack[top++] = 2 * node + 1;
            stack[top++] = 2 * node;
        }
        return bestUnit;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // also in short-lived processes (the CLI) and first runs
    private void Merge(int step, int i2, int j2, out double height)
    {
        int n = _n, d = _d;
        int pi = _tree.Position(i2), pj = _tree.Position(j2);
        int ci = _cluster[i2], cj = _cluster[j2];
        double a = _tree.Size(pi), b = _tree.Size(pj);

        // R's value of the merge (the neighbour cost of i2), replayed when cheap; the centroid cost and its bound otherwise.
        _tree.Centroid(pi, _center);
        double approx = _tree.Cost(_center, a, _tree.Term(pi), pj, out double bnd);
        double rv = _disX[i2];
        if (double.IsNaN(rv) && (a + b <= SmallExact || HeightNeedsR(_center, pj, approx)))
            rv = _r.Value(ci, cj, Math.Min(HeightReplayBudget, _r.CallBudget));
        height = Math.Sqrt(double.IsNaN(rv) ? approx : rv);
        _r.Record(step, ci, cj, rv);

        // Merged centroid and bound terms.
        double tot = a + b;
        _tree.Centroid(pj, _merged);
        for (int j = 0; j < d; j++) _merged[j] = (a * _center[j] + b * _merged[j]) / tot;
        double hBound = (approx + bnd) * (1 + 1e-9);
        double ab = a * b / tot;
        _alpha[i2] = (hBound + (a + ab) * _alpha[i2] + (b + ab) * _alpha[j2]) / tot * (1 + 1e-9);
        _err[i2] = Math.Max(_err[i2], _err[j2]) + _errStep;
        double term = TermOf(_alpha[i2], _err[i2]);
        _cluster[i2] = n + step;

        // j2 leaves; i2 becomes the merged cluster.
        Unlink(j2);
        Unlink(i2); // its neighbour was j2; it gets a fresh one below
        _tree.Remove(pj);
        if (j2 < n - 1) TreeSet(j2, double.PositiveInfinity, double.PositiveInfinity);
        _tree.SetCluster(pi, _merged, tot, term);

        // Units whose neighbour was i2 or j2 rescan (R: DO I ... IF NN(I) = I2 or J2).
        _rescan.Clear();
        for (int u = _revHead[i2]; u >= 0; u = _revNext[u]) _rescan.Add(u);
        for (int u = _revHead[j2]; u >= 0; u = _revNext[u]) _rescan.Add(u);

        // Lower units adopt the merged cluster when strictly nearer (R: DISS(IND1) < DISNN(K)); those about to rescan are
        // skipped, as their rescan decides for them. A unit that adopts needs no rescan: every other cost of its is at
        // least its old neighbour cost, so the merged cluster is its unique nearest.
        _tree.MayAdopt(_merged, tot, term, i2, _search, _adopters);
        foreach (int p in _adopters)
        {
            int k = _tree.UnitAt(p);
            if (_nn[k] == i2 || _nn[k] == j2) continue;
            double v = _tree.Cost(_merged, tot, term, p, out double vb);
            double exactNew = double.NaN;
            bool adopt;
            if (v + vb < _tree.LowerBound(p)) adopt = true;
            else
            {
                exactNew = ExactCost(i2, k);
                double exactOld = ExactNeighbourCost(k);
                if (double.IsNaN(exactNew) || double.IsNaN(exactOld))
                {
                    _undecided++;
                    adopt = v < (double.IsNaN(_disX[k]) ? _disA[k] : _disX[k]);
                    exactNew = double.NaN;
                }
                else adopt = exactNew < exactOld;
                RefreshBounds(k);
            }
            if (adopt)
            {
                if (double.IsNaN(exactNew) && SmallPair(i2, k)) exactNew = ExactCost(i2, k);
                SetNeighbour(k, i2, v, vb, exactNew);
            }
        }

        // The merged cluster's neighbour among higher units (R: the K > I2 branch), then the rescans.
        Rescan(i2);
        foreach (int u in _rescan) Rescan(u);
        _tree.RebuildIfSparse();
    }
}
