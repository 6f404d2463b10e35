namespace AlliancePipeline.Analytics.Statistics;

/// <summary>
/// Pearson's product-moment correlation with its t test and the Fisher-z confidence interval (Fisher 1921), as R's
/// <c>cor.test(x, y)</c>.
/// </summary>
/// <param name="R">r = Σ(x−x̄)(y−ȳ) / √(Σ(x−x̄)² Σ(y−ȳ)²).</param>
/// <param name="T">t = r √(n−2) / √(1−r²).</param>
/// <param name="DegreesOfFreedom">n − 2.</param>
/// <param name="PValue">Two-sided p.</param>
/// <param name="ConfidenceLow">tanh(atanh r − z_{.975}/√(n−3)).</param>
/// <param name="ConfidenceHigh">tanh(atanh r + z_{.975}/√(n−3)).</param>
public sealed record PearsonCorrelation(double R, double T, int DegreesOfFreedom, double PValue, double ConfidenceLow, double ConfidenceHigh)
{
    /// <summary>Correlates paired samples (same length, at least 4 pairs, neither constant).</summary>
    public static PearsonCorrelation Of(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (x.Count != y.Count) throw new ArgumentException($"x has {x.Count} values, y has {y.Count}: they must be paired.");
        if (x.Count < 4) throw new ArgumentException($"At least 4 pairs are needed for the confidence interval (got {x.Count}).");
        var (mx, _, n) = Moments.MeanVariance(x, nameof(x));
        var (my, _, _) = Moments.MeanVariance(y, nameof(y));
        double sxy = 0, sxx = 0, syy = 0;
        for (int i = 0; i < n; i++)
        {
            double dx = x[i] - mx, dy = y[i] - my;
            sxy += dx * dy;
            sxx += dx * dx;
            syy += dy * dy;
        }
        if (sxx == 0 || syy == 0) throw new ArgumentException("A constant variable has no correlation.");
        double r = sxy / Math.Sqrt(sxx * syy);
        int df = n - 2;
        double t = Math.Sqrt(df) * r / Math.Sqrt(1 - r * r);
        double z = Math.Atanh(r), half = Distributions.NormalQuantile(0.975) / Math.Sqrt(n - 3);
        return new PearsonCorrelation(r, t, df, Distributions.StudentTTwoSided(t, df), Math.Tanh(z - half), Math.Tanh(z + half));
    }
}
