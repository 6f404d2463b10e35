namespace AlliancePipeline.Analytics.Statistics;

/// <summary>Pearson's chi-square test of independence (no continuity correction) with Cramér's V.</summary>
/// <param name="Statistic">X² = Σ (O − E)² / E, E = r_i c_j / N (R: <c>chisq.test(m, correct = FALSE)$statistic</c>).</param>
/// <param name="DegreesOfFreedom">(r − 1)(c − 1).</param>
/// <param name="PValue">Upper chi-square tail of <paramref name="Statistic"/>.</param>
/// <param name="CramersV">√(X² / (N (min(r, c) − 1))) (Cramér 1946).</param>
public sealed record ChiSquareTest(double Statistic, int DegreesOfFreedom, double PValue, double CramersV)
{
    /// <summary>Computes the test for an r × c table of counts.</summary>
    /// <exception cref="ArgumentException">Negative counts, a table smaller than 2 × 2, or a zero row or column total.</exception>
    public static ChiSquareTest Of(int[,] table)
    {
        Contingency.Validate(table, nameof(table));
        int r = table.GetLength(0), c = table.GetLength(1);
        var rs = new double[r];
        var cs = new double[c];
        double n = 0;
        for (int i = 0; i < r; i++)
            for (int j = 0; j < c; j++)
            {
                rs[i] += table[i, j];
                cs[j] += table[i, j];
                n += table[i, j];
            }
        if (rs.Any(v => v == 0) || cs.Any(v => v == 0))
            throw new ArgumentException("Every row and column of the table needs a positive total for the chi-square test.", nameof(table));
        double x2 = 0;
        for (int i = 0; i < r; i++)
            for (int j = 0; j < c; j++)
            {
                double e = rs[i] * cs[j] / n;
                double d = table[i, j] - e;
                x2 += d * d / e;
            }
        int df = (r - 1) * (c - 1);
        return new ChiSquareTest(x2, df, Distributions.ChiSquareUpper(x2, df), Math.Sqrt(x2 / (n * (Math.Min(r, c) - 1))));
    }
}
