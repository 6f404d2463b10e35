using System.Text.Json;
using System.Text.Json.Nodes;
using AlliancePipeline.Core.Studies;
using AlliancePipeline.Functions.Reports;
using AlliancePipeline.Functions.Services;
using AngleSharp.Html.Parser;

namespace AlliancePipeline.Functions.Tests;

/// <summary>
/// The study report set from stored responses, checked against R: the paper-like reference data (18 dyads × 3
/// meetings) as the practitioners' global scores must give R's tree, k = 3, and the patterns SHA, SLA and LDA with the
/// sizes of R's <c>cutree(h, 3)</c>.
/// </summary>
public sealed class StudyReportTests
{
    private static readonly Study Study = new("paper-like", "Paper-like study", "wai-s-practitioner", ["site-a"]);
    private static readonly DateTimeOffset At = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    private static JsonNode Reference()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var path = Path.Combine(dir.FullName, "shared", "reference", "ward_paper_like_18x3.json");
            if (File.Exists(path)) return JsonNode.Parse(File.ReadAllText(path))!;
        }
        throw new DirectoryNotFoundException("shared/reference (R's outputs) is not beside any ancestor of " + AppContext.BaseDirectory);
    }

    private static StoredResponse Response(string dyad, int meeting, double global, string role = "practitioner") =>
        new(Study.Id, $"{dyad}-m{meeting}-{role}", "site-a", dyad, meeting, role, [.. Enumerable.Repeat(5, 12)], global, global, global, global, At.AddMinutes(meeting));

    private static List<StoredResponse> PaperLike(JsonNode reference)
    {
        var x = reference["X"]!.AsArray();
        var list = new List<StoredResponse>();
        for (var i = 0; i < x.Count; i++)
        {
            var row = x[i]!.AsArray();
            for (var m = 0; m < row.Count; m++) list.Add(Response($"d{i + 1:00}", m + 1, row[m]!.GetValue<double>()));
        }
        return list;
    }

    private static JsonNode Clusters(IReadOnlyList<ReportFile> files) => JsonNode.Parse(files.Single(f => f.Name == "clusters.json").Content)!;

    [Fact]
    public void The_paper_like_reference_gives_R_s_tree_k_3_and_SHA_SLA_LDA_with_R_s_cutree_sizes()
    {
        var reference = Reference();
        var files = new StudyReportBuilder().Build(Study, "run-1", PaperLike(reference), At);
        Assert.Equal(["report.html", "responses.csv", "codebook.csv", "clusters.json"], files.Select(f => f.Name));
        var clusters = Clusters(files);

        Assert.Equal("clustered", clusters["status"]!.GetValue<string>());
        var merge = clusters["merge"]!.AsArray().Select(p => p!.AsArray().Select(v => v!.GetValue<int>()).ToArray()).ToArray();
        var rMerge = reference["merge"]!.AsArray().Select(p => p!.AsArray().Select(v => v!.GetValue<int>()).ToArray()).ToArray();
        Assert.Equal(rMerge, merge);
        var heights = clusters["height"]!.AsArray().Select(v => v!.GetValue<double>()).ToArray();
        var rHeights = reference["height"]!.AsArray().Select(v => v!.GetValue<double>()).ToArray();
        Assert.Equal(rHeights.Length, heights.Length);
        for (var i = 0; i < heights.Length; i++) Assert.True(Math.Abs(heights[i] - rHeights[i]) <= 1e-9 * Math.Max(1, rHeights[i]), $"height {i}: {heights[i]} vs R {rHeights[i]}");
        Assert.Equal(reference["order"]!.AsArray().Select(v => v!.GetValue<int>()), clusters["order"]!.AsArray().Select(v => v!.GetValue<int>()));

        Assert.Equal(3, clusters["k"]!.GetValue<int>());
        var rCut3 = reference["cutree_k2_to_k6"]!.AsArray()[1]!.AsArray().Select(v => v!.GetValue<int>()).ToArray();
        var expectedSizes = rCut3.GroupBy(c => c).ToDictionary(g => g.Key, g => g.Count());
        var named = clusters["clusters"]!.AsArray().ToDictionary(c => c!["cluster"]!.GetValue<int>(), c => (Pattern: c!["pattern"]!.GetValue<string>(), N: c["n"]!.GetValue<int>()));
        Assert.Equal(["LDA", "SHA", "SLA"], named.Values.Select(v => v.Pattern).Order(StringComparer.Ordinal));
        foreach (var (cluster, size) in expectedSizes) Assert.Equal(size, named[cluster].N);
        var assignments = clusters["assignments"]!.AsObject();
        for (var i = 0; i < rCut3.Length; i++) Assert.Equal(rCut3[i], assignments[$"d{i + 1:00}"]!.GetValue<int>());
        Assert.False(string.IsNullOrWhiteSpace(clusters["kReason"]!.GetValue<string>()));

        // Kept beside the test output for a look in a browser.
        var artifacts = Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "artifacts", "reports"));
        File.WriteAllText(Path.Combine(artifacts.FullName, "paper-like-report.html"), files[0].Content);
        var page = new HtmlParser().ParseDocument(files[0].Content);
        Assert.Equal(3, page.QuerySelectorAll("#descriptives tbody tr").Length);
        Assert.Equal(3, page.QuerySelectorAll("svg polyline").Length);
        Assert.NotNull(page.QuerySelector("#k-selection tr.chosen"));
        Assert.Equal("3", page.QuerySelector("#k-selection tr.chosen th")!.TextContent);
        Assert.Contains(clusters["kReason"]!.GetValue<string>(), page.QuerySelector("#status")!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void Dyads_missing_a_meeting_are_counted_listed_and_not_clustered()
    {
        var responses = PaperLike(Reference());
        responses.RemoveAll(r => (r.DyadId == "d04" || r.DyadId == "d11") && r.Meeting == 3);
        var files = new StudyReportBuilder().Build(Study, "run-2", responses, At);
        var clusters = Clusters(files);
        Assert.Equal(["d04", "d11"], clusters["dyads"]!["incomplete"]!.AsArray().Select(v => v!.GetValue<string>()));
        Assert.Equal(16, clusters["dyads"]!["clustered"]!.GetValue<int>());
        Assert.Equal([0, 0, 2], clusters["missingByMeeting"]!.AsArray().Select(v => v!.GetValue<int>()));
        Assert.Equal(15, clusters["merge"]!.AsArray().Count);
        Assert.DoesNotContain("d04", clusters["assignments"]!.AsObject().Select(p => p.Key));
        Assert.Contains("d04, d11", new HtmlParser().ParseDocument(files[0].Content).QuerySelector("#incomplete")!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void Too_few_complete_dyads_give_a_report_that_says_so_instead_of_failing()
    {
        var responses = new[] { Response("d01", 1, 6), Response("d01", 2, 6), Response("d02", 1, 5), Response("d02", 2, 5), Response("d03", 1, 4) };
        var files = new StudyReportBuilder().Build(Study, "run-3", responses, At);
        var clusters = Clusters(files);
        Assert.Equal("insufficient-data", clusters["status"]!.GetValue<string>());
        Assert.Equal("Clustering needs at least 4 dyads rated at every meeting; 2 of 3 are complete so far.", clusters["message"]!.GetValue<string>());
        Assert.Null(clusters["merge"]);
        var page = new HtmlParser().ParseDocument(files[0].Content);
        Assert.Equal(clusters["message"]!.GetValue<string>(), page.QuerySelector("#status")!.TextContent);
        Assert.Equal("5", page.QuerySelector("#response-count")!.TextContent);
    }

    [Fact]
    public void Another_rater_role_is_used_when_the_study_has_no_practitioner_ratings()
    {
        var responses = PaperLike(Reference()).Select(r => r with { RaterRole = "client" }).ToList();
        var clusters = Clusters(new StudyReportBuilder().Build(Study, "run-4", responses, At));
        Assert.Equal("client", clusters["raterRole"]!.GetValue<string>());
        Assert.Equal(3, clusters["k"]!.GetValue<int>());
    }

    [Fact]
    public void The_responses_table_is_long_format_with_the_design_s_columns_and_quotes_what_needs_it()
    {
        var response = Response("d01", 1, 64.0 / 12) with { SiteId = "site \"north\", A" };
        var csv = ResponseTables.ResponsesCsv([Response("d02", 1, 5), response]).Split("\r\n");
        Assert.Equal(string.Join(',', ResponseTables.Columns), csv[0]);
        Assert.StartsWith("paper-like,d01-m1-practitioner,\"site \"\"north\"\", A\",d01,1,practitioner,5,5,5,5,5,5,5,5,5,5,5,5,5.333333333333333,", csv[1], StringComparison.Ordinal);
        Assert.EndsWith(",2026-11-23T12:01:00Z", csv[1], StringComparison.Ordinal);
        Assert.StartsWith("paper-like,d02-m1", csv[2], StringComparison.Ordinal);
        Assert.Equal("", csv[^1]);
        var codebook = ResponseTables.CodebookCsv().Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(l => l.Split(',')[0]);
        Assert.Equal(ResponseTables.Columns, codebook);
    }
}
