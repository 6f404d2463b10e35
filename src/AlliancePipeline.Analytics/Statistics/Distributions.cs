using MathNet.Numerics;

namespace AlliancePipeline.Analytics.Statistics;

/// <summary>
/// Tail probabilities and quantiles from MathNet's regularized incomplete beta and gamma functions (the identities R's
/// <c>pt</c>, <c>pf</c> and <c>pchisq</c> rest on; quantiles by bisection on them to the last representable bit). The
/// one public member is Student's t quantile, R's <c>qt(p, df)</c>, which every confidence interval of the app uses.
/// </summary>
public static class Distributions
{
    /// <summary>Two-sided Student t tail, P(|T| ≥ |t|) = I_{df/(df+t²)}(df/2, 1/2).</summary>
    internal static double StudentTTwoSided(double t, double df) =>
        SpecialFunctions.BetaRegularized(df / 2, 0.5, df / (df + t * t));

    /// <summary>Upper chi-square tail, P(X² ≥ x) = Q(df/2, x/2).</summary>
    internal static double ChiSquareUpper(double x, double df) => SpecialFunctions.GammaUpperRegularized(df / 2, x / 2);

    /// <summary>Upper F tail, P(F ≥ f) = I_{d2/(d2+d1 f)}(d2/2, d1/2).</summary>
    internal static double FUpper(double f, double d1, double d2) =>
        SpecialFunctions.BetaRegularized(d2 / 2, d1 / 2, d2 / (d2 + d1 * f));

    /// <summary>Quantile of the F distribution: the f with P(F ≤ f) = p (R: <c>qf(p, d1, d2)</c>).</summary>
    internal static double FQuantile(double p, double d1, double d2)
    {
        // P(F <= f) = I_z(d1/2, d2/2) with z = d1 f / (d1 f + d2), increasing in z.
        double z = InvertIncreasing(zz => SpecialFunctions.BetaRegularized(d1 / 2, d2 / 2, zz), p);
        return d2 * z / (d1 * (1 - z));
    }

    /// <summary>
    /// Quantile of Student's t distribution with <paramref name="df"/> degrees of freedom: the t with P(T ≤ t) = p, as R's
    /// <c>qt(p, df)</c>. The two-sided tail 2 min(p, 1 − p) = I_z(df/2, 1/2) with z = df / (df + t²) (Abramowitz &amp; Stegun
    /// 26.5.27; 26.7.1) is inverted for z by bisection, then t = √(df (1 − z) / z), negative below p = ½. Agrees with R to
    /// 1e-12 (relative) for df up to 1,000 and 1e-9 beyond (the precision of MathNet's incomplete beta function); pinned against
    /// R in <c>tests/AlliancePipeline.Analytics.Tests/RData/qt.json</c>. A 95 % confidence interval of a mean of n values is
    /// mean ± <c>StudentTQuantile(0.975, n − 1)</c> · SD / √n (R's <c>t.test(x)$conf.int</c>).
    /// </summary>
    /// <param name="p">The probability, strictly between 0 and 1.</param>
    /// <param name="df">Degrees of freedom, positive (need not be whole: Welch's df is not).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="p"/> is not in (0, 1) or <paramref name="df"/> is not positive.</exception>
    public static double StudentTQuantile(double p, double df)
    {
        if (!(p > 0 && p < 1)) throw new ArgumentOutOfRangeException(nameof(p), p, "The probability must lie strictly between 0 and 1.");
        if (!(df > 0) || double.IsInfinity(df)) throw new ArgumentOutOfRangeException(nameof(df), df, "The degrees of freedom must be positive and finite.");
        if (p == 0.5) return 0.0;
        double tail = 2 * Math.Min(p, 1 - p); // P(|T| >= t)
        // tail = I_z(df/2, 1/2) with z = df/(df+t²), increasing in z.
        double z = InvertIncreasing(zz => SpecialFunctions.BetaRegularized(df / 2, 0.5, zz), tail);
        double t = Math.Sqrt(df * (1 - z) / z);
        return p < 0.5 ? -t : t;
    }

    /// <summary>
    /// Quantile of the beta distribution: the q with P(B ≤ q) = I_q(a, b) = p (R: <c>qbeta(p, a, b)</c>), by bisection on
    /// the regularized incomplete beta function to the last representable bit.
    /// </summary>
    internal static double BetaQuantile(double p, double a, double b) =>
        InvertIncreasing(q => SpecialFunctions.BetaRegularized(a, b, q), p);

    /// <summary>Standard normal quantile, R's <c>qnorm(p)</c> (−√2 erfc⁻¹(2p), Abramowitz &amp; Stegun 26.2.2).</summary>
    internal static double NormalQuantile(double p) => -Constants.Sqrt2 * SpecialFunctions.ErfcInv(2 * p);

    /// <summary>Bisection for an increasing function on (0, 1) to the last representable bit.</summary>
    internal static double InvertIncreasing(Func<double, double> f, double target)
    {
        double lo = 0.0, hi = 1.0;
        for (int i = 0; i < 1100; i++)
        {
            double mid = 0.5 * (lo + hi);
            if (mid <= lo || mid >= hi) break;
            if (f(mid) < target) lo = mid; else hi = mid;
        }
        return 0.5 * (lo + hi);
    }
}
