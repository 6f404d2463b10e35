using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using AlliancePipeline.Analytics.Analysis;
using AlliancePipeline.Analytics.Patterns;
using AlliancePipeline.Core.Studies;
using AlliancePipeline.Functions.Services;

namespace AlliancePipeline.Functions.Reports;

/// <summary>Settings of the study report.</summary>
public sealed record StudyReportOptions
{
    /// <summary>Whose ratings make the trajectories (default: the practitioner's; if a study has none, its most frequent role).</summary>
    public string RaterRole { get; init; } = "practitioner";

    /// <summary>Fewer complete dyads than this and the report says clustering needs more data (default 4).</summary>
    public int MinimumCompleteDyads { get; init; } = 4;

    /// <summary>The clustering: raw or deviation scores, fixed k, minimum cluster share, pattern thresholds.</summary>
    public TrajectoryAnalysisOptions Analysis { get; init; } = new();
}

/// <summary>
/// Builds a study's report set from its stored responses, without I/O: the alliance trajectory of each dyad (the global
/// score at meetings 1..T for one rater role), clustered by <see cref="TrajectoryAnalysis.Run"/> (Ward as R's
/// <c>hclust(dist(X), "ward.D2")</c>, k by the agglomeration coefficient with every cluster ≥ 10 %, patterns named from
/// the centroids); dyads missing a meeting are counted and listed, not clustered. Files: <c>report.html</c>
/// (self-contained, accessible), <c>responses.csv</c>, <c>codebook.csv</c>, <c>clusters.json</c> (R's conventions).
/// </summary>
public sealed class StudyReportBuilder(StudyReportOptions options) : IReportBuilder
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    // Okabe–Ito: distinguishable with colour-vision deficiencies.
    private static readonly string[] Palette = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442"];

    /// <summary>The report with default settings.</summary>
    public StudyReportBuilder() : this(new StudyReportOptions()) { }

    /// <inheritdoc />
    public ReportSet Build(Study study, string runId, IReadOnlyList<StoredResponse> responses, DateTimeOffset generatedAt)
    {
        var report = Analyse(study, responses);
        var run = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["Status"] = report.Result is null ? "insufficient-data" : "clustered",
            ["RaterRole"] = report.RaterRole,
            ["DyadsClustered"] = report.Result?.ClusteredDyadIds.Count ?? 0,
            ["DyadsIncomplete"] = report.Result?.IncompleteDyadIds.Count ?? report.Dyads,
        };
        if (report.Result is { } result)
        {
            run["K"] = result.Selection.K;
            run["KRule"] = result.Selection.Rule.ToString();
            run["KReason"] = result.Selection.Reason;
        }
        return new ReportSet(
        [
            new("report.html", "text/html; charset=utf-8", Html(study, runId, generatedAt, responses.Count, report)),
            new("responses.csv", "text/csv; charset=utf-8", ResponseTables.ResponsesCsv(responses)),
            new("codebook.csv", "text/csv; charset=utf-8", ResponseTables.CodebookCsv()),
            new("clusters.json", "application/json", JsonSerializer.Serialize(Document(study, runId, generatedAt, responses.Count, report), Json)),
        ], run);
    }

    /// <summary>The trajectories of one rater role and, when enough dyads are complete, their clustering.</summary>
    public StudyAnalysis Analyse(Study study, IReadOnlyList<StoredResponse> responses)
    {
        ArgumentNullException.ThrowIfNull(responses);
        var role = responses.Any(r => r.RaterRole == options.RaterRole)
            ? options.RaterRole
            : responses.GroupBy(r => r.RaterRole, StringComparer.Ordinal).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).Select(g => g.Key).FirstOrDefault() ?? options.RaterRole;
        var rated = responses.Where(r => r.RaterRole == role && r.Meeting >= 1).ToList();
        var meetings = rated.Count == 0 ? 0 : rated.Max(r => r.Meeting);
        var dyads = rated.Select(r => r.DyadId).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var scores = dyads.Select(d =>
        {
            var row = Enumerable.Repeat(double.NaN, meetings).ToArray();
            foreach (var r in rated.Where(r => r.DyadId == d).OrderBy(r => r.SubmittedAt)) row[r.Meeting - 1] = r.Global;
            return (IReadOnlyList<double>)row;
        }).ToArray();
        var complete = scores.Count(row => !row.Any(double.IsNaN));
        var missing = Enumerable.Range(1, meetings).Select(m => scores.Count(row => double.IsNaN(row[m - 1]))).ToArray();
        if (complete < options.MinimumCompleteDyads || meetings < 2)
        {
            var why = meetings < 2
                ? $"Clustering needs scores at two meetings or more; the {role} ratings so far cover {meetings}."
                : $"Clustering needs at least {options.MinimumCompleteDyads} dyads rated at every meeting; {complete} of {dyads.Length} are complete so far.";
            return new StudyAnalysis(role, meetings, dyads.Length, missing, null, why);
        }
        var result = TrajectoryAnalysis.Run(new TrajectoryMatrix(dyads, scores), options.Analysis);
        return new StudyAnalysis(role, meetings, dyads.Length, missing, result, null);
    }

    private object Document(Study study, string runId, DateTimeOffset generatedAt, int responseCount, StudyAnalysis a)
    {
        var r = a.Result;
        return new
        {
            studyId = study.Id,
            runId,
            generatedAt,
            responseCount,
            raterRole = a.RaterRole,
            meetings = a.Meetings,
            dyads = new { total = a.Dyads, clustered = r?.ClusteredDyadIds.Count ?? 0, incomplete = r?.IncompleteDyadIds ?? [] },
            missingByMeeting = a.MissingByMeeting,
            status = r is null ? "insufficient-data" : "clustered",
            message = a.Message,
            method = "hclust(dist(X), method = \"ward.D2\")",
            scores = options.Analysis.Deviation ? "deviation" : "raw",
            ids = r?.ClusteredDyadIds,
            merge = r is null ? null : Enumerable.Range(0, r.Dendrogram.Count - 1).Select(s => new[] { r.Dendrogram.MergeLeft(s), r.Dendrogram.MergeRight(s) }).ToArray(),
            height = r?.Dendrogram.Heights,
            order = r?.Dendrogram.Order,
            k = r?.Selection.K,
            kRule = r?.Selection.Rule.ToString(),
            kReason = r?.Selection.Reason,
            candidates = r?.Selection.Candidates.Select(c => new
            {
                k = c.K, coefficient = c.Coefficient, relativeJump = c.RelativeJump, smallestClusterShare = c.SmallestClusterShare,
                admissible = c.Admissible, calinskiHarabasz = c.CalinskiHarabasz, meanSilhouette = c.MeanSilhouette,
            }),
            assignments = r?.Assignments,
            clusters = r?.Clusters.Select(c => new
            {
                cluster = c.Cluster, pattern = c.Shape.Code, name = c.Shape.Pattern.ToString(), n = c.Descriptive.N, share = c.Descriptive.Share,
                centroid = c.Centroid, level = c.Shape.Level, slope = c.Shape.Slope, curvature = c.Shape.Curvature,
                perMeeting = c.Descriptive.PerMeeting.Select(m => new { mean = m.Mean, sd = m.Sd }), overall = new { mean = c.Descriptive.Overall.Mean, sd = c.Descriptive.Overall.Sd },
            }),
        };
    }

    private static string Html(Study study, string runId, DateTimeOffset generatedAt, int responseCount, StudyAnalysis a)
    {
        var html = new StringBuilder()
            .Append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
            .Append(CultureInfo.InvariantCulture, $"<title>Alliance report: {E(study.Name)}</title><style>")
            .Append("body{font:16px/1.5 system-ui,sans-serif;color:#1a1a1a;margin:0}main{max-width:60rem;margin:0 auto;padding:1rem}")
            .Append("table{border-collapse:collapse;margin:1rem 0}th,td{border:1px solid #8a8a8a;padding:.25rem .5rem;text-align:right}")
            .Append("th[scope=row],td.text{text-align:left}caption{text-align:left;font-weight:600;margin-bottom:.25rem}tr.chosen{background:#eef3fb;font-weight:600}")
            .Append(".note{color:#4a4a4a}svg{max-width:100%;height:auto}</style></head><body><main>")
            .Append(CultureInfo.InvariantCulture, $"<h1>Alliance trajectories: {E(study.Name)}</h1>")
            .Append(CultureInfo.InvariantCulture, $"<p class=\"note\">Run {E(runId)}, generated {generatedAt.UtcDateTime:yyyy-MM-dd HH:mm} UTC. Responses: <span id=\"response-count\">{responseCount}</span>. ")
            .Append(CultureInfo.InvariantCulture, $"Trajectories: global WAI score of the {E(a.RaterRole)} ratings at meetings 1–{a.Meetings}; {a.Dyads} dyads.</p>");

        html.Append("<h2>Missing meetings</h2><table id=\"missing\"><caption>Dyads without a score, per meeting</caption><thead><tr>");
        for (var m = 1; m <= a.Meetings; m++) html.Append(CultureInfo.InvariantCulture, $"<th scope=\"col\">Meeting {m}</th>");
        html.Append("</tr></thead><tbody><tr>");
        foreach (var n in a.MissingByMeeting) html.Append(CultureInfo.InvariantCulture, $"<td>{n}</td>");
        html.Append("</tr></tbody></table>");

        if (a.Result is not { } r)
        {
            html.Append(CultureInfo.InvariantCulture, $"<h2>Patterns</h2><p id=\"status\">{E(a.Message!)}</p>");
            return html.Append("</main></body></html>").ToString();
        }

        var incomplete = r.IncompleteDyadIds;
        html.Append(CultureInfo.InvariantCulture, $"<p id=\"incomplete\">{r.ClusteredDyadIds.Count} dyads with every meeting scored were clustered; {incomplete.Count} missing a meeting were left out")
            .Append(incomplete.Count == 0 ? "." : $": {E(string.Join(", ", incomplete))}.").Append("</p>");

        html.Append("<h2>Patterns</h2>")
            .Append(CultureInfo.InvariantCulture, $"<p id=\"status\">Ward's minimum-variance clustering (as R's <code>hclust(dist(X), \"ward.D2\")</code>) of {(r.Dendrogram.Count)} trajectories. {E(r.Selection.Reason)}</p>")
            .Append(Chart(r, a.Meetings));

        html.Append("<table id=\"descriptives\"><caption>Clusters: size and mean (SD) global score</caption><thead><tr><th scope=\"col\">Cluster</th><th scope=\"col\">Pattern</th><th scope=\"col\">n</th><th scope=\"col\">%</th>");
        for (var m = 1; m <= a.Meetings; m++) html.Append(CultureInfo.InvariantCulture, $"<th scope=\"col\">Meeting {m}</th>");
        html.Append("<th scope=\"col\">Overall</th></tr></thead><tbody>");
        foreach (var c in r.Clusters)
        {
            html.Append(CultureInfo.InvariantCulture, $"<tr><th scope=\"row\">{c.Cluster}</th><td class=\"text\">{E(c.Shape.Code)} ({E(Describe(c.Shape.Pattern))})</td><td>{c.Descriptive.N}</td><td>{c.Descriptive.Share * 100:0}</td>");
            foreach (var m in c.Descriptive.PerMeeting) html.Append(CultureInfo.InvariantCulture, $"<td>{MeanSd(m.Mean, m.Sd)}</td>");
            html.Append(CultureInfo.InvariantCulture, $"<td>{MeanSd(c.Descriptive.Overall.Mean, c.Descriptive.Overall.Sd)}</td></tr>");
        }
        html.Append("</tbody></table>");

        html.Append("<table id=\"k-selection\"><caption>Choosing the number of clusters</caption><thead><tr><th scope=\"col\">k</th><th scope=\"col\">Agglomeration coefficient</th><th scope=\"col\">Relative jump to k − 1</th><th scope=\"col\">Smallest cluster %</th><th scope=\"col\">Calinski–Harabasz</th><th scope=\"col\">Mean silhouette</th></tr></thead><tbody>");
        foreach (var c in r.Selection.Candidates)
        {
            html.Append(CultureInfo.InvariantCulture, $"<tr{(c.K == r.Selection.K ? " class=\"chosen\"" : "")}><th scope=\"row\">{c.K}</th><td>{c.Coefficient:0.000}</td><td>{c.RelativeJump:0.000}</td><td>{c.SmallestClusterShare * 100:0}</td><td>{c.CalinskiHarabasz:0.00}</td><td>{c.MeanSilhouette:0.000}</td></tr>");
        }
        html.Append("</tbody></table>");
        return html.Append("</main></body></html>").ToString();
    }

    /// <summary>An SVG line chart of the cluster centroids across meetings, labelled, with a text alternative.</summary>
    private static string Chart(TrajectoryAnalysisResult r, int meetings)
    {
        const double width = 640, height = 320, left = 48, right = 220, top = 16, bottom = 40;
        var values = r.Clusters.SelectMany(c => c.Centroid).ToArray();
        var lo = Math.Floor(values.Min() * 2) / 2 - 0.5;
        var hi = Math.Ceiling(values.Max() * 2) / 2 + 0.5;
        double X(int m) => left + (meetings == 1 ? 0 : (m - 1) * (width - left - right) / (meetings - 1));
        double Y(double v) => top + (hi - v) / (hi - lo) * (height - top - bottom);
        string N(double v) => v.ToString("0.#", CultureInfo.InvariantCulture);

        var svg = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"<figure><svg role=\"img\" aria-labelledby=\"chart-title chart-desc\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" xmlns=\"http://www.w3.org/2000/svg\">")
            .Append("<title id=\"chart-title\">Mean global alliance score per meeting, by cluster</title><desc id=\"chart-desc\">")
            .AppendJoin(" ", r.Clusters.Select(c => $"Cluster {c.Cluster}, {c.Shape.Code}, n = {c.Descriptive.N}: {string.Join(", ", c.Centroid.Select(v => v.ToString("0.00", CultureInfo.InvariantCulture)))}."))
            .Append("</desc>");
        for (var v = Math.Ceiling(lo); v <= hi; v += 0.5)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{N(left)}\" x2=\"{N(width - right)}\" y1=\"{N(Y(v))}\" y2=\"{N(Y(v))}\" stroke=\"#ddd\"/>")
                .Append(CultureInfo.InvariantCulture, $"<text x=\"{N(left - 6)}\" y=\"{N(Y(v) + 4)}\" font-size=\"12\" text-anchor=\"end\">{v.ToString("0.0", CultureInfo.InvariantCulture)}</text>");
        }
        for (var m = 1; m <= meetings; m++)
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{N(X(m))}\" y=\"{N(height - bottom + 20)}\" font-size=\"12\" text-anchor=\"middle\">Meeting {m}</text>");
        for (var i = 0; i < r.Clusters.Count; i++)
        {
            var c = r.Clusters[i];
            var colour = Palette[i % Palette.Length];
            var points = string.Join(" ", c.Centroid.Select((v, m) => $"{N(X(m + 1))},{N(Y(v))}"));
            svg.Append(CultureInfo.InvariantCulture, $"<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"3\" points=\"{points}\"/>");
            foreach (var (v, m) in c.Centroid.Select((v, m) => (v, m)))
                svg.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{N(X(m + 1))}\" cy=\"{N(Y(v))}\" r=\"4\" fill=\"{colour}\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{N(width - right + 12)}\" y=\"{N(Y(c.Centroid[^1]) + 4)}\" font-size=\"13\" fill=\"{colour}\">{E(c.Shape.Code)} · n = {c.Descriptive.N} ({c.Descriptive.Share * 100:0} %)</text>");
        }
        return svg.Append("</svg><figcaption>Cluster centroids: mean global score at each meeting.</figcaption></figure>").ToString();
    }

    private static string Describe(AlliancePattern pattern) => pattern switch
    {
        AlliancePattern.StableHigh => "stable high",
        AlliancePattern.StableLow => "stable low",
        AlliancePattern.LinearDecrease => "linear decrease",
        AlliancePattern.LinearIncrease => "linear increase",
        AlliancePattern.UShaped => "U-shaped",
        AlliancePattern.InvertedU => "inverted U",
        _ => pattern.ToString(),
    };

    private static string MeanSd(double mean, double sd) =>
        double.IsNaN(sd) ? mean.ToString("0.00", CultureInfo.InvariantCulture) : string.Create(CultureInfo.InvariantCulture, $"{mean:0.00} ({sd:0.00})");

    private static string E(string text) => WebUtility.HtmlEncode(text);
}

/// <summary>A study's trajectories and, when there are enough, their clustering.</summary>
/// <param name="RaterRole">Whose ratings.</param>
/// <param name="Meetings">Meetings covered (T).</param>
/// <param name="Dyads">Dyads with at least one rating.</param>
/// <param name="MissingByMeeting">Dyads without a score at each meeting 1..T.</param>
/// <param name="Result">The clustering, or null when there is too little data.</param>
/// <param name="Message">Why there is no clustering, when there is none.</param>
public sealed record StudyAnalysis(string RaterRole, int Meetings, int Dyads, IReadOnlyList<int> MissingByMeeting, TrajectoryAnalysisResult? Result, string? Message);
