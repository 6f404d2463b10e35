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
/// Thresholds for naming a centroid trajectory, in score points. The defaults name the three patterns of the
/// employment-specialist study (stable high, stable low, linear decrease) on its 1–7 WAI scale.
/// </summary>
public sealed record PatternThresholds
{
    /// <summary>
    /// The smallest change, in score points, that gets a shape name: a trend (LDA / LIA) when the fitted change from the
    /// first to the last meeting is at least this; a U / inverted U when the fitted dip or rise of the middle meetings
    /// against the ends is at least this and larger than the trend's change. Smaller movements are called stable.
    /// Default 0.5 (half a point on the WAI's 1–7 scale).
    /// </summary>
    public double MinChange { get; init; } = 0.5;

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

    /// <summary>Fitted change from the first to the last meeting, in score points: slope × (T − 1).</summary>
    public double Change { get; init; }

    /// <summary>
    /// Fitted dip (positive: U-shaped) or rise (negative: inverted U) of the middle meetings against the ends, in score
    /// points: the curvature times the range of the centred quadratic over meetings 1..T (1 for T = 3, 2 for T = 4).
    /// </summary>
    public double Bend { get; init; }
}

/// <summary>
/// Names a centroid trajectory from its level, linear trend and quadratic bend across meetings (patterns of de Roten
/// et al. 2004; Kivlighan &amp; Shaughnessy 2000; the employment-specialist study's SHA, SLA, LDA).
/// </summary>
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
    /// How far below <see cref="PatternThresholds.MinChange"/> a change or bend may be computed and still reach it: the
    /// rounding of the least-squares sums (scores are means of whole answers, so a change lands exactly on 0.5), never a
    /// difference in the data (1e-9 of a score point).
    /// </summary>
    public const double ThresholdTolerance = 1e-9;

    /// <summary>
    /// Names <paramref name="centroid"/> (mean score at meetings 1..T) by least squares y = a + b u + c q, u = t − t̄,
    /// q = u² − mean(u²) (orthogonal for equally spaced meetings): the change b (T − 1) and the bend c (max q − min q) are
    /// compared with <see cref="PatternThresholds.MinChange"/>. Rule: U-shaped (bend &gt; 0) or inverted-U (bend &lt; 0) when
    /// |bend| ≥ MinChange and |bend| &gt; |change|; else a trend, LDA or LIA, when |change| ≥ MinChange; else stable, high
    /// (SHA) when the level is at least <paramref name="highLevel"/> (or <see cref="PatternThresholds.HighLevel"/>),
    /// otherwise low (SLA).
    /// </summary>
    public static TrajectoryShape Name(IReadOnlyList<double> centroid, double highLevel, PatternThresholds? thresholds = null)
    {
        ArgumentNullException.ThrowIfNull(centroid);
        var th = thresholds ?? new PatternThresholds();
        int t = centroid.Count;
        if (t < 2) throw new ArgumentException("A trajectory needs at least 2 meetings.", nameof(centroid));
        double level = centroid.Average();
        double tbar = (t + 1) / 2.0;
        double su2 = 0, sq2 = 0, sy = 0, sq = 0, qMin = double.PositiveInfinity, qMax = double.NegativeInfinity;
        double meanU2 = Enumerable.Range(1, t).Average(i => (i - tbar) * (i - tbar));
        for (int i = 1; i <= t; i++)
        {
            double u = i - tbar, q = u * u - meanU2, y = centroid[i - 1];
            su2 += u * u;
            sy += u * y;
            sq2 += q * q;
            sq += q * y;
            qMin = Math.Min(qMin, q);
            qMax = Math.Max(qMax, q);
        }
        double slope = sy / su2;
        double curvature = t >= 3 ? sq / sq2 : 0.0;
        double change = slope * (t - 1);
        double bend = curvature * (qMax - qMin);
        AlliancePattern p;
        // At least MinChange, up to rounding: a change of exactly 0.5 on the 1/36 grid of three 12-item means (6.361 →
        // 5.861) comes out of the sums as 0.4999999999999991.
        var minChange = th.MinChange - ThresholdTolerance;
        if (Math.Abs(bend) >= minChange && Math.Abs(bend) > Math.Abs(change))
            p = bend > 0 ? AlliancePattern.UShaped : AlliancePattern.InvertedU;
        else if (Math.Abs(change) >= minChange)
            p = change < 0 ? AlliancePattern.LinearDecrease : AlliancePattern.LinearIncrease;
        else
            p = level >= (th.HighLevel ?? highLevel) ? AlliancePattern.StableHigh : AlliancePattern.StableLow;
        return new TrajectoryShape(level, slope, curvature, p) { Change = change, Bend = bend };
    }

    /// <summary>
    /// One label per shape, never the same for two: the code where it is unique; where several shapes share a code, the
    /// code with what tells them apart, the first of these that differs between all of them: the level to 1 decimal
    /// ("LIA, level 6.1"), the change to 1 decimal ("LIA, change +0.9"), the same to 2 decimals, else the position in the
    /// list ("LIA, cluster 3"; <paramref name="numbers"/> gives the cluster numbers, default 1..n).
    /// </summary>
    public static IReadOnlyList<string> Labels(IReadOnlyList<TrajectoryShape> shapes, IReadOnlyList<int>? numbers = null)
    {
        ArgumentNullException.ThrowIfNull(shapes);
        var labels = new string[shapes.Count];
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        foreach (var group in Enumerable.Range(0, shapes.Count).GroupBy(i => shapes[i].Code))
        {
            var members = group.ToArray();
            if (members.Length == 1)
            {
                labels[members[0]] = group.Key;
                continue;
            }
            Func<int, string>[] describers =
            [
                i => "level " + shapes[i].Level.ToString("0.0", inv),
                i => "change " + shapes[i].Change.ToString("+0.0;-0.0;0.0", inv),
                i => "level " + shapes[i].Level.ToString("0.00", inv),
                i => "change " + shapes[i].Change.ToString("+0.00;-0.00;0.00", inv),
                i => "cluster " + (numbers?[i] ?? i + 1).ToString(inv),
            ];
            var describe = describers.First(f => members.Select(f).Distinct().Count() == members.Length);
            foreach (int i in members) labels[i] = $"{group.Key}, {describe(i)}";
        }
        return labels;
    }
}
