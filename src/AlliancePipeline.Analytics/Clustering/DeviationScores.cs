using System.Numerics;

namespace AlliancePipeline.Analytics.Clustering;

/// <summary>
/// Deviation (shape-only) scores, <c>X − rowMeans(X)</c> as R computes them (Kivlighan &amp; Shaughnessy 2000).
/// </summary>
/// <remarks>
/// R's <c>rowMeans</c> accumulates in x87 extended precision (<c>long double</c>, 64-bit significand), divides there, and
/// rounds to double once at the end; the result differs from a plain double mean in the last bit for about a third of
/// rows of 1/12-grid scores. Ties between distances depend on those bits, so the mean is reproduced exactly here with
/// integer arithmetic: each partial sum and the quotient are rounded to 64 significant bits (to nearest, ties to even),
/// then to 53.
/// </remarks>
internal static class DeviationScores
{
    /// <summary>R's <c>rowMeans</c> of one row (x86-64 <c>long double</c> accumulation), as a double.</summary>
    public static double RowMean(ReadOnlySpan<double> row)
    {
        if (row.Length == 0) throw new ArgumentException("A row needs at least one score.", nameof(row));
        (BigInteger m, int e) sum = (BigInteger.Zero, 0);
        foreach (double v in row) sum = Round(Add(sum, Decompose(v)), 64);
        // Quotient with 72+ spare bits and a sticky bit, rounded to the long double significand, then to double.
        int k = 72 + 32;
        var scaled = sum.m << k;
        var q = BigInteger.DivRem(scaled, row.Length, out var r);
        var quotient = (q * 2 + (r.IsZero ? 0 : r.Sign), sum.e - k - 1);
        var ld = Round(quotient, 64);
        var dbl = Round(ld, 53);
        return dbl.m.IsZero ? 0.0 : Math.ScaleB((double)dbl.m, dbl.e);
    }

    /// <summary>Each score minus its row's mean (R: <c>X - rowMeans(X)</c>).</summary>
    internal static ScoreRows Of(ScoreRows rows)
    {
        int n = rows.Rows, d = rows.Columns;
        var values = new double[n * d];
        for (int i = 0; i < n; i++)
        {
            var row = rows.Values.AsSpan(i * d, d);
            double mean = RowMean(row);
            for (int j = 0; j < d; j++) values[i * d + j] = row[j] - mean;
        }
        return new ScoreRows(values, n, d);
    }

    private static (BigInteger m, int e) Decompose(double v)
    {
        if (v == 0.0) return (BigInteger.Zero, 0);
        long bits = BitConverter.DoubleToInt64Bits(v);
        bool negative = bits < 0;
        int exponent = (int)((bits >> 52) & 0x7FF);
        long mantissa = bits & 0xFFFFFFFFFFFFFL;
        if (exponent == 0) exponent = 1; else mantissa |= 1L << 52;
        var m = new BigInteger(mantissa);
        return (negative ? -m : m, exponent - 1075);
    }

    private static (BigInteger m, int e) Add((BigInteger m, int e) a, (BigInteger m, int e) b)
    {
        if (a.m.IsZero) return b;
        if (b.m.IsZero) return a;
        int e = Math.Min(a.e, b.e);
        return ((a.m << (a.e - e)) + (b.m << (b.e - e)), e);
    }

    private static (BigInteger m, int e) Round((BigInteger m, int e) x, int bits)
    {
        if (x.m.IsZero) return x;
        var abs = BigInteger.Abs(x.m);
        int len = (int)abs.GetBitLength();
        if (len <= bits) return x;
        int shift = len - bits;
        var q = abs >> shift;
        var rem = abs - (q << shift);
        var half = BigInteger.One << (shift - 1);
        if (rem > half || (rem == half && !q.IsEven)) q += 1;
        return (x.m.Sign < 0 ? -q : q, x.e + shift);
    }
}
