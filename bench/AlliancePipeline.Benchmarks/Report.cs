using System.Text;

namespace AlliancePipeline.Benchmarks;

/// <summary>The markdown page of the results.</summary>
internal static class Report
{
    public static string Markdown(IReadOnlyList<Measurement> rows, string stamp, Tools tools, string load, IFormatProvider inv)
    {
        string F(double v, string format) => Measurement.F(v, format, inv);
        var md = new StringBuilder();
        md.AppendLine("# Ward clustering benchmark");
        md.AppendLine();
        md.AppendLine($"Run {stamp} on {Environment.ProcessorCount} cores, .NET {Environment.Version}, Release build. Load average "
                      + $"(1, 5, 15 min) {load}: other work on the machine slows every figure of the run alike. " + tools.Describe());
        md.AppendLine();
        md.AppendLine("Data (issue #11's kind): 4 meetings, four trajectory shapes (stable high 6.6, stable low 5.1, decrease 6.5 → 5.6, "
                      + "increase 5.0 → 6.5), noise SD 0.4 per meeting, rounded to 1/12 (means of 12 items) and clipped to 1–7, so "
                      + "scores tie constantly. `deviation` clusters each score minus the dyad's mean (R: `X - rowMeans(X)`).");
        md.AppendLine();
        md.AppendLine("Every figure comes from its own process, all in this one run:");
        md.AppendLine();
        md.AppendLine("- **ours**: `WardClustering.Cluster` timed in-process (after JIT warm-up); peak RSS of that process (data, tree, runtime).");
        md.AppendLine("- **`alliance cluster`**: the command as a user runs it, wall time and peak RSS of the whole process: read the CSV, "
                      + "cluster, choose k (coefficient, Calinski–Harabasz and silhouettes for k = 2..8), name the patterns, write the JSON.");
        md.AppendLine("- **fastcluster**: `fastcluster::hclust.vector(X, method = \"ward\")` (Müllner 2013, linear memory), in-R time "
                      + "(`system.time`) and the whole `Rscript` process.");
        md.AppendLine("- **R**: `stats::hclust(dist(X), method = \"ward.D2\")`, in-R time and whole process, run where its n(n−1)/2 "
                      + "doubles fit in memory (not at 100,000: 40 GB); its merge, order, `cutree` (k = 2..6) and heights are compared with ours.");
        md.AppendLine();
        md.AppendLine("Ratios above 1 mean ours is faster. `certified` says whether our tree is certified equal to R's (every near-tie "
                      + "settled with R's own values); where R could not run, this certificate is the evidence.");
        foreach (var kind in rows.Select(r => r.Kind).Distinct())
        {
            md.AppendLine();
            md.AppendLine($"## {kind} scores");
            md.AppendLine();
            md.AppendLine("| n | distinct rows | certified | ours s | ours peak RSS MB | `alliance cluster` s | its peak RSS MB | fastcluster s | "
                          + "fastcluster process s | its peak RSS MB | R hclust s | R process s | its peak RSS MB | fastcluster / ours | "
                          + "whole process: fastcluster / `alliance cluster` | R / ours | tree equal to R's |");
            md.AppendLine("| ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
            foreach (var r in rows.Where(r => r.Kind == kind))
                md.AppendLine($"| {r.N:N0} | {r.Distinct} | {r.Certified} | {F(r.OursSeconds, "0.000")} | {F(r.OursRssMb, "0")} | "
                              + $"{(r.CliOk ? F(r.CliWall, "0.00") : "failed")} | {F(r.CliRssMb, "0")} | {F(r.FastclusterSeconds, "0.000")} | "
                              + $"{F(r.FastclusterWall, "0.00")} | {F(r.FastclusterRssMb, "0")} | {F(r.RSeconds, "0.000")} | {F(r.RWall, "0.00")} | "
                              + $"{F(r.RRssMb, "0")} | {F(r.FastclusterRatio, "0.00")} | {F(r.FastclusterWholeRatio, "0.00")} | "
                              + $"{F(r.RRatio, "0.00")} | {r.EqualToR} |");
        }
        return md.ToString();
    }
}
