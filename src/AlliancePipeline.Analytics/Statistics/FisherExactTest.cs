using System.Runtime.InteropServices;
using MathNet.Numerics;

namespace AlliancePipeline.Analytics.Statistics;

/// <summary>How a Fisher–Freeman–Halton p-value was obtained.</summary>
/// <param name="PValue">The two-sided p-value.</param>
/// <param name="Replicates">Null when exact; else the number of random tables of the Monte Carlo p-value.</param>
/// <param name="Seed">Null when exact; else the seed of R's generator (<c>set.seed</c>) the random tables came from.</param>
public sealed record FisherTestResult(double PValue, int? Replicates, int? Seed)
{
    /// <summary>Whether the p-value is exact (all tables enumerated) rather than simulated.</summary>
    public bool IsExact => Replicates is null;
}

/// <summary>
/// Fisher's exact test for an r × c contingency table, two-sided, with the Freeman–Halton extension (Freeman &amp;
/// Halton 1951): the probability, under independence with both margins fixed, of the tables no more probable than the
/// observed one. As in R's <c>fisher.test</c>, a table counts when its probability is at most the observed
/// probability × (1 + 1e-7), so tables equal in exact arithmetic are not lost to rounding.
/// </summary>
/// <remarks>
/// <para>Table probability: <c>Π r_i! Π c_j! / (N! Π x_ij!)</c> (multivariate hypergeometric).</para>
/// <para>Tables of two columns (or rows), the cluster × outcome tables of a report, are summed by the network algorithm
/// (Mehta &amp; Patel 1983), with the last two rows summed at once from their concave weights: the 6 × 2 table with
/// N = 1,000 of the reference takes about a second, and N = 3,000, where R's FEXACT runs out of workspace, well under a
/// minute. Other tables are enumerated by meeting in the middle: the rows are split in two halves, every admissible
/// filling of each half is listed with its column sums, and fillings whose column sums complete each other are paired
/// through sorted prefix sums.</para>
/// <para>Where the exact sum would take more than a set amount of work, <see cref="Test"/> gives R's Monte Carlo p-value
/// instead (<c>fisher.test(x, simulate.p.value = TRUE, B)</c> after <c>set.seed(seed)</c>), equal to R's to the last
/// bit, and says so; it never runs without end.</para>
/// </remarks>
public static class FisherExactTest
{
    /// <summary>Relative tolerance R uses when comparing probabilities of 2 × 2 tables.</summary>
    public const double RelativeTolerance2x2 = 1e-7;

    /// <summary>Tolerance on the log probability that R's FEXACT uses for larger tables.</summary>
    public const double LogTolerance = 3.45254e-7;

    /// <summary>Upper bound on half-fillings listed, so memory stays bounded.</summary>
    public const int MaxHalfFillings = 40_000_000;

    /// <summary>The work <see cref="Test"/> allows the exact sum by default: paths and fillings followed, about 10 s here.</summary>
    public const long DefaultExactWork = 150_000_000;

    /// <summary>
    /// The most distinct partial paths one level of the network may hold (a few hundred MB) before the exact sum gives way
    /// to the Monte Carlo p: at large N the paths, not the steps, are the cost (6 × 2 at N = 10,000 held gigabytes and
    /// took a minute within the step budget; bench/results/fisher-benchmark.md).
    /// </summary>
    public const long MaxLivePaths = 4_000_000;

    /// <summary>The number of random tables of R's Monte Carlo p-value by default (R's <c>B = 2000</c>).</summary>
    public const int DefaultReplicates = 2000;

    /// <summary>The seed of R's generator for the Monte Carlo p-value by default.</summary>
    public const int DefaultSeed = 20261206;

    /// <summary>R's <c>.Machine$double.eps</c>, 2⁻⁵².</summary>
    private const double MachineEpsilon = 2.220446049250313e-16;

    /// <summary>Two-sided exact p-value of the table (rows × columns of non-negative counts), however long it takes.</summary>
    /// <exception cref="ArgumentException">Negative counts, fewer than 2 rows or columns.</exception>
    /// <exception cref="InvalidOperationException">The table is too large to enumerate in memory.</exception>
    public static double PValue(int[,] table) =>
        Exact(table, long.MaxValue) ?? throw new InvalidOperationException("The table is too large for the exact test.");

    /// <summary>
    /// The two-sided p-value: exact when the sum takes at most <paramref name="exactWork"/> steps, else R's Monte Carlo
    /// p-value from <paramref name="replicates"/> random tables drawn after <c>set.seed(<paramref name="seed"/>)</c>.
    /// </summary>
    /// <exception cref="ArgumentException">Negative counts, fewer than 2 rows or columns, or fewer than 1 replicate.</exception>
    public static FisherTestResult Test(int[,] table, long exactWork = DefaultExactWork, int replicates = DefaultReplicates, int seed = DefaultSeed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(replicates, 1);
        return Exact(table, exactWork) is { } p
            ? new FisherTestResult(p, null, null)
            : new FisherTestResult(MonteCarloPValue(table, replicates, seed), replicates, seed);
    }

    /// <summary>
    /// R's Monte Carlo p-value, <c>set.seed(seed); fisher.test(x, simulate.p.value = TRUE, B = replicates)$p.value</c>:
    /// <c>(1 + #{random tables with Σ −ln x_ij! ≤ the observed one / (1 + 64 ε)}) / (B + 1)</c>, the tables drawn by
    /// Patefield's algorithm (<see cref="RandomTables"/>) from R's generator (<see cref="RUniform"/>).
    /// </summary>
    public static double MonteCarloPValue(int[,] table, int replicates, int seed)
    {
        var t = Contingency.Validate(table, nameof(table));
        ArgumentOutOfRangeException.ThrowIfLessThan(replicates, 1);
        int[] rowSums = Enumerable.Range(0, t.GetLength(0)).Select(i => Enumerable.Range(0, t.GetLength(1)).Sum(j => t[i, j])).ToArray();
        int[] colSums = Enumerable.Range(0, t.GetLength(1)).Select(j => Enumerable.Range(0, t.GetLength(0)).Sum(i => t[i, j])).ToArray();
        var rows = Enumerable.Range(0, rowSums.Length).Where(i => rowSums[i] > 0).ToArray();
        var cols = Enumerable.Range(0, colSums.Length).Where(j => colSums[j] > 0).ToArray();
        if (rows.Length < 2 || cols.Length < 2) return 1.0;
        int n = rowSums.Sum();
        // R: fact[0] = fact[1] = 0, fact[i] = fact[i − 1] + log(i).
        var lnFactorial = new double[n + 1];
        for (int i = 2; i <= n; i++) lnFactorial[i] = lnFactorial[i - 1] + Math.Log(i);
        double statistic = 0.0;
        foreach (int i in rows)
            foreach (int j in cols)
                statistic -= lnFactorial[t[i, j]];
        // R: almost.1 <- 1 + 64 * .Machine$double.eps; the statistic is negative, so this lets equal tables count.
        double threshold = statistic / (1 + 64 * MachineEpsilon);
        var uniform = new RUniform(seed);
        int[] r = [.. rows.Select(i => rowSums[i])], c = [.. cols.Select(j => colSums[j])];
        var drawn = new int[r.Length * c.Length];
        int atMost = 0;
        for (int b = 0; b < replicates; b++)
        {
            RandomTables.Draw(r, c, lnFactorial, uniform, drawn);
            double value = 0.0;
            // R sums column by column.
            for (int j = 0; j < c.Length; j++)
                for (int i = 0; i < r.Length; i++)
                    value -= lnFactorial[drawn[i * c.Length + j]];
            if (value <= threshold) atMost++;
        }
        return (1.0 + atMost) / (replicates + 1.0);
    }

    /// <summary>The exact p-value, or null when it would take more than <paramref name="work"/> steps.</summary>
    private static double? Exact(int[,] table, long work)
    {
        var t = Contingency.Validate(table, nameof(table));
        // Drop empty rows and columns (they do not change any probability) and put the shorter side in columns.
        int[] rowSums = Enumerable.Range(0, t.GetLength(0)).Select(i => Enumerable.Range(0, t.GetLength(1)).Sum(j => t[i, j])).ToArray();
        int[] colSums = Enumerable.Range(0, t.GetLength(1)).Select(j => Enumerable.Range(0, t.GetLength(0)).Sum(i => t[i, j])).ToArray();
        var rows = Enumerable.Range(0, rowSums.Length).Where(i => rowSums[i] > 0).ToArray();
        var cols = Enumerable.Range(0, colSums.Length).Where(j => colSums[j] > 0).ToArray();
        if (rows.Length < 2 || cols.Length < 2) return 1.0;
        bool transpose = cols.Length > rows.Length;
        int r = transpose ? cols.Length : rows.Length, c = transpose ? rows.Length : cols.Length;
        var x = new int[r, c];
        for (int i = 0; i < r; i++)
            for (int j = 0; j < c; j++)
                x[i, j] = transpose ? t[rows[j], cols[i]] : t[rows[i], cols[j]];
        var rs = Enumerable.Range(0, r).Select(i => Enumerable.Range(0, c).Sum(j => x[i, j])).ToArray();
        var cs = Enumerable.Range(0, c).Select(j => Enumerable.Range(0, r).Sum(i => x[i, j])).ToArray();
        int n = rs.Sum();

        // log P(table) = constant + Σ_i [ln r_i! − Σ_j ln x_ij!]
        double constant = cs.Sum(v => SpecialFunctions.FactorialLn(v)) - SpecialFunctions.FactorialLn(n);
        double observed = constant;
        for (int i = 0; i < r; i++)
        {
            observed += SpecialFunctions.FactorialLn(rs[i]);
            for (int j = 0; j < c; j++) observed -= SpecialFunctions.FactorialLn(x[i, j]);
        }
        double limit = observed + (r == 2 && c == 2 ? double.LogP1(RelativeTolerance2x2) : LogTolerance);
        if (c == 2) return TwoColumns(rs, cs[0], constant, limit - constant, work);

        int h = r / 2;
        long fillingsAllowed = Math.Min(MaxHalfFillings, work / 2);
        var first = Fillings(rs[..h], cs, fillingsAllowed);
        var second = first is null ? null : Fillings(rs[h..], cs, fillingsAllowed);
        if (first is null || second is null) return null;
        // For each column-sum key of the second half: its log-weights sorted, and prefix sums of exp(weight - shift).
        var index = new Dictionary<long, (double[] Weights, double[] Prefix, double Shift)>();
        foreach (var (key, list) in second)
        {
            var w = list.ToArray();
            Array.Sort(w);
            double shift = w[^1];
            var prefix = new double[w.Length + 1];
            for (int k = 0; k < w.Length; k++) prefix[k + 1] = prefix[k] + Math.Exp(w[k] - shift);
            index[key] = (w, prefix, shift);
        }
        double p = 0.0;
        foreach (var (key, list) in first)
        {
            if (!index.TryGetValue(Complement(key, cs), out var part)) continue;
            foreach (double wa in list)
            {
                double bound = limit - constant - wa;
                int count = UpperBound(part.Weights, bound);
                if (count > 0) p += Math.Exp(constant + wa + part.Shift) * part.Prefix[count];
            }
        }
        return Math.Min(1.0, p);
    }

    /// <summary>
    /// The p-value of a table of two columns by the network algorithm (Mehta &amp; Patel 1983; R's FEXACT does the same):
    /// rows are filled one at a time, a node being (rows filled, count placed in the first column so far), and the paths
    /// into a node that reach it with the same log-weight are merged. From each node the largest and smallest log-weight
    /// the remaining rows can add are known (computed backwards), so a path whose every completion counts adds them all at
    /// once (their total is a binomial coefficient, by Vandermonde's identity), a path none of whose completions counts is
    /// dropped, and only the rest are followed. Weight of a table: Σ ln C(r_i, x_i); it counts when at most
    /// <paramref name="bound"/>. Null when more than <paramref name="work"/> paths would be followed.
    /// </summary>
    private static double? TwoColumns(int[] rowSums, int firstColumn, double constant, double bound, long work)
    {
        // Larger rows first: their choices spread the weights most, so paths are decided sooner.
        var a = rowSums.OrderByDescending(v => v).ToArray();
        int r = a.Length, n = a.Sum(), c1 = firstColumn;
        var lnFactorial = new double[n + 1];
        for (int i = 0; i <= n; i++) lnFactorial[i] = SpecialFunctions.FactorialLn(i);
        double LnChoose(int m, int k) => lnFactorial[m] - lnFactorial[k] - lnFactorial[m - k];

        var tail = new int[r + 1];
        for (int k = r - 1; k >= 0; k--) tail[k] = tail[k + 1] + a[k];
        // most[k][s], least[k][s]: the largest and smallest Σ_{i ≥ k} ln C(a_i, x_i) over fillings of rows k.. with Σ x_i = s.
        var most = new double[r + 1][];
        var least = new double[r + 1][];
        most[r] = [0.0];
        least[r] = [0.0];
        for (int k = r - 1; k >= 0; k--)
        {
            int top = Math.Min(tail[k], c1), below = Math.Min(tail[k + 1], c1);
            most[k] = new double[top + 1];
            least[k] = new double[top + 1];
            for (int s = 0; s <= top; s++)
            {
                double hi = double.NegativeInfinity, lo = double.PositiveInfinity;
                for (int x = Math.Max(0, s - below); x <= Math.Min(a[k], s); x++)
                {
                    double w = LnChoose(a[k], x);
                    hi = Math.Max(hi, w + most[k + 1][s - x]);
                    lo = Math.Min(lo, w + least[k + 1][s - x]);
                }
                most[k][s] = hi;
                least[k][s] = lo;
            }
        }

        double p = 0.0;
        var level = new Dictionary<double, double>?[c1 + 1];
        level[0] = new Dictionary<double, double> { [0.0] = 1.0 };
        var lastTwo = new LastTwoRows(a[r - 2], a[r - 1], c1, lnFactorial);
        for (int k = 0; k < r; k++)
        {
            if (k == r - 2)
            {
                for (int s = 0; s <= c1; s++)
                {
                    if (level[s] is not { } paths) continue;
                    foreach (var (past, count) in paths) p += count * lastTwo.SumAtMost(c1 - s, bound - past, constant + past);
                }
                break;
            }
            var next = new Dictionary<double, double>?[c1 + 1];
            long live = 0;
            for (int s = 0; s <= c1; s++)
            {
                if (level[s] is not { } paths) continue;
                int left = c1 - s;
                double hi = most[k][left], lo = least[k][left], all = LnChoose(tail[k], left);
                int below = Math.Min(tail[k + 1], c1);
                if ((work -= paths.Count) < 0) return null;
                foreach (var (past, count) in paths)
                {
                    if (past + hi <= bound)
                    {
                        p += count * Math.Exp(constant + past + all);
                        continue;
                    }
                    if (past + lo > bound) continue;
                    if ((work -= Math.Min(a[k], left) + 1) < 0) return null;
                    if (k == r - 3)
                    {
                        // The last two rows are summed at once for each choice here, without a node for each.
                        for (int x = Math.Max(0, left - below); x <= Math.Min(a[k], left); x++)
                        {
                            double weight = past + LnChoose(a[k], x);
                            p += count * lastTwo.SumAtMost(left - x, bound - weight, constant + weight);
                        }
                        continue;
                    }
                    for (int x = Math.Max(0, left - below); x <= Math.Min(a[k], left); x++)
                    {
                        var into = next[s + x] ??= new Dictionary<double, double>();
                        double weight = past + LnChoose(a[k], x);
                        ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(into, weight, out bool existed);
                        slot += count;
                        // The paths a level holds are the memory the sum needs: beyond MaxLivePaths it is not worth it.
                        if (!existed && ++live > MaxLivePaths) return null;
                    }
                }
            }
            level = next;
        }
        return Math.Min(1.0, p);
    }

    /// <summary>
    /// The last two rows of a two-column table, sizes <c>a</c> and <c>b</c>: for a count <c>left</c> still to place in the
    /// first column, the weights <c>g(x) = ln C(a, x) + ln C(b, left − x)</c> are concave in <c>x</c>, so the fillings
    /// whose weight is at most a bound are the two tails outside one interval around the mode; their total comes from
    /// prefix and suffix sums (kept per <c>left</c>, each scaled by its largest term), with no cancellation.
    /// </summary>
    private sealed class LastTwoRows(int a, int b, int most, double[] lnFactorial)
    {
        private readonly Tail?[] _byLeft = new Tail?[most + 1];

        private sealed record Tail(double[] Weights, double[] Prefix, double[] Suffix, double Shift, int Mode);

        /// <summary><c>exp(offset) · Σ exp(g(x))</c> over the fillings with <c>g(x)</c> at most <paramref name="bound"/>.</summary>
        public double SumAtMost(int left, double bound, double offset)
        {
            var e = _byLeft[left] ??= Tabulate(left);
            var w = e.Weights;
            int mode = e.Mode;
            if (w[mode] <= bound) return Math.Exp(offset + e.Shift) * e.Prefix[^1];
            // The first index above the bound (weights rise up to the mode), and the last (they fall after it).
            int lo = 0, hi = mode;
            while (lo < hi)
            {
                int mid = (lo + hi) >>> 1;
                if (w[mid] > bound) hi = mid; else lo = mid + 1;
            }
            int first = lo;
            lo = mode;
            hi = w.Length - 1;
            while (lo < hi)
            {
                int mid = (lo + hi + 1) >>> 1;
                if (w[mid] > bound) lo = mid; else hi = mid - 1;
            }
            double tails = e.Prefix[first] + e.Suffix[lo + 1];
            return tails == 0.0 ? 0.0 : Math.Exp(offset + e.Shift) * tails;
        }

        private Tail Tabulate(int left)
        {
            int low = Math.Max(0, left - b), count = Math.Min(a, left) - low + 1;
            var w = new double[count];
            int mode = 0;
            for (int i = 0; i < count; i++)
            {
                int x = low + i, y = left - x;
                w[i] = lnFactorial[a] - lnFactorial[x] - lnFactorial[a - x] + lnFactorial[b] - lnFactorial[y] - lnFactorial[b - y];
                if (w[i] > w[mode]) mode = i;
            }
            double shift = w[mode];
            var prefix = new double[count + 1];
            var suffix = new double[count + 1];
            for (int i = 0; i < count; i++) prefix[i + 1] = prefix[i] + Math.Exp(w[i] - shift);
            for (int i = count - 1; i >= 0; i--) suffix[i] = suffix[i + 1] + Math.Exp(w[i] - shift);
            return new Tail(w, prefix, suffix, shift, mode);
        }
    }

    private static int UpperBound(double[] sorted, double bound)
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] <= bound) lo = mid + 1; else hi = mid;
        }
        return lo;
    }

    // Keys: column sums of a half in mixed radix (c_j + 1).
    private static long Complement(long key, int[] cs)
    {
        long result = 0, radix = 1;
        for (int j = 0; j < cs.Length; j++)
        {
            long digit = key % (cs[j] + 1);
            key /= cs[j] + 1;
            result += (cs[j] - digit) * radix;
            radix *= cs[j] + 1;
        }
        return result;
    }

    /// <summary>Every filling of the given rows with column sums within <paramref name="cs"/>, grouped by column sums.</summary>
    private static Dictionary<long, List<double>>? Fillings(int[] rowSums, int[] cs, long allowed)
    {
        int c = cs.Length;
        checked
        {
            long radixProduct = 1;
            foreach (int v in cs) radixProduct *= v + 1;
        }
        var result = new Dictionary<long, List<double>>();
        var used = new int[c];
        long total = 0;

        void Row(int i, double weight)
        {
            if (i == rowSums.Length)
            {
                long key = 0, radix = 1;
                for (int j = 0; j < c; j++)
                {
                    key += used[j] * radix;
                    radix *= cs[j] + 1;
                }
                if (!result.TryGetValue(key, out var list)) result[key] = list = new List<double>();
                list.Add(weight);
                total++;
                return;
            }
            Cell(i, 0, rowSums[i], weight + SpecialFunctions.FactorialLn(rowSums[i]));
        }

        void Cell(int i, int j, int left, double weight)
        {
            if (total > allowed) return;
            if (j == c - 1)
            {
                if (used[j] + left > cs[j]) return;
                used[j] += left;
                Row(i + 1, weight - SpecialFunctions.FactorialLn(left));
                used[j] -= left;
                return;
            }
            int max = Math.Min(left, cs[j] - used[j]);
            for (int v = 0; v <= max; v++)
            {
                used[j] += v;
                Cell(i, j + 1, left - v, weight - SpecialFunctions.FactorialLn(v));
                used[j] -= v;
            }
        }

        Row(0, 0.0);
        return total > allowed ? null : result;
    }
}
