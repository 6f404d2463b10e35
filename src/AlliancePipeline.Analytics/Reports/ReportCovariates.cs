using AlliancePipeline.Analytics.Statistics;
using AlliancePipeline.Core.Studies;

namespace AlliancePipeline.Analytics.Reports;

/// <summary>A categorical covariate across the clusters: counts per level and cluster, and Fisher–Freeman–Halton's test.</summary>
/// <param name="Name">The covariate's name.</param>
/// <param name="Label">Its label (English, else its name).</param>
/// <param name="Levels">Its levels, in the study file's order (the rows of <paramref name="Counts"/>).</param>
/// <param name="Counts">Clustered dyads per level (row) and cluster (column, in <see cref="StudyReport.Clusters"/>' order).</param>
/// <param name="Missing">Clustered dyads without a value.</param>
/// <param name="Fisher">
/// The exact test of level × cluster (R: <c>fisher.test</c>, Monte Carlo beyond the exact work budget as for the outcome
/// table), over the levels and clusters with any dyad; null when fewer than 2 of either remain.
/// </param>
public sealed record CategoricalByPattern(string Name, string Label, IReadOnlyList<string> Levels, int[,] Counts, int Missing, FisherTestResult? Fisher)
{
    /// <summary>Per cluster (column), the dyads with a value: the denominator of each column's percentages.</summary>
    public int ColumnTotal(int column) => Enumerable.Range(0, Counts.GetLength(0)).Sum(r => Counts[r, column]);
}

/// <summary>A numeric covariate across the clusters: mean and SD per cluster, and the one-way ANOVA F test.</summary>
/// <param name="Name">The covariate's name.</param>
/// <param name="Label">Its label.</param>
/// <param name="PerCluster">Per cluster (in <see cref="StudyReport.Clusters"/>' order): n, mean, SD and the mean's 95 % CI.</param>
/// <param name="Missing">Clustered dyads without a value.</param>
/// <param name="Anova">One-way ANOVA across the clusters (R: <c>anova(aov(value ~ factor(cluster)))</c>), or null when it cannot be computed.</param>
public sealed record NumericByPattern(string Name, string Label, IReadOnlyList<MeanCi> PerCluster, int Missing, OneWayAnova? Anova);

/// <summary>The job rate in one level of a categorical covariate, over every dyad with a recorded outcome (clustered or not).</summary>
/// <param name="Covariate">The covariate's name.</param>
/// <param name="Level">The level.</param>
/// <param name="Employed">Dyads of the level whose client got a job.</param>
/// <param name="Dyads">Dyads of the level with a recorded outcome.</param>
/// <param name="Interval">The rate with its Clopper–Pearson 95 % CI (R: <c>binom.test</c>); null when no dyad of the level has an outcome.</param>
public sealed record JobRateByLevel(string Covariate, string Level, int Employed, int Dyads, ClopperPearson? Interval);

/// <summary>The report's covariate section: each declared covariate by pattern, and the job rate by category.</summary>
/// <param name="Categorical">Categorical covariates by pattern, in the study file's order.</param>
/// <param name="Numeric">Numeric covariates by pattern, in the study file's order.</param>
/// <param name="JobRates">Per categorical covariate and level, the job rate.</param>
public sealed record CovariateSection(IReadOnlyList<CategoricalByPattern> Categorical, IReadOnlyList<NumericByPattern> Numeric, IReadOnlyList<JobRateByLevel> JobRates);

/// <summary>
/// The covariates of a report (no I/O): access for regressions (<see cref="Value"/>, <see cref="Days"/>), and the covariate
/// section (<see cref="Analyse"/>, <see cref="ByClusters"/>). Numeric covariates are compared with a one-way ANOVA: the section shows means and SDs,
/// which the F test compares; a reader wanting the rank test can rerun <c>kruskal.test</c> from <c>reproduce.R</c>.
/// </summary>
public static class ReportCovariates
{
    /// <summary>The value of covariate <paramref name="name"/> for <paramref name="dyadId"/>, or null when not recorded.</summary>
    public static CovariateValue? Value(ReportInput input, string dyadId, string name)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.CovariateValues.TryGetValue(dyadId, out var values) && values.TryGetValue(name, out var value) ? value : null;
    }

    /// <summary>The continuous outcome <paramref name="name"/> (<c>daysWorked</c>, <c>tenureDays</c>) of <paramref name="dyadId"/>, or null when not recorded.</summary>
    public static int? Days(ReportInput input, string dyadId, string name)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.ContinuousOutcomes.TryGetValue(dyadId, out var values) && values.TryGetValue(name, out var days) ? days : null;
    }

    /// <summary>Per dyad, its continuous outcomes from its latest recorded outcome (those recorded); dyads with none are absent.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyDictionary<string, int>> ContinuousOf(IEnumerable<ReportOutcome> outcomes)
    {
        ArgumentNullException.ThrowIfNull(outcomes);
        var result = new Dictionary<string, IReadOnlyDictionary<string, int>>(StringComparer.Ordinal);
        foreach (var o in outcomes.GroupBy(o => o.DyadId, StringComparer.Ordinal).Select(g => g.OrderBy(o => o.RecordedAt).Last()))
        {
            var days = new Dictionary<string, int>(StringComparer.Ordinal);
            if (o.DaysWorked is { } worked) days[StudyInputs.DaysWorkedField] = worked;
            if (o.TenureDays is { } tenure) days[StudyInputs.TenureDaysField] = tenure;
            if (days.Count > 0) result[o.DyadId] = days;
        }

        return result;
    }

    /// <summary>
    /// The covariate section for <paramref name="clusters"/>; null when the study declares no covariates. Categorical:
    /// counts per level and cluster with Fisher–Freeman–Halton's test; numeric: mean and SD per cluster with a one-way
    /// ANOVA; and per level of each categorical covariate, the job rate over the dyads with a recorded outcome.
    /// </summary>
    public static CovariateSection? Analyse(ReportInput input, IReadOnlyList<ClusterSummary> clusters, long fisherExactWork = FisherExactTest.DefaultExactWork)
    {
        ArgumentNullException.ThrowIfNull(clusters);
        return ByClusters(input, clusters.Select(c => c.DyadIds).ToArray(), fisherExactWork);
    }

    /// <summary>The covariate section for clusters given as their dyad ids, in cluster order (see the overload above).</summary>
    public static CovariateSection? ByClusters(ReportInput input, IReadOnlyList<IReadOnlyList<string>> clusters, long fisherExactWork = FisherExactTest.DefaultExactWork)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(clusters);
        if (input.Covariates.Count == 0) return null;
        var categorical = new List<CategoricalByPattern>();
        var numeric = new List<NumericByPattern>();
        var rates = new List<JobRateByLevel>();
        var outcomes = input.Outcomes.GroupBy(o => o.DyadId, StringComparer.Ordinal).Select(g => g.OrderBy(o => o.RecordedAt).Last()).ToArray();
        foreach (var covariate in input.Covariates)
        {
            var label = covariate.LabelIn("en");
            var values = clusters.Select(c => c.Select(id => Value(input, id, covariate.Name)).ToArray()).ToArray();
            var missing = values.Sum(v => v.Count(x => x is null));
            if (covariate.Type == CovariateType.Categorical)
            {
                var counts = new int[covariate.Levels.Length, clusters.Count];
                for (var c = 0; c < clusters.Count; c++)
                    foreach (var v in values[c])
                        if (v?.Level is { } level && covariate.Levels.IndexOf(level) is var r and >= 0) counts[r, c]++;
                categorical.Add(new CategoricalByPattern(covariate.Name, label, covariate.Levels, counts, missing, Fisher(counts, fisherExactWork)));
                foreach (var level in covariate.Levels)
                {
                    var ofLevel = outcomes.Where(o => Value(input, o.DyadId, covariate.Name)?.Level == level).ToArray();
                    var employed = ofLevel.Count(o => o.Employed);
                    rates.Add(new JobRateByLevel(covariate.Name, level, employed, ofLevel.Length, ofLevel.Length == 0 ? null : ClopperPearson.Of(employed, ofLevel.Length)));
                }
            }
            else
            {
                var groups = values.Select(v => (IReadOnlyList<double>)v.Where(x => x?.Number is not null).Select(x => x!.Number!.Value).ToArray()).ToArray();
                numeric.Add(new NumericByPattern(covariate.Name, label, groups.Select(StudyReportAnalysis.MeanCi).ToArray(), missing, OneWayAnova.Of(groups)));
            }
        }

        return new CovariateSection(categorical, numeric, rates);
    }

    /// <summary>Fisher–Freeman–Halton over the levels and clusters with any dyad; null when fewer than 2 of either.</summary>
    private static FisherTestResult? Fisher(int[,] counts, long exactWork)
    {
        var rows = Enumerable.Range(0, counts.GetLength(0)).Where(r => Enumerable.Range(0, counts.GetLength(1)).Any(c => counts[r, c] > 0)).ToArray();
        var cols = Enumerable.Range(0, counts.GetLength(1)).Where(c => rows.Any(r => counts[r, c] > 0)).ToArray();
        if (rows.Length < 2 || cols.Length < 2) return null;
        var table = new int[rows.Length, cols.Length];
        for (var i = 0; i < rows.Length; i++)
            for (var j = 0; j < cols.Length; j++)
                table[i, j] = counts[rows[i], cols[j]];
        return FisherExactTest.Test(table, exactWork);
    }
}
