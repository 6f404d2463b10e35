namespace AlliancePipeline.Analytics.Statistics;

/// <summary>
/// ICC(1) from a one-way random-effects ANOVA of scores within groups (e.g. raters): Shrout &amp; Fleiss (1979) ICC(1,1)
/// with the unbalanced-design group size n₀ = (N − Σ n_i²/N)/(g − 1) (Snedecor &amp; Cochran; Bliese 2000):
/// ICC(1) = (MSB − MSW) / (MSB + (n₀ − 1) MSW). The ANOVA table equals R's <c>summary(aov(score ~ group))</c>.
/// </summary>
public sealed record IntraclassCorrelation(double Icc1, double MeanSquareBetween, double MeanSquareWithin,
    int DegreesOfFreedomBetween, int DegreesOfFreedomWithin, double F, double PValue, double AverageGroupSize)
{
    /// <summary>ICC(1) of <paramref name="scores"/> grouped by <paramref name="groups"/> (any keys; at least 2 groups).</summary>
    public static IntraclassCorrelation Of<TGroup>(IReadOnlyList<TGroup> groups, IReadOnlyList<double> scores) where TGroup : notnull
    {
        ArgumentNullException.ThrowIfNull(groups);
        ArgumentNullException.ThrowIfNull(scores);
        if (groups.Count != scores.Count) throw new ArgumentException($"{groups.Count} group labels for {scores.Count} scores.");
        var byGroup = new Dictionary<TGroup, List<double>>();
        for (int i = 0; i < scores.Count; i++)
        {
            if (!double.IsFinite(scores[i])) throw new ArgumentException($"Score {i + 1} is not a finite number.", nameof(scores));
            if (!byGroup.TryGetValue(groups[i], out var list)) byGroup[groups[i]] = list = new List<double>();
            list.Add(scores[i]);
        }
        int g = byGroup.Count, n = scores.Count;
        if (g < 2 || n <= g) throw new ArgumentException($"ICC(1) needs at least 2 groups and more scores than groups (got {g} groups, {n} scores).");
        double grand = scores.Sum() / n;
        double ssb = 0, ssw = 0, sumSq = 0;
        foreach (var list in byGroup.Values)
        {
            double m = list.Sum() / list.Count;
            ssb += list.Count * (m - grand) * (m - grand);
            foreach (double v in list) ssw += (v - m) * (v - m);
            sumSq += (double)list.Count * list.Count;
        }
        int dfb = g - 1, dfw = n - g;
        double msb = ssb / dfb, msw = ssw / dfw, f = msb / msw;
        double n0 = (n - sumSq / n) / (g - 1);
        return new IntraclassCorrelation((msb - msw) / (msb + (n0 - 1) * msw), msb, msw, dfb, dfw, f,
            Distributions.FUpper(f, dfb, dfw), n0);
    }
}
