using System.Globalization;
using System.Text.Json.Nodes;
using AlliancePipeline.Analytics.Reports;
using AlliancePipeline.Core.Studies;
using AlliancePipeline.Functions.Reports;

namespace AlliancePipeline.Functions.Tests.Reports;

/// <summary>
/// The seed papers' further tables in the report set (flow of dyads, dendrogram, subscales per meeting by cluster,
/// employment on mean alliance), the numbers recomputed by R from the set's own responses.csv.
/// </summary>
public class SeedPaperTablesTests
{
    private static void Close(double expected, double actual, string what, double tolerance = 1e-9) =>
        Assert.True(Math.Abs(expected - actual) <= tolerance * Math.Max(1, Math.Abs(expected)), $"{what}: report {actual} vs R {expected}");

    /// <summary>
    /// R from responses.csv alone: the practitioner's global score, the later submission of a meeting kept, meetings 1..T;
    /// each dyad's mean over its rated meetings; glm(employed ~ alliance, binomial) with confint.default; and per cluster,
    /// meeting and subscale the mean, SD and n of the scores (args: responses.csv, T, output JSON).
    /// </summary>
    private const string Script = """
        args <- commandArgs(TRUE)
        d <- read.csv(args[1], stringsAsFactors = FALSE)
        d <- d[d$RaterRole == "practitioner" & d$Meeting <= 3, ]
        d <- d[order(d$DyadId, d$Meeting, d$SubmittedAt), ]
        d <- d[!duplicated(d[, c("DyadId", "Meeting")], fromLast = TRUE), ]
        alliance <- tapply(d$Global, d$DyadId, mean)
        employed <- tapply(d$Employed, d$DyadId, function(x) x[1])
        keep <- !is.na(employed)
        m <- data.frame(alliance = as.numeric(alliance[keep]), employed = as.numeric(employed[keep]))
        fit <- glm(employed ~ alliance, family = binomial, data = m)
        s <- summary(fit)$coefficients
        ci <- confint.default(fit)
        num <- function(x) paste0("[", paste(ifelse(is.na(x), "null", sprintf("%.17g", x)), collapse = ","), "]")
        c <- d[!is.na(d$Cluster), ]
        sub <- character(0)
        for (k in sort(unique(c$Cluster))) for (col in c("Goal", "Task", "Bond")) for (mt in 1:3) {
          x <- c[c$Cluster == k & c$Meeting == mt, col]
          sub <- c(sub, sprintf("{\"cluster\": %d, \"subscale\": \"%s\", \"meeting\": %d, \"n\": %d, \"mean\": %.17g, \"sd\": %.17g}", k, tolower(col), mt, length(x), mean(x), sd(x)))
        }
        cat(file = args[2], sep = "", "{\"n\": ", nrow(m), ", \"estimate\": ", num(s[, 1]), ", \"se\": ", num(s[, 2]), ", \"z\": ", num(s[, 3]),
            ", \"p\": ", num(s[, 4]), ", \"or_low\": ", num(exp(ci[, 1])), ", \"or_high\": ", num(exp(ci[, 2])),
            ", \"deviance\": ", sprintf("%.17g", deviance(fit)), ", \"subscales\": [", paste(sub, collapse = ","), "]}\n")
        """;

    [Fact]
    public void Employment_on_mean_alliance_and_subscales_per_meeting_equal_R_from_responses_csv()
    {
        var input = ReportFixtures.PaperLikeInput();
        var set = new StudyReportBuilder().Build(input);
        var ours = JsonNode.Parse(set["clusters.json"].Content)!;
        var r = RScript.RunReproduce(Script, set["responses.csv"].Content);

        var e = ours["employmentOnAlliance"]!;
        Assert.Equal(r["n"]!.GetValue<int>(), e["dyads"]!.GetValue<int>());
        var coefficients = e["coefficients"]!.AsArray();
        Assert.Equal(["(Intercept)", "alliance"], coefficients.Select(c => c!["name"]!.GetValue<string>()));
        foreach (var (theirs, mine) in new[] { ("estimate", "estimate"), ("se", "se"), ("z", "z"), ("p", "p"), ("or_low", "oddsRatioLow"), ("or_high", "oddsRatioHigh") })
            for (int j = 0; j < 2; j++)
                Close(r[theirs]![j]!.GetValue<double>(), coefficients[j]![mine]!.GetValue<double>(), $"{coefficients[j]!["name"]} {mine}");
        Close(r["deviance"]!.GetValue<double>(), e["deviance"]!.GetValue<double>(), "deviance");
        Assert.Null(e["separation"]);

        var subscales = ours["subscalesByMeeting"]!.AsArray();
        var expected = r["subscales"]!.AsArray();
        Assert.Equal(expected.Count, subscales.Sum(s => s!["perMeeting"]!.AsArray().Count));
        foreach (var x in expected)
        {
            var row = subscales.Single(s => s!["cluster"]!.GetValue<int>() == x!["cluster"]!.GetValue<int>() && s["subscale"]!.GetValue<string>() == x["subscale"]!.GetValue<string>())!;
            var m = row["perMeeting"]![x!["meeting"]!.GetValue<int>() - 1]!;
            string at = $"cluster {x["cluster"]} {x["subscale"]} meeting {x["meeting"]}";
            Assert.Equal(x["n"]!.GetValue<int>(), m["n"]!.GetValue<int>());
            Close(x["mean"]!.GetValue<double>(), m["mean"]!.GetValue<double>(), at + " mean");
            Close(x["sd"]!.GetValue<double>(), m["sd"]!.GetValue<double>(), at + " SD");
        }

        var page = new AngleSharp.Html.Parser.HtmlParser().ParseDocument(set["report.html"].Content);
        Assert.StartsWith("Employment on mean alliance (logistic regression", page.QuerySelector("#employment-alliance")!.TextContent);
        Assert.NotNull(page.QuerySelector("#employment-odds-ratio"));
        Assert.Equal(subscales.Count, page.QuerySelectorAll("#subscales-by-meeting tbody tr").Length);
    }

    [Fact]
    public void The_hierarchical_regression_of_days_worked_on_covariates_then_mean_alliance_equals_R_lm_and_anova()
    {
        var input = ReportFixtures.PaperLikeInput();
        var dyads = input.Responses.Select(r => r.DyadId).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        string[] levels = ["primary", "secondary", "tertiary"];
        var covariates = new Dictionary<string, IReadOnlyDictionary<string, CovariateValue>>(StringComparer.Ordinal);
        var days = new Dictionary<string, IReadOnlyDictionary<string, int>>(StringComparer.Ordinal);
        for (int i = 0; i < dyads.Length; i++)
        {
            // Every fifth dyad lacks its education: listwise deletion, as R's lm drops rows with NA.
            var values = new Dictionary<string, CovariateValue> { ["age"] = CovariateValue.OfNumber(19 + (i * 7 % 40)) };
            if (i % 5 != 4) values["education"] = CovariateValue.OfLevel(levels[i * 5 % 3]);
            covariates[dyads[i]] = values;
            days[dyads[i]] = new Dictionary<string, int> { [StudyInputs.DaysWorkedField] = (i * 37 + 11) % 183 };
        }
        input = input with
        {
            Covariates = [new StudyCovariate("education", CovariateType.Categorical, [.. levels]), new StudyCovariate("age", CovariateType.Numeric, [], 18, 70)],
            CovariateValues = covariates,
            ContinuousOutcomes = days,
        };
        var set = new StudyReportBuilder().Build(input);
        var g = JsonNode.Parse(set["clusters.json"].Content)!["outcomeRegressions"]!.AsArray().Single()!;
        Assert.Equal(StudyInputs.DaysWorkedField, g["outcome"]!.GetValue<string>());

        var data = string.Join(",\n", dyads.Select(id => string.Create(CultureInfo.InvariantCulture,
            $"data.frame(DyadId = \"{id}\", age = {covariates[id]["age"].Number}, education = {(covariates[id].TryGetValue("education", out var e) ? "\"" + e.Level + "\"" : "NA")}, daysWorked = {days[id][StudyInputs.DaysWorkedField]})")));
        var script = $$"""
            args <- commandArgs(TRUE)
            d <- read.csv(args[1], stringsAsFactors = FALSE)
            d <- d[d$RaterRole == "practitioner" & d$Meeting <= 3, ]
            d <- d[order(d$DyadId, d$Meeting, d$SubmittedAt), ]
            d <- d[!duplicated(d[, c("DyadId", "Meeting")], fromLast = TRUE), ]
            alliance <- tapply(d$Global, d$DyadId, mean)
            cv <- do.call(rbind, list({{data}}))
            cv$education <- factor(cv$education, levels = c("primary", "secondary", "tertiary"))
            cv$alliance <- as.numeric(alliance[cv$DyadId])
            m <- na.omit(cv[, c("daysWorked", "education", "age", "alliance")])
            m1 <- lm(daysWorked ~ education + age, data = m); m2 <- lm(daysWorked ~ education + age + alliance, data = m)
            a <- anova(m1, m2); s2 <- summary(m2)$coefficients
            num <- function(x) paste0("[", paste(ifelse(is.na(x), "null", sprintf("%.17g", x)), collapse = ","), "]")
            cat(file = args[2], sep = "", "{\"n\": ", nrow(m), ", \"r2_1\": ", sprintf("%.17g", summary(m1)$r.squared), ", \"r2_2\": ", sprintf("%.17g", summary(m2)$r.squared),
                ", \"f\": ", sprintf("%.17g", a$F[2]), ", \"df\": ", a$Df[2], ", \"dfres\": ", a$Res.Df[2], ", \"p\": ", sprintf("%.17g", a$`Pr(>F)`[2]),
                ", \"estimate\": ", num(s2[, 1]), ", \"se\": ", num(s2[, 2]), "}\n")
            """;
        var r = RScript.RunReproduce(script, set["responses.csv"].Content);

        Assert.Equal(r["n"]!.GetValue<int>(), g["dyads"]!.GetValue<int>());
        Assert.True(g["missingCovariate"]!.GetValue<int>() > 0);
        Close(r["r2_1"]!.GetValue<double>(), g["model1"]!["rSquared"]!.GetValue<double>(), "R² of block 1");
        Close(r["r2_2"]!.GetValue<double>(), g["model2"]!["rSquared"]!.GetValue<double>(), "R² of block 2");
        Close(r["f"]!.GetValue<double>(), g["fChange"]!.GetValue<double>(), "F change");
        Assert.Equal(r["df"]!.GetValue<int>(), g["dfChange"]!.GetValue<int>());
        Assert.Equal(r["dfres"]!.GetValue<int>(), g["dfResidual"]!.GetValue<int>());
        Close(r["p"]!.GetValue<double>(), g["pChange"]!.GetValue<double>(), "p of the change");
        var coefficients = g["model2"]!["coefficients"]!.AsArray();
        Assert.Equal(["(Intercept)", "educationsecondary", "educationtertiary", "age", "alliance"], coefficients.Select(c => c!["name"]!.GetValue<string>()));
        for (int j = 0; j < coefficients.Count; j++)
        {
            Close(r["estimate"]![j]!.GetValue<double>(), coefficients[j]!["estimate"]!.GetValue<double>(), $"{coefficients[j]!["name"]} estimate");
            Close(r["se"]![j]!.GetValue<double>(), coefficients[j]!["se"]!.GetValue<double>(), $"{coefficients[j]!["name"]} SE");
        }

        var page = new AngleSharp.Html.Parser.HtmlParser().ParseDocument(set["report.html"].Content);
        var row = page.QuerySelector("#outcome-regressions tbody tr")!;
        Assert.Equal("Days of paid work", row.QuerySelector("th")!.TextContent);
        Assert.Contains("ΔR² = ", row.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void The_flow_counts_every_dyad_once_and_says_why_each_leaves()
    {
        var input = ReportFixtures.PaperLikeInput();
        var withdrawn = input.Dyads[0].Id;
        input = input with
        {
            Dyads = [.. input.Dyads.Select(d => d.Id == withdrawn ? d with { Withdrawn = true } : d),
                new ReportDyad("zz-never-rated", input.Dyads[0].SiteId, null, ReportFixtures.Enrolled, true),
                new ReportDyad("zz-waiting", input.Dyads[0].SiteId, null, ReportFixtures.Enrolled, false)],
        };
        var report = StudyReportAnalysis.Run(input);
        var steps = report.Tables!.Flow.Steps;
        Assert.Equal(["enrolled", "not withdrawn before a rating", "rated at least once", "rated at every meeting 1–3", "clustered"], steps.Select(s => s.Step));
        Assert.Equal(report.Trajectories.Count + 2, steps[0].Dyads);
        Assert.Equal(1, steps[1].Left);
        Assert.Equal(1, steps[2].Left);
        Assert.Equal(report.Trajectories.Count(t => !t.Complete), steps[3].Left);
        Assert.Equal(report.Result!.ClusteredDyadIds.Count, steps[4].Dyads);
        for (int i = 1; i < steps.Count; i++) Assert.Equal(steps[i - 1].Dyads - steps[i].Left, steps[i].Dyads);
        Assert.Equal("1 withdrawn dyad was rated before withdrawing; its ratings are analysed with the others.", report.Tables.Flow.Note);

        var page = new AngleSharp.Html.Parser.HtmlParser().ParseDocument(ReportHtml.Render(report));
        Assert.Equal(5, page.QuerySelectorAll("#dyad-flow tbody tr").Length);
        Assert.Contains("withdrawn before any practitioner rating", page.QuerySelector("#dyad-flow")!.TextContent);
        var json = JsonNode.Parse(ClustersDocument.Write(report))!;
        Assert.Equal(steps.Select(s => s.Dyads), json["flow"]!["steps"]!.AsArray().Select(s => s!["dyads"]!.GetValue<int>()));
    }

    [Fact]
    public void The_dendrogram_puts_the_leaves_in_R_s_order_and_marks_the_cut_at_k()
    {
        var report = StudyReportAnalysis.Run(ReportFixtures.PaperLikeInput());
        var result = report.Result!;
        var page = new AngleSharp.Html.Parser.HtmlParser().ParseDocument(ReportHtml.Render(report));
        var svg = page.QuerySelector("#dendrogram-figure svg")!;
        var leaves = svg.QuerySelectorAll(".leaves text").Select(t => t.TextContent).ToArray();
        Assert.Equal(result.Dendrogram.Order.Select(o => result.ClusteredDyadIds[o - 1]), leaves.OrderBy(l => LeafX(svg, l)));
        Assert.Equal($"cut at k = {result.Selection.K}", svg.QuerySelector(".cut text")!.TextContent);
        Assert.Equal(result.ClusteredDyadIds.Count - 1, svg.QuerySelectorAll(".branches path").Length);
        // One colour per cluster below the cut, grey above it.
        Assert.Equal(result.Selection.K, svg.QuerySelectorAll(".branches path").Select(p => p.GetAttribute("stroke")).Where(s => s != "#7f7f7f").Distinct().Count());
    }

    private static double LeafX(AngleSharp.Dom.IElement svg, string id)
    {
        var transform = svg.QuerySelectorAll(".leaves text").First(t => t.TextContent == id).GetAttribute("transform")!;
        return double.Parse(transform["translate(".Length..transform.IndexOf(' ')], System.Globalization.CultureInfo.InvariantCulture);
    }
}
