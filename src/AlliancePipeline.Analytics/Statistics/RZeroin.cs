namespace AlliancePipeline.Analytics.Statistics;

/// <summary>
/// R's <c>uniroot(f, c(lower, upper))</c> with its defaults (tol = ε^¼, 1,000 iterations): the root finder of Forsythe,
/// Malcolm &amp; Moler (1977, <c>zeroin</c>, after Brent 1973) with R's steps, so a root R reports to ~1e-4 is the same
/// number here, not a more precise one. Used where R's own results come from <c>uniroot</c> (<see cref="FisherOddsRatio"/>).
/// </summary>
internal static class RZeroin
{
    /// <summary>.Machine$double.eps^0.25, uniroot's default tolerance.</summary>
    public const double DefaultTolerance = 1.220703125e-4;

    private const double Epsilon = 2.220446049250313e-16;

    /// <summary>The root of <paramref name="f"/> in [<paramref name="lower"/>, <paramref name="upper"/>], f changing sign there.</summary>
    public static double Uniroot(Func<double, double> f, double lower, double upper, double tolerance = DefaultTolerance, int maxIterations = 1000)
    {
        double a = lower, b = upper, fa = f(a), fb = f(b);
        if (fa == 0) return a;
        if (fb == 0) return b;
        double c = a, fc = fa;
        for (int left = maxIterations + 1; left > 0; left--)
        {
            double previous = b - a;
            if (Math.Abs(fc) < Math.Abs(fb))
            {
                // b becomes the best approximation so far.
                (a, b, c) = (b, c, b);
                (fa, fb, fc) = (fb, fc, fb);
            }
            double actual = 2 * Epsilon * Math.Abs(b) + tolerance / 2;
            double step = (c - b) / 2;
            if (Math.Abs(step) <= actual || fb == 0) return b;
            if (Math.Abs(previous) >= actual && Math.Abs(fa) > Math.Abs(fb))
            {
                // Secant through two points, else inverse quadratic interpolation through three.
                double p, q, cb = c - b;
                if (a == c)
                {
                    double t1 = fb / fa;
                    p = cb * t1;
                    q = 1 - t1;
                }
                else
                {
                    double qa = fa / fc, t1 = fb / fc, t2 = fb / fa;
                    p = t2 * (cb * qa * (qa - t1) - (b - a) * (t1 - 1));
                    q = (qa - 1) * (t1 - 1) * (t2 - 1);
                }
                if (p > 0) q = -q; else p = -p;
                if (p < 0.75 * cb * q - Math.Abs(actual * q) / 2 && p < Math.Abs(previous * q / 2)) step = p / q;
            }
            if (Math.Abs(step) < actual) step = step > 0 ? actual : -actual;
            a = b;
            fa = fb;
            b += step;
            fb = f(b);
            if ((fb > 0 && fc > 0) || (fb < 0 && fc < 0))
            {
                c = a;
                fc = fa;
            }
        }
        return b;
    }
}
