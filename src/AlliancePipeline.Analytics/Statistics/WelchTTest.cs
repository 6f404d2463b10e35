namespace AlliancePipeline.Analytics.Statistics;

/// <summary>
/// Welch's two-sample t test (Welch 1947) with the Welch–Satterthwaite degrees of freedom, as R's <c>t.test(a, b)</c>,
/// and Cohen's d with the pooled standard deviation (Cohen 1988).
/// </summary>
/// <param name="MeanA">Mean of the first sample.</param>
/// <param name="MeanB">Mean of the second sample.</param>
/// <param name="T">t = (m_a − m_b) / √(s_a²/n_a + s_b²/n_b).</param>
/// <param name="DegreesOfFreedom">(s_a²/n_a + s_b²/n_b)² / ((s_a²/n_a)²/(n_a−1) + (s_b²/n_b)²/(n_b−1)).</param>
/// <param name="PValue">Two-sided p.</param>
/// <param name="ConfidenceLow">Lower 95 % limit of m_a − m_b.</param>
/// <param name="ConfidenceHigh">Upper 95 % limit of m_a − m_b.</param>
/// <param name="CohensD">(m_a − m_b) / s_pooled, s_pooled² = ((n_a−1)s_a² + (n_b−1)s_b²) / (n_a + n_b − 2).</param>
public sealed record WelchTTest(double MeanA, double MeanB, double T, double DegreesOfFreedom, double PValue,
    double ConfidenceLow, double ConfidenceHigh, double CohensD)
{
    /// <summary>Compares samples <paramref name="a"/> and <paramref name="b"/> (each at least 2 values, not both constant).</summary>
    public static WelchTTest Of(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        var (ma, va, na) = Moments.MeanVariance(a, nameof(a));
        var (mb, vb, nb) = Moments.MeanVariance(b, nameof(b));
        double sa = va / na, sb = vb / nb, se2 = sa + sb;
        if (se2 == 0) throw new ArgumentException("Both samples are constant: the t statistic is undefined.");
        double t = (ma - mb) / Math.Sqrt(se2);
        double df = se2 * se2 / (sa * sa / (na - 1) + sb * sb / (nb - 1));
        double q = Distributions.StudentTQuantile(0.975, df) * Math.Sqrt(se2);
        double sp = Math.Sqrt(((na - 1) * va + (nb - 1) * vb) / (na + nb - 2));
        return new WelchTTest(ma, mb, t, df, Distributions.StudentTTwoSided(t, df), ma - mb - q, ma - mb + q, (ma - mb) / sp);
    }
}

internal static class Moments
{
    /// <summary>Mean and unbiased variance (two-pass, as R's <c>mean</c> and <c>var</c>).</summary>
    public static (double Mean, double Variance, int N) MeanVariance(IReadOnlyList<double> x, string name)
    {
        ArgumentNullException.ThrowIfNull(x, name);
        if (x.Count < 2) throw new ArgumentException($"At least 2 values are needed (got {x.Count}).", name);
        double sum = 0;
        foreach (double v in x)
        {
            if (!double.IsFinite(v)) throw new ArgumentException($"Values must be finite numbers (got {v}).", name);
            sum += v;
        }
        double mean = sum / x.Count;
        double ss = 0;
        foreach (double v in x) ss += (v - mean) * (v - mean);
        return (mean, ss / (x.Count - 1), x.Count);
    }
}
