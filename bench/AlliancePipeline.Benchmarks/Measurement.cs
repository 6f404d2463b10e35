namespace AlliancePipeline.Benchmarks;

/// <summary>The figures of one data set: ours in-process and as a whole process, fastcluster's, R's, and the comparison.</summary>
internal sealed class Measurement(string kind, int n)
{
    public string Kind { get; } = kind;
    public int N { get; } = n;
    public string Distinct { get; set; } = "";
    public string Path { get; set; } = "";
    public string Certified { get; set; } = "";
    public double OursSeconds { get; set; } = double.NaN;
    public double OursRssMb { get; set; } = double.NaN;
    public double CliWall { get; set; } = double.NaN;
    public double CliRssMb { get; set; } = double.NaN;
    public bool CliOk { get; set; }
    public double FastclusterSeconds { get; set; } = double.NaN;
    public double FastclusterWall { get; set; } = double.NaN;
    public double FastclusterRssMb { get; set; } = double.NaN;
    public double RSeconds { get; set; } = double.NaN;
    public double RWall { get; set; } = double.NaN;
    public double RRssMb { get; set; } = double.NaN;
    public string EqualToR { get; set; } = "not run";

    public const string CsvHeader =
        "scores,n,distinct_rows,path,certified_equal_to_r,ours_s,ours_peak_rss_mb,alliance_cluster_wall_s,alliance_cluster_peak_rss_mb,"
        + "fastcluster_s,fastcluster_wall_s,fastcluster_peak_rss_mb,r_hclust_s,r_hclust_wall_s,r_hclust_peak_rss_mb,"
        + "fastcluster_over_ours,fastcluster_over_ours_whole_process,r_over_ours,tree_equal_to_r";

    public double FastclusterRatio => FastclusterSeconds / OursSeconds;
    public double FastclusterWholeRatio => FastclusterWall / CliWall;
    public double RRatio => RSeconds / OursSeconds;

    public static string F(double v, string format, IFormatProvider inv) => double.IsFinite(v) ? v.ToString(format, inv) : "";

    public string Line(IFormatProvider inv) => string.Join(",",
        Kind, N.ToString(inv), Distinct, Path, Certified, F(OursSeconds, "0.000", inv), F(OursRssMb, "0", inv),
        CliOk ? F(CliWall, "0.00", inv) : "failed", F(CliRssMb, "0", inv),
        F(FastclusterSeconds, "0.000", inv), F(FastclusterWall, "0.00", inv), F(FastclusterRssMb, "0", inv),
        F(RSeconds, "0.000", inv), F(RWall, "0.00", inv), F(RRssMb, "0", inv),
        F(FastclusterRatio, "0.00", inv), F(FastclusterWholeRatio, "0.00", inv), F(RRatio, "0.00", inv),
        EqualToR.Replace(',', ';'));
}
