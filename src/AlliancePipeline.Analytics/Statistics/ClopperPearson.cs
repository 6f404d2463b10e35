namespace AlliancePipeline.Analytics.Statistics;

/// <summary>
/// A proportion x / n with its exact (Clopper &amp; Pearson 1934) 95 % confidence interval, equal to R's
/// <c>binom.test(x, n)$conf.int</c>: lower = B⁻¹(0.025; x, n − x + 1) (0 when x = 0), upper = B⁻¹(0.975; x + 1, n − x)
/// (1 when x = n), B⁻¹ the beta quantile.
/// </summary>
/// <param name="Successes">x.</param>
/// <param name="Trials">n.</param>
/// <param name="Estimate">x / n.</param>
/// <param name="Lower">The lower limit.</param>
/// <param name="Upper">The upper limit.</param>
public sealed record ClopperPearson(int Successes, int Trials, double Estimate, double Lower, double Upper)
{
    /// <summary>The interval of <paramref name="successes"/> out of <paramref name="trials"/> (0 ≤ x ≤ n, n ≥ 1).</summary>
    /// <exception cref="ArgumentOutOfRangeException">n &lt; 1, or x outside 0 … n.</exception>
    public static ClopperPearson Of(int successes, int trials)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(trials, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(successes);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(successes, trials);
        const double alpha = 0.025;
        double lower = successes == 0 ? 0 : Distributions.BetaQuantile(alpha, successes, trials - successes + 1);
        double upper = successes == trials ? 1 : Distributions.BetaQuantile(1 - alpha, successes + 1, trials - successes);
        return new ClopperPearson(successes, trials, (double)successes / trials, lower, upper);
    }
}
