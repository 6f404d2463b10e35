namespace AlliancePipeline.Analytics.Statistics;

/// <summary>
/// One-way analysis of variance of a numeric variable across groups (equal variances): F = (SSB / (g − 1)) / (SSW / (N − g)),
/// its p the upper F tail, equal to R's <c>anova(aov(y ~ factor(group)))</c> (and <c>oneway.test(y ~ group, var.equal = TRUE)</c>).
/// Groups without values are left out, as R leaves out a factor level nobody has.
/// </summary>
/// <param name="F">The F statistic.</param>
/// <param name="DfBetween">g − 1, the groups with values less one.</param>
/// <param name="DfWithin">N − g.</param>
/// <param name="PValue">P(F ≥ observed).</param>
public sealed record OneWayAnova(double F, int DfBetween, int DfWithin, double PValue)
{
    /// <summary>The test of <paramref name="groups"/>' values; null when fewer than 2 groups have values, or no group has 2 (no within-group variance).</summary>
    /// <exception cref="ArgumentException">A value that is not finite.</exception>
    public static OneWayAnova? Of(IReadOnlyList<IReadOnlyList<double>> groups)
    {
        ArgumentNullException.ThrowIfNull(groups);
        var used = groups.Where(g => g.Count > 0).ToArray();
        if (used.SelectMany(g => g).Any(v => !double.IsFinite(v))) throw new ArgumentException("Values must be finite numbers.", nameof(groups));
        var n = used.Sum(g => g.Count);
        if (used.Length < 2 || n <= used.Length) return null;
        var grand = used.SelectMany(g => g).Average();
        double between = 0, within = 0;
        foreach (var g in used)
        {
            var mean = g.Average();
            between += g.Count * (mean - grand) * (mean - grand);
            within += g.Sum(v => (v - mean) * (v - mean));
        }

        int d1 = used.Length - 1, d2 = n - used.Length;
        var f = between / d1 / (within / d2);
        return within == 0 ? new OneWayAnova(double.PositiveInfinity, d1, d2, between == 0 ? double.NaN : 0) : new OneWayAnova(f, d1, d2, Distributions.FUpper(f, d1, d2));
    }
}
