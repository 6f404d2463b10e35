using System.Globalization;
using AlliancePipeline.Analytics.Reports;
using AlliancePipeline.Core.Studies;

namespace AlliancePipeline.Functions.Reports;

/// <summary>The seed papers' further tables in <c>report.html</c> (<see cref="SeedPaperTables"/>), formatted for the template.</summary>
public sealed class SeedTablesView
{
    public IReadOnlyList<FlowRow> Flow { get; set; } = [];
    public string FlowNote { get; set; } = "";
    public string Dendrogram { get; set; } = "";
    public IReadOnlyList<SubscaleRow> Subscales { get; set; } = [];
    public string EmploymentDyads { get; set; } = "";
    public string OddsRatio { get; set; } = "";
    public string OddsRatioP { get; set; } = "";
    public string EmploymentNote { get; set; } = "";
    public bool HasEmploymentFit { get; set; }
    public IReadOnlyList<RegressionRow> Regressions { get; set; } = [];

    public sealed class RegressionRow
    {
        public string Outcome { get; set; } = "";
        public string Dyads { get; set; } = "";
        public string Block1 { get; set; } = "";
        public string RSquared1 { get; set; } = "";
        public string RSquared2 { get; set; } = "";
        public string Change { get; set; } = "";
        public string Alliance { get; set; } = "";
        public string Note { get; set; } = "";
    }

    public sealed class FlowRow
    {
        public string Step { get; set; } = "";
        public string Dyads { get; set; } = "";
        public string Left { get; set; } = "";
        public string Reason { get; set; } = "";
    }

    public sealed class SubscaleRow
    {
        public string Cluster { get; set; } = "";
        public string Subscale { get; set; } = "";
        public IReadOnlyList<string> PerMeeting { get; set; } = [];
    }

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>The view of a report's tables (empty when it has none).</summary>
    public static SeedTablesView Of(StudyReport r)
    {
        ArgumentNullException.ThrowIfNull(r);
        var view = new SeedTablesView();
        if (r.Tables is not { } t) return view;
        view.Flow = [.. t.Flow.Steps.Select(s => new FlowRow { Step = s.Step, Dyads = s.Dyads.ToString(Inv), Left = s.Reason is null ? "" : s.Left.ToString(Inv), Reason = s.Left == 0 ? "" : s.Reason ?? "" })];
        view.FlowNote = t.Flow.Note ?? "";
        view.Subscales = [.. t.Subscales.Select(s => new SubscaleRow
        {
            Cluster = s.Label,
            Subscale = s.Subscale,
            PerMeeting = [.. s.PerMeeting.Select(m => !double.IsFinite(m.Mean) ? "–" : double.IsFinite(m.Sd)
                ? $"{ReportHtml.F(m.Mean, "0.00")} ({ReportHtml.F(m.Sd, "0.00")}), n = {m.N}" : $"{ReportHtml.F(m.Mean, "0.00")}, n = {m.N}")],
        })];
        var e = t.Employment;
        view.EmploymentDyads = string.Create(Inv, $"{e.Dyads} dyads with an outcome and a rating, {e.Employed} employed");
        view.EmploymentNote = e.Note ?? "";
        if (e.Alliance is { } a && a.OddsRatio is { } or)
        {
            view.HasEmploymentFit = true;
            view.OddsRatio = $"{ReportHtml.F(or, "0.00")} (95 % CI {ReportHtml.F(a.OddsRatioLow ?? double.NaN, "0.00")} to {ReportHtml.F(a.OddsRatioHigh ?? double.NaN, "0.00")}); β = {ReportHtml.F(a.Coefficient.Estimate!.Value, "0.000")}, SE {ReportHtml.F(a.Coefficient.StandardError!.Value, "0.000")}, z = {ReportHtml.F(a.Coefficient.Statistic!.Value, "0.00")}";
            view.OddsRatioP = ReportHtml.PIs(a.Coefficient.PValue!.Value);
        }
        view.Regressions = [.. t.Regressions.Select(g =>
        {
            var row = new RegressionRow
            {
                Outcome = g.Outcome == StudyInputs.DaysWorkedField ? "Days of paid work" : g.Outcome == StudyInputs.TenureDaysField ? "Job tenure (days)" : g.Outcome,
                Dyads = g.MissingCovariate == 0 ? g.Dyads.ToString(Inv) : string.Create(Inv, $"{g.Dyads} ({g.MissingCovariate} left out: a covariate not recorded)"),
                Block1 = g.Covariates.Count == 0 ? "none (intercept only)" : string.Join(", ", g.Covariates),
                Note = g.Note ?? "",
            };
            if (g.Fit is { } f)
            {
                row.RSquared1 = ReportHtml.F(f.Model1.RSquared, "0.000");
                row.RSquared2 = ReportHtml.F(f.Model2.RSquared, "0.000");
                row.Change = f.FChange is { } fc
                    ? $"ΔR² = {ReportHtml.F(f.RSquaredChange, "0.000")}, F({f.DfChange}, {f.DfResidual}) = {ReportHtml.F(fc, "0.00")}, {ReportHtml.PIs(f.PChange!.Value)}"
                    : $"ΔR² = {ReportHtml.F(f.RSquaredChange, "0.000")}, no F test (alliance adds no estimable column)";
                row.Alliance = f.Model2.Coefficients.FirstOrDefault(c => c.Name == SeedPaperTables.AllianceTerm) is { Estimate: { } b, StandardError: { } se, PValue: { } p }
                    ? $"B = {ReportHtml.F(b, "0.00")} (SE {ReportHtml.F(se, "0.00")}), {ReportHtml.PIs(p)}" : "undefined";
            }
            return row;
        })];
        if (r.Result is { } result)
            view.Dendrogram = DendrogramFigure.Render("dendrogram", result.Dendrogram, result.ClusteredDyadIds, result.Selection.K,
                [.. Enumerable.Range(1, result.Selection.K).Select(k => r.Clusters.FirstOrDefault(c => c.Cluster == k)?.Label ?? k.ToString(Inv))]);
        return view;
    }
}
