using System.Text.Json.Nodes;
using AlliancePipeline.Analytics.Reports;
using AlliancePipeline.Analytics.Statistics;
using AlliancePipeline.Core.Studies;
using AlliancePipeline.Functions.Reports;

namespace AlliancePipeline.Functions.Tests.Reports;

/// <summary>
/// The report set's <c>reproduce.R</c> run with <c>Rscript</c> on its <c>responses.csv</c>: R's own hclust, cutree, the
/// outcome table with fisher.test and chisq.test, and Cronbach's alpha must equal the report's clusters.json.
/// </summary>
public sealed class ReproduceScriptTests
{
    private static void Close(double expected, double actual, string what, double tolerance = 1e-9) =>
        Assert.True(Math.Abs(expected - actual) <= tolerance * Math.Max(1, Math.Abs(expected)), $"{what}: report {actual} vs R {expected}");

    /// <summary>An odds ratio as R wrote it (number, "Inf" or null) and as clusters.json holds it, the same.</summary>
    private static void SameRatio(JsonNode? expected, JsonNode? actual, string what)
    {
        if (expected is null || actual is null) Assert.True(expected is null && actual is null, $"{what}: R {expected?.ToJsonString() ?? "NA"}, report {actual?.ToJsonString() ?? "undefined"}");
        else if (expected.GetValueKind() == System.Text.Json.JsonValueKind.String) Assert.Equal(expected.GetValue<string>(), actual.GetValue<string>());
        else Close(expected.GetValue<double>(), actual.GetValue<double>(), what);
    }

    private static double[] Doubles(JsonNode node) => node.AsArray().Select(v => v!.GetValue<double>()).ToArray();

    /// <summary>Runs the set's reproduce.R on its responses.csv in a folder of its own; R's output.</summary>
    private static JsonNode RunR(ReportSet set) => RScript.RunReproduce(set["reproduce.R"].Content, set["responses.csv"].Content, set["clusters.json"].Content, set["dyads.csv"].Content);

    /// <summary>The paper-like study with two dyads missing meeting 3, some client ratings and a site that looks like a formula.</summary>
    private static ReportInput PaperLikeWithGaps()
    {
        var input = ReportFixtures.PaperLikeInput();
        var c = ReportFixtures.Client;
        var client = input.Responses.Where(r => r.DyadId is "d01" or "d02" or "d03")
            .Select(r => ReportFixtures.Response(input.StudyId, r.SiteId, r.DyadId, r.Meeting, "client", ReportFixtures.Answers(c, 6.5, r.Meeting), c, r.SubmittedAt.AddHours(2)));
        return input with
        {
            Responses = [.. input.Responses.Where(r => !((r.DyadId == "d04" || r.DyadId == "d11") && r.Meeting == 3)).Select(r => r.DyadId == "d07" ? r with { SiteId = "=HYPERLINK(\"x\")" } : r), .. client],
        };
    }

    /// <summary>The unseen 60-dyad paper-like R reference: scores on the 1/12 grid, made into answers, no outcome for six dyads.</summary>
    private static ReportInput PaperLike60() => FromRData("ward_paper_like_60x3.json", "sixty", "Sixty");

    /// <summary>An R reference's X made into answers (dyads s01, s02, …), no outcome for one dyad in ten.</summary>
    private static ReportInput FromRData(string file, string studyId, string name)
    {
        var x = ReportFixtures.Matrix(ReportFixtures.Json("tests", "AlliancePipeline.Analytics.Tests", "RData", file)["X"]!);
        var p = ReportFixtures.Practitioner;
        var responses = new List<StoredResponse>();
        for (var i = 0; i < x.Length; i++)
            for (var m = 1; m <= 3; m++)
                responses.Add(ReportFixtures.Response(studyId, "site-a", $"s{i + 1:00}", m, "practitioner", ReportFixtures.Answers(p, x[i][m - 1], i * 3 + m), p, ReportFixtures.At.AddDays(m)));
        var outcomes = Enumerable.Range(0, x.Length).Where(i => i % 10 != 3)
            .Select(i => new ReportOutcome($"s{i + 1:00}", i % 3 != 0, i % 3 != 0 ? ReportFixtures.Enrolled.AddDays(20 + i) : null, ReportFixtures.Enrolled, ReportFixtures.At)).ToArray();
        return ReportInput.FromResponses(new(studyId, name, "wai-s-practitioner", ["site-a"]), "run-" + studyId, responses, ReportFixtures.At) with { Outcomes = outcomes };
    }

    [Fact]
    public void A_Monte_Carlo_Fisher_p_is_said_so_in_the_report_and_reproduce_R_draws_the_same_tables_with_the_same_seed()
    {
        // No work allowed for the exact sum: the report falls back to R's Monte Carlo p-value, as a study of thousands of
        // dyads with many clusters would.
        var input = PaperLike60();
        var set = new StudyReportBuilder(new StudyReportOptions { FisherExactWork = 0 }).Build(input);
        var outcome = JsonNode.Parse(set["clusters.json"].Content)!["outcome"]!;
        Assert.False(outcome["fisherExact"]!.GetValue<bool>());
        Assert.Equal(FisherExactTest.DefaultReplicates, outcome["fisherReplicates"]!.GetValue<int>());
        Assert.Equal(FisherExactTest.DefaultSeed, outcome["fisherSeed"]!.GetValue<int>());
        var page = new AngleSharp.Html.Parser.HtmlParser().ParseDocument(set["report.html"].Content);
        Assert.Equal("Monte Carlo p, 2,000 random tables, R's generator seeded 20261206", page.QuerySelector("#fisher-method")!.TextContent);

        // R's fisher.test(simulate.p.value = TRUE) after set.seed, run by reproduce.R, gives the report's p to the last bit.
        var r = RunR(set);
        Assert.Equal(r["fisher_p"]!.GetValue<double>(), outcome["fisherP"]!.GetValue<double>());

        // With the default budget the same table is summed exactly, and the report says so.
        var exact = new StudyReportBuilder().Build(input);
        Assert.True(JsonNode.Parse(exact["clusters.json"].Content)!["outcome"]!["fisherExact"]!.GetValue<bool>());
        Assert.Equal("exact p", new AngleSharp.Html.Parser.HtmlParser().ParseDocument(exact["report.html"].Content).QuerySelector("#fisher-method")!.TextContent);
    }

    public static TheoryData<string> Studies => ["paper-like with gaps", "sixty", "sixty, cluster 1 all employed"];

    /// <summary>The sixty-dyad study with every outcome of the first cluster a job: an odds ratio of +∞ (R's Inf) and its reciprocal 0 nowhere, one-sided intervals.</summary>
    private static ReportInput AllEmployedInFirstCluster()
    {
        var input = PaperLike60();
        var first = JsonNode.Parse(new StudyReportBuilder().Build(input)["clusters.json"].Content)!["clusters"]![0]!["dyads"]!.AsArray().Select(d => d!.GetValue<string>()).ToHashSet(StringComparer.Ordinal);
        return input with { Outcomes = [.. input.Outcomes.Select(o => first.Contains(o.DyadId) ? o with { Employed = true, JobDate = o.JobDate ?? ReportFixtures.Enrolled.AddDays(30) } : o)] };
    }

    [Theory]
    [MemberData(nameof(Studies))]
    public void R_alone_recomputes_the_report_s_clusters_outcome_table_Fisher_p_and_alpha_from_responses_csv(string name)
    {
        var input = name switch { "sixty" => PaperLike60(), "sixty, cluster 1 all employed" => AllEmployedInFirstCluster(), _ => PaperLikeWithGaps() };
        var set = new StudyReportBuilder().Build(input);
        var ours = JsonNode.Parse(set["clusters.json"].Content)!;
        var r = RunR(set);

        Assert.Equal(0.0, r["global_max_abs_diff"]!.GetValue<double>()); // R's scores from the items are the stored ones, bit for bit
        Assert.Equal(ours["ids"]!.AsArray().Select(v => v!.GetValue<string>()), r["ids"]!.AsArray().Select(v => v!.GetValue<string>()));
        Assert.Equal(ours["dyads"]!["incomplete"]!.AsArray().Select(v => v!.GetValue<string>()), r["incomplete"]!.AsArray().Select(v => v!.GetValue<string>()));
        Assert.Equal(ReportFixtures.Matrix(ours["merge"]!), ReportFixtures.Matrix(r["merge"]!));
        Assert.Equal(ReportFixtures.Ints(ours["order"]!), ReportFixtures.Ints(r["order"]!));
        var heights = Doubles(ours["height"]!);
        var rHeights = Doubles(r["height"]!);
        for (var i = 0; i < heights.Length; i++) Close(rHeights[i], heights[i], $"height {i + 1}");

        var k = r["k"]!.GetValue<int>();
        Assert.Equal(ours["k"]!.GetValue<int>(), k);
        var ids = r["ids"]!.AsArray().Select(v => v!.GetValue<string>()).ToArray();
        var cut = ReportFixtures.Ints(r["cutree"]!);
        for (var i = 0; i < ids.Length; i++) Assert.Equal(cut[i], ours["assignments"]![ids[i]]!.GetValue<int>());
        var clusters = ours["clusters"]!.AsArray();
        Assert.Equal(ReportFixtures.Ints(r["sizes"]!), clusters.Select(c => c!["n"]!.GetValue<int>()));
        var centroids = ReportFixtures.Matrix(r["centroids"]!);
        for (var c = 0; c < k; c++)
        {
            var centroid = Doubles(clusters[c]!["centroid"]!);
            for (var m = 0; m < centroid.Length; m++) Close(centroids[c][m], centroid[m], $"centroid {c + 1}, meeting {m + 1}");
        }

        var outcome = ours["outcome"]!;
        var rows = outcome["rows"]!.AsArray().Where(row => row!["withOutcome"]!.GetValue<int>() > 0).ToArray();
        Assert.Equal(ReportFixtures.Ints(r["outcome_clusters"]!), rows.Select(row => row!["cluster"]!.GetValue<int>()));
        Assert.Equal(ReportFixtures.Matrix(r["outcome_table"]!), rows.Select(row => new double[] { row!["employed"]!.GetValue<int>(), row["notEmployed"]!.GetValue<int>() }).ToArray());
        Close(r["fisher_p"]!.GetValue<double>(), outcome["fisherP"]!.GetValue<double>(), "Fisher p");
        Close(r["chisq"]!.GetValue<double>(), outcome["chiSquare"]!.GetValue<double>(), "chi-square");
        Close(r["cramers_v"]!.GetValue<double>(), outcome["cramersV"]!.GetValue<double>(), "Cramér's V");
        Close(r["cramers_v_bias_corrected"]!.GetValue<double>(), outcome["cramersVBiasCorrected"]!.GetValue<double>(), "bias-corrected Cramér's V");
        // Per tested cluster: binom.test's interval of the employment rate, and fisher.test's odds ratio against the rest
        // (estimate, interval, p; "Inf" where R gives Inf), to R's own root finder.
        var rates = r["employed_ci"]!.AsArray();
        var odds = r["odds_ratio"]!.AsArray();
        Assert.Equal(rows.Length, rates.Count);
        for (var j = 0; j < rows.Length; j++)
        {
            var row = rows[j]!;
            Close(rates[j]![0]!.GetValue<double>(), row["employedCiLow"]!.GetValue<double>(), $"rate CI low, row {j + 1}");
            Close(rates[j]![1]!.GetValue<double>(), row["employedCiHigh"]!.GetValue<double>(), $"rate CI high, row {j + 1}");
            foreach (var (index, member) in new[] { (0, "oddsRatio"), (1, "oddsRatioLow"), (2, "oddsRatioHigh"), (3, "oddsRatioP") })
                SameRatio(odds[j]![index], row[member], $"{member}, row {j + 1}");
        }
        if (name.EndsWith("all employed", StringComparison.Ordinal)) Assert.Equal("Inf", rows[0]!["oddsRatio"]!.GetValue<string>());
        var days = r["days_to_job_mean"]!.AsArray();
        for (var c = 0; c < k; c++)
        {
            var mean = outcome["rows"]![c]!["daysToJob"]!["mean"];
            if (days[c] is null) Assert.Null(mean); else Close(days[c]!.GetValue<double>(), mean!.GetValue<double>(), $"days to job, cluster {c + 1}");
        }

        // Alpha of the trajectory role's responses that R read (meetings 1..T of that role).
        foreach (var scale in new[] { "goal", "task", "bond", "global" })
        {
            var mine = ours["reliability"]!.AsArray().Single(a => a!["role"]!.GetValue<string>() == "practitioner" && a["scale"]!.GetValue<string>() == scale)!;
            var theirs = Doubles(r["alpha"]![scale]!);
            Close(theirs[0], mine["alpha"]!.GetValue<double>(), $"alpha {scale}");
            Close(theirs[1], mine["ciLow"]!.GetValue<double>(), $"alpha {scale} low");
            Close(theirs[2], mine["ciHigh"]!.GetValue<double>(), $"alpha {scale} high");
            Assert.Equal((int)theirs[3], mine["n"]!.GetValue<int>());
            // And at each meeting (the robustness section).
            var byMeeting = ReportFixtures.Matrix(r["alpha_by_meeting"]![scale]!);
            for (var m = 0; m < byMeeting.Length; m++)
            {
                var at = ours["robustness"]!["alphaByMeeting"]!.AsArray().Single(a => a!["meeting"]!.GetValue<int>() == m + 1 && a["role"]!.GetValue<string>() == "practitioner" && a["scale"]!.GetValue<string>() == scale)!;
                Close(byMeeting[m][0], at["alpha"]!.GetValue<double>(), $"alpha {scale}, meeting {m + 1}");
                Close(byMeeting[m][1], at["ciLow"]!.GetValue<double>(), $"alpha {scale}, meeting {m + 1}, low");
                Close(byMeeting[m][2], at["ciHigh"]!.GetValue<double>(), $"alpha {scale}, meeting {m + 1}, high");
                Assert.Equal((int)byMeeting[m][3], at["n"]!.GetValue<int>());
            }
        }

        // Each cluster's bootstrap stability: R's resamples from the same seed, hclust and cutree again, the Jaccards averaged.
        var stability = Doubles(r["stability"]!);
        var ourStability = ours["robustness"]!["stability"]!["clusters"]!.AsArray();
        Assert.Equal(k, stability.Length);
        for (var c = 0; c < k; c++) Close(stability[c], ourStability[c]!["meanJaccard"]!.GetValue<double>(), $"mean Jaccard, cluster {c + 1}");
    }

    [Fact]
    public void The_study_s_absolute_rule_gives_3_clusters_where_the_relative_rule_gives_4_and_R_chooses_the_same_k_from_the_settings()
    {
        // RData/ward_paper_spread_18x3.json: 18 dyads with the published shares and SDs (make_k_rule_reference.R).
        var input = FromRData("ward_paper_spread_18x3.json", "spread", "Spread");
        foreach (var (settings, k, rule) in new[]
                 {
                     (StudyAnalysis.Default, 4, "CoefficientJump"),
                     (new StudyAnalysis(Rule: ClusterRule.Absolute), 3, "CoefficientIncrease"),
                     (new StudyAnalysis(FixedK: 5), 5, "Fixed"),
                 })
        {
            var set = new StudyReportBuilder().Build(input with { Analysis = settings });
            var ours = JsonNode.Parse(set["clusters.json"].Content)!;
            Assert.Equal((k, rule), (ours["k"]!.GetValue<int>(), ours["kRule"]!.GetValue<string>()));
            var r = RunR(set);
            Assert.Equal((k, k), (r["k"]!.GetValue<int>(), r["k_report"]!.GetValue<int>()));
            Assert.Equal(ReportFixtures.Ints(r["cutree"]!), ours["ids"]!.AsArray().Select(id => ours["assignments"]![id!.GetValue<string>()]!.GetValue<int>()));
        }
    }

    [Fact]
    public void The_robustness_section_shows_clusterboot_s_mean_Jaccard_with_Hennig_s_reading_k_under_both_rules_and_alpha_per_meeting()
    {
        // RData/cluster_stability.json (make_stability_reference.R): fpc::clusterboot on the same 18 dyads, at k = 4 (the
        // relative rule) with the report's seed, and at k = 3 (the absolute rule) with seed 1.
        var cases = ReportFixtures.Json("tests", "AlliancePipeline.Analytics.Tests", "RData", "cluster_stability.json")["cases"]!.AsArray();
        JsonNode Case(string name) => cases.Single(c => c!["name"]!.GetValue<string>() == name)!;
        var input = FromRData("ward_paper_spread_18x3.json", "spread", "Spread");
        foreach (var (settings, options, name) in new[]
                 {
                     (StudyAnalysis.Default, new StudyReportOptions(), "paper_spread_18x3_k4"),
                     (new StudyAnalysis(Rule: ClusterRule.Absolute), new StudyReportOptions { StabilitySeed = 1 }, "paper_spread_18x3_k3_seed1"),
                 })
        {
            var reference = Case(name);
            var set = new StudyReportBuilder(options).Build(input with { Analysis = settings });
            var ours = JsonNode.Parse(set["clusters.json"].Content)!;
            var robustness = ours["robustness"]!;
            Assert.Equal(reference["k"]!.GetValue<int>(), ours["k"]!.GetValue<int>());
            Assert.Equal(reference["seed"]!.GetValue<int>(), robustness["stability"]!["seed"]!.GetValue<int>());
            var stability = robustness["stability"]!["clusters"]!.AsArray();
            var mean = Doubles(reference["bootmean"]!);
            for (var c = 0; c < mean.Length; c++) Close(mean[c], stability[c]!["meanJaccard"]!.GetValue<double>(), $"{name}: mean Jaccard {c + 1}", 1e-12);
            Assert.Equal(ReportFixtures.Ints(reference["bootbrd"]!), stability.Select(c => c!["dissolved"]!.GetValue<int>()));
            Assert.Equal(ReportFixtures.Ints(reference["bootrecover"]!), stability.Select(c => c!["recovered"]!.GetValue<int>()));
            Assert.Equal((4, 3), (robustness["kRules"]!["relative"]!.GetValue<int>(), robustness["kRules"]!["absolute"]!.GetValue<int>()));

            var page = new AngleSharp.Html.Parser.HtmlParser().ParseDocument(set["report.html"].Content);
            Assert.Equal(mean.Length, page.QuerySelectorAll("#stability tbody tr").Length);
            Assert.Equal(["4"], page.QuerySelectorAll("#k-rules tbody tr").Where(tr => tr.QuerySelector(".k-relative")!.TextContent == "✓").Select(tr => tr.QuerySelector("th")!.TextContent));
            Assert.Equal(["3"], page.QuerySelectorAll("#k-rules tbody tr").Where(tr => tr.QuerySelector(".k-absolute")!.TextContent == "✓").Select(tr => tr.QuerySelector("th")!.TextContent));
            Assert.Equal(mean.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), page.QuerySelector("#k-rules tr.chosen th")!.TextContent);
            // Hennig's reading: a caveat for each cluster below 0.75 (here the third cluster at k = 3, 0.70), none otherwise.
            var caveats = page.QuerySelectorAll("#stability-caveats li").Select(li => li.TextContent).ToArray();
            Assert.Equal(mean.Count(m => m < 0.75), caveats.Length);
            Assert.All(caveats, c => Assert.Contains("between 0.6 and 0.75, it indicates a pattern, but which dyads belong to it is highly doubtful (Hennig 2007)", c));
            // Alpha per meeting: every scale of the practitioner's instrument, one column per meeting.
            Assert.Equal(4, page.QuerySelectorAll("#alpha-by-meeting tbody tr").Length);
            Assert.Equal(3 + 2, page.QuerySelectorAll("#alpha-by-meeting thead th").Length);
        }
    }

    public static TheoryData<bool> Deviation => [false, true];

    [Theory]
    [MemberData(nameof(Deviation))]
    public void Missing_meetings_assign_puts_partial_trajectories_at_R_s_nearest_centroid_and_repeats_the_outcome_table_beside_the_complete_case_one(bool deviation)
    {
        var input = PaperLikeWithGaps() with { Analysis = new StudyAnalysis(Rule: ClusterRule.Absolute, Deviation: deviation, Missing: MissingMeetings.Assign) };
        var set = new StudyReportBuilder().Build(input);
        var ours = JsonNode.Parse(set["clusters.json"].Content)!;
        var assigned = ours["assigned"]!;
        var r = RunR(set);

        Assert.Equal(ours["k"]!.GetValue<int>(), r["k"]!.GetValue<int>());
        var ids = r["assigned_ids"]!.AsArray().Select(v => v!.GetValue<string>()).ToArray();
        Assert.Equal(["d04", "d11"], ids);
        Assert.Equal(ReportFixtures.Ints(r["assigned"]!), ids.Select(id => assigned["dyads"]![id]!.GetValue<int>()));
        var rows = assigned["outcome"]!["rows"]!.AsArray().Where(row => row!["withOutcome"]!.GetValue<int>() > 0).ToArray();
        Assert.Equal(ReportFixtures.Ints(r["assigned_clusters"]!), rows.Select(row => row!["cluster"]!.GetValue<int>()));
        Assert.Equal(ReportFixtures.Matrix(r["assigned_table"]!), rows.Select(row => new double[] { row!["employed"]!.GetValue<int>(), row["notEmployed"]!.GetValue<int>() }).ToArray());
        Close(r["assigned_fisher_p"]!.GetValue<double>(), assigned["outcome"]!["fisherP"]!.GetValue<double>(), "Fisher p with assigned dyads");
        // The complete-case table stays as it was: the 16 complete dyads only.
        Assert.Equal(16, ours["outcome"]!["rows"]!.AsArray().Sum(row => row!["dyads"]!.GetValue<int>()));
        Assert.Equal(18, assigned["outcome"]!["rows"]!.AsArray().Sum(row => row!["dyads"]!.GetValue<int>()));

        var page = new AngleSharp.Html.Parser.HtmlParser().ParseDocument(set["report.html"].Content);
        Assert.NotNull(page.QuerySelector("#outcomes"));
        Assert.Equal(ours["clusters"]!.AsArray().Count, page.QuerySelectorAll("#outcomes-assigned tbody tr").Length);
        Assert.StartsWith("2 dyads missing a meeting assigned to the nearest centroid.", page.QuerySelector("#assigned-tests")!.TextContent);
        var methods = StudyReportAnalysis.Run(input).Methods;
        Assert.Contains($"Analysis settings of the study file: scores: {(deviation ? "deviation" : "raw")}; clusters.rule: absolute (largest absolute increase of the agglomeration coefficient), minimum cluster share 10 %, k from 2 to 8; missingMeetings: assign.", methods);
        Assert.Contains("As a sensitivity analysis beside the complete-case one (analysis.missingMeetings: assign)", methods);
    }

    /// <summary>R's survdiff, coxph and survfit on a CSV of cluster, days, event (args: the CSV, the output JSON).</summary>
    private const string SurvivalScript = """
        library(survival)
        args <- commandArgs(TRUE)
        d <- read.csv(args[1])
        d$cluster <- factor(d$cluster, levels = sort(unique(d$cluster)))
        num <- function(x) paste0("[", paste(ifelse(is.na(x), "null", sprintf("%.17g", x)), collapse = ","), "]")
        lr <- survdiff(Surv(days, event) ~ cluster, data = d)
        df <- sum(lr$exp > 0) - 1
        ci <- summary(coxph(Surv(days, event) ~ cluster, data = d))$conf.int
        km <- summary(survfit(Surv(days, event) ~ cluster, data = d))$table
        cat(file = args[2], sep = "", "{\"chisq\": ", sprintf("%.17g", lr$chisq), ", \"df\": ", df,
            ", \"p\": ", sprintf("%.17g", pchisq(lr$chisq, df, lower.tail = FALSE)),
            ", \"hr\": ", num(ci[, 1]), ", \"hr_low\": ", num(ci[, 3]), ", \"hr_high\": ", num(ci[, 4]),
            ", \"median\": ", num(km[, "median"]), ", \"median_low\": ", num(km[, "0.95LCL"]), ", \"median_high\": ", num(km[, "0.95UCL"]), "}\n")
        """;

    [Fact]
    public void A_follow_up_gives_a_time_to_job_section_whose_log_rank_p_hazard_ratios_and_medians_equal_R_s_survival_package()
    {
        var input = ReportFixtures.PaperLikeInput();
        var followUp = new FollowUp(182, FollowUpOrigin.Enrolment);
        input = input with
        {
            Analysis = new StudyAnalysis(FollowUp: followUp),
            TimeToJob = TimeToJob.Of(followUp, input.Dyads, input.Outcomes, new Dictionary<string, DateOnly>()),
        };
        var set = new StudyReportBuilder().Build(input);
        var ours = JsonNode.Parse(set["clusters.json"].Content)!;
        var t = ours["timeToJob"]!;
        var csv = "cluster,days,event\n" + string.Concat(input.TimeToJob.Select(f =>
            $"{ours["assignments"]![f.DyadId]!.GetValue<int>()},{f.Days},{(f.Event ? 1 : 0)}\n"));
        var r = RScript.RunReproduce(SurvivalScript, csv);

        Close(r["chisq"]!.GetValue<double>(), t["logRankChiSquare"]!.GetValue<double>(), "log-rank chi-square");
        Assert.Equal(r["df"]!.GetValue<int>(), t["logRankDf"]!.GetValue<int>());
        Close(r["p"]!.GetValue<double>(), t["logRankP"]!.GetValue<double>(), "log-rank p");
        var rows = t["rows"]!.AsArray();
        Assert.Equal(1, t["coxReference"]!.GetValue<int>());
        Assert.Null(rows[0]!["hazardRatio"]);
        foreach (var (name, member) in new[] { ("hr", "hazardRatio"), ("hr_low", "hazardRatioLow"), ("hr_high", "hazardRatioHigh") })
        {
            var theirs = Doubles(r[name]!);
            Assert.Equal(rows.Count - 1, theirs.Length);
            for (var i = 0; i < theirs.Length; i++) Close(theirs[i], rows[i + 1]![member]!.GetValue<double>(), $"{member} of cluster {i + 2}", 1e-6);
        }
        foreach (var (name, member) in new[] { ("median", "median"), ("median_low", "medianLow"), ("median_high", "medianHigh") })
        {
            var theirs = r[name]!.AsArray();
            for (var i = 0; i < rows.Count; i++)
            {
                if (theirs[i] is null) Assert.Null(rows[i]![member]);
                else Close(theirs[i]!.GetValue<double>(), rows[i]![member]!.GetValue<double>(), $"{member} of cluster {i + 1}");
            }
        }

        var page = new AngleSharp.Html.Parser.HtmlParser().ParseDocument(set["report.html"].Content);
        Assert.Equal(rows.Count, page.QuerySelectorAll("#time-to-job tbody tr").Length);
        Assert.Equal("1 (reference)", page.QuerySelector("#time-to-job tbody tr .hazard-ratio")!.TextContent);
        Assert.StartsWith("Log-rank test: χ²(", page.QuerySelector("#log-rank")!.TextContent);
        Assert.Null(JsonNode.Parse(new StudyReportBuilder().Build(ReportFixtures.PaperLikeInput())["clusters.json"].Content)!["timeToJob"]);
    }

    /// <summary>The paper-like study with a follow-up of 182 days from enrolment: a time-to-job section.</summary>
    private static ReportInput WithFollowUp(ReportInput input)
    {
        var followUp = new FollowUp(182, FollowUpOrigin.Enrolment);
        return input with
        {
            Analysis = new StudyAnalysis(FollowUp: followUp),
            TimeToJob = TimeToJob.Of(followUp, input.Dyads, input.Outcomes, new Dictionary<string, DateOnly>()),
        };
    }

    /// <summary>
    /// <paramref name="input"/> with two declared covariates (education, categorical, one level written like a formula, missing for every fifth dyad; age,
    /// numeric), days worked and tenure recorded for the rated dyads, and a dyad enrolled and withdrawn before any rating:
    /// every table of the report, the covariate tables and both hierarchical regressions.
    /// </summary>
    private static ReportInput WithCovariates(ReportInput input)
    {
        var dyads = input.Responses.Select(r => r.DyadId).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        // A level that looks like a formula: dyads.csv writes it neutralised, reproduce.R reads it back as the study spells it.
        string[] levels = ["primary", "secondary", "-tertiary"];
        var covariates = new Dictionary<string, IReadOnlyDictionary<string, CovariateValue>>(StringComparer.Ordinal);
        var days = new Dictionary<string, IReadOnlyDictionary<string, int>>(StringComparer.Ordinal);
        for (int i = 0; i < dyads.Length; i++)
        {
            var values = new Dictionary<string, CovariateValue> { ["age"] = CovariateValue.OfNumber(19 + (i * 7 % 40) + 0.5 * (i % 2)) };
            if (i % 5 != 4) values["education"] = CovariateValue.OfLevel(levels[i * 5 % 3]);
            covariates[dyads[i]] = values;
            days[dyads[i]] = new Dictionary<string, int> { [StudyInputs.DaysWorkedField] = (i * 37 + 11) % 183, [StudyInputs.TenureDaysField] = (i * 53 + 7) % 365 };
        }
        return input with
        {
            Dyads = [.. input.Dyads, new ReportDyad("d99", input.Dyads.Count > 0 ? input.Dyads[0].SiteId : "site-a", null, null, true)],
            Covariates = [new StudyCovariate("education", CovariateType.Categorical, [.. levels]), new StudyCovariate("age", CovariateType.Numeric, [], 18, 70)],
            CovariateValues = covariates,
            ContinuousOutcomes = days,
        };
    }

    /// <summary>Changes the number <paramref name="member"/> of <paramref name="node"/> by one part in a million.</summary>
    private static void Edit(JsonNode node, string member) => node[member] = node[member]!.GetValue<double>() * (1 + 1e-6);

    private static JsonNode Regression(JsonNode clusters, string outcome) =>
        clusters["outcomeRegressions"]!.AsArray().Single(g => g!["outcome"]!.GetValue<string>() == outcome)!;

    [Fact]
    public void The_methods_paragraph_names_the_flow_subscales_regressions_and_covariate_tables_only_when_the_report_has_them()
    {
        const string Flow = "the flow of dyads from enrolment to the clustering is counted step by step";
        const string Subscales = "each subscale's mean (SD) is shown per cluster and meeting";
        const string Logistic = "employment was regressed on mean alliance (each dyad's mean global score over its rated meetings) by logistic regression (R's glm, binomial), the odds ratio per scale point with its Wald 95 % CI (R's confint.default)";
        const string Hierarchical = "daysWorked and tenureDays were regressed hierarchically (R's lm) on the study's declared covariates (block 1) and then also on mean alliance (block 2), over the dyads with every value (listwise), reporting ΔR² and the F change with its p (R's anova(m1, m2))";
        const string Covariates = "the declared covariates were compared between the clusters, categorical covariates by the Fisher–Freeman–Halton exact test, numeric covariates by one-way ANOVA (F test), and the job rate per category of each categorical covariate is given with its exact (Clopper–Pearson) 95 % CI";
        var all = StudyReportAnalysis.Run(WithCovariates(PaperLikeWithGaps())).Methods;
        foreach (var clause in new[] { Flow, Subscales, Logistic, Hierarchical, Covariates }) Assert.Contains(clause, all, StringComparison.Ordinal);

        var plain = StudyReportAnalysis.Run(PaperLikeWithGaps()).Methods;
        foreach (var clause in new[] { Flow, Subscales, Logistic }) Assert.Contains(clause, plain, StringComparison.Ordinal);
        foreach (var clause in new[] { "regressed hierarchically", "declared covariates were compared", "job rate per category" }) Assert.DoesNotContain(clause, plain, StringComparison.Ordinal);

        // Two dyads: not clustered, too few for the logistic regression; no subscale table either.
        var input = PaperLikeWithGaps();
        var few = StudyReportAnalysis.Run(input with { Responses = [.. input.Responses.Where(r => r.DyadId is "d01" or "d02")] }).Methods;
        Assert.Contains(Flow, few, StringComparison.Ordinal);
        foreach (var clause in new[] { Subscales, "by logistic regression", "regressed hierarchically", "declared covariates" }) Assert.DoesNotContain(clause, few, StringComparison.Ordinal);
    }

    public static TheoryData<string> Readers => ["jsonlite", "base"];

    [Theory]
    [MemberData(nameof(Readers))]
    public void Reproduce_R_checks_itself_against_clusters_json_exits_0_when_every_number_agrees_and_1_naming_a_number_changed_in_it(string reader)
    {
        var set = new StudyReportBuilder().Build(WithCovariates(WithFollowUp(PaperLikeWithGaps())));
        var env = new Dictionary<string, string> { ["REPRODUCE_JSON_READER"] = reader };
        var clusters = JsonNode.Parse(set["clusters.json"].Content)!;
        Assert.NotNull(clusters["timeToJob"]);
        Assert.NotNull(clusters["views"]);
        Assert.NotEmpty(clusters["raterEffects"]!.AsArray());
        Assert.Equal(2, clusters["outcomeRegressions"]!.AsArray().Count(g => g!["model2"] is not null));
        Assert.NotNull(clusters["employmentOnAlliance"]!["coefficients"]);
        Assert.NotNull(clusters["covariates"]!["categorical"]![0]!["fisherP"]);
        Assert.NotNull(clusters["covariates"]!["numeric"]![0]!["anova"]);
        Assert.Equal(1, clusters["flow"]!["steps"]![1]!["left"]!.GetValue<int>());

        var (exit, output, _) = RScript.Run(set["reproduce.R"].Content, set["responses.csv"].Content, set["clusters.json"].Content, env, set["dyads.csv"].Content);
        Assert.True(exit == 0, output);
        Assert.Contains("Checked: every number recomputed here equals clusters.json within 1e-9.", output, StringComparison.Ordinal);

        foreach (var (path, edit) in new (string, Action<JsonNode>)[]
                 {
                     ("outcome.fisherP", j => j["outcome"]!["fisherP"] = j["outcome"]!["fisherP"]!.GetValue<double>() + 1e-6),
                     ("clusters[2].perMeeting[3].ciHigh", j => j["clusters"]![1]!["perMeeting"]![2]!["ciHigh"] = j["clusters"]![1]!["perMeeting"]![2]!["ciHigh"]!.GetValue<double>() * (1 + 1e-8)),
                     ("timeToJob.logRankP", j => j["timeToJob"]!["logRankP"] = 0.5),
                     ("views.icc", j => j["views"]!["icc"] = 0.1),
                     ("robustness.stability.clusters[1].meanJaccard", j => j["robustness"]!["stability"]!["clusters"]![0]!["meanJaccard"] = 0.123),
                     ("robustness.alphaByMeeting[meeting 2, practitioner, global].alpha", j => j["robustness"]!["alphaByMeeting"]!.AsArray()
                         .First(a => a!["meeting"]!.GetValue<int>() == 2 && a["role"]!.GetValue<string>() == "practitioner" && a["scale"]!.GetValue<string>() == "global")!["alpha"] = 0.5),
                     ("flow.steps[not withdrawn before a rating].dyads", j => j["flow"]!["steps"]![1]!["dyads"] = 17),
                     ("subscalesByMeeting[cluster 1, goal, meeting 2].mean", j => Edit(j["subscalesByMeeting"]!.AsArray().First(x => x!["cluster"]!.GetValue<int>() == 1 && x["subscale"]!.GetValue<string>() == "goal")!["perMeeting"]![1]!, "mean")),
                     ("employmentOnAlliance.coefficients[alliance].estimate", j => Edit(j["employmentOnAlliance"]!["coefficients"]![1]!, "estimate")),
                     ("employmentOnAlliance.coefficients[alliance].oddsRatioHigh", j => Edit(j["employmentOnAlliance"]!["coefficients"]![1]!, "oddsRatioHigh")),
                     ("outcomeRegressions[daysWorked].fChange", j => Edit(Regression(j, "daysWorked"), "fChange")),
                     ("outcomeRegressions[daysWorked].rSquaredChange", j => Edit(Regression(j, "daysWorked"), "rSquaredChange")),
                     ("outcomeRegressions[tenureDays].model2.coefficients[alliance].se", j => Edit(Regression(j, "tenureDays")["model2"]!["coefficients"]!.AsArray().Single(c => c!["name"]!.GetValue<string>() == "alliance")!, "se")),
                     ("covariates.categorical[education].fisherP", j => j["covariates"]!["categorical"]![0]!["fisherP"] = 0.5),
                     ("covariates.categorical[education].counts[4]", j => j["covariates"]!["categorical"]![0]!["counts"]![1]![0] = 7),
                     ("covariates.numeric[age].anova.f", j => Edit(j["covariates"]!["numeric"]![0]!["anova"]!, "f")),
                     ("covariates.numeric[age].perCluster[2].sd", j => Edit(j["covariates"]!["numeric"]![0]!["perCluster"]![1]!, "sd")),
                     ("covariates.jobRate[education = secondary].ciLow", j => Edit(j["covariates"]!["jobRate"]![1]!, "ciLow")),
                 })
        {
            var changed = JsonNode.Parse(set["clusters.json"].Content)!;
            edit(changed);
            var (code, text, _) = RScript.Run(set["reproduce.R"].Content, set["responses.csv"].Content, changed.ToJsonString(), env, set["dyads.csv"].Content);
            Assert.True(code == 1, $"{path}: exit {code}\n{text}");
            Assert.Contains("1 number(s) differ from clusters.json beyond 1e-9", text, StringComparison.Ordinal);
            Assert.Contains("  " + path + ": R ", text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Default_settings_from_a_study_file_give_today_s_report_set_byte_for_byte()
    {
        var input = PaperLikeWithGaps();
        var today = new StudyReportBuilder().Build(input);
        var withDefaults = new StudyReportBuilder().Build(input with { Analysis = StudyAnalysis.Default, TimeToJob = [] });
        foreach (var file in StudyReportBuilder.FileNames) Assert.Equal(today[file].Content, withDefaults[file].Content);
        Assert.Equal(today.RunProperties, withDefaults.RunProperties);
    }
}
