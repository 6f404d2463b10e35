using System.Globalization;
using AlliancePipeline.Analytics.Reports;

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
                ? string.Create(Inv, $"{m.Mean:0.00} ({m.Sd:0.00}), n = {m.N}") : string.Create(Inv, $"{m.Mean:0.00}, n = {m.N}"))],
        })];
        var e = t.Employment;
        view.EmploymentDyads = string.Create(Inv, $"{e.Dyads} dyads with an outcome and a rating, {e.Employed} employed");
        view.EmploymentNote = e.Note ?? "";
        if (e.Alliance is { } a && a.OddsRatio is { } or)
        {
            view.HasEmploymentFit = true;
            view.OddsRatio = string.Create(Inv, $"{or:0.00} (95 % CI {a.OddsRatioLow:0.00} to {a.OddsRatioHigh:0.00}); β = {a.Coefficient.Estimate:0.000}, SE {a.Coefficient.StandardError:0.000}, z = {a.Coefficient.Statistic:0.00}");
            view.OddsRatioP = ReportHtml.P(a.Coefficient.PValue!.Value);
        }
        if (r.Result is { } result)
            view.Dendrogram = DendrogramFigure.Render("dendrogram", result.Dendrogram, result.ClusteredDyadIds, result.Selection.K,
                [.. Enumerable.Range(1, result.Selection.K).Select(k => r.Clusters.FirstOrDefault(c => c.Cluster == k)?.Label ?? k.ToString(Inv))]);
        return view;
    }
}
