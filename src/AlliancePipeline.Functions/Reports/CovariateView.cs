using System.Globalization;
using AlliancePipeline.Analytics.Reports;

namespace AlliancePipeline.Functions.Reports;

/// <summary>
/// The report's covariate section as the template shows it (pure): one table per covariate, a row per level (n and %
/// of the cluster's dyads with a value) or one row of mean (SD) per cluster, with its test; then the job rate per level.
/// </summary>
public sealed class CovariateView
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>The clusters' labels, the tables' columns.</summary>
    public IReadOnlyList<string> Clusters { get; init; } = [];

    /// <summary>One table per covariate, in the study file's order (categorical first).</summary>
    public IReadOnlyList<Table> Tables { get; init; } = [];

    /// <summary>The job rate per level of each categorical covariate.</summary>
    public IReadOnlyList<Rate> JobRates { get; init; } = [];

    /// <summary>A covariate's table.</summary>
    public sealed record Table(string Label, IReadOnlyList<Row> Rows, string Test);

    /// <summary>A row: its label and one cell per cluster.</summary>
    public sealed record Row(string Label, IReadOnlyList<string> Cells);

    /// <summary>A job rate line.</summary>
    public sealed record Rate(string Covariate, string Level, string Value);

    /// <summary>The view of <paramref name="section"/> for <paramref name="clusters"/>.</summary>
    public static CovariateView Of(CovariateSection section, IReadOnlyList<ClusterSummary> clusters)
    {
        ArgumentNullException.ThrowIfNull(section);
        ArgumentNullException.ThrowIfNull(clusters);
        var tables = new List<Table>();
        foreach (var c in section.Categorical)
        {
            var rows = c.Levels.Select((level, r) => new Row(level, [.. Enumerable.Range(0, clusters.Count).Select(k =>
                c.ColumnTotal(k) == 0 ? "0" : string.Create(Inv, $"{c.Counts[r, k]} ({100.0 * c.Counts[r, k] / c.ColumnTotal(k):0.0} %)"))])).ToList();
            var test = c.Fisher is { } f
                ? $"Fisher–Freeman–Halton {(f.IsExact ? "exact" : string.Create(Inv, $"Monte Carlo ({f.Replicates} tables)"))} test: {ReportHtml.PIs(f.PValue)}."
                : "Too few levels or clusters with dyads to test.";
            tables.Add(new Table(c.Label, rows, test + Missing(c.Missing)));
        }

        foreach (var n in section.Numeric)
        {
            var row = new Row("Mean (SD), n", [.. n.PerCluster.Select(m => m.N == 0 ? "–" : $"{ReportHtml.F(m.Mean, "0.00")} ({ReportHtml.F(m.Sd, "0.00")}), {m.N}")]);
            var test = n.Anova is { } a ? string.Create(Inv, $"One-way ANOVA: F({a.DfBetween}, {a.DfWithin}) = {a.F:0.00}, {ReportHtml.PIs(a.PValue)}.") : "Too few values to test.";
            tables.Add(new Table(n.Label, [row], test + Missing(n.Missing)));
        }

        return new CovariateView
        {
            Clusters = [.. clusters.Select(c => c.Label)],
            Tables = tables,
            JobRates = [.. section.JobRates.Select(r => new Rate(r.Covariate, r.Level, r.Interval is { } i
                ? string.Create(Inv, $"{r.Employed}/{r.Dyads} ({100 * i.Estimate:0.0} %, 95 % CI {100 * i.Lower:0.0}–{100 * i.Upper:0.0} %)")
                : "no dyad with an outcome"))],
        };
    }

    private static string Missing(int missing) => missing == 0 ? "" : string.Create(Inv, $" {missing} clustered dyad(s) without a value.");
}
