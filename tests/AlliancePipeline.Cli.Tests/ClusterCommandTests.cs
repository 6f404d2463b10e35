using System.Globalization;
using System.Text.Json;
using AlliancePipeline.Cli.Commands;

namespace AlliancePipeline.Cli.Tests;

/// <summary><c>alliance cluster</c> run in-process against R's reference for the paper-like data.</summary>
public sealed class ClusterCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("alliance-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string SharedReference()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "reference");
            if (Directory.Exists(candidate)) return candidate;
        }
        throw new DirectoryNotFoundException($"R reference outputs not found: no 'shared/reference' beside any ancestor of {AppContext.BaseDirectory}.");
    }

    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = AllianceCli.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    private string Csv(string name, string content)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllText(path, content);
        return path;
    }

    private static int[][] Ints(JsonElement e) => e.EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetInt32()).ToArray()).ToArray();

    [Fact]
    public void Cluster_prints_Rs_merge_height_order_and_cutree_with_the_chosen_k_and_patterns()
    {
        using var reference = JsonDocument.Parse(File.ReadAllText(Path.Combine(SharedReference(), "ward_paper_like_18x3.json")));
        var r = reference.RootElement;
        var x = r.GetProperty("X").EnumerateArray().Select(row => row.EnumerateArray().Select(v => v.GetDouble()).ToArray()).ToArray();
        var lines = new List<string> { "dyad,meeting1,meeting2,meeting3" };
        lines.AddRange(x.Select((row, i) => $"D{i + 1:00}," + string.Join(",", row.Select(v => v.ToString("R", CultureInfo.InvariantCulture)))));
        var path = Csv("paper.csv", string.Join("\n", lines) + "\n");

        var (code, output, error) = Run("cluster", "--input", path);

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
        foreach (var p in patterns) Assert.Equal(sizes[p.GetProperty("cluster").GetInt32()], p.GetProperty("n").GetInt32());
    }

    [Fact]
    public void A_fixed_k_and_deviation_scores_are_passed_through()
    {
        var path = Csv("t.csv", "id,m1,m2,m3\na,6,6,6\nb,6.1,6,6\nc,5,4,3\nd,5,4.1,3\ne,3,4,5\nf,3.1,4,5\n");
        var (code, output, error) = Run("cluster", "--input", path, "--deviation", "--k", "3");
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
        var (code, output, error) = Run("cluster", "--input", path);
        Assert.Equal(1, code);
        Assert.Equal("", output);
        Assert.Contains(line, error);
        Assert.Contains(detail, error);
        Assert.StartsWith("alliance cluster: bad.csv", error);
    }

    [Fact]
    public void A_missing_input_option_is_reported()
    {
        var (code, _, error) = Run("cluster");
        Assert.NotEqual(0, code);
        Assert.Contains("--input", error);
    }
}
