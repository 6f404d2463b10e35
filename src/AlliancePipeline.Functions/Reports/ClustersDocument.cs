using System.Text.Json;
using System.Text.Json.Nodes;
using AlliancePipeline.Analytics.Reports;
using AlliancePipeline.Core.Studies;

namespace AlliancePipeline.Functions.Reports;

/// <summary>
/// <c>clusters.json</c>: the clustering in R's conventions (<c>merge</c> 1-based with negative singletons, <c>height</c>,
/// <c>order</c>, <c>cutree</c> numbering), the agglomeration schedule with SPSS's coefficient, how k was chosen (rule,
/// sentence, candidates with Calinski–Harabasz and silhouette), assignments by dyad, each cluster's unique label, pattern,
/// centroid, change, bend and descriptives (with each subscale of the instrument by its id), the outcome table with its
/// tests (per cluster the Clopper–Pearson interval of the employment rate and the odds ratio against the other clusters
/// with its exact interval; the bias-corrected Cramér's V; the caveats), reliability, and every warning. A number that is
/// not finite is written as <c>null</c>, but for an infinite odds ratio or limit, written <c>"Inf"</c> as R prints it
/// (<c>null</c> there means undefined).
/// </summary>
public static class ClustersDocument
{
    private static readonly JsonSerializerOptions Options = new() { WriteIndented = true };

    /// <summary>The members of a cluster's object besides its subscales.</summary>
    private static readonly HashSet<string> ClusterMembers = new(StringComparer.Ordinal)
    {
        "cluster", "label", "pattern", "name", "n", "share", "centroid", "level", "change", "bend", "slope", "curvature", "perMeeting", "overall", "dyads",
    };

    /// <summary>The document's text.</summary>
    public static string Write(StudyReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return Build(report).ToJsonString(Options);
    }

    /// <summary>The document.</summary>
    public static JsonObject Build(StudyReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var input = report.Input;
        var r = report.Result;
        var doc = new JsonObject
        {
            ["studyId"] = input.StudyId,
            ["runId"] = input.RunId,
            ["generatedAt"] = input.GeneratedAt,
            ["responseCount"] = input.Responses.Count,
            ["raterRole"] = report.RaterRole,
            ["instrumentId"] = report.Instrument?.Id,
            ["scale"] = new JsonArray(report.Scale.Min, report.Scale.Max),
            ["meetings"] = report.Meetings,
            ["dyads"] = new JsonObject
            {
                ["total"] = report.Trajectories.Count,
                ["clustered"] = r?.ClusteredDyadIds.Count ?? 0,
                ["incomplete"] = Strings(r?.IncompleteDyadIds ?? report.Trajectories.Where(t => !t.Complete).Select(t => t.DyadId).ToArray()),
            },
            ["missingByMeeting"] = new JsonArray([.. report.MissingByMeeting.Select(v => (JsonNode)v)]),
            ["status"] = r is null ? "insufficient-data" : "clustered",
            ["message"] = report.Message,
            ["warnings"] = Strings(report.Warnings),
            ["method"] = "hclust(dist(X), method = \"ward.D2\")",
            ["scores"] = report.Options.Analysis.Deviation ? "deviation" : "raw",
        };
        if (report.Robustness is { } robustness) doc["robustness"] = RobustnessSection.Json(robustness);
        doc["raterEffects"] = new JsonArray([.. report.RaterEffects.Select(e => (JsonNode)new JsonObject
        {
            ["role"] = e.Role, ["raters"] = e.Raters, ["responses"] = e.Responses, ["icc"] = e.Icc is { } a ? N(a.Icc1) : null,
            ["msBetween"] = e.Icc is { } b ? N(b.MeanSquareBetween) : null, ["msWithin"] = e.Icc is { } w ? N(w.MeanSquareWithin) : null,
            ["dfBetween"] = e.Icc?.DegreesOfFreedomBetween, ["dfWithin"] = e.Icc?.DegreesOfFreedomWithin,
            ["f"] = e.Icc is { } f ? N(f.F) : null, ["p"] = e.Icc is { } p ? N(p.PValue) : null, ["note"] = e.Note,
        })]);
        if (report.Views is { } views)
            doc["views"] = new JsonObject
            {
                ["pairs"] = views.Pairs,
                ["perMeeting"] = new JsonArray([.. views.PerMeeting.Select(v => (JsonNode)new JsonObject
                {
                    ["meeting"] = v.Meeting, ["practitioner"] = Mean(v.Practitioner), ["client"] = Mean(v.Client), ["difference"] = Mean(v.Difference),
                    ["icc"] = v.Icc is { } i ? N(i.Icc1) : null,
                })]),
                ["icc"] = views.Overall is { } all ? N(all.Icc1) : null,
            };
        doc["arms"] = new JsonArray([.. report.Arms.Select(a => (JsonNode)new JsonObject
        {
            ["armA"] = a.ArmA, ["armB"] = a.ArmB, ["a"] = Mean(a.A), ["b"] = Mean(a.B),
            ["t"] = a.Test is { } t ? N(t.T) : null, ["df"] = a.Test is { } d ? N(d.DegreesOfFreedom) : null, ["p"] = a.Test is { } p ? N(p.PValue) : null,
            ["ciLow"] = a.Test is { } l ? N(l.ConfidenceLow) : null, ["ciHigh"] = a.Test is { } h ? N(h.ConfidenceHigh) : null,
            ["cohensD"] = a.Test is { } c ? N(c.CohensD) : null, ["note"] = a.Note,
        })]);
        SeedPaperTablesJson.AddTo(doc, report);
        if (report.Primary is { } primary)
            doc["primaryTest"] = new JsonObject
            {
                ["test"] = primary.FileValue,
                ["name"] = primary.Name,
                ["ran"] = primary.Ran,
                ["p"] = primary.P,
                ["notRun"] = primary.NotRun,
                ["labels"] = new JsonObject
                {
                    ["patternEmployment"] = report.LabelOf(PrimaryTest.PatternEmployment),
                    ["timeToJob"] = report.LabelOf(PrimaryTest.TimeToJob),
                    ["allianceEmployment"] = report.LabelOf(PrimaryTest.AllianceEmployment),
                    ["other"] = PrimaryTestResult.ExploratoryLabel,
                },
            };
        if (r is null) return doc;

        doc["certifiedEqualToR"] = r.Dendrogram.CertifiedEqualToR;
        doc["algorithm"] = r.Dendrogram.Path.ToString();
        doc["ids"] = Strings(r.ClusteredDyadIds);
        doc["merge"] = new JsonArray([.. Enumerable.Range(0, r.Dendrogram.Count - 1).Select(s => (JsonNode)new JsonArray(r.Dendrogram.MergeLeft(s), r.Dendrogram.MergeRight(s)))]);
        doc["height"] = Numbers(r.Dendrogram.Heights);
        doc["order"] = new JsonArray([.. r.Dendrogram.Order.Select(v => (JsonNode)v)]);
        doc["schedule"] = new JsonArray([.. r.Schedule.Select(s => (JsonNode)new JsonObject
        {
            ["step"] = s.Step, ["left"] = s.Left, ["right"] = s.Right, ["height"] = N(s.Height), ["coefficient"] = N(s.Coefficient), ["clustersAfter"] = s.ClustersAfter,
        })]);
        doc["k"] = r.Selection.K;
        doc["kRule"] = r.Selection.Rule.ToString();
        doc["kReason"] = r.Selection.Reason;
        doc["kChoice"] = new JsonObject
        {
            ["rule"] = r.Selection.Rule.ToString(),
            ["reason"] = r.Selection.Reason,
            ["minClusterShare"] = report.Options.Analysis.MinClusterShare,
            ["minClusterSize"] = report.Options.Analysis.MinClusterSize,
            ["fixedK"] = report.Options.Analysis.FixedK,
            ["maxK"] = report.Options.Analysis.MaxK,
        };
        if (report.Input.Analysis is { } settings && settings != StudyAnalysis.Default)
        {
            doc["kChoice"]!["criterion"] = report.Options.Analysis.Rule.ToString();
            doc["kChoice"]!["minK"] = report.Options.Analysis.MinK;
            doc["missingMeetings"] = settings.Missing.ToString();
        }
        doc["candidates"] = new JsonArray([.. r.Selection.Candidates.Select(c => (JsonNode)new JsonObject
        {
            ["k"] = c.K, ["coefficient"] = N(c.Coefficient), ["relativeJump"] = N(c.RelativeJump), ["smallestClusterSize"] = c.SmallestClusterSize,
            ["smallestClusterShare"] = N(c.SmallestClusterShare), ["admissible"] = c.Admissible, ["calinskiHarabasz"] = N(c.CalinskiHarabasz), ["meanSilhouette"] = N(c.MeanSilhouette),
        })]);
        var assignments = new JsonObject();
        foreach (var id in r.ClusteredDyadIds) assignments[id] = r.Assignments[id];
        doc["assignments"] = assignments;
        doc["naming"] = new JsonObject { ["minChange"] = r.Naming.MinChange, ["highLevel"] = N(r.Naming.HighLevel ?? double.NaN) };
        doc["clusters"] = new JsonArray([.. report.Clusters.Select(c =>
        {
            var cluster = new JsonObject
            {
                ["cluster"] = c.Cluster,
                ["label"] = c.Label,
                ["pattern"] = c.Named.Shape.Code,
                ["name"] = c.Named.Shape.Pattern.ToString(),
                ["n"] = c.Named.Descriptive.N,
                ["share"] = c.Named.Descriptive.Share,
                ["centroid"] = Numbers(c.Named.Centroid),
                ["level"] = N(c.Named.Shape.Level),
                ["change"] = N(c.Named.Shape.Change),
                ["bend"] = N(c.Named.Shape.Bend),
                ["slope"] = N(c.Named.Shape.Slope),
                ["curvature"] = N(c.Named.Shape.Curvature),
                ["perMeeting"] = new JsonArray([.. c.PerMeeting.Select(m => (JsonNode)Mean(m))]),
                ["overall"] = new JsonObject { ["mean"] = N(c.Named.Descriptive.Overall.Mean), ["sd"] = N(c.Named.Descriptive.Overall.Sd) },
            };
            // One member per subscale, by its id (the WAI: goal, task, bond); an id that is also a member's name gets a prefix.
            foreach (var subscale in c.Subscales)
                cluster[ClusterMembers.Contains(subscale.Id) || cluster.ContainsKey(subscale.Id) ? "subscale-" + subscale.Id : subscale.Id] = Mean(subscale.Mean);
            cluster["dyads"] = Strings(c.DyadIds);
            return (JsonNode)cluster;
        })]);
        if (report.Outcomes is { } o) doc["outcome"] = OutcomeJson(o);
        if (report.Assigned is { } assigned)
        {
            var partial = new JsonObject();
            foreach (var (id, cluster) in assigned.Partial) partial[id] = cluster;
            doc["assigned"] = new JsonObject { ["dyads"] = partial, ["notAssigned"] = Strings(assigned.NotAssigned), ["outcome"] = OutcomeJson(assigned.Outcomes) };
        }
        if (report.TimeToJob is { } t) doc["timeToJob"] = TimeToJobJson(t);
        if (report.Covariates is { } covariates) doc["covariates"] = CovariatesJson.Of(covariates);
        doc["reliability"] = new JsonArray([.. report.Reliability.Select(a => (JsonNode)new JsonObject
        {
            ["role"] = a.Role, ["scale"] = a.Scale, ["items"] = new JsonArray([.. a.Items.Select(i => (JsonNode)i)]),
            ["alpha"] = a.Alpha is { } x ? N(x.Alpha) : null, ["ciLow"] = a.Alpha is { } l ? N(l.ConfidenceLow) : null, ["ciHigh"] = a.Alpha is { } h ? N(h.ConfidenceHigh) : null,
            ["n"] = a.Alpha?.Respondents, ["note"] = a.Note,
        })]);
        return doc;
    }

    private static JsonObject Mean(MeanCi m) => new() { ["n"] = m.N, ["mean"] = N(m.Mean), ["sd"] = N(m.Sd), ["ciLow"] = N(m.Low), ["ciHigh"] = N(m.High) };

    private static JsonArray Strings(IEnumerable<string> values) => new([.. values.Select(v => (JsonNode)v)]);

    private static JsonArray Numbers(IEnumerable<double> values) => new([.. values.Select(v => (JsonNode?)N(v))]);

    /// <summary>A number of clusters.json: the value, or null where it is undefined (NaN, ±∞); every section writes numbers through it.</summary>
    internal static JsonNode? N(double v) => double.IsFinite(v) ? JsonValue.Create(v) : null;

    /// <inheritdoc cref="N(double)"/>
    internal static JsonNode? N(double? v) => v is { } x ? N(x) : null;

    /// <summary>An odds ratio or limit: null when undefined, the string <c>"Inf"</c> (R's spelling) when infinite.</summary>
    private static JsonNode? Ratio(double? v) => v is not { } x ? null : double.IsPositiveInfinity(x) ? JsonValue.Create("Inf") : JsonValue.Create(x);

    /// <summary>Time to job by cluster: Kaplan–Meier medians, the log-rank test, the Cox hazard ratios (null when undefined, with the reason).</summary>
    private static JsonObject TimeToJobJson(TimeToJobAnalysis t) => new()
    {
        ["rows"] = new JsonArray([.. t.Rows.Select(row => (JsonNode)new JsonObject
            {
                ["cluster"] = row.Cluster, ["label"] = row.Label, ["dyads"] = row.Dyads, ["events"] = row.Events,
                ["median"] = row.Median, ["medianLow"] = row.MedianLower, ["medianHigh"] = row.MedianUpper,
                ["hazardRatio"] = Ratio(row.HazardRatio?.HazardRatio), ["hazardRatioLow"] = Ratio(row.HazardRatio?.Lower),
                ["hazardRatioHigh"] = Ratio(row.HazardRatio?.Upper), ["hazardRatioP"] = row.HazardRatio?.PValue,
                ["hazardRatioUndefined"] = row.HazardRatio?.Undefined,
            })]),
        ["coxReference"] = t.Cox?.Reference,
        ["logRankChiSquare"] = t.LogRank?.ChiSquare,
        ["logRankDf"] = t.LogRank?.DegreesOfFreedom,
        ["logRankP"] = t.LogRank?.PValue,
        ["note"] = t.Note,
    };

    private static JsonObject OutcomeJson(OutcomeTable o) => new JsonObject
    {
        ["rows"] = new JsonArray([.. o.Rows.Select(row => (JsonNode)new JsonObject
            {
                ["cluster"] = row.Cluster, ["label"] = row.Label, ["dyads"] = row.Dyads, ["withOutcome"] = row.WithOutcome,
                ["employed"] = row.Employed, ["notEmployed"] = row.NotEmployed, ["employedShare"] = N(row.EmployedShare),
                ["employedCiLow"] = row.EmployedInterval?.Lower, ["employedCiHigh"] = row.EmployedInterval?.Upper,
                ["oddsRatio"] = Ratio(row.OddsRatioVsRest?.Estimate), ["oddsRatioLow"] = Ratio(row.OddsRatioVsRest?.Lower),
                ["oddsRatioHigh"] = Ratio(row.OddsRatioVsRest?.Upper), ["oddsRatioP"] = row.OddsRatioVsRest?.PValue,
                ["daysToJob"] = Mean(row.DaysToJob),
            })]),
        ["fisherP"] = o.FisherP,
        ["fisherExact"] = o.Fisher?.IsExact,
        ["fisherReplicates"] = o.Fisher?.Replicates,
        ["fisherSeed"] = o.Fisher?.Seed,
        ["chiSquare"] = o.ChiSquare is { } x ? N(x.Statistic) : null,
        ["chiSquareDf"] = o.ChiSquare?.DegreesOfFreedom,
        ["chiSquareP"] = o.ChiSquare is { } y ? N(y.PValue) : null,
        ["cramersV"] = o.ChiSquare is { } z ? N(z.CramersV) : null,
        ["cramersVBiasCorrected"] = o.CramersVBiasCorrected,
        ["expectedBelow5"] = o.ChiSquare is null ? null : o.ExpectedBelowFive,
        ["cells"] = o.ChiSquare is null ? null : o.Cells,
        ["caveats"] = Strings(o.Caveats),
        ["note"] = o.Note,
    };
}
