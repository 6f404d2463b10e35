using System.Text.Json.Nodes;
using AlliancePipeline.Analytics.Reports;
using AlliancePipeline.Core.Studies;
using AlliancePipeline.Functions.Reports;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;

namespace AlliancePipeline.Functions.Tests.Reports;

/// <summary>
/// The study file's <c>analysis.primaryTest</c> (issue 18): the named test is labelled primary in the page, in
/// clusters.json and in the methods paragraph, every other test exploratory; a named test that did not run is said so.
/// </summary>
public sealed class PrimaryTestTests
{
    private const string Primary = "primary (named in the study file before analysis)";

    private static ReportInput Named(PrimaryTest test, ReportInput? input = null)
    {
        input ??= ReportFixtures.PaperLikeInput();
        var followUp = new FollowUp(182, FollowUpOrigin.Enrolment);
        return input with
        {
            Analysis = new StudyAnalysis(FollowUp: followUp, PrimaryTest: test),
            TimeToJob = TimeToJob.Of(followUp, input.Dyads, input.Outcomes, new Dictionary<string, DateOnly>()),
        };
    }

    private static (IHtmlDocument Page, JsonNode Clusters) Build(ReportInput input)
    {
        var set = new StudyReportBuilder().Build(input);
        return (new HtmlParser().ParseDocument(set["report.html"].Content), JsonNode.Parse(set["clusters.json"].Content)!);
    }

    [Fact]
    public void The_named_test_is_labelled_primary_in_the_page_clusters_json_and_methods_and_every_other_exploratory()
    {
        var input = Named(PrimaryTest.PatternEmployment);
        var report = StudyReportAnalysis.Run(input);
        Assert.True(report.Primary!.Ran);
        Assert.Equal(report.Outcomes!.FisherP, report.Primary.P);

        var (page, clusters) = Build(input);
        Assert.Equal($"[{Primary}]", page.QuerySelector("#fisher-label")!.TextContent);
        Assert.Equal("[exploratory]", page.QuerySelector("#log-rank-label")!.TextContent);
        Assert.Equal("[exploratory]", page.QuerySelector("#employment-label")!.TextContent);
        Assert.StartsWith("The Fisher–Freeman–Halton test of pattern × employment is the primary test, named in the study file before analysis (analysis.primaryTest: patternEmployment); every other test is exploratory",
            page.QuerySelector("#exploratory")!.TextContent, StringComparison.Ordinal);

        var json = clusters["primaryTest"]!;
        Assert.Equal(("patternEmployment", true, report.Outcomes.FisherP), (json["test"]!.GetValue<string>(), json["ran"]!.GetValue<bool>(), json["p"]!.GetValue<double>()));
        Assert.Null(json["notRun"]);
        Assert.Equal(Primary, json["labels"]!["patternEmployment"]!.GetValue<string>());
        Assert.Equal("exploratory", json["labels"]!["timeToJob"]!.GetValue<string>());
        Assert.Equal("exploratory", json["labels"]!["allianceEmployment"]!.GetValue<string>());
        Assert.Equal("exploratory", json["labels"]!["other"]!.GetValue<string>());

        Assert.Contains("The Fisher–Freeman–Halton test of pattern × employment is the primary test, named in the study file before analysis (analysis.primaryTest: patternEmployment); every other test is exploratory, and no p value is corrected for multiple testing.",
            report.Methods, StringComparison.Ordinal);
        Assert.Contains("primaryTest: patternEmployment.", report.Methods, StringComparison.Ordinal);
        Assert.DoesNotContain("Every test is exploratory", report.Methods, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(PrimaryTest.TimeToJob, "#log-rank-label", "timeToJob")]
    [InlineData(PrimaryTest.AllianceEmployment, "#employment-label", "allianceEmployment")]
    public void Each_test_a_study_may_name_is_labelled_where_the_page_prints_its_p(PrimaryTest test, string label, string value)
    {
        var (page, clusters) = Build(Named(test));
        var labels = page.QuerySelectorAll(".test-label").ToArray();
        Assert.Equal(3, labels.Length);
        Assert.Equal($"[{Primary}]", Assert.Single(labels, l => l.TextContent != "[exploratory]").TextContent);
        Assert.Equal($"[{Primary}]", page.QuerySelector(label)!.TextContent);
        Assert.Equal(Primary, clusters["primaryTest"]!["labels"]![value]!.GetValue<string>());
        Assert.True(clusters["primaryTest"]!["ran"]!.GetValue<bool>());
    }

    [Fact]
    public void A_named_test_that_did_not_run_is_said_so_in_the_page_warnings_clusters_json_and_methods()
    {
        // No outcome recorded yet: the cluster × outcome table is not tested.
        var input = Named(PrimaryTest.PatternEmployment, ReportFixtures.PaperLikeInput() with { Outcomes = [] });
        var report = StudyReportAnalysis.Run(input);
        Assert.False(report.Primary!.Ran);
        Assert.Null(report.Primary.P);
        Assert.Equal("no clustered dyad has a recorded outcome yet", report.Primary.NotRun);
        var said = "The study file names the Fisher–Freeman–Halton test of pattern × employment as the primary test (analysis.primaryTest: patternEmployment), but it did not run: no clustered dyad has a recorded outcome yet. Every test that ran is exploratory";
        Assert.Contains(said, report.Methods, StringComparison.Ordinal);

        var (page, clusters) = Build(input);
        Assert.StartsWith(said, page.QuerySelector("#exploratory")!.TextContent, StringComparison.Ordinal);
        Assert.Contains(page.QuerySelectorAll("#warnings li"), li => li.TextContent ==
            "The primary test named in the study file, the Fisher–Freeman–Halton test of pattern × employment, did not run: no clustered dyad has a recorded outcome yet.");
        var json = clusters["primaryTest"]!;
        Assert.False(json["ran"]!.GetValue<bool>());
        Assert.Null(json["p"]);
        Assert.Equal("no clustered dyad has a recorded outcome yet", json["notRun"]!.GetValue<string>());
    }

    [Fact]
    public void A_named_test_of_a_study_not_clustered_says_why_it_did_not_run()
    {
        var paper = ReportFixtures.PaperLikeInput();
        var input = Named(PrimaryTest.TimeToJob, paper with { Responses = [.. paper.Responses.Where(r => r.Meeting == 1)] });
        var report = StudyReportAnalysis.Run(input);
        Assert.Null(report.Result);
        Assert.StartsWith("the dyads were not clustered (clustering needs at least", report.Primary!.NotRun, StringComparison.Ordinal);
        Assert.Contains("The primary test named in the study file, the log-rank test of time to job by pattern, did not run: the dyads were not clustered", string.Join(" ", report.Warnings), StringComparison.Ordinal);
        Assert.Contains("but it did not run: the dyads were not clustered", report.Methods, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_a_primary_test_every_test_is_exploratory_and_nothing_is_labelled()
    {
        var input = ReportFixtures.PaperLikeInput();
        Assert.Null(StudyReportAnalysis.Run(input).Primary);
        var (page, clusters) = Build(input);
        Assert.Empty(page.QuerySelectorAll(".test-label"));
        Assert.StartsWith("Every p value in this report is exploratory: the study file names no primary test", page.QuerySelector("#exploratory")!.TextContent, StringComparison.Ordinal);
        Assert.Null(clusters["primaryTest"]);
    }
}
