using System.Text.RegularExpressions;
using AlliancePipeline.Analytics.Reports;
using AlliancePipeline.Core.Studies;
using AlliancePipeline.Functions.Reports;
using AngleSharp.Html.Parser;

namespace AlliancePipeline.Functions.Tests.Reports;

/// <summary>
/// The page tells the truth (issue 18 item 9): p values as papers print them, minus signs, a methods paragraph of what
/// ran, the instrument's own completeness rules, every test exploratory, undefined intervals undefined, clipped bars
/// marked, legends of what is drawn, and the Kaplan–Meier figure.
/// </summary>
public sealed partial class ReportTextTests
{
    [GeneratedRegex(@"(?<![\w\-.])-\d")]
    private static partial Regex HyphenNumber();

    private static ReportInput WithFollowUp(ReportInput input)
    {
        var followUp = new FollowUp(182, FollowUpOrigin.Enrolment);
        return input with { Analysis = new StudyAnalysis(FollowUp: followUp), TimeToJob = TimeToJob.Of(followUp, input.Dyads, input.Outcomes, new Dictionary<string, DateOnly>()) };
    }

    /// <summary>The paper-like study with client ratings below the practitioners' (negative differences) and a follow-up.</summary>
    private static ReportInput Study()
    {
        var input = ReportFixtures.PaperLikeInput();
        var c = ReportFixtures.Client;
        var client = input.Responses.Select(r => ReportFixtures.Response(input.StudyId, r.SiteId, r.DyadId, r.Meeting, "client", ReportFixtures.Answers(c, Math.Max(1, r.Global - 0.75), r.Meeting), c, r.SubmittedAt.AddHours(2)));
        return WithFollowUp(input with { Responses = [.. input.Responses, .. client] });
    }

    [Fact]
    public void P_values_read_p_less_than_001_never_p_equals_less_than()
    {
        Assert.Equal("p < .001", ReportHtml.PIs(0.0002));
        Assert.Equal("p = 0.034", ReportHtml.PIs(0.0341));
        var text = new HtmlParser().ParseDocument(new StudyReportBuilder().Build(Study())["report.html"].Content).Body!.TextContent;
        Assert.DoesNotContain("= <", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_negative_number_of_the_page_is_printed_with_a_minus_sign()
    {
        var page = new HtmlParser().ParseDocument(new StudyReportBuilder().Build(Study())["report.html"].Content);
        var text = page.Body!.TextContent;
        Assert.Contains("−0.", text, StringComparison.Ordinal); // client − practitioner differences are negative here
        var hyphens = HyphenNumber().Matches(text).Select(m => text.Substring(Math.Max(0, m.Index - 30), Math.Min(60, text.Length - Math.Max(0, m.Index - 30)))).ToArray();
        Assert.True(hyphens.Length == 0, "hyphen-minus before a number: " + string.Join(" | ", hyphens));
    }

    [Fact]
    public void The_methods_paragraph_says_what_ran_the_instrument_s_completeness_rules_and_that_every_test_is_exploratory()
    {
        var report = StudyReportAnalysis.Run(Study());
        var m = report.Methods;
        Assert.Contains("the global score needs at least 10 of its 12 items answered, each subscale score needs at least 3 of its 4 items answered, and is the mean of the items answered", m, StringComparison.Ordinal);
        Assert.Contains("followUp: 182 days from enrolment", m, StringComparison.Ordinal);
        Assert.Contains("log-rank test and Cox regression", m, StringComparison.Ordinal);
        Assert.Contains("arms were compared on the dyads' mean global scores with Welch's t test", m, StringComparison.Ordinal); // two arms here
        Assert.Contains("(one-way ANOVA; a negative ICC(1)", m, StringComparison.Ordinal);
        Assert.Contains("Every test is exploratory", m, StringComparison.Ordinal);
        Assert.DoesNotContain("a score needs at least 10", m, StringComparison.Ordinal);

        var defaults = StudyReportAnalysis.Run(ReportFixtures.PaperLikeInput()).Methods;
        Assert.Contains("The analysis settings were the defaults: raw scores; k by the relative rule", defaults, StringComparison.Ordinal);
        Assert.Contains("no follow-up, so no time-to-job analysis", defaults, StringComparison.Ordinal);
        Assert.DoesNotContain("log-rank", defaults, StringComparison.Ordinal);
        var page = new HtmlParser().ParseDocument(new StudyReportBuilder().Build(Study())["report.html"].Content);
        Assert.StartsWith("Every p value in this report is exploratory", page.QuerySelector("#exploratory")!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void A_mean_without_spread_has_an_undefined_interval_as_R_s_t_test_refuses_it()
    {
        var m = StudyReportAnalysis.MeanCi([5.0, 5.0, 5.0]);
        Assert.Equal((3, 5.0, 0.0), (m.N, m.Mean, m.Sd));
        Assert.True(double.IsNaN(m.Low) && double.IsNaN(m.High));
    }

    [Fact]
    public void A_confidence_bar_beyond_the_axis_is_cut_there_with_an_arrowhead_and_the_legend_names_only_what_is_drawn()
    {
        var svg = TrajectoryFigure.Render("t", "t", "y", 2, (1, 7), [new FigureSeries("A", [new MeanCi(5, 6.8, 0.5, 6.2, 7.4), new MeanCi(5, 6.0, 0.5, 5.4, 6.6)], [])]);
        Assert.Single(Regex.Matches(svg, "data-clipped=\"true\""));
        Assert.Contains("Arrowhead: CI beyond the axis", svg, StringComparison.Ordinal);
        Assert.DoesNotContain("Thin lines", svg, StringComparison.Ordinal);
        var inside = TrajectoryFigure.Render("t", "t", "y", 2, (1, 7), [new FigureSeries("A", [new MeanCi(5, 6.0, 0.5, 5.4, 6.6), new MeanCi(5, 6.0, 0.5, 5.4, 6.6)], [[6.0, 6.0]])]);
        Assert.DoesNotContain("data-clipped", inside, StringComparison.Ordinal);
        Assert.Contains("Thin lines: single dyads", inside, StringComparison.Ordinal);
    }

    [Fact]
    public void The_time_to_job_section_draws_a_Kaplan_Meier_step_curve_per_pattern_with_censoring_ticks()
    {
        var set = new StudyReportBuilder().Build(Study());
        var page = new HtmlParser().ParseDocument(set["report.html"].Content);
        var figure = page.QuerySelector("#km-figure svg")!;
        var report = StudyReportAnalysis.Run(Study());
        Assert.Equal(report.TimeToJob!.Curves.Count, figure.QuerySelectorAll(".km-curve").Length);
        Assert.Equal(report.TimeToJob.Curves.Sum(c => c.Steps.Count(s => s.Censored > 0)), figure.QuerySelectorAll(".censor").Length);
        Assert.NotEmpty(figure.QuerySelectorAll(".censor"));
        Assert.Contains("Ticks: dyads censored", figure.TextContent, StringComparison.Ordinal);
        Assert.Null(new HtmlParser().ParseDocument(new StudyReportBuilder().Build(ReportFixtures.PaperLikeInput())["report.html"].Content).QuerySelector("#km-figure"));
    }
}
