using System.Text.Json.Nodes;
using AlliancePipeline.Analytics.Reports;
using AlliancePipeline.Core.Studies;
using AlliancePipeline.Functions.Reports;
using AngleSharp.Html.Parser;

namespace AlliancePipeline.Functions.Tests.Reports;

/// <summary>The covariate section in report.html and clusters.json (its numbers are checked against R in the Analytics tests).</summary>
public class CovariateReportTests
{
    [Fact]
    public void Declared_covariates_are_shown_by_pattern_with_their_tests_and_the_job_rate_by_category()
    {
        var input = ReportFixtures.PaperLikeInput();
        var dyads = input.Responses.Select(r => r.DyadId).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var values = dyads.Select((id, i) => (id, i)).ToDictionary(p => p.id, p => (IReadOnlyDictionary<string, CovariateValue>)new Dictionary<string, CovariateValue>
        {
            ["education"] = CovariateValue.OfLevel(p.i % 2 == 0 ? "primary" : "tertiary"),
            ["age"] = CovariateValue.OfNumber(20 + p.i),
        }, StringComparer.Ordinal);
        input = input with
        {
            Covariates = [new StudyCovariate("education", CovariateType.Categorical, ["primary", "tertiary"]) { Label = "Education" }, new StudyCovariate("age", CovariateType.Numeric, [], 18, 70)],
            CovariateValues = values,
        };
        var report = StudyReportAnalysis.Run(input, new StudyReportOptions());
        Assert.NotNull(report.Covariates);
        var page = new HtmlParser().ParseDocument(ReportHtml.Render(report));
        var tables = page.QuerySelectorAll("table.covariate");
        Assert.Equal(["Education", "age"], tables.Select(t => t.QuerySelector("caption")!.TextContent));
        Assert.Equal(2, tables[0].QuerySelectorAll("tbody tr").Length);
        Assert.Contains("Fisher–Freeman–Halton", page.QuerySelectorAll("p.covariate-test")[0].TextContent, StringComparison.Ordinal);
        Assert.Contains("One-way ANOVA: F(", page.QuerySelectorAll("p.covariate-test")[1].TextContent, StringComparison.Ordinal);
        Assert.Equal(2, page.QuerySelectorAll("#job-rate-by-covariate tbody tr").Length);

        var json = JsonNode.Parse(ClustersDocument.Write(report))!["covariates"]!;
        Assert.Equal("education", json["categorical"]![0]!["name"]!.GetValue<string>());
        Assert.Equal(report.Clusters.Count, json["numeric"]![0]!["perCluster"]!.AsArray().Count);
        Assert.Equal(2, json["jobRate"]!.AsArray().Count);
    }
}
