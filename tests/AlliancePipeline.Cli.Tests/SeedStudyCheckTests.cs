using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using AlliancePipeline.Contracts.Storage;
using AlliancePipeline.Core.Access;
using AlliancePipeline.Core.Instruments;
using AlliancePipeline.Functions.Tests.Infrastructure;
using AlliancePipeline.Functions.Tests.Reports;

namespace AlliancePipeline.Cli.Tests;

/// <summary>
/// Issue 18's check of the seed study, end to end through <c>alliance</c> against the app's HTTP functions on Azurite: a
/// study file of 18 dyads, 3 meetings, <c>analysis: { clusters: { rule: absolute }, followUp: { days: 182 } }</c>; the 54
/// practitioner ratings of <c>RData/ward_paper_spread_18x3.json</c> (the published shares and SDs) imported as the app's
/// own CSV export with answers whose WAI-S mean is each score exactly; the paper's outcomes by CSV; <c>alliance
/// recluster</c>. The report set's <c>clusters.json</c> and <c>report.html</c> give the paper's three patterns (SHA 5, SLA
/// 10, LDA 3), employment 4/5, 7/10, 1/3 and the numbers R computes on the same data (<c>RData/make_seed_study_reference.R</c>
/// → <c>seed_study_18.json</c>: <c>fisher.test</c>, Cramér's V, <c>binom.test</c>, <c>survival::survdiff</c>); the set's
/// <c>reproduce.R</c> exits 0, and 1 naming the number once one is changed. (<c>alliance cluster --rule absolute</c> on
/// the same data: <c>ClusterCommandTests</c>; the script on a built set: <c>ReproduceScriptTests</c>.)
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class SeedStudyCheckTests(AzuriteFixture azurite)
{
    private static readonly DateOnly Enrolled = new(2025, 1, 6);
    private static readonly int[] MeetingDays = [0, 28, 56];

    private static Task<(int Exit, string Output, string Error)> RunAsync(params string[] args) => AppCommandTests.RunAsync(args);

    private static string RData(string file) => ClusterCommandTests.AnalyticsRData(file);

    private static string Id(int n) => string.Create(CultureInfo.InvariantCulture, $"d-{n:000}");

    /// <summary>The study file: 18 dyads enrolled on one day, six practitioners, practitioner ratings only.</summary>
    private static string StudyFile(string study)
    {
        var y = new StringBuilder();
        y.Append(CultureInfo.InvariantCulture, $"id: {study}\nname: The seed study (18 dyads)\ninstruments: {{ practitioner: wai-s-practitioner }}\nmeetings:\n");
        for (var m = 0; m < 3; m++) y.Append(CultureInfo.InvariantCulture, $"  - {{ number: {m + 1}, expectedDay: {MeetingDays[m]}, windowDays: 7 }}\n");
        y.Append("arms:\n  - { id: ips, name: Individual placement and support }\n");
        y.Append("sites:\n  - { id: site-a, name: Site A, coordinators: [ { email: coordinator@seed.example.org, language: en } ] }\nraters:\n");
        for (var p = 1; p <= 6; p++) y.Append(CultureInfo.InvariantCulture, $"  - {{ id: p-{p:00}, role: practitioner, site: site-a, email: p-{p:00}@seed.example.org, language: en }}\n");
        y.Append("dyads:\n");
        for (var n = 1; n <= 18; n++) y.Append(CultureInfo.InvariantCulture, $"  - {{ id: {Id(n)}, practitioner: p-{(n - 1) / 3 + 1:00}, site: site-a, arm: ips, enrolled: {Enrolled:yyyy-MM-dd} }}\n");
        y.Append("reminders: { firstAfterDays: 3, everyDays: 4, maxCount: 2 }\n");
        y.Append("analysis:\n  clusters: { rule: absolute }\n  followUp: { days: 182, from: enrolment }\n");
        return y.ToString();
    }

    /// <summary>
    /// Answers to the practitioner's 12 items whose scored mean is <paramref name="score"/> (a multiple of 1/12): the sum
    /// spread evenly over the items, then each reverse-scored item answered as min + max − its scored value.
    /// </summary>
    private static int[] Answers(InstrumentDefinition form, double score)
    {
        var sum = (int)Math.Round(score * form.Items.Length);
        Assert.Equal(score * form.Items.Length, sum, 1e-9);
        var items = form.Items.OrderBy(i => i.Number).ToArray();
        return [.. items.Select((item, i) =>
        {
            var scored = (sum / items.Length) + (i < sum % items.Length ? 1 : 0);
            return item.Reverse ? form.Scale.Reverse(scored) : scored;
        })];
    }

    [Fact]
    public async Task The_seed_study_imported_from_CSV_gives_the_paper_s_table_and_R_s_numbers_and_its_reproduce_R_checks_them()
    {
        // The scores: RData/ward_paper_spread_18x3.json (make_k_rule_reference.R); the outcomes and R's numbers on them:
        // RData/seed_study_18.json (make_seed_study_reference.R).
        var spread = JsonNode.Parse(await File.ReadAllTextAsync(RData("ward_paper_spread_18x3.json")))!;
        var x = spread["X"]!.AsArray().Select(r => r!.AsArray().Select(v => v!.GetValue<double>()).ToArray()).ToArray();
        var r = JsonNode.Parse(await File.ReadAllTextAsync(RData("seed_study_18.json")))!;
        int[] Ints(string name) => [.. r[name]!.AsArray().Select(v => v!.GetValue<int>())];
        double[] Doubles(string name) => [.. r[name]!.AsArray().Select(v => v!.GetValue<double>())];
        var (rCluster, employed, days) = (Ints("cluster"), Ints("employed"), Ints("days"));
        Assert.Equal((18, 18), (x.Length, rCluster.Length));

        await using var app = await TestApp.StartAsync(azurite);
        var study = AzuriteFixture.UniqueName("seed18");
        string[] admin = ["--url", app.Client.BaseAddress!.ToString(), "--key", await app.KeyAsync(AccessScope.Admin)];
        var folder = Directory.CreateTempSubdirectory("seed18").FullName;
        var studyFile = Path.Combine(folder, "study.yaml");
        await File.WriteAllTextAsync(studyFile, StudyFile(study));
        var (exit, output, error) = await RunAsync(["study", "apply", studyFile, .. admin]);
        Assert.True(exit == 0, error + output);

        // The 54 ratings as the app's own export writes them (responses.csv, export --format csv); the scores are read
        // again from the answers, the ids from the study.
        var form = InstrumentCatalog.Shipped.Get("wai-s-practitioner");
        var csv = new StringBuilder("StudyId,AssessmentId,SiteId,DyadId,ArmId,Meeting,RaterRole,RaterId,"
            + string.Join(",", Enumerable.Range(1, 12).Select(i => $"Item{i:00}")) + ",Goal,Task,Bond,Global,SubmittedAt,Provenance,Cluster,ClusterLabel,Employed,JobDate,DaysToJob\n");
        for (var n = 1; n <= 18; n++)
        {
            for (var m = 0; m < 3; m++)
            {
                var answers = Answers(form, x[n - 1][m]);
                var day = Enrolled.AddDays(MeetingDays[m]);
                csv.Append(CultureInfo.InvariantCulture,
                    $"other-study,{Id(n)}-m{m + 1}-practitioner,site-a,{Id(n)},ips,{m + 1},practitioner,p-{(n - 1) / 3 + 1:00},{string.Join(",", answers)},,,,{x[n - 1][m].ToString("R", CultureInfo.InvariantCulture)},{day:yyyy-MM-dd}T15:00:00Z,rater-link,,,,,\n");
            }
        }
        var responses = Path.Combine(folder, "responses.csv");
        await File.WriteAllTextAsync(responses, csv.ToString());
        (exit, output, error) = await RunAsync(["responses", "import", "--study", study, responses, .. admin]);
        Assert.True(exit == 0, error);
        Assert.StartsWith("54 response(s) stored and scored as imported", output.Trim(), StringComparison.Ordinal);

        // The outcomes, recorded at a follow-up interview after the 182 days: a job's start within them, or none (censored at 182).
        var outcomes = new StringBuilder("dyad,employed,date,recorded\n");
        var interview = Enrolled.AddDays(r["followUpDays"]!.GetValue<int>() + 8);
        for (var n = 1; n <= 18; n++)
            outcomes.Append(CultureInfo.InvariantCulture, $"{Id(n)},{(employed[n - 1] == 1 ? "yes" : "no")},{(employed[n - 1] == 1 ? Enrolled.AddDays(days[n - 1]).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : "")},{interview:yyyy-MM-dd}\n");
        var outcomesFile = Path.Combine(folder, "outcomes.csv");
        await File.WriteAllTextAsync(outcomesFile, outcomes.ToString());
        (exit, output, error) = await RunAsync(["outcomes", "import", "--study", study, outcomesFile, .. admin]);
        Assert.True(exit == 0, error + output);

        (exit, output, error) = await RunAsync(["recluster", "--study", study, .. admin]);
        Assert.True(exit == 0, error);
        Assert.True(output.Contains("Clusters (dyads): SHA 5, SLA 10, LDA 3.", StringComparison.Ordinal), output);

        var set = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in new[] { "clusters.json", "report.html", "responses.csv", "dyads.csv", "reproduce.R" })
            set[file] = (await azurite.Blobs.GetBlobContainerClient(StorageNames.ReportsContainer).GetBlobClient($"{study}/latest/{file}").DownloadContentAsync()).Value.Content.ToString();
        var clusters = JsonNode.Parse(set["clusters.json"])!;

        // The scores are the data set's, to the last bit: the answers' mean is each score exactly.
        var lines = set["responses.csv"].Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(',')).ToArray();
        int Column(string name) => Array.IndexOf(lines[0], name);
        Assert.Equal(54, lines.Length - 1);
        foreach (var line in lines[1..])
        {
            var (n, m) = (int.Parse(line[Column("DyadId")][2..], CultureInfo.InvariantCulture), int.Parse(line[Column("Meeting")], CultureInfo.InvariantCulture));
            Assert.Equal(x[n - 1][m - 1], double.Parse(line[Column("Global")], CultureInfo.InvariantCulture));
            Assert.Equal("imported", line[Column("Provenance")]);
        }
        var ids = clusters["ids"]!.AsArray().Select(v => v!.GetValue<string>()).ToArray();
        Assert.Equal(Enumerable.Range(1, 18).Select(Id), ids);
        Assert.Equal((3, "CoefficientIncrease"), (clusters["k"]!.GetValue<int>(), clusters["kRule"]!.GetValue<string>()));

        // Three clusters, the paper's patterns, R's cutree at 3: the same partition (numbers aside).
        var ours = ids.Select(id => clusters["assignments"]![id]!.GetValue<int>()).ToArray();
        Assert.Equal((3, 3), (ours.Distinct().Count(), ours.Zip(rCluster).Distinct().Count()));
        var rows = clusters["outcome"]!["rows"]!.AsArray().Select(o => o!).ToArray();
        Assert.Equal([("SHA", 5, 5, 4), ("SLA", 10, 10, 7), ("LDA", 3, 3, 1)],
            rows.Select(o => (o["label"]!.GetValue<string>(), o["dyads"]!.GetValue<int>(), o["withOutcome"]!.GetValue<int>(), o["employed"]!.GetValue<int>())));
        Assert.Equal(Ints("sizes"), rows.Select(o => o["dyads"]!.GetValue<int>()));
        Assert.Equal(Ints("employedByCluster"), rows.Select(o => o["employed"]!.GetValue<int>()));

        // Fisher's exact p (the paper's 0.523), Cramér's V (0.329), each pattern's Clopper–Pearson interval: R's.
        var outcome = clusters["outcome"]!;
        Assert.True(outcome["fisherExact"]!.GetValue<bool>());
        Close(r["fisherP"]!.GetValue<double>(), outcome["fisherP"]!.GetValue<double>(), "Fisher p");
        Assert.Equal(0.523, Math.Round(outcome["fisherP"]!.GetValue<double>(), 3));
        Close(r["cramersV"]!.GetValue<double>(), outcome["cramersV"]!.GetValue<double>(), "Cramér's V");
        Assert.Equal(0.329, Math.Round(outcome["cramersV"]!.GetValue<double>(), 3));
        var (low, high) = (Doubles("ciLow"), Doubles("ciHigh"));
        for (var c = 0; c < 3; c++)
        {
            Close(low[c], rows[c]["employedCiLow"]!.GetValue<double>(), $"{rows[c]["label"]} CI low");
            Close(high[c], rows[c]["employedCiHigh"]!.GetValue<double>(), $"{rows[c]["label"]} CI high");
        }

        // Time to job over the 182 days: survdiff's log-rank on the same days and censoring.
        var time = clusters["timeToJob"]!;
        Assert.Equal([(5, 4), (10, 7), (3, 1)], time["rows"]!.AsArray().Select(t => (t!["dyads"]!.GetValue<int>(), t["events"]!.GetValue<int>())));
        Close(r["logRankChiSquare"]!.GetValue<double>(), time["logRankChiSquare"]!.GetValue<double>(), "log-rank chi-square");
        Assert.Equal(r["logRankDf"]!.GetValue<int>(), time["logRankDf"]!.GetValue<int>());
        Close(r["logRankP"]!.GetValue<double>(), time["logRankP"]!.GetValue<double>(), "log-rank p");

        // The page says the same, to its decimals: each pattern's row of the outcome table, the test, the log-rank.
        var html = set["report.html"];
        string F(double v, string format) => v.ToString(format, CultureInfo.InvariantCulture);
        for (var c = 0; c < 3; c++)
        {
            var (label, n, jobs) = (rows[c]["label"]!.GetValue<string>(), Ints("sizes")[c], Ints("employedByCluster")[c]);
            Assert.Contains($"<tr><th scope=\"row\">{label}</th><td>{n}</td><td>{n}</td><td>{jobs} ({F(100.0 * jobs / n, "0")} %)</td>"
                + $"<td class=\"employed-ci\">{F(100 * low[c], "0")} to {F(100 * high[c], "0")} %</td>", html, StringComparison.Ordinal);
        }
        Assert.Contains($"<span id=\"fisher-method\">exact p</span> = <span id=\"fisher-p\">{F(r["fisherP"]!.GetValue<double>(), "0.000")}</span>", html, StringComparison.Ordinal);
        Assert.Contains($"Cramér's V = <span id=\"cramers-v\">{F(r["cramersV"]!.GetValue<double>(), "0.000")}</span>", html, StringComparison.Ordinal);
        Assert.Contains($"<p id=\"log-rank\">Log-rank test: χ²(2) = {F(r["logRankChiSquare"]!.GetValue<double>(), "0.00")}, p = {F(r["logRankP"]!.GetValue<double>(), "0.000")}.</p>",
            html, StringComparison.Ordinal);

        // The set's reproduce.R recomputes every number from responses.csv and checks clusters.json: exit 0; with the
        // Fisher p changed, exit 1 naming it.
        var (code, text, _) = RScript.Run(set["reproduce.R"], set["responses.csv"], set["clusters.json"], dyadsCsv: set["dyads.csv"]);
        Assert.True(code == 0, text);
        Assert.Contains("Checked: every number recomputed here equals clusters.json within 1e-9.", text, StringComparison.Ordinal);
        var changed = JsonNode.Parse(set["clusters.json"])!;
        changed["outcome"]!["fisherP"] = 0.5243;
        (code, text, _) = RScript.Run(set["reproduce.R"], set["responses.csv"], changed.ToJsonString(), dyadsCsv: set["dyads.csv"]);
        Assert.True(code == 1, text);
        Assert.Contains("1 number(s) differ from clusters.json beyond 1e-9", text, StringComparison.Ordinal);
        Assert.Contains("  outcome.fisherP: R ", text, StringComparison.Ordinal);
    }

    private static void Close(double expected, double actual, string what, double tolerance = 1e-9) =>
        Assert.True(Math.Abs(expected - actual) <= tolerance * Math.Max(1, Math.Abs(expected)), $"{what}: R {expected:R}, ours {actual:R}");
}
