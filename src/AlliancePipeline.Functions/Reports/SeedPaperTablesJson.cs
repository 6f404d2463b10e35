using System.Text.Json.Nodes;
using AlliancePipeline.Analytics.Reports;
using AlliancePipeline.Analytics.Statistics;
using static AlliancePipeline.Functions.Reports.ClustersDocument;

namespace AlliancePipeline.Functions.Reports;

/// <summary>
/// The seed papers' further tables in <c>clusters.json</c>: <c>flow</c> (step, dyads, left, reason; note),
/// <c>subscalesByMeeting</c> (cluster, label, subscale, per meeting n, mean, SD) and <c>employmentOnAlliance</c> (R's
/// <c>glm(employed ~ alliance, family = binomial)</c>: coefficients with SE, z, p, odds ratio and Wald 95 % limits,
/// deviance, iterations, separation; null where undefined).
/// </summary>
public static class SeedPaperTablesJson
{
    /// <summary>Adds the members to <paramref name="doc"/> when the report has the tables.</summary>
    public static void AddTo(JsonObject doc, StudyReport report)
    {
        ArgumentNullException.ThrowIfNull(doc);
        ArgumentNullException.ThrowIfNull(report);
        if (report.Tables is not { } t) return;
        doc["flow"] = new JsonObject
        {
            ["steps"] = new JsonArray([.. t.Flow.Steps.Select(s => (JsonNode)new JsonObject
            {
                ["step"] = s.Step, ["dyads"] = s.Dyads, ["left"] = s.Left, ["reason"] = s.Reason,
            })]),
            ["note"] = t.Flow.Note,
        };
        doc["subscalesByMeeting"] = new JsonArray([.. t.Subscales.Select(s => (JsonNode)new JsonObject
        {
            ["cluster"] = s.Cluster, ["label"] = s.Label, ["subscale"] = s.SubscaleId,
            ["perMeeting"] = new JsonArray([.. s.PerMeeting.Select(m => (JsonNode)new JsonObject { ["n"] = m.N, ["mean"] = N(m.Mean), ["sd"] = N(m.Sd) })]),
        })]);
        var e = t.Employment;
        doc["employmentOnAlliance"] = new JsonObject
        {
            ["model"] = "glm(employed ~ alliance, family = binomial); alliance = each dyad's mean global score of the trajectory role over its rated meetings",
            ["dyads"] = e.Dyads,
            ["employed"] = e.Employed,
            ["coefficients"] = e.Fit is not { Separation: null } fit ? null : new JsonArray([.. fit.Coefficients.Select(c => (JsonNode)new JsonObject
            {
                ["name"] = c.Name, ["estimate"] = N(c.Coefficient.Estimate), ["se"] = N(c.Coefficient.StandardError), ["z"] = N(c.Coefficient.Statistic),
                ["p"] = N(c.Coefficient.PValue), ["oddsRatio"] = N(c.OddsRatio), ["oddsRatioLow"] = N(c.OddsRatioLow), ["oddsRatioHigh"] = N(c.OddsRatioHigh),
            })]),
            ["deviance"] = e.Fit is { } f1 ? N(f1.Deviance) : null,
            ["nullDeviance"] = e.Fit is { } f2 ? N(f2.NullDeviance) : null,
            ["iterations"] = e.Fit?.Iterations,
            ["converged"] = e.Fit?.Converged,
            ["separation"] = e.Fit?.Separation,
            ["interval"] = "Wald (R's confint.default)",
            ["note"] = e.Note,
        };
        doc["outcomeRegressions"] = new JsonArray([.. t.Regressions.Select(g => (JsonNode)new JsonObject
        {
            ["outcome"] = g.Outcome,
            ["model"] = $"anova(lm({g.Outcome} ~ {(g.Covariates.Count == 0 ? "1" : string.Join(" + ", g.Covariates))}), lm({g.Outcome} ~ {string.Join(" + ", g.Covariates.Append(SeedPaperTables.AllianceTerm))}))",
            ["dyads"] = g.Dyads,
            ["missingCovariate"] = g.MissingCovariate,
            ["model1"] = g.Fit is { } f1 ? Model(f1.Model1) : null,
            ["model2"] = g.Fit is { } f2 ? Model(f2.Model2) : null,
            ["rSquaredChange"] = g.Fit is { } f3 ? N(f3.RSquaredChange) : null,
            ["fChange"] = N(g.Fit?.FChange),
            ["dfChange"] = g.Fit?.DfChange,
            ["dfResidual"] = g.Fit?.DfResidual,
            ["pChange"] = N(g.Fit?.PChange),
            ["note"] = g.Note,
        })]);
    }

    private static JsonObject Model(LinearModel m) => new()
    {
        ["n"] = m.N,
        ["rank"] = m.Rank,
        ["residualDf"] = m.ResidualDf,
        ["rSquared"] = N(m.RSquared),
        ["adjustedRSquared"] = N(m.AdjustedRSquared),
        ["sigma"] = N(m.Sigma),
        ["f"] = N(m.F),
        ["fP"] = N(m.FPValue),
        ["coefficients"] = new JsonArray([.. m.Coefficients.Select(c => (JsonNode)new JsonObject
        {
            ["name"] = c.Name, ["estimate"] = N(c.Estimate), ["se"] = N(c.StandardError), ["t"] = N(c.Statistic), ["p"] = N(c.PValue),
        })]),
    };

}
