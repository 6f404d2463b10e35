using MathNet.Numerics.LinearAlgebra;

namespace AlliancePipeline.Analytics.Statistics;

/// <summary>One group of a log-rank test.</summary>
/// <param name="Group">The group.</param>
/// <param name="Subjects">Subjects in the group (R: <c>n</c>).</param>
/// <param name="Observed">Events observed in the group (<c>obs</c>).</param>
/// <param name="Expected">Events expected under equal hazards, Σₜ dₜ n_{kt} / nₜ over the event times (<c>exp</c>).</param>
public sealed record LogRankGroup<TGroup>(TGroup Group, int Subjects, int Observed, double Expected);

/// <summary>
/// The log-rank test of equal hazards across groups (Mantel 1966; Peto &amp; Peto 1972), equal to R's
/// <c>survdiff(Surv(time, event) ~ group)</c> (rho = 0).
/// </summary>
/// <param name="Groups">Per group, in level order.</param>
/// <param name="ChiSquare">
/// (O − E)ᵀ V⁻¹ (O − E) over the groups with E &gt; 0 but the first of them, V the hypergeometric covariance
/// V_jk = Σₜ dₜ (nₜ − dₜ)/(nₜ − 1) · (n_{jt}/nₜ)(δ_jk − n_{kt}/nₜ) (<c>chisq</c>); 0 when fewer than two groups expect events.
/// </param>
/// <param name="DegreesOfFreedom">The number of groups with E &gt; 0, less one.</param>
/// <param name="PValue">Upper chi-square tail; null (undefined) when there are no degrees of freedom.</param>
public sealed record LogRankTest<TGroup>(IReadOnlyList<LogRankGroup<TGroup>> Groups, double ChiSquare, int DegreesOfFreedom, double? PValue);

/// <summary>Computes <see cref="LogRankTest{TGroup}"/>.</summary>
public static class LogRankTest
{
    /// <summary>
    /// The log-rank test of subjects in <paramref name="groups"/>, followed for <paramref name="times"/>, with the event when
    /// <paramref name="events"/> (else censored); groups in the order of <paramref name="levels"/>, or sorted when null.
    /// </summary>
    /// <exception cref="ArgumentException">As <see cref="KaplanMeier.Fit"/>.</exception>
    public static LogRankTest<TGroup> Of<TGroup>(IReadOnlyList<TGroup> groups, IReadOnlyList<double> times, IReadOnlyList<bool> events,
        IReadOnlyList<TGroup>? levels = null) where TGroup : notnull
    {
        var data = SurvivalData<TGroup>.From(groups, times, events, levels);
        int g = data.Levels.Length;
        var observed = new int[g];
        var expected = new double[g];
        var v = new double[g, g];
        foreach (double t in data.EventTimes())
        {
            var atRisk = new double[g];
            double n = 0, d = 0;
            for (int i = 0; i < data.Count; i++)
            {
                if (data.Time[i] < t) continue;
                atRisk[data.Group[i]]++;
                n++;
                if (data.Time[i] == t && data.Event[i])
                {
                    observed[data.Group[i]]++;
                    d++;
                }
            }
            for (int j = 0; j < g; j++) expected[j] += d * atRisk[j] / n;
            if (n < 2) continue;
            double kt = d * (n - d) / (n - 1);
            for (int j = 0; j < g; j++)
                for (int k = 0; k < g; k++)
                    v[j, k] += kt * atRisk[j] / n * ((j == k ? 1 : 0) - atRisk[k] / n);
        }
        var used = Enumerable.Range(0, g).Where(j => expected[j] > 0).ToArray();
        int df = used.Length - 1;
        double chi = 0;
        if (df >= 1)
        {
            var free = used[1..];
            var vv = Matrix<double>.Build.Dense(df, df, (a, b) => v[free[a], free[b]]);
            var diff = Vector<double>.Build.Dense(df, a => observed[free[a]] - expected[free[a]]);
            chi = vv.Solve(diff).DotProduct(diff);
        }
        var rows = Enumerable.Range(0, g).Select(j => new LogRankGroup<TGroup>(data.Levels[j], data.Group.Count(x => x == j), observed[j], expected[j])).ToArray();
        return new LogRankTest<TGroup>(rows, chi, Math.Max(df, 0), df >= 1 ? Distributions.ChiSquareUpper(chi, df) : null);
    }
}
