namespace AlliancePipeline.Analytics.Patterns;

/// <summary>Named alliance trajectory patterns (de Roten et al. 2004; Kivlighan &amp; Shaughnessy 2000).</summary>
public enum AlliancePattern
{
    /// <summary>SHA: stable high alliance.</summary>
    StableHigh,

    /// <summary>SLA: stable low alliance.</summary>
    StableLow,

    /// <summary>LDA: linear decrease.</summary>
    LinearDecrease,

    /// <summary>LIA: linear increase.</summary>
    LinearIncrease,

    /// <summary>U-shaped: a dip then recovery (rupture and repair).</summary>
    UShaped,

    /// <summary>Inverted U: a rise then decline.</summary>
    InvertedU,
}

/// <summary>
/// Thresholds for naming a centroid trajectory, in score units. Defaults name the three patterns of the
/// employment-specialist study (stable high, stable low, linear decrease) on its 1–7 WAI scale.
/// </summary>
public sealed record PatternThresholds
{
    /// <summary>|slope| (score change per meeting, least squares) at or above which a trajectory is a linear trend. Default 0.15.</summary>
    public double Slope { get; init; } = 0.15;

    /// <summary>
    /// |curvature| (coefficient of (t − t̄)² in the least-squares quadratic) at or above which, when it also exceeds |slope|,
    /// a trajectory is U-shaped or inverted-U. Default 0.15.
    /// </summary>
    public double Curvature { get; init; } = 0.15;

    /// <summary>
    /// Level (mean) separating stable high from stable low. Null (default): the mean of all dyads' scores, so the split
    /// does not depend on the instrument's scale.
    /// </summary>
    public double? HighLevel { get; init; }
}

/// <summary>The shape of a centroid trajectory and its name.</summary>
/// <param name="Level">Mean over meetings.</param>
/// <param name="Slope">Least-squares linear slope per meeting.</param>
/// <param name="Curvature">Least-squares quadratic coefficient of (t − t̄)² (0 with fewer than 3 meetings).</param>
/// <param name="Pattern">The name.</param>
public sealed record TrajectoryShape(double Level, double Slope, double Curvature, AlliancePattern Pattern)
{
    /// <summary>The pattern's short code: SHA, SLA, LDA, LIA, U, InvU.</summary>
    public string Code => PatternNamer.Code(Pattern);
}

/// <summary>Names a centroid trajectory from its level, linear slope and quadratic term across meetings.</summary>
public static class PatternNamer
{
    /// <summary>Short code of a pattern.</summary>
    public static string Code(AlliancePattern pattern) => pattern switch
    {
        AlliancePattern.StableHigh => "SHA",
        AlliancePattern.StableLow => "SLA",
        AlliancePattern.LinearDecrease => "LDA",
        AlliancePattern.LinearIncrease => "LIA",
        AlliancePattern.UShaped => "U",
        AlliancePattern.InvertedU => "InvU",
        _ => throw new ArgumentOutOfRangeException(nameof(pattern)),
    };

    /// <summary>
    /// Names <paramref name="centroid"/> (mean score at meetings 1..T). Rule, in order: curvature when |c| ≥ Curvature and
    /// |c| &gt; |slope| (c &gt; 0 U-shaped, c &lt; 0 inverted-U); else a trend when |slope| ≥ Slope; else stable, high when the
    /// level is at or above <paramref name="highLevel"/>.
    /// </summary>
    public static TrajectoryShape Name(IReadOnlyList<double> centroid, double highLevel, PatternThresholds? thresholds = null)
    {
        ArgumentNullException.ThrowIfNull(centroid);
        var th = thresholds ?? new PatternThresholds();
        int t = centroid.Count;
        if (t < 2) throw new ArgumentException("A trajectory needs at least 2 meetings.", nameof(centroid));
        double level = centroid.Average();
        double tbar = (t + 1) / 2.0;
        // Least squares y = a + b u + c (u² − mean u²), u = t − t̄ (orthogonal to 1 and u for equally spaced meetings).
        double su2 = 0, sq2 = 0, sy = 0, sq = 0;
        double meanU2 = Enumerable.Range(1, t).Average(i => (i - tbar) * (i - tbar));
        for (int i = 1; i <= t; i++)
        {
            double u = i - tbar, q = u * u - meanU2, y = centroid[i - 1];
            su2 += u * u;
            sy += u * y;
            sq2 += q * q;
            sq += q * y;
        }
        double slope = sy / su2;
        double curvature = t >= 3 ? sq / sq2 : 0.0;
        AlliancePattern p;
        if (Math.Abs(curvature) >= th.Curvature && Math.Abs(curvature) > Math.Abs(slope))
            p = curvature > 0 ? AlliancePattern.UShaped : AlliancePattern.InvertedU;
        else if (Math.Abs(slope) >= th.Slope)
            p = slope < 0 ? AlliancePattern.LinearDecrease : AlliancePattern.LinearIncrease;
        else
            p = level >= (th.HighLevel ?? highLevel) ? AlliancePattern.StableHigh : AlliancePattern.StableLow;
        return new TrajectoryShape(level, slope, curvature, p);
    }
}
