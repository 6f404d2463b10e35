using MathNet.Numerics;

namespace AlliancePipeline.Analytics.Statistics;

/// <summary>
/// Tail probabilities and quantiles to full double precision, from MathNet's regularized incomplete beta and gamma
/// functions (the same identities R's <c>pt</c>, <c>pf</c> and <c>pchisq</c> rest on; quantiles by bisection on them).
/// </summary>
internal static class Distributions
{
    /// <summary>Two-sided Student t tail, P(|T| ≥ |t|) = I_{df/(df+t²)}(df/2, 1/2).</summary>
    public static double StudentTTwoSided(double t, double df) =>
        SpecialFunctions.BetaRegularized(df / 2, 0.5, df / (df + t * t));

    /// <summary>Upper chi-square tail, P(X² ≥ x) = Q(df/2, x/2).</summary>
    public static double ChiSquareUpper(double x, double df) => SpecialFunctions.GammaUpperRegularized(df / 2, x / 2);

    /// <summary>Upper F tail, P(F ≥ f) = I_{d2/(d2+d1 f)}(d2/2, d1/2).</summary>
    public static double FUpper(double f, double d1, double d2) =>
        SpecialFunctions.BetaRegularized(d2 / 2, d1 / 2, d2 / (d2 + d1 * f));

    /// <summary>Quantile of the F distribution: the f with P(F ≤ f) = p (R: <c>qf(p, d1, d2)</c>).</summary>
    public static double FQuantile(double p, double d1, double d2)
    {
        // P(F <= f) = I_z(d1/2, d2/2) with z = d1 f / (d1 f + d2), increasing in z.
        double z = InvertIncreasing(zz => SpecialFunctions.BetaRegularized(d1 / 2, d2 / 2, zz), p);
        return d2 * z / (d1 * (1 - z));
    }

    /// <summary>Quantile of Student's t: the t with P(T ≤ t) = p (R: <c>qt(p, df)</c>).</summary>
    public static double StudentTQuantile(double p, double df)
    {
        if (p == 0.5) return 0.0;
        double tail = 2 * Math.Min(p, 1 - p); // P(|T| >= t)
        // tail = I_z(df/2, 1/2) with z = df/(df+t²), increasing in z.
        double z = InvertIncreasing(zz => SpecialFunctions.BetaRegularized(df / 2, 0.5, zz), tail);
        double t = Math.Sqrt(df * (1 - z) / z);
        return p < 0.5 ? -t : t;
    }

    /// <summary>Standard normal quantile (R: <c>qnorm(p)</c>), by bisection on the complementary error function.</summary>
    public static double NormalQuantile(double p)
    {
        // Phi(x) = erfc(-x/sqrt2)/2 is increasing in x; search on a map of (0,1) to the real line.
        double u = InvertIncreasing(v => SpecialFunctions.Erfc(-Math.Tan(Math.PI * (v - 0.5)) / Math.Sqrt(2)) / 2, p);
        return Math.Tan(Math.PI * (u - 0.5));
    }

    /// <summary>Bisection for an increasing function on (0, 1) to the last representable bit.</summary>
    private static double InvertIncreasing(Func<double, double> f, double target)
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
