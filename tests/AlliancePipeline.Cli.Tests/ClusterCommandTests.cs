using System.Globalization;
using System.Text.Json;
using AlliancePipeline.Cli.Commands;

namespace AlliancePipeline.Cli.Tests;

/// <summary><c>alliance cluster</c> run in-process against R's reference for the paper-like data.</summary>
public sealed class ClusterCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("alliance-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>The repository's copy of R's reference outputs (<c>tests/reference/shared</c>).</summary>
    private static string SharedReference()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "reference", "shared");
            if (Directory.Exists(candidate)) return candidate;
        }
        throw new DirectoryNotFoundException($"R reference outputs not found: no tests/reference/shared above {AppContext.BaseDirectory}.");
    }

    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = AllianceCli.RunAsync(args, output, error).GetAwaiter().GetResult();
        return (code, output.ToString(), error.ToString());
    }

    private string Csv(string name, string content)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllText(path, content);
        return path;
    }

    /// <summary>The X of an R reference file as the command's CSV (dyads D01, D02, …).</summary>
    private string ReferenceCsv(string name, JsonElement reference)
    {
        var x = reference.GetProperty("X").EnumerateArray().Select(row => row.EnumerateArray().Select(v => v.GetDouble()).ToArray()).ToArray();
        var lines = new List<string> { "dyad,meeting1,meeting2,meeting3" };
        lines.AddRange(x.Select((row, i) => $"D{i + 1:00}," + string.Join(",", row.Select(v => v.ToString("R", CultureInfo.InvariantCulture)))));
        return Csv(name, string.Join("\n", lines) + "\n");
    }

    private static int[][] Ints(JsonElement e) => e.EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetInt32()).ToArray()).ToArray();

    [Fact]
    public void Cluster_prints_Rs_merge_height_order_and_cutree_with_the_chosen_k_and_patterns()
    {
        using var reference = JsonDocument.Parse(File.ReadAllText(Path.Combine(SharedReference(), "ward_paper_like_18x3.json")));
        var r = reference.RootElement;
        var path = ReferenceCsv("paper.csv", r);

        var (code, output, error) = Run("cluster", "--json", "--input", path);

        Assert.True(code == 0, error);
        using var json = JsonDocument.Parse(output);
        var o = json.RootElement;
        Assert.Equal(Ints(r.GetProperty("merge")), Ints(o.GetProperty("merge")));
        var rh = r.GetProperty("height").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        var oh = o.GetProperty("height").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        Assert.Equal(rh.Length, oh.Length);
        for (int i = 0; i < rh.Length; i++) Assert.True(Math.Abs(rh[i] - oh[i]) <= 1e-12 * rh[i], $"height {i + 1}");
        Assert.Equal(r.GetProperty("order").EnumerateArray().Select(v => v.GetInt32()), o.GetProperty("order").EnumerateArray().Select(v => v.GetInt32()));
        var rcut = Ints(r.GetProperty("cutree_k2_to_k6"));
        for (int k = 2; k <= 6; k++)
            Assert.Equal(rcut[k - 2], o.GetProperty("cutree").GetProperty(k.ToString(CultureInfo.InvariantCulture)).EnumerateArray().Select(v => v.GetInt32()));
        Assert.Equal(3, o.GetProperty("k").GetInt32());
        Assert.StartsWith("k = 3: ", o.GetProperty("k_reason").GetString());
        var sizes = rcut[1].GroupBy(l => l).ToDictionary(g => g.Key, g => g.Count());
        var patterns = o.GetProperty("patterns").EnumerateArray().ToArray();
        Assert.Equal(new[] { "LDA", "SHA", "SLA" }, patterns.Select(p => p.GetProperty("pattern").GetString()).Order());
        Assert.Equal(new[] { "LDA", "SHA", "SLA" }, patterns.Select(p => p.GetProperty("label").GetString()).Order());
        foreach (var p in patterns) Assert.Equal(sizes[p.GetProperty("cluster").GetInt32()], p.GetProperty("n").GetInt32());
        Assert.True(o.GetProperty("certified_equal_to_r").GetBoolean());
        Assert.Equal(0.5, o.GetProperty("naming").GetProperty("min_change").GetDouble());
        // 18 dyads for 3 clusters: said in the JSON and on standard error.
        var warning = Assert.Single(o.GetProperty("warnings").EnumerateArray()).GetString()!;
        Assert.StartsWith("Only 18 dyads for 3 clusters", warning);
        Assert.Equal($"alliance cluster: warning: {warning}", error.Trim());
    }

    /// <summary>An R output made by a script in <c>tests/AlliancePipeline.Analytics.Tests/RData</c>.</summary>
    internal static string AnalyticsRData(string file)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "AlliancePipeline.Analytics.Tests", "RData", file);
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException($"R reference output {file} not found above {AppContext.BaseDirectory}.");
    }

    [Fact]
    public void Rule_absolute_gives_3_clusters_where_the_relative_rule_gives_4_on_data_with_the_published_spread()
    {
        // make_k_rule_reference.R: 18 dyads around the published patterns with their shares and SDs; R's k by both rules.
        using var reference = JsonDocument.Parse(File.ReadAllText(AnalyticsRData("ward_paper_spread_18x3.json")));
        var r = reference.RootElement;
        var path = ReferenceCsv("spread.csv", r);
        var rcut = Ints(r.GetProperty("cutree_k2_to_k6"));
        foreach (var (args, k, rule) in new[]
                 {
                     (new[] { "cluster", "--input", path, "--json" }, r.GetProperty("k_relative").GetInt32(), "CoefficientJump"),
                     (new[] { "cluster", "--input", path, "--rule", "relative", "--json" }, r.GetProperty("k_relative").GetInt32(), "CoefficientJump"),
                     (new[] { "cluster", "--input", path, "--rule", "absolute", "--json" }, r.GetProperty("k_absolute").GetInt32(), "CoefficientIncrease"),
                 })
        {
            var (code, output, error) = Run(args);
            Assert.True(code == 0, error);
            using var json = JsonDocument.Parse(output);
            var o = json.RootElement;
            Assert.Equal((k, rule), (o.GetProperty("k").GetInt32(), o.GetProperty("k_rule").GetString()));
            Assert.Equal(rcut[k - 2], o.GetProperty("cutree").GetProperty(k.ToString(CultureInfo.InvariantCulture)).EnumerateArray().Select(v => v.GetInt32()));
            Assert.Equal(k, o.GetProperty("patterns").GetArrayLength());
        }
        Assert.Equal((4, 3), (r.GetProperty("k_relative").GetInt32(), r.GetProperty("k_absolute").GetInt32()));
        var refused = Run("cluster", "--input", path, "--rule", "largest");
        Assert.NotEqual(0, refused.Code);
        Assert.Contains("--rule", refused.Err);
    }

    [Fact]
    public void A_fixed_k_and_deviation_scores_are_passed_through()
    {
        var path = Csv("t.csv", "id,m1,m2,m3\na,6,6,6\nb,6.1,6,6\nc,5,4,3\nd,5,4.1,3\ne,3,4,5\nf,3.1,4,5\n");
        var (code, output, error) = Run("cluster", "--json", "--input", path, "--deviation", "--k", "3");
        Assert.True(code == 0, error);
        using var json = JsonDocument.Parse(output);
        Assert.True(json.RootElement.GetProperty("deviation").GetBoolean());
        Assert.Equal(3, json.RootElement.GetProperty("k").GetInt32());
        Assert.Equal("Fixed", json.RootElement.GetProperty("k_rule").GetString());
        // shapes: flat (a, b), falling (c, d), rising (e, f)
        Assert.Equal(new[] { 1, 1, 2, 2, 3, 3 }, json.RootElement.GetProperty("cutree").GetProperty("3").EnumerateArray().Select(v => v.GetInt32()));
    }

    [Theory]
    [InlineData("id,m1,m2,m3\na,6,6,6\nb,6,x,6\n", "line 3", "'x'")]
    [InlineData("id,m1,m2,m3\na,6,6,6\nb,6,6\n", "line 3", "3 fields; the header has 4")]
    [InlineData("id,m1,m2,m3\na,6,6,6\nc,5,5,5\na,1,2,3\n", "line 4", "already appears on line 2")]
    [InlineData("", "line 1", "empty")]
    [InlineData("id,m1\na,1\n", "line 1", "at least 2 meetings")]
    public void A_bad_csv_gives_an_error_naming_the_line(string content, string line, string detail)
    {
        var path = Csv("bad.csv", content);
        var (code, output, error) = Run("cluster", "--json", "--input", path);
        Assert.Equal(1, code);
        Assert.Equal("", output);
        Assert.Contains(line, error);
        Assert.Contains(detail, error);
        Assert.StartsWith("alliance cluster: bad.csv", error);
    }

    /// <summary>Ten dyads over three meetings, as a new user would first try it (the issue's trial, scores corrected).</summary>
    private const string TenDyads = "dyad,m1,m2,m3\nD01,6.5,6.6,6.7\nD02,6.4,6.5,6.3\nD03,5.0,5.1,5.2\nD04,5.2,5.0,5.1\nD05,6.5,6.0,5.5\n"
                                    + "D06,6.4,5.9,5.4\nD07,4.8,5.4,6.0\nD08,5.0,5.5,6.1\nD09,4.0,5.2,6.0\nD10,6.0,6.3,6.0\n";

    [Theory]
    [InlineData("0", "line 10: dyad 'D09' has 0 in column 'm1', outside the scale 1–7.")]
    [InlineData("9", "line 10: dyad 'D09' has 9 in column 'm1', outside the scale 1–7.")]
    public void Scores_off_the_WAI_scale_are_refused_with_the_line_and_the_value(string score, string message)
    {
        var path = Csv("ten.csv", TenDyads.Replace("D09,4.0", "D09," + score));
        var (code, output, error) = Run("cluster", "--json", "--input", path);
        Assert.Equal(1, code);
        Assert.Equal("", output);
        Assert.StartsWith($"alliance cluster: ten.csv {message}", error);
        Assert.Contains("--scale", error);
    }

    [Fact]
    public void Another_scale_is_given_with_scale()
    {
        var path = Csv("wai-sr.csv", "dyad,m1,m2,m3\na,4.5,4.6,4.4\nb,4.4,4.5,4.5\nc,3.0,3.1,2.9\nd,3.1,3.0,3.0\ne,2.0,2.5,3.2\n");
        var (code, output, error) = Run("cluster", "--json", "--input", path, "--scale", "1-5");
        Assert.True(code == 0, error);
        using var json = JsonDocument.Parse(output);
        Assert.Equal(new[] { 1.0, 5.0 }, json.RootElement.GetProperty("scale").EnumerateArray().Select(v => v.GetDouble()));
        var refused = Run("cluster", "--json", "--input", path, "--scale", "1-4");
        Assert.Equal(1, refused.Code);
        Assert.Contains("dyad 'a' has 4.5 in column 'm1', outside the scale 1–4", refused.Err);
        var malformed = Run("cluster", "--json", "--input", path, "--scale", "7");
        Assert.NotEqual(0, malformed.Code);
        Assert.Contains("--scale 7: expected the lowest and highest score of the instrument's scale, as MIN-MAX", malformed.Err);
    }

    [Theory]
    [InlineData("20", "alliance cluster: k = 20 asks for more clusters than there are dyads to cluster (10): choose k between 2 and 10.")]
    [InlineData("1", "--k 1: a clustering needs at least 2 clusters.")]
    public void A_k_out_of_range_is_refused_in_plain_words(string k, string message)
    {
        var path = Csv("ten.csv", TenDyads);
        var (code, _, error) = Run("cluster", "--json", "--input", path, "--k", k);
        Assert.NotEqual(0, code);
        Assert.Contains(message, error);
        Assert.DoesNotContain("Parameter", error);
        Assert.DoesNotContain("Actual value", error);
    }

    [Fact]
    public void Ten_dyads_get_unique_labels_no_single_dyad_cluster_and_a_small_sample_warning()
    {
        var path = Csv("ten.csv", TenDyads);
        foreach (var args in new[] { new[] { "cluster", "--json", "--input", path }, new[] { "cluster", "--json", "--input", path, "--deviation", "--k", "8" } })
        {
            var (code, output, error) = Run(args);
            Assert.True(code == 0, error);
            using var json = JsonDocument.Parse(output); // infinite indices (identical rows at k = 8) are written as null
            var o = json.RootElement;
            var patterns = o.GetProperty("patterns").EnumerateArray().ToArray();
            var labels = patterns.Select(p => p.GetProperty("label").GetString()).ToArray();
            Assert.Equal(labels.Length, labels.Distinct().Count());
            Assert.Equal(o.GetProperty("k").GetInt32(), labels.Length);
            Assert.Contains(o.GetProperty("warnings").EnumerateArray(), w => w.GetString()!.StartsWith("Only 10 dyads for "));
            Assert.Contains("alliance cluster: warning: Only 10 dyads for ", error);
            Assert.DoesNotContain("1 dyads", output);
            if (args.Length == 4)
                Assert.All(patterns, p => Assert.True(p.GetProperty("n").GetInt32() >= 2));
        }
    }

    [Fact]
    public void A_dyad_with_a_missing_meeting_is_listed_and_said_not_dropped_silently()
    {
        var path = Csv("ten.csv", TenDyads.Replace("D09,4.0,5.2,6.0", "D09,4.0,,6.0").Replace("D10,6.0,6.3,6.0", "D10,6.0,NA,6.0"));
        var (code, output, error) = Run("cluster", "--json", "--input", path);
        Assert.True(code == 0, error);
        using var json = JsonDocument.Parse(output);
        Assert.Equal(new[] { "D09", "D10" }, json.RootElement.GetProperty("incomplete").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(8, json.RootElement.GetProperty("n").GetInt32());
        Assert.Contains("alliance cluster: warning: 2 dyads have a meeting missing and are not clustered: D09, D10.", error);
    }

    [Fact]
    public void The_shape_threshold_is_stated_and_can_be_set()
    {
        var path = Csv("ten.csv", TenDyads);
        var (code, output, error) = Run("cluster", "--json", "--input", path, "--k", "4", "--min-change", "2");
        Assert.True(code == 0, error);
        using var json = JsonDocument.Parse(output);
        Assert.Equal(2.0, json.RootElement.GetProperty("naming").GetProperty("min_change").GetDouble());
        // No centroid moves 2 points: every cluster is stable.
        Assert.All(json.RootElement.GetProperty("patterns").EnumerateArray(), p => Assert.Contains(p.GetProperty("pattern").GetString(), new[] { "SHA", "SLA" }));
        var refused = Run("cluster", "--json", "--input", path, "--min-change", "-1");
        Assert.NotEqual(0, refused.Code);
        Assert.Contains("--min-change -1: give a positive number of score points", refused.Err);
    }

    [Fact]
    public void Without_json_a_dyad_to_pattern_table_is_printed_with_k_and_the_cluster_sizes()
    {
        var path = Csv("ten.csv", TenDyads.Replace("D09,4.0,5.2,6.0", "D09,4.0,,6.0"));
        var (code, output, error) = Run("cluster", "--input", path, "--k", "4");
        Assert.True(code == 0, error);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("k = 4", lines[0]);
        Assert.Equal("Clusters: SHA 3, SLA 2, LDA 2, LIA 2.", lines[1]);
        Assert.Equal(["DYAD", "CLUSTER", "PATTERN", "NAME"], lines[2].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(["D05", "3", "LDA", "LinearDecrease"], lines.Single(l => l.StartsWith("D05", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal("D09   -        -        not clustered: a meeting is missing", lines[^1]);
        Assert.Equal(1 + 1 + 1 + 10, lines.Length);
        Assert.DoesNotContain("{", output);
    }

    [Fact]
    public void A_semicolon_file_with_decimal_commas_as_French_Excel_writes_it_clusters_as_the_comma_file()
    {
        var comma = Run("cluster", "--json", "--input", Csv("ten.csv", TenDyads));
        var french = Run("cluster", "--json", "--input", Csv("fr.csv", TenDyads.Replace(',', ';').Replace('.', ',')));
        Assert.True(french.Code == 0, french.Err);
        Assert.Equal(comma.Out, french.Out);
    }

    [Fact]
    public void Every_bad_line_is_reported_at_once()
    {
        var path = Csv("bad.csv", "id,m1,m2,m3\na,6,x,6\nb,6,6\na,1,2,3\nc,9,1,1\nd,5,5,5\n");
        var (code, output, error) = Run("cluster", "--input", path);
        Assert.Equal(1, code);
        Assert.Equal("", output);
        Assert.Equal(
        [
            "alliance cluster: bad.csv has 4 problems; nothing was clustered:",
            "  line 2: 'x' in column 'm2' is not a number (use a dot for decimals; leave the cell empty or write NA for a missing meeting).",
            "  line 3: 3 fields; the header has 4 (the dyad id, then one score per meeting).",
            "  line 4: id 'a' already appears on line 2.",
        ], error.Split('\n', StringSplitOptions.RemoveEmptyEntries)[..4]);
        Assert.Contains("  line 5: dyad 'c' has 9 in column 'm1', outside the scale 1–7.", error);
    }

    [Theory]
    [InlineData("--k", "abc", "alliance cluster: --k abc: give a whole number of clusters, 2 or more.")]
    [InlineData("--min-change", "abc", "alliance cluster: --min-change abc: give a positive number of score points (for example 0.5).")]
    public void A_number_option_that_is_not_a_number_is_named_not_a_stack_trace(string option, string value, string message)
    {
        var (code, output, error) = Run("cluster", "--input", Csv("ten.csv", TenDyads), option, value);
        Assert.Equal(1, code);
        Assert.Equal("", output);
        Assert.Equal([message, "(alliance cluster --help lists its options.)"], error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }

    [Fact]
    public void All_the_command_lines_errors_are_printed_at_once()
    {
        var (code, _, error) = Run("cluster", "--input", Csv("ten.csv", TenDyads), "--k", "abc", "--min-change", "-1", "--scale", "7");
        Assert.Equal(1, code);
        Assert.Contains("alliance cluster: --k abc: ", error);
        Assert.Contains("alliance cluster: --min-change -1: ", error);
        Assert.Contains("alliance cluster: --scale 7: ", error);
        Assert.DoesNotContain("   at ", error);
    }

    [Fact]
    public void A_missing_input_option_is_reported()
    {
        var (code, _, error) = Run("cluster");
        Assert.NotEqual(0, code);
        Assert.Contains("--input", error);
    }
}
