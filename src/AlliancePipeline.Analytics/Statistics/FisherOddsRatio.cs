using MathNet.Numerics;

namespace AlliancePipeline.Analytics.Statistics;

/// <summary>
/// The odds ratio of a 2 × 2 table [[a, b], [c, d]] by Fisher's exact test, equal to R's <c>fisher.test</c> on the table:
/// the conditional maximum-likelihood estimate (the ψ at which the mean of Fisher's noncentral hypergeometric
/// distribution of a, given the margins, equals the observed a), the exact 95 % interval (Cornfield 1956: the ψ at which
/// each one-sided tail is 2.5 %) and the two-sided p of independence. R solves both with <c>uniroot</c> (tolerance
/// ε^¼), and so does this (<see cref="RZeroin"/>): the numbers are R's, to about 1e-4 of the exact roots.
/// </summary>
/// <param name="Estimate">The conditional MLE; 0 when a is the least possible and +∞ when the most (R: <c>estimate</c>).</param>
/// <param name="Lower">The lower 95 % limit; 0 when a is the least possible (<c>conf.int[1]</c>).</param>
/// <param name="Upper">The upper 95 % limit; +∞ when a is the most possible (<c>conf.int[2]</c>).</param>
/// <param name="PValue">Two-sided p: the tables no more probable than the observed one (relative tolerance 1e-7) (<c>p.value</c>).</param>
public sealed record FisherOddsRatio(double Estimate, double Lower, double Upper, double PValue)
{
    /// <summary>Whether the estimate is finite and positive (neither 0 nor +∞), so a ratio can be printed.</summary>
    public bool IsFinite => Estimate > 0 && double.IsFinite(Estimate);

    /// <summary>
    /// The odds ratio of the 2 × 2 table <c>[[a, b], [c, d]]</c>: the odds of the first column in the first row over those in
    /// the second row.
    /// </summary>
    /// <exception cref="ArgumentException">Negative counts, not 2 × 2, or a row or column with no counts.</exception>
    public static FisherOddsRatio Of(int[,] table)
    {
        Contingency.Validate(table, nameof(table));
        if (table.GetLength(0) != 2 || table.GetLength(1) != 2) throw new ArgumentException("The odds ratio needs a 2 × 2 table.", nameof(table));
        int m = table[0, 0] + table[1, 0], n = table[0, 1] + table[1, 1], k = table[0, 0] + table[0, 1], x = table[0, 0];
        if (m == 0 || n == 0 || k == 0 || k == m + n)
            throw new ArgumentException("Every row and column of the table needs a count for the odds ratio.", nameof(table));
        int lo = Math.Max(0, k - n), hi = Math.Min(k, m);
        int[] support = [.. Enumerable.Range(lo, hi - lo + 1)];
        // log dhyper(support, m, n, k)
        double[] logdc = [.. support.Select(s => Lchoose(m, s) + Lchoose(n, k - s) - Lchoose(m + n, k))];

        double[] Density(double ncp)
        {
            double l = Math.Log(ncp);
            var d = logdc.Select((v, i) => v + l * support[i]).ToArray();
            double max = d.Max();
            for (int i = 0; i < d.Length; i++) d[i] = Math.Exp(d[i] - max);
            double sum = d.Sum();
            return [.. d.Select(v => v / sum)];
        }
        double Mean(double ncp) => ncp == 0 ? lo : double.IsPositiveInfinity(ncp) ? hi : Density(ncp).Select((v, i) => v * support[i]).Sum();
        double Tail(double ncp, bool upper)
        {
            if (ncp == 0) return (upper ? x <= lo : x >= lo) ? 1 : 0;
            if (double.IsPositiveInfinity(ncp)) return (upper ? x <= hi : x >= hi) ? 1 : 0;
            var d = Density(ncp);
            return Enumerable.Range(0, d.Length).Where(i => upper ? support[i] >= x : support[i] <= x).Sum(i => d[i]);
        }

        const double eps = 2.220446049250313e-16, alpha = 0.025;
        double estimate;
        if (x == lo) estimate = 0;
        else if (x == hi) estimate = double.PositiveInfinity;
        else
        {
            double mu = Mean(1);
            estimate = mu > x ? RZeroin.Uniroot(t => Mean(t) - x, 0, 1)
                : mu < x ? 1 / RZeroin.Uniroot(t => Mean(1 / t) - x, eps, 1)
                : 1;
        }
        double upperLimit;
        if (x == hi) upperLimit = double.PositiveInfinity;
        else
        {
            double p = Tail(1, false);
            upperLimit = p < alpha ? RZeroin.Uniroot(t => Tail(t, false) - alpha, 0, 1)
                : p > alpha ? 1 / RZeroin.Uniroot(t => Tail(1 / t, false) - alpha, eps, 1)
                : 1;
        }
        double lowerLimit;
        if (x == lo) lowerLimit = 0;
        else
        {
            double p = Tail(1, true);
            lowerLimit = p > alpha ? RZeroin.Uniroot(t => Tail(t, true) - alpha, 0, 1)
                : p < alpha ? 1 / RZeroin.Uniroot(t => Tail(1 / t, true) - alpha, eps, 1)
                : 1;
        }
        var null1 = Density(1);
        double observed = null1[x - lo] * (1 + FisherExactTest.RelativeTolerance2x2);
        double pValue = Math.Min(1, null1.Where(v => v <= observed).Sum());
        return new FisherOddsRatio(estimate, lowerLimit, upperLimit, pValue);
    }

    private static double Lchoose(int n, int k) => SpecialFunctions.BinomialLn(n, k);
}
