using System.Text.Json.Nodes;
using AlliancePipeline.Analytics.Reports;
using AlliancePipeline.Core.Studies;
using AlliancePipeline.Functions.Reports;
using AlliancePipeline.Functions.Tests.Reports;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;

namespace AlliancePipeline.Functions.Tests;

/// <summary>
/// The study report set, checked against R: the paper-like reference study (18 dyads × 3 meetings) as the practitioners'
/// ratings gives R's tree, k = 3, R's cutree sizes and centroids, and with outcomes arranged as the first table of R's
/// <c>fisher.json</c>, R's Fisher p and Cramér's V; alpha, Welch t with Cohen's d, and ICC(1) equal R's on R's data.
/// </summary>
public sealed class StudyReportTests
{
    private static readonly Study Study = new("paper-like", "Paper-like study", "wai-s-practitioner", ["site-a"]);

    private static void Close(double expected, double actual, string what, double tolerance = 1e-9) =>
        Assert.True(Math.Abs(expected - actual) <= tolerance * Math.Max(1, Math.Abs(expected)), $"{what}: {actual} vs R {expected}");

    private static JsonNode Clusters(ReportSet files) => JsonNode.Parse(files["clusters.json"].Content)!;

    private static IHtmlDocument Page(ReportSet files) => new HtmlParser().ParseDocument(files["report.html"].Content);

    [Fact]
    public void The_paper_like_reference_gives_R_s_tree_k_sizes_centroids_Fisher_p_and_Cramer_s_V()
    {
        var reference = ReportFixtures.PaperLike();
        var input = ReportFixtures.PaperLikeInput();
        var files = new StudyReportBuilder().Build(input);
        Assert.Equal(StudyReportBuilder.FileNames, files.Select(f => f.Name));
        var clusters = Clusters(files);

        // Every answer set gives the reference score exactly, so R and the report cluster the same numbers.
        var x = ReportFixtures.Matrix(reference["X"]!);
        foreach (var r in input.Responses) Assert.Equal(x[int.Parse(r.DyadId[1..], System.Globalization.CultureInfo.InvariantCulture) - 1][r.Meeting - 1], r.Global);

        Assert.Equal("clustered", clusters["status"]!.GetValue<string>());
        Assert.True(clusters["certifiedEqualToR"]!.GetValue<bool>());
        Assert.Equal(ReportFixtures.Matrix(reference["merge"]!), ReportFixtures.Matrix(clusters["merge"]!));
        var heights = clusters["height"]!.AsArray().Select(v => v!.GetValue<double>()).ToArray();
        var rHeights = reference["height"]!.AsArray().Select(v => v!.GetValue<double>()).ToArray();
        Assert.Equal(rHeights.Length, heights.Length);
        for (var i = 0; i < heights.Length; i++) Close(rHeights[i], heights[i], $"height {i + 1}");
        Assert.Equal(ReportFixtures.Ints(reference["order"]!), ReportFixtures.Ints(clusters["order"]!));

        Assert.Equal(3, clusters["k"]!.GetValue<int>());
        var rCut3 = ReportFixtures.Ints(reference["cutree_k2_to_k6"]![1]!);
        var assignments = clusters["assignments"]!.AsObject();
        for (var i = 0; i < rCut3.Length; i++) Assert.Equal(rCut3[i], assignments[$"d{i + 1:00}"]!.GetValue<int>());
        var named = clusters["clusters"]!.AsArray().ToDictionary(c => c!["cluster"]!.GetValue<int>());
        Assert.Equal(["LDA", "SHA", "SLA"], named.Values.Select(c => c!["label"]!.GetValue<string>()).Order(StringComparer.Ordinal));
        foreach (var (cluster, node) in named)
        {
            var members = Enumerable.Range(0, rCut3.Length).Where(i => rCut3[i] == cluster).ToArray();
            Assert.Equal(members.Length, node!["n"]!.GetValue<int>());
            // R's centroid: colMeans(X[cutree(h, 3) == cluster, ]).
            var centroid = node["centroid"]!.AsArray().Select(v => v!.GetValue<double>()).ToArray();
            for (var m = 0; m < 3; m++) Close(members.Average(i => x[i][m]), centroid[m], $"centroid {cluster} meeting {m + 1}");
            Assert.NotNull(node["change"]);
            Assert.NotNull(node["bend"]);
        }

        // Outcomes: the cluster × employed table is R's first fisher.json case up to the order of its rows.
        var fisher = ReportFixtures.Json("tests", "reference", "shared", "fisher.json")["cases"]![0]!;
        var rTable = ReportFixtures.Matrix(fisher["table"]!).Select(r => string.Join(',', r)).Order(StringComparer.Ordinal);
        var outcome = clusters["outcome"]!;
        Assert.Equal(rTable, outcome["rows"]!.AsArray().Select(r => $"{r!["employed"]},{r["notEmployed"]}").Order(StringComparer.Ordinal));
        Close(fisher["fisher_p"]!.GetValue<double>(), outcome["fisherP"]!.GetValue<double>(), "Fisher p");
        Close(fisher["cramers_v"]!.GetValue<double>(), outcome["cramersV"]!.GetValue<double>(), "Cramér's V");
        Close(fisher["chisq"]!.GetValue<double>(), outcome["chiSquare"]!.GetValue<double>(), "chi-square");
        Assert.Equal(80.0, outcome["rows"]!.AsArray().Single(r => r!["label"]!.GetValue<string>() == "SHA")!["employedShare"]!.GetValue<double>() * 100, 9);

        // The page shows the same numbers, and the warnings the analysis and the report give.
        var page = Page(files);
        Assert.Equal(3, page.QuerySelectorAll("#descriptives tbody tr").Length);
        Assert.Equal("3", page.QuerySelector("#k-selection tr.chosen th")!.TextContent);
        Assert.Contains(clusters["kReason"]!.GetValue<string>(), page.QuerySelector("#status")!.TextContent, StringComparison.Ordinal);
        Assert.Equal(ReportHtml.P(outcome["fisherP"]!.GetValue<double>()), page.QuerySelector("#fisher-p")!.TextContent);
        Assert.Equal(["LDA", "SHA", "SLA"], page.QuerySelectorAll("#descriptives tbody th").Select(t => t.TextContent).Order(StringComparer.Ordinal));
        Assert.Equal(3, page.QuerySelectorAll("#trajectory-figure g.series").Length);
        Assert.Equal(9, page.QuerySelectorAll("#trajectory-figure path.error-bar").Length);
        Assert.Equal(18, page.QuerySelectorAll("#trajectory-figure g.dyads polyline").Length);
        Assert.Equal(["1", "2", "3", "4", "5", "6", "7"], page.QuerySelectorAll("#trajectory-figure g.axes > text[text-anchor=end]").Select(t => t.TextContent));
        var warnings = page.QuerySelectorAll("#warnings li").Select(li => li.TextContent).ToArray();
        Assert.Contains(warnings, w => w.StartsWith("Only 18 dyads were clustered (fewer than 30)", StringComparison.Ordinal));
        Assert.Contains(warnings, w => w.StartsWith("Cluster LDA holds 3 dyads (fewer than 5)", StringComparison.Ordinal));
        Assert.Contains(warnings, w => w.StartsWith("Only 18 dyads for 3 clusters", StringComparison.Ordinal)); // the analysis' own
        Assert.Equal(clusters["warnings"]!.AsArray().Select(w => w!.GetValue<string>()), warnings);
        var methods = page.QuerySelector("#methods")!.TextContent;
        Assert.Contains("Items 4, 10 are reverse scored", methods, StringComparison.Ordinal);
        Assert.Contains("raw scores (level and shape together)", methods, StringComparison.Ordinal);
        Assert.Contains("hclust(dist(X), method = \"ward.D2\")", methods, StringComparison.Ordinal);
        Assert.Contains(clusters["kReason"]!.GetValue<string>(), methods, StringComparison.Ordinal);
        Assert.Equal("54", page.QuerySelector("#response-count")!.TextContent);
        Assert.Equal("Individual placement and support vs Traditional vocational services", page.QuerySelector("#arms tbody th")!.TextContent);

        var artifacts = Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "artifacts", "reports"));
        File.WriteAllText(Path.Combine(artifacts.FullName, "paper-like-report.html"), files["report.html"].Content);
    }

    [Fact]
    public void Each_cluster_s_rate_has_its_exact_interval_and_odds_ratio_against_the_rest_with_caveats_and_undefined_shown_so()
    {
        // R (binom.test(4, 5)$conf.int; fisher.test(rbind(c(4, 1), c(8, 5)))): SHA, 4 of 5 employed, against the other
        // clusters' 8 of 13; and the 5 of 6 expected counts below 5 of R's chisq.test on [[4, 1], [7, 3], [1, 2]].
        var files = new StudyReportBuilder().Build(ReportFixtures.PaperLikeInput());
        var outcome = Clusters(files)["outcome"]!;
        var sha = outcome["rows"]!.AsArray().Single(r => r!["label"]!.GetValue<string>() == "SHA")!;
        Close(0.28358206388191060, sha["employedCiLow"]!.GetValue<double>(), "binom.test lower");
        Close(0.99494923662053192, sha["employedCiHigh"]!.GetValue<double>(), "binom.test upper");
        Close(2.38451849156406581, sha["oddsRatio"]!.GetValue<double>(), "fisher.test estimate");
        Close(0.16249828371160366, sha["oddsRatioLow"]!.GetValue<double>(), "fisher.test lower");
        Close(147.21439417030433106, sha["oddsRatioHigh"]!.GetValue<double>(), "fisher.test upper");
        Close(0.61484593837535018, sha["oddsRatioP"]!.GetValue<double>(), "fisher.test p");
        Assert.Equal(5, outcome["expectedBelow5"]!.GetValue<int>());
        Assert.Equal(6, outcome["cells"]!.GetValue<int>());
        var page = Page(files);
        var shaRow = page.QuerySelectorAll("#outcomes tbody tr").Single(tr => tr.QuerySelector("th")!.TextContent == "SHA");
        Assert.Equal("28 to 99 %", shaRow.QuerySelector("td.employed-ci")!.TextContent);
        Assert.Equal("2.38 (0.16 to 147), p = 0.615", shaRow.QuerySelector("td.odds-ratio")!.TextContent);
        var caveats = page.QuerySelectorAll("#outcome-caveats li").Select(li => li.TextContent).ToArray();
        Assert.Contains("5 of 6 expected counts are below 5: the chi-square p is approximate (the Fisher–Freeman–Halton p is exact).", caveats);
        Assert.Contains(caveats, c => c.StartsWith("Cluster LDA has 3 dyads with a recorded outcome (fewer than 5)", StringComparison.Ordinal));
        Assert.Equal(outcome["caveats"]!.AsArray().Select(c => c!.GetValue<string>()), caveats);

        // No outcome in a cluster: its interval and odds ratio are undefined, and said so. All of a cluster employed: an
        // infinite odds ratio with a one-sided interval, "Inf" in clusters.json as R prints it.
        var input = ReportFixtures.PaperLikeInput();
        var ids = Clusters(files)["clusters"]!.AsArray().ToDictionary(c => c!["label"]!.GetValue<string>(), c => c!["dyads"]!.AsArray().Select(d => d!.GetValue<string>()).ToHashSet());
        var changed = input with
        {
            Outcomes = [.. input.Outcomes.Where(o => !ids["LDA"].Contains(o.DyadId)).Select(o => ids["SHA"].Contains(o.DyadId) ? o with { Employed = true } : o)],
        };
        var again = new StudyReportBuilder().Build(changed);
        var rows = Clusters(again)["outcome"]!["rows"]!.AsArray().ToDictionary(r => r!["label"]!.GetValue<string>());
        Assert.Null(rows["LDA"]!["employedCiLow"]);
        Assert.Null(rows["LDA"]!["oddsRatio"]);
        Assert.Equal("Inf", rows["SHA"]!["oddsRatio"]!.GetValue<string>());
        Assert.Equal("Inf", rows["SHA"]!["oddsRatioHigh"]!.GetValue<string>());
        var trs = Page(again).QuerySelectorAll("#outcomes tbody tr").ToDictionary(tr => tr.QuerySelector("th")!.TextContent);
        Assert.Equal("undefined", trs["LDA"].QuerySelector("td.employed-ci")!.TextContent);
        Assert.Equal("undefined", trs["LDA"].QuerySelector("td.odds-ratio")!.TextContent);
        Assert.StartsWith("∞ (", trs["SHA"].QuerySelector("td.odds-ratio")!.TextContent, StringComparison.Ordinal);
        Assert.Contains(" to ∞), p = ", trs["SHA"].QuerySelector("td.odds-ratio")!.TextContent, StringComparison.Ordinal);
        var said = Page(again).QuerySelectorAll("#outcome-caveats li").Select(li => li.TextContent).ToArray();
        Assert.Contains("Cluster LDA has no dyad with a recorded outcome: its employment rate and odds ratio are undefined.", said);
        Assert.Contains(said, c => c.StartsWith("The odds ratios of ", StringComparison.Ordinal) && c.Contains("SHA", StringComparison.Ordinal)
            && c.EndsWith("are 0 or infinite (all or none of one side found a job): their intervals are one-sided.", StringComparison.Ordinal));
        Assert.Equal("0", rows["SLA"]!["oddsRatio"]!.ToJsonString()); // the only other cluster: the reciprocal, 0
    }

    [Fact]
    public void Cronbach_s_alpha_of_R_s_item_matrix_is_R_s_with_Feldt_s_interval()
    {
        // tests.json: 80 rows of 12 item scores; given as answers, the reverse items 4 and 10 are written back as 8 − score.
        var cronbach = ReportFixtures.Json("tests", "reference", "shared", "tests.json")["cronbach"]!;
        var items = ReportFixtures.Matrix(cronbach["items"]!);
        var p = ReportFixtures.Practitioner;
        var responses = items.Select((row, i) => ReportFixtures.Response("alpha", "site-a", $"d{i + 1:000}", 1, "practitioner",
            p.Items.Select(item => item.Reverse ? p.Scale.Reverse((int)row[item.Number - 1]) : (int)row[item.Number - 1]).ToArray(), p, ReportFixtures.At)).ToArray();
        var report = StudyReportAnalysis.Run(ReportInput.FromResponses(Study with { Id = "alpha" }, "run", responses, ReportFixtures.At));
        var global = report.Reliability.Single(a => a.Role == "practitioner" && a.Scale == "global").Alpha!;
        Close(cronbach["alpha"]!.GetValue<double>(), global.Alpha, "alpha");
        var ci = cronbach["feldt_ci95"]!.AsArray().Select(v => v!.GetValue<double>()).ToArray();
        Close(ci[0], global.ConfidenceLow, "Feldt low");
        Close(ci[1], global.ConfidenceHigh, "Feldt high");
        Assert.Equal(["goal", "task", "bond", "global"], report.Reliability.Select(a => a.Scale));
        Assert.Null(report.Result); // one meeting: nothing to cluster, and the report says why
        Assert.Contains("two meetings or more", report.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_arm_comparison_is_R_s_Welch_t_and_Cohen_s_d_and_rater_effects_R_s_ICC_1()
    {
        var extra = ReportFixtures.Json("tests", "AlliancePipeline.Analytics.Tests", "RData", "tests_extra.json");
        var welch = extra["welch"]!;
        var a = welch["a"]!.AsArray().Select(v => v!.GetValue<double>()).ToArray();
        var b = welch["b"]!.AsArray().Select(v => v!.GetValue<double>()).ToArray();
        var values = a.Select(v => ("ips", v)).Concat(b.Select(v => ("tvs", v))).ToArray();
        var input = new ReportInput
        {
            StudyId = "arms",
            StudyName = "Arms",
            RunId = "run",
            GeneratedAt = ReportFixtures.At,
            Arms = [new ReportArm("ips", "IPS"), new ReportArm("tvs", "TVS")],
            Responses = values.Select((v, i) => ReportFixtures.Wai("arms", $"d{i:000}-m1-practitioner", "site-a", $"d{i:000}", 1, "practitioner", [.. Enumerable.Repeat(5, 12)], v.Item2, ReportFixtures.At)).ToArray(),
            Dyads = values.Select((v, i) => new ReportDyad($"d{i:000}", "site-a", v.Item1, null, false)).ToArray(),
        };
        var test = StudyReportAnalysis.Run(input).Arms.Single().Test!;
        Close(welch["t"]!.GetValue<double>(), test.T, "t");
        Close(welch["df"]!.GetValue<double>(), test.DegreesOfFreedom, "df");
        Close(welch["p"]!.GetValue<double>(), test.PValue, "p");
        Close(welch["cohens_d_pooled"]!.GetValue<double>(), test.CohensD, "Cohen's d");

        var icc = extra["icc1"]!;
        var groups = ReportFixtures.Ints(icc["group"]!);
        var scores = icc["score"]!.AsArray().Select(v => v!.GetValue<double>()).ToArray();
        var raters = new ReportInput
        {
            StudyId = "raters",
            StudyName = "Raters",
            RunId = "run",
            GeneratedAt = ReportFixtures.At,
            Responses = scores.Select((s, i) => ReportFixtures.Wai("raters", $"d{i:000}-m1-practitioner", "site-a", $"d{i:000}", 1, "practitioner", [.. Enumerable.Repeat(5, 12)], s, ReportFixtures.At)).ToArray(),
            Assessments = groups.Select((g, i) => new ReportAssessment($"d{i:000}-m1-practitioner", "site-a", $"d{i:000}", 1, "practitioner", $"p{g}", null, "Completed", null, ReportFixtures.At)).ToArray(),
        };
        var effect = StudyReportAnalysis.Run(raters).RaterEffects.Single();
        Close(icc["icc1"]!.GetValue<double>(), effect.Icc!.Icc1, "ICC(1)");
        Close(icc["f_p"]!.GetValue<double>(), effect.Icc.PValue, "F p");
        Assert.Equal(8, effect.Raters);
    }

    [Fact]
    public void Dyads_missing_a_meeting_are_counted_listed_compared_and_not_clustered()
    {
        var input = ReportFixtures.PaperLikeInput();
        input = input with { Responses = input.Responses.Where(r => !((r.DyadId == "d04" || r.DyadId == "d11") && r.Meeting == 3)).ToArray() };
        var files = new StudyReportBuilder().Build(input);
        var clusters = Clusters(files);
        Assert.Equal(["d04", "d11"], clusters["dyads"]!["incomplete"]!.AsArray().Select(v => v!.GetValue<string>()));
        Assert.Equal(16, clusters["dyads"]!["clustered"]!.GetValue<int>());
        Assert.Equal([0, 0, 2], clusters["missingByMeeting"]!.AsArray().Select(v => v!.GetValue<int>()));
        Assert.Equal(15, clusters["merge"]!.AsArray().Count);
        Assert.DoesNotContain("d04", clusters["assignments"]!.AsObject().Select(p => p.Key));
        var page = Page(files);
        Assert.Contains("d04, d11", page.QuerySelector("#incomplete")!.TextContent, StringComparison.Ordinal);
        var leftOut = page.QuerySelectorAll("#left-out tbody tr").Select(r => r.Children.Select(c => c.TextContent).ToArray()).ToArray();
        Assert.Equal(["clustered", "16"], leftOut[0][..2]);
        Assert.Equal(["left out", "2", "2.0"], leftOut[1][..3]);
        Assert.Contains(page.QuerySelectorAll("#warnings li"), li => li.TextContent.StartsWith("2 dyads have a meeting missing", StringComparison.Ordinal));
    }

    [Fact]
    public void Too_few_complete_dyads_give_a_report_that_says_so_instead_of_failing()
    {
        var p = ReportFixtures.Practitioner;
        StoredResponse R(string dyad, int meeting, double global) => ReportFixtures.Response(Study.Id, "site-a", dyad, meeting, "practitioner", ReportFixtures.Answers(p, global, 0), p, ReportFixtures.At.AddMinutes(meeting));
        var responses = new[] { R("d01", 1, 6), R("d01", 2, 6), R("d02", 1, 5), R("d02", 2, 5), R("d03", 1, 4) };
        var files = new StudyReportBuilder().Build(ReportInput.FromResponses(Study, "run-3", responses, ReportFixtures.At));
        var clusters = Clusters(files);
        Assert.Equal("insufficient-data", clusters["status"]!.GetValue<string>());
        Assert.Equal("Clustering needs at least 4 dyads rated at every meeting; 2 of 3 are complete so far.", clusters["message"]!.GetValue<string>());
        Assert.Null(clusters["merge"]);
        var page = Page(files);
        Assert.Equal(clusters["message"]!.GetValue<string>(), page.QuerySelector("#status")!.TextContent);
        Assert.Equal("5", page.QuerySelector("#response-count")!.TextContent);
        Assert.Null(page.QuerySelector("#trajectory-figure"));
        Assert.NotEmpty(page.QuerySelectorAll("#reliability tbody tr")); // reliability and raters do not wait for clustering
        Assert.NotEmpty(page.QuerySelectorAll("#rater-effects tbody tr"));
        Assert.Contains("too few dyads", files["reproduce.R"].Content, StringComparison.Ordinal);
        Assert.Equal("insufficient-data", files.RunProperties["Status"]);
    }

    [Fact]
    public void Another_rater_role_is_used_when_the_study_has_no_practitioner_ratings()
    {
        var input = ReportFixtures.PaperLikeInput();
        input = input with { Responses = input.Responses.Select(r => r with { RaterRole = "client" }).ToArray() };
        var clusters = Clusters(new StudyReportBuilder().Build(input));
        Assert.Equal("client", clusters["raterRole"]!.GetValue<string>());
        Assert.Equal(3, clusters["k"]!.GetValue<int>());
    }

    [Fact]
    public void Practitioner_and_client_views_are_shown_side_by_side_with_their_difference_and_agreement()
    {
        var input = ReportFixtures.PaperLikeInput();
        var c = ReportFixtures.Client;
        // Clients of the first six dyads rate every meeting half a point (6 of 12 points) above their practitioner.
        var client = input.Responses.Where(r => string.CompareOrdinal(r.DyadId, "d07") < 0)
            .Select(r => ReportFixtures.Response(input.StudyId, r.SiteId, r.DyadId, r.Meeting, "client", ReportFixtures.Answers(c, Math.Min(7, r.Global + 0.5), 3), c, r.SubmittedAt.AddHours(1))).ToArray();
        input = input with { Responses = [.. input.Responses, .. client] };
        var report = StudyReportAnalysis.Run(input);
        Assert.Equal("practitioner", report.RaterRole);
        var views = report.Views!;
        Assert.Equal(18, views.Pairs);
        foreach (var m in views.PerMeeting)
        {
            Assert.Equal(6, m.Difference.N);
            var pairs = client.Where(r => r.Meeting == m.Meeting).Select(r => r.Global - input.Responses.Single(p => p.RaterRole == "practitioner" && p.DyadId == r.DyadId && p.Meeting == m.Meeting).Global).ToArray();
            Close(pairs.Average(), m.Difference.Mean, $"difference at meeting {m.Meeting}");
        }
        var page = new HtmlParser().ParseDocument(ReportHtml.Render(report));
        Assert.Equal(3, page.QuerySelectorAll("#views tbody tr").Length);
        Assert.Equal(2, page.QuerySelectorAll("#views-figure g.series").Length);
        Assert.Contains("ICC(1) over all 18 pairs", page.QuerySelector("#views-agreement")!.TextContent, StringComparison.Ordinal);
        Assert.Equal(["practitioner", "practitioner", "practitioner", "practitioner", "client", "client", "client", "client"], report.Reliability.Select(a => a.Role));
    }

    [Fact]
    public void Study_and_site_names_are_escaped_and_alerts_of_the_period_only_are_listed()
    {
        var input = ReportFixtures.PaperLikeInput() with
        {
            StudyName = "<script>alert(1)</script> & co",
            Sites = [new ReportSite("site-a", "<img src=x onerror=alert(2)>")],
            PeriodStart = ReportFixtures.At.AddDays(-7),
            Alerts =
            [
                new ReportAlert("d02-m3-practitioner", "d02", "site-a", "practitioner", 3, "drop,below", 6.0, 4.5, 1.0, 5.0, ReportFixtures.At.AddDays(-1), "open"),
                new ReportAlert("d05-m2-practitioner", "d05", "site-a", "practitioner", 2, "drop", 6.5, 5.25, 1.0, null, ReportFixtures.At.AddDays(-30), "open"),
            ],
        };
        var html = new StudyReportBuilder().Build(input)["report.html"].Content;
        Assert.DoesNotContain("<script>", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<img", html, StringComparison.OrdinalIgnoreCase);
        var page = new HtmlParser().ParseDocument(html);
        Assert.Equal("Alliance report: <script>alert(1)</script> & co", page.Title);
        var alerts = page.QuerySelectorAll("#alerts tbody tr");
        Assert.Single(alerts);
        Assert.Equal("d02", alerts[0].QuerySelector("th")!.TextContent);
        Assert.Contains("6.00 → 4.50", alerts[0].TextContent, StringComparison.Ordinal);
        Assert.Contains("<img src=x onerror=alert(2)>", alerts[0].TextContent, StringComparison.Ordinal);
    }
}
