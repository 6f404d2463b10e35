using System.Diagnostics;
using System.Globalization;
using System.Text;
using AlliancePipeline.Analytics.Clustering;

// Timed runner for Ward clustering: n = 1,000, 5,000, 20,000, 100,000 dyads × 4 meetings, two kinds of data.
// Where Rscript and fastcluster are installed, times fastcluster::hclust.vector(X, "ward") on the same data in the same
// run and prints the ratio; for n <= 5,000 it also runs R's stats::hclust(dist(X), "ward.D2") and checks equality.
// Usage: dotnet run -c Release --project bench/AlliancePipeline.Benchmarks -- [--sizes 1000,5000,...] [--out bench/results]
var sizes = new[] { 1_000, 5_000, 20_000, 100_000 };
string outDir = Path.Combine("bench", "results");
for (int i = 0; i < args.Length - 1; i++)
{
    if (args[i] == "--sizes") sizes = args[i + 1].Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
    if (args[i] == "--out") outDir = args[i + 1];
}
Directory.CreateDirectory(outDir);
var inv = CultureInfo.InvariantCulture;
string? rscript = FindRscript();
bool haveFastcluster = rscript != null && RunR(rscript, "-e", "quit(status = !requireNamespace('fastcluster', quietly = TRUE))").Code == 0;
Console.WriteLine(haveFastcluster
    ? $"fastcluster found ({rscript}): timing hclust.vector in the same run."
    : "R or fastcluster not installed: fastcluster was not run (apt-get install r-base-core r-cran-fastcluster).");

// Warm-up (JIT) on small data.
WardClustering.Cluster(Data.WaiGrid(500, 1));
WardClustering.Cluster(Data.Continuous(500, 1));

var rows = new List<string>();
foreach (var kind in new[] { "wai-grid", "continuous" })
foreach (int n in sizes)
{
    var x = kind == "wai-grid" ? Data.WaiGrid(n, 20261123) : Data.Continuous(n, 20261123);
    GC.Collect();
    GC.WaitForPendingFinalizers();
    long before = GC.GetTotalAllocatedBytes(true);
    var sw = Stopwatch.StartNew();
    var tree = WardClustering.Cluster(x);
    sw.Stop();
    double allocatedMb = (GC.GetTotalAllocatedBytes(true) - before) / 1048576.0;
    string fc = "not run", ratio = "", equal = "";
    if (haveFastcluster)
    {
        string csv = Path.Combine(Path.GetTempPath(), $"ward-bench-{kind}-{n}.csv");
        string mergeOut = Path.ChangeExtension(csv, ".merge.csv");
        File.WriteAllLines(csv, x.Select(r => string.Join(",", r.Select(v => v.ToString("R", inv)))));
        bool withStats = n <= 5_000;
        var (code, output) = RunR(rscript!, Path.Combine(AppContext.BaseDirectory, "time_r.R"), csv, mergeOut, withStats ? "stats" : "none");
        var ms = output.Split('\n').Select(l => l.Split(' ')).Where(p => p.Length == 2 && p[0] == "fastcluster_ms").Select(p => double.Parse(p[1], inv)).FirstOrDefault();
        if (code == 0 && ms > 0)
        {
            fc = ms.ToString("0", inv);
            ratio = (ms / sw.Elapsed.TotalMilliseconds).ToString("0.00", inv);
        }
        if (withStats && code == 0) equal = EqualsR(tree, mergeOut) ? "yes" : "NO";
        File.Delete(csv);
        if (File.Exists(mergeOut)) File.Delete(mergeOut);
    }
    string line = string.Join(",", kind, n.ToString(inv), tree.DistinctRows.ToString(inv), tree.Path,
        sw.Elapsed.TotalMilliseconds.ToString("0", inv), allocatedMb.ToString("0.0", inv), fc, ratio, equal);
    Console.WriteLine(line);
    rows.Add(line);
}

string stamp = DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm 'UTC'", inv);
var md = new StringBuilder();
md.AppendLine("# Ward clustering benchmark");
md.AppendLine();
md.AppendLine($"Run {stamp} on {Environment.ProcessorCount} cores, .NET {Environment.Version}, Release build. "
              + "Time is `WardClustering.Cluster` (duplicates, algorithm, R encoding) on 4 meetings; fastcluster is "
              + "`fastcluster::hclust.vector(X, method = \"ward\")` timed by R's `system.time` in the same run; ratio = fastcluster ms / ours. "
              + "`equal to R` compares merge and order with `stats::hclust(dist(X), \"ward.D2\")` (run for n ≤ 5,000).");
md.AppendLine();
md.AppendLine("Data: `wai-grid` = global WAI means (multiples of 1/12 on 1–7) around five trajectory shapes with a dyad effect "
              + "(many dyads share scores); `continuous` = the same shapes plus continuous noise (no ties).");
md.AppendLine();
md.AppendLine("| data | n | distinct rows | path | ms | allocated MB | fastcluster ms | ratio | equal to R |");
md.AppendLine("| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | --- |");
foreach (var r in rows) md.AppendLine("| " + r.Replace(",", " | ") + " |");
if (!haveFastcluster) md.AppendLine().AppendLine("fastcluster was not run (R or the fastcluster package is not installed).");
File.WriteAllText(Path.Combine(outDir, "ward-benchmark.md"), md.ToString());
File.WriteAllText(Path.Combine(outDir, "ward-benchmark.csv"),
    "# " + stamp + "\ndata,n,distinct_rows,path,ms,allocated_mb,fastcluster_ms,ratio,equal_to_r\n" + string.Join("\n", rows) + "\n");
Console.WriteLine($"Written to {Path.GetFullPath(outDir)}");
return 0;

static string? FindRscript()
{
    foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator))
    {
        var p = Path.Combine(dir, "Rscript");
        if (File.Exists(p)) return p;
    }
    return null;
}

static (int Code, string Output) RunR(string rscript, params string[] arguments)
{
    var psi = new ProcessStartInfo(rscript) { RedirectStandardOutput = true, RedirectStandardError = true };
    foreach (var a in arguments) psi.ArgumentList.Add(a);
    using var p = Process.Start(psi)!;
    var stdout = p.StandardOutput.ReadToEndAsync();
    var stderr = p.StandardError.ReadToEndAsync();
    p.WaitForExit();
    return (p.ExitCode, stdout.Result + stderr.Result);
}

static bool EqualsR(Dendrogram tree, string mergeFile)
{
    var lines = File.ReadAllLines(mergeFile);
    int n = tree.Count;
    for (int s = 0; s < n - 1; s++)
    {
        var p = lines[s].Split(',');
        if (int.Parse(p[0], CultureInfo.InvariantCulture) != tree.MergeLeft(s) || int.Parse(p[1], CultureInfo.InvariantCulture) != tree.MergeRight(s)) return false;
    }
    for (int i = 0; i < n; i++)
        if (int.Parse(lines[n - 1 + i].Split(',')[0], CultureInfo.InvariantCulture) != tree.Order[i]) return false;
    return true;
}

/// <summary>Benchmark data: five trajectory shapes over 4 meetings.</summary>
internal static class Data
{
    private static readonly double[][] Shapes =
    [
        [6.6, 6.6, 6.6, 6.6], [5.1, 5.1, 5.1, 5.1], [6.5, 6.2, 5.9, 5.6], [5.0, 5.5, 6.0, 6.5], [6.2, 5.4, 5.5, 6.3],
    ];

    /// <summary>Global WAI means: multiples of 1/12 clamped to 1..7.</summary>
    public static double[][] WaiGrid(int n, int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, n).Select(_ =>
        {
            var s = Shapes[rng.Next(Shapes.Length)];
            double dyad = 0.3 * Gaussian(rng);
            return s.Select(c => Math.Clamp(Math.Round((c + dyad + 0.15 * Gaussian(rng)) * 12) / 12, 1, 7)).ToArray();
        }).ToArray();
    }

    /// <summary>The same shapes with continuous noise (no ties).</summary>
    public static double[][] Continuous(int n, int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, n).Select(_ =>
        {
            var s = Shapes[rng.Next(Shapes.Length)];
            double dyad = 0.3 * Gaussian(rng);
            return s.Select(c => c + dyad + 0.15 * Gaussian(rng)).ToArray();
        }).ToArray();
    }

    private static double Gaussian(Random rng) => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
}
