using System.Text.Json.Nodes;
using AlliancePipeline.Analytics.Reports;
using static AlliancePipeline.Functions.Reports.ClustersDocument;

namespace AlliancePipeline.Functions.Reports;

/// <summary>
/// The <c>covariates</c> member of <c>clusters.json</c> (<see cref="ClustersDocument"/>): per categorical covariate its
/// counts per level and cluster (clusters in the document's order) with the Fisher–Freeman–Halton p; per numeric one
/// n, mean and SD per cluster with the one-way ANOVA; and the job rate per level with its Clopper–Pearson CI.
/// </summary>
public static class CovariatesJson
{
    /// <summary>The section as JSON (non-finite numbers as null).</summary>
    public static JsonObject Of(CovariateSection section)
    {
        ArgumentNullException.ThrowIfNull(section);
        return new JsonObject
        {
            ["categorical"] = new JsonArray([.. section.Categorical.Select(c => (JsonNode)new JsonObject
            {
                ["name"] = c.Name,
                ["label"] = c.Label,
                ["levels"] = new JsonArray([.. c.Levels.Select(l => (JsonNode)l)]),
                ["counts"] = new JsonArray([.. Enumerable.Range(0, c.Counts.GetLength(0)).Select(r =>
                    (JsonNode)new JsonArray([.. Enumerable.Range(0, c.Counts.GetLength(1)).Select(k => (JsonNode)c.Counts[r, k])]))]),
                ["missing"] = c.Missing,
                ["fisherP"] = c.Fisher is { } f ? N(f.PValue) : null,
                ["fisherReplicates"] = c.Fisher?.Replicates,
            })]),
            ["numeric"] = new JsonArray([.. section.Numeric.Select(n => (JsonNode)new JsonObject
            {
                ["name"] = n.Name,
                ["label"] = n.Label,
                ["perCluster"] = new JsonArray([.. n.PerCluster.Select(m => (JsonNode)new JsonObject { ["n"] = m.N, ["mean"] = N(m.Mean), ["sd"] = N(m.Sd) })]),
                ["missing"] = n.Missing,
                ["anova"] = n.Anova is { } a ? new JsonObject { ["f"] = N(a.F), ["df1"] = a.DfBetween, ["df2"] = a.DfWithin, ["p"] = N(a.PValue) } : null,
            })]),
            ["jobRate"] = new JsonArray([.. section.JobRates.Select(r => (JsonNode)new JsonObject
            {
                ["covariate"] = r.Covariate,
                ["level"] = r.Level,
                ["employed"] = r.Employed,
                ["dyads"] = r.Dyads,
                ["rate"] = r.Interval is { } i ? N(i.Estimate) : null,
                ["ciLow"] = r.Interval is { } l ? N(l.Lower) : null,
                ["ciHigh"] = r.Interval is { } h ? N(h.Upper) : null,
            })]),
        };
    }

}
