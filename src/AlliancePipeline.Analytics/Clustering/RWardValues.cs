using System.Runtime.CompilerServices;

namespace AlliancePipeline.Analytics.Clustering;

/// <summary>
/// R's own "ward.D2" dissimilarity between two clusters, recomputed bit for bit from the merge history instead of kept
/// in an n × n matrix.
/// </summary>
/// <remarks>
/// <para>In <c>hclust.f</c> the value R holds for two coexisting clusters depends only on how each was built. Two rows:
/// the squared <c>dist()</c> value (R squares <c>dist()</c>'s square root again for "ward.D2"). Otherwise the younger
/// cluster Z was formed at some step by joining Z₁ and Z₂ while the other cluster W existed, and R then stored the
/// Lance–Williams update (Lance &amp; Williams 1967; Ward 1963)</para>
/// <code>D(Z, W) = ((n₁ + n_W) D(Z₁, W) + (n₂ + n_W) D(Z₂, W) − n_W D(Z₁, Z₂)) / (n₁ + n₂ + n_W)</code>
/// <para>evaluated left to right, where D(Z₁, Z₂) is the value R merged Z at. Replaying that recurrence over the two
/// merge histories gives R's double exactly (the order of Z₁ and Z₂ does not matter: floating-point addition is
/// commutative). Values are memoized by cluster pair; a query that needs more than <see cref="CallBudget"/> recurrence
/// steps returns NaN (not reproducible here at reasonable cost).</para>
/// <para>Cluster ids: 0..n−1 are the rows, n + t the cluster formed at merge step t (0-based), so the younger of two
/// clusters is the one with the larger id.</para>
/// </remarks>
internal sealed class RWardValues
{
    private const long EmptyKey = -1;

    private readonly ScoreRows _rows;
    private readonly int _n;
    private readonly int[] _low;
    private readonly int[] _high;
    private readonly double[] _size;
    private readonly double[] _mergeValue;
    private long[] _keys;
    private double[] _values;
    private int _used;
    private readonly int _shift;

    // Explicit stack of pending evaluations (merge trees can be thousands of levels deep).
    private int[] _fz = new int[64];
    private int[] _fw = new int[64];
    private int[] _fstage = new int[64];
    private double[] _fd = new double[64 * 3];

    public RWardValues(ScoreRows rows, int memoCapacityLog2)
    {
        _rows = rows;
        _n = rows.Rows;
        int merges = Math.Max(1, _n - 1);
        _low = new int[merges];
        _high = new int[merges];
        _size = new double[_n + merges];
        _mergeValue = new double[merges];
        Array.Fill(_mergeValue, double.NaN);
        for (int i = 0; i < _n; i++) _size[i] = 1.0;
        _shift = 64 - memoCapacityLog2;
        _keys = new long[1 << memoCapacityLog2];
        _values = new double[1 << memoCapacityLog2];
        Array.Fill(_keys, EmptyKey);
    }

    /// <summary>Most recurrence steps one query may take before it gives up (NaN).</summary>
    public long CallBudget { get; init; } = 4_000_000;

    /// <summary>Records merge <paramref name="step"/> of clusters <paramref name="a"/> and <paramref name="b"/>, with R's value if known (else NaN).</summary>
    public void Record(int step, int a, int b, double rValue)
    {
        _low[step] = a;
        _high[step] = b;
        _size[_n + step] = _size[a] + _size[b];
        _mergeValue[step] = rValue;
    }

    /// <summary>R's dissimilarity between coexisting clusters <paramref name="x"/> and <paramref name="y"/>; NaN beyond the budget.</summary>
    public double Value(int x, int y) => Value(x, y, CallBudget);

    /// <summary>As <see cref="Value(int, int)"/>, with a budget of <paramref name="budget"/> recurrence steps.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // also in short-lived processes (the CLI) and first runs
    public double Value(int x, int y, long budget)
    {
        if (x < _n && y < _n) return _rows.RSquaredDistance(x, y);
        if (x < y) (x, y) = (y, x);
        if (TryGet(x, y, out double v)) return v;
        long spent = 0;
        int top = 0;
        Push(ref top, x, y);
        double result = double.NaN;
        while (top > 0)
        {
            int f = top - 1;
            int z = _fz[f], w = _fw[f], t = z - _n;
            bool pushed = false;
            while (_fstage[f] < 3)
            {
                int stage = _fstage[f];
                double known;
                int p, q;
                if (stage == 0) (p, q) = (_low[t], w);
                else if (stage == 1) (p, q) = (_high[t], w);
                else
                {
                    (p, q) = (_low[t], _high[t]);
                    if (!double.IsNaN(_mergeValue[t]))
                    {
                        _fd[f * 3 + 2] = _mergeValue[t];
                        _fstage[f] = 3;
                        break;
                    }
                }
                if (p < q) (p, q) = (q, p);
                if (p < _n) known = _rows.RSquaredDistance(p, q);
                else if (!TryGet(p, q, out known))
                {
                    if (++spent > budget) return double.NaN;
                    Push(ref top, p, q);
                    pushed = true;
                    break;
                }
                _fd[f * 3 + stage] = known;
                _fstage[f] = stage + 1;
            }
            if (pushed) continue;
            // All three inputs known: R's update, operations in hclust.f's order.
            double d1 = _fd[f * 3], d2 = _fd[f * 3 + 1], d12 = _fd[f * 3 + 2];
            double mi = _size[_low[t]], mj = _size[_high[t]], mk = _size[w];
            double value = (mi + mk) * d1 + (mj + mk) * d2 - mk * d12;
            value /= mi + mj + mk;
            Put(z, w, value);
            top--;
            if (top == 0) result = value;
            else
            {
                int parent = top - 1;
                int ps = _fstage[parent];
                _fd[parent * 3 + ps] = value;
                if (ps == 2) _mergeValue[_fz[parent] - _n] = value;
                _fstage[parent] = ps + 1;
            }
        }
        return result;
    }

    private void Push(ref int top, int z, int w)
    {
        if (top == _fz.Length)
        {
            Array.Resize(ref _fz, top * 2);
            Array.Resize(ref _fw, top * 2);
            Array.Resize(ref _fstage, top * 2);
            Array.Resize(ref _fd, top * 6);
        }
        _fz[top] = z;
        _fw[top] = w;
        _fstage[top] = 0;
        top++;
    }

    private static long Key(int z, int w) => ((long)z << 32) | (uint)w;

    private int Slot(long key)
    {
        ulong h = (ulong)key * 0x9E3779B97F4A7C15UL;
        return (int)(h >> _shift);
    }

    private bool TryGet(int z, int w, out double value)
    {
        long key = Key(z, w);
        int mask = _keys.Length - 1;
        for (int s = Slot(key); ; s = (s + 1) & mask)
        {
            long k = _keys[s];
            if (k == key)
            {
                value = _values[s];
                return true;
            }
            if (k == EmptyKey)
            {
                value = 0;
                return false;
            }
        }
    }

    private void Put(int z, int w, double value)
    {
        if (_used * 4 >= _keys.Length * 3)
        {
            // Full: forget everything (values are facts about fixed clusters, so forgetting only costs recomputation).
            Array.Fill(_keys, EmptyKey);
            _used = 0;
        }
        long key = Key(z, w);
        int mask = _keys.Length - 1;
        int s = Slot(key);
        while (_keys[s] != EmptyKey && _keys[s] != key) s = (s + 1) & mask;
        if (_keys[s] == EmptyKey) _used++;
        _keys[s] = key;
        _values[s] = value;
    }
}
