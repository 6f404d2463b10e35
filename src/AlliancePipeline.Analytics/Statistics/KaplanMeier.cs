namespace AlliancePipeline.Analytics.Statistics;

/// <summary>One row of a Kaplan–Meier curve: a time at which someone in the group had the event or was censored.</summary>
/// <param name="Time">The time.</param>
/// <param name="AtRisk">n: subjects followed at least this long (R: <c>n.risk</c>).</param>
/// <param name="Events">d: events at this time (<c>n.event</c>).</param>
/// <param name="Censored">Subjects censored at this time (<c>n.censor</c>).</param>
/// <param name="Survival">Ŝ(t) = Π_{tᵢ ≤ t} (1 − dᵢ/nᵢ) (Kaplan &amp; Meier 1958) (<c>surv</c>).</param>
/// <param name="StandardError">
/// Greenwood's (1926) standard error of log Ŝ(t), √(Σ_{tᵢ ≤ t} dᵢ / (nᵢ (nᵢ − dᵢ))) (<c>std.err</c>); +∞ once Ŝ reaches 0.
/// </param>
/// <param name="Lower">
/// Lower 95 % limit, exp(log Ŝ − z₀.₉₇₅ SE) (<c>conf.type = "log"</c>); null (undefined) where Ŝ = 0.
/// </param>
/// <param name="Upper">Upper 95 % limit, min(1, exp(log Ŝ + z₀.₉₇₅ SE)); null (undefined) where Ŝ = 0.</param>
public sealed record KaplanMeierStep(double Time, int AtRisk, int Events, int Censored, double Survival, double StandardError,
    double? Lower, double? Upper);

/// <summary>The Kaplan–Meier curve of one group, with its median time and the median's 95 % confidence interval.</summary>
/// <param name="Group">The group.</param>
/// <param name="Subjects">Subjects in the group.</param>
/// <param name="Events">Events in the group.</param>
/// <param name="Steps">One row per distinct time, ascending; Ŝ = 1 before the first.</param>
/// <param name="Median">
/// The first time with Ŝ ≤ ½; where Ŝ is ½ (to √ε) over an interval, the midpoint of that time and the next time Ŝ drops
/// (R's <c>print.survfit</c>). Null (undefined) when Ŝ never reaches ½.
/// </param>
/// <param name="MedianLower">The same rule on the lower limits (Brookmeyer &amp; Crowley 1982); null when undefined.</param>
/// <param name="MedianUpper">The same rule on the upper limits; null (undefined) when they never reach ½.</param>
public sealed record KaplanMeierCurve<TGroup>(TGroup Group, int Subjects, int Events, IReadOnlyList<KaplanMeierStep> Steps,
    double? Median, double? MedianLower, double? MedianUpper);

/// <summary>
/// Kaplan–Meier estimates per group, equal to R's <c>survfit(Surv(time, event) ~ group)</c> with its defaults (Greenwood
/// variance, <c>conf.type = "log"</c>, 95 %) and the medians of <c>print.survfit</c> (<c>summary(fit)$table</c>).
/// </summary>
public static class KaplanMeier
{
    /// <summary>√ε, R's tolerance for "Ŝ is ½" in the median.</summary>
    private const double HalfTolerance = 1.4901161193847656e-08;

    /// <summary>
    /// One curve per group: subject i is in <paramref name="groups"/>[i], followed for <paramref name="times"/>[i], and had
    /// the event when <paramref name="events"/>[i] (else censored then). Curves come in the order of
    /// <paramref name="levels"/>, or of the groups sorted when null; a level with no subject has no curve.
    /// </summary>
    /// <exception cref="ArgumentException">Arrays of different lengths, no subject, a negative or non-finite time, or a group not among <paramref name="levels"/>.</exception>
    public static IReadOnlyList<KaplanMeierCurve<TGroup>> Fit<TGroup>(IReadOnlyList<TGroup> groups, IReadOnlyList<double> times,
        IReadOnlyList<bool> events, IReadOnlyList<TGroup>? levels = null) where TGroup : notnull
    {
        var data = SurvivalData<TGroup>.From(groups, times, events, levels);
        double z = Distributions.NormalQuantile(0.975);
        var curves = new List<KaplanMeierCurve<TGroup>>();
        for (int k = 0; k < data.Levels.Length; k++)
        {
            var members = Enumerable.Range(0, data.Count).Where(i => data.Group[i] == k).ToArray();
            if (members.Length == 0) continue;
            var steps = new List<KaplanMeierStep>();
            double s = 1, v = 0;
            int atRisk = members.Length;
            foreach (var at in members.GroupBy(i => data.Time[i]).OrderBy(t => t.Key))
            {
                int d = at.Count(i => data.Event[i]), n = at.Count();
                s *= 1 - (double)d / atRisk;
                v += d == 0 ? 0 : d == atRisk ? double.PositiveInfinity : d / ((double)atRisk * (atRisk - d));
                double se = Math.Sqrt(v);
                double? lower = s == 0 ? null : Math.Exp(Math.Log(s) - z * se);
                double? upper = s == 0 ? null : Math.Min(1, Math.Exp(Math.Log(s) + z * se));
                steps.Add(new KaplanMeierStep(at.Key, atRisk, d, n - d, s, se, lower, upper));
                atRisk -= n;
            }
            var t = steps.Select(r => r.Time).ToArray();
            curves.Add(new KaplanMeierCurve<TGroup>(data.Levels[k], members.Length, members.Count(i => data.Event[i]), steps,
                FirstAtMostHalf(t, [.. steps.Select(r => (double?)r.Survival)]),
                FirstAtMostHalf(t, [.. steps.Select(r => r.Lower)]),
                FirstAtMostHalf(t, [.. steps.Select(r => r.Upper)])));
        }
        return curves;
    }

    /// <summary>
    /// R's <c>minmin</c> (in <c>survival:::survmean</c>): among the rows with a defined value below ½ + √ε, the first
    /// time; if that value is ½ (to √ε) and a later one is lower, the midpoint of the first time and the first time lower.
    /// </summary>
    private static double? FirstAtMostHalf(double[] time, double?[] y)
    {
        var keep = Enumerable.Range(0, y.Length).Where(i => y[i] is { } v && v < 0.5 + HalfTolerance).ToArray();
        if (keep.Length == 0) return null;
        double first = y[keep[0]]!.Value;
        if (Math.Abs(first - 0.5) < HalfTolerance)
            foreach (int i in keep)
                if (y[i]!.Value < first) return (time[keep[0]] + time[i]) / 2;
        return time[keep[0]];
    }
}
