using System.Diagnostics;
using System.Globalization;
using AlliancePipeline.Analytics.Clustering;

namespace AlliancePipeline.Benchmarks;

/// <summary>
/// One clustering in its own process, so the process's peak RSS is the clustering's: reads the data, warms the JIT up on
/// 500 rows, times <see cref="WardClustering.Cluster(IReadOnlyList{IReadOnlyList{double}}, WardOptions?)"/>, prints
/// "seconds", "distinct", "path" and "certified", and writes the tree in the format of time_r.R.
/// </summary>
internal static class Worker
{
    public static int Run(string[] args)
    {
        var inv = CultureInfo.InvariantCulture;
        string data = args[1];
        bool deviation = args.Contains("--deviation");
        int at = Array.IndexOf(args, "--tree");
        string? treeFile = at >= 0 ? args[at + 1] : null;
        var x = File.ReadLines(data).Select(l => l.Split(',').Select(v => double.Parse(v, inv)).ToArray()).ToArray();
        var options = new WardOptions { Deviation = deviation };
        // Warm both paths up: R's algorithm on centroids (what n above 2,000 distinct rows takes) and with its matrix.
        WardClustering.Cluster(IssueGrid.Generate(500, 1), options with { ExactMaxDistinctRows = 0 });
        WardClustering.Cluster(IssueGrid.Generate(500, 1), options);
        var sw = Stopwatch.StartNew();
        var tree = WardClustering.Cluster(x, options);
        sw.Stop();
        Console.WriteLine($"seconds {sw.Elapsed.TotalSeconds.ToString("0.000", inv)}");
        Console.WriteLine($"distinct {tree.DistinctRows}");
        Console.WriteLine($"path {tree.Path}");
        Console.WriteLine($"certified {(tree.CertifiedEqualToR ? "yes" : "no")}");
        if (treeFile != null) TreeFiles.Write(tree, treeFile);
        return 0;
    }
}
