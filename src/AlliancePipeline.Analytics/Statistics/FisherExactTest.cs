using MathNet.Numerics;

namespace AlliancePipeline.Analytics.Statistics;

/// <summary>
/// Fisher's exact test for an r × c contingency table, two-sided, with the Freeman–Halton extension (Freeman &amp;
/// Halton 1951): the probability, under independence with both margins fixed, of the tables no more probable than the
/// observed one. As in R's <c>fisher.test</c>, a table counts when its probability is at most the observed
/// probability × (1 + 1e-7), so tables equal in exact arithmetic are not lost to rounding.
/// </summary>
/// <remarks>
/// Table probability: <c>Π r_i! Π c_j! / (N! Π x_ij!)</c> (multivariate hypergeometric). The tables are enumerated by
/// meeting in the middle: the rows are split in two halves, every admissible filling of each half is listed with its
/// column sums, and fillings whose column sums complete each other are paired through sorted prefix sums, so a
/// 6 × 2 table with N = 1,000 needs about 2 × 168³ half-fillings rather than 168⁵ tables.
/// </remarks>
public static class FisherExactTest
{
    /// <summary>Relative tolerance R uses when comparing probabilities of 2 × 2 tables.</summary>
    public const double RelativeTolerance2x2 = 1e-7;

    /// <summary>Tolerance on the log probability that R's FEXACT uses for larger tables.</summary>
    public const double LogTolerance = 3.45254e-7;

    /// <summary>Upper bound on half-fillings listed, to fail clearly instead of exhausting memory.</summary>
    public const int MaxHalfFillings = 40_000_000;

    /// <summary>Two-sided p-value of the table (rows × columns of non-negative counts).</summary>
    /// <exception cref="ArgumentException">Negative counts, fewer than 2 rows or columns with a positive total.</exception>
    /// <exception cref="InvalidOperationException">The table is too large to enumerate.</exception>
    public static double PValue(int[,] table)
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

        int h = r / 2;
        var first = Fillings(rs[..h], cs);
        var second = Fillings(rs[h..], cs);
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
    private static Dictionary<long, List<double>> Fillings(int[] rowSums, int[] cs)
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
                if (++total > MaxHalfFillings)
                    throw new InvalidOperationException("The table is too large for the exact test (more than 40 million half-tables).");
                return;
            }
            Cell(i, 0, rowSums[i], weight + SpecialFunctions.FactorialLn(rowSums[i]));
        }

        void Cell(int i, int j, int left, double weight)
        {
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
        return result;
    }
}
