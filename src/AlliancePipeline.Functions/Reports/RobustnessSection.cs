using System.Globalization;
using System.Text.Json.Nodes;
using AlliancePipeline.Analytics.Reports;
using static AlliancePipeline.Functions.Reports.ClustersDocument;

namespace AlliancePipeline.Functions.Reports;

/// <summary>
/// The report's robustness section (<see cref="RobustnessAnalysis"/>): cluster stability under bootstrap resampling with
/// Hennig's reading, k under both readings of the agglomeration coefficient, and Cronbach's alpha per meeting; as the
/// page shows it (<see cref="View"/>, <c>#robustness</c> in <c>report.liquid</c>) and as <c>clusters.json</c> writes it
/// (<see cref="Json"/>, member <c>robustness</c>). Pure.
/// </summary>
public static class RobustnessSection
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    private static string F(double v, string format) => double.IsFinite(v) ? v.ToString(format, Inv) : "–";

    /// <summary>The section's model, every number formatted.</summary>
    public static RobustnessView View(StudyReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var view = new RobustnessView();
        if (report.Robustness is not { } rb) return view;
        var labels = report.Clusters.ToDictionary(c => c.Cluster, c => (c.Label, c.DyadIds.Count));
        if (rb.Stability is { } s)
        {
            view.HasStability = true;
            view.Resamples = s.Resamples.ToString(Inv);
            view.Seed = s.Seed?.ToString(Inv) ?? "–";
            view.Stability = [.. s.Clusters.Select(c => new RobustnessView.StabilityRow
            {
                Label = labels.TryGetValue(c.Cluster, out var l) ? l.Label : c.Cluster.ToString(Inv),
                N = labels.TryGetValue(c.Cluster, out var m) ? m.Count.ToString(Inv) : "–",
                MeanJaccard = F(c.MeanJaccard, "0.00"),
                Dissolved = c.Dissolved.ToString(Inv),
                Recovered = c.Recovered.ToString(Inv),
                Reading = c.Reading,
            })];
        }
        view.StabilityNote = rb.StabilityNote ?? "";
        view.StabilityCaveats = rb.StabilityCaveats;
        if (rb.KRules.Count > 0)
        {
            view.HasKRules = true;
            view.KRules = [.. rb.KRules.Select(k => new RobustnessView.KRuleRow
            {
                K = k.Candidate.K.ToString(Inv),
                Coefficient = F(k.Candidate.Coefficient, "0.000"),
                Jump = double.IsFinite(k.Candidate.RelativeJump) ? F(k.Candidate.RelativeJump * 100, "+0.0") : "∞",
                Increase = F(k.Candidate.Increase, "0.000"),
                Relative = k.ByRelative ? "✓" : "",
                Absolute = k.ByAbsolute ? "✓" : "",
                Used = k.Used,
            })];
            string rule = report.Options.Analysis.FixedK is { } fixedK ? $"k = {fixedK} fixed by the study"
                : report.Options.Analysis.Rule == Analytics.Clustering.ClusterCountCriterion.Absolute ? "the absolute rule, as the study sets" : "the relative rule, the default";
            view.KRulesSummary = $"The relative rule gives k = {rb.KRelative}, the absolute rule k = {rb.KAbsolute}"
                + (rb.KRelative == rb.KAbsolute ? " (the same solution)" : "")
                + $"; this report uses k = {report.Result?.Selection.K} ({rule}).";
        }
        var scales = rb.ByMeeting.SelectMany(m => m.Rows.Select(a => (a.Role, a.Scale, a.Label))).Distinct().ToArray();
        view.Meetings = [.. rb.ByMeeting.Select(m => m.Meeting.ToString(Inv))];
        view.AlphaByMeeting = [.. scales.Select(sc => new RobustnessView.AlphaRow
        {
            Role = sc.Role,
            Scale = sc.Label,
            Cells = [.. rb.ByMeeting.Select(m => m.Rows.FirstOrDefault(a => a.Role == sc.Role && a.Scale == sc.Scale) is { Alpha: { } x }
                ? $"{F(x.Alpha, "0.00")} ({F(x.ConfidenceLow, "0.00")} to {F(x.ConfidenceHigh, "0.00")}), n = {x.Respondents}"
                : "–")],
        })];
        return view;
    }

    /// <summary>The <c>robustness</c> member of <c>clusters.json</c>: <c>stability</c> (resamples, seed, per cluster mean
    /// Jaccard, dissolved, recovered, reading; or <c>note</c>), <c>kRules</c> and <c>alphaByMeeting</c>.</summary>
    public static JsonObject Json(RobustnessAnalysis rb)
    {
        ArgumentNullException.ThrowIfNull(rb);
        var doc = new JsonObject();
        if (rb.Stability is { } s)
            doc["stability"] = new JsonObject
            {
                ["method"] = "fpc::clusterboot(Y, B, bootmethod = \"boot\", clustermethod = hclustCBI, method = \"ward.D2\", k, scaling = FALSE, seed)",
                ["resamples"] = s.Resamples,
                ["seed"] = s.Seed,
                ["tooSmall"] = s.TooSmall,
                ["clusters"] = new JsonArray([.. s.Clusters.Select(c => (JsonNode)new JsonObject
                {
                    ["cluster"] = c.Cluster, ["meanJaccard"] = N(c.MeanJaccard), ["dissolved"] = c.Dissolved, ["recovered"] = c.Recovered, ["reading"] = c.Reading,
                })]),
                ["caveats"] = new JsonArray([.. rb.StabilityCaveats.Select(c => (JsonNode)c)]),
            };
        else if (rb.StabilityNote is { } note)
            doc["stability"] = new JsonObject { ["note"] = note };
        if (rb.KRules.Count > 0)
            doc["kRules"] = new JsonObject
            {
                ["relative"] = rb.KRelative,
                ["absolute"] = rb.KAbsolute,
                ["candidates"] = new JsonArray([.. rb.KRules.Select(k => (JsonNode)new JsonObject
                {
                    ["k"] = k.Candidate.K, ["coefficient"] = N(k.Candidate.Coefficient), ["relativeJump"] = N(k.Candidate.RelativeJump),
                    ["increase"] = N(k.Candidate.Increase), ["admissible"] = k.Candidate.Admissible,
                    ["byRelative"] = k.ByRelative, ["byAbsolute"] = k.ByAbsolute, ["used"] = k.Used,
                })]),
            };
        doc["alphaByMeeting"] = new JsonArray([.. rb.ByMeeting.SelectMany(m => m.Rows.Select(a => (JsonNode)new JsonObject
        {
            ["meeting"] = m.Meeting, ["role"] = a.Role, ["scale"] = a.Scale,
            ["alpha"] = a.Alpha is { } x ? N(x.Alpha) : null, ["ciLow"] = a.Alpha is { } l ? N(l.ConfidenceLow) : null, ["ciHigh"] = a.Alpha is { } h ? N(h.ConfidenceHigh) : null,
            ["n"] = a.Alpha?.Respondents, ["note"] = a.Note,
        }))]);
        return doc;
    }
}

/// <summary>The model of the report's robustness section: text only.</summary>
public sealed class RobustnessView
{
    public bool HasStability { get; set; }
    public string Resamples { get; set; } = "";
    public string Seed { get; set; } = "";
    public IReadOnlyList<StabilityRow> Stability { get; set; } = [];
    public string StabilityNote { get; set; } = "";
    public IReadOnlyList<string> StabilityCaveats { get; set; } = [];
    public bool HasKRules { get; set; }
    public IReadOnlyList<KRuleRow> KRules { get; set; } = [];
    public string KRulesSummary { get; set; } = "";
    public IReadOnlyList<string> Meetings { get; set; } = [];
    public IReadOnlyList<AlphaRow> AlphaByMeeting { get; set; } = [];

    public sealed class StabilityRow
    {
        public string Label { get; set; } = "";
        public string N { get; set; } = "";
        public string MeanJaccard { get; set; } = "";
        public string Dissolved { get; set; } = "";
        public string Recovered { get; set; } = "";
        public string Reading { get; set; } = "";
    }

    public sealed class KRuleRow
    {
        public string K { get; set; } = "";
        public string Coefficient { get; set; } = "";
        public string Jump { get; set; } = "";
        public string Increase { get; set; } = "";
        public string Relative { get; set; } = "";
        public string Absolute { get; set; } = "";
        public bool Used { get; set; }
    }

    public sealed class AlphaRow
    {
        public string Role { get; set; } = "";
        public string Scale { get; set; } = "";
        public IReadOnlyList<string> Cells { get; set; } = [];
    }
}
