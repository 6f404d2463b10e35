using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace AlliancePipeline.Benchmarks;

/// <summary>A finished timed process: its printed "key value" lines, wall time and peak RSS (from GNU time -v).</summary>
internal sealed record TimedRun(int ExitCode, double WallSeconds, double PeakRssMb, IReadOnlyDictionary<string, string> Values)
{
    public string Value(string key) => Values.TryGetValue(key, out var v) ? v : "";

    public double Seconds => double.TryParse(Value("seconds"), NumberStyles.Float, CultureInfo.InvariantCulture, out double s) ? s : double.NaN;
}

/// <summary>The programs the benchmark runs: dotnet, Rscript (with or without fastcluster), GNU time.</summary>
internal sealed partial class Tools
{
    public required string Dotnet { get; init; }
    public string? Rscript { get; init; }
    public bool HaveFastcluster { get; init; }
    public string? GnuTime { get; init; }

    public static Tools Find()
    {
        string? rscript = OnPath("Rscript");
        bool fastcluster = rscript != null
                           && Run(rscript, ["-e", "quit(status = !requireNamespace('fastcluster', quietly = TRUE))"]).ExitCode == 0;
        string? process = Environment.ProcessPath;
        return new Tools
        {
            Dotnet = process != null && Path.GetFileNameWithoutExtension(process) == "dotnet" ? process : OnPath("dotnet") ?? "dotnet",
            Rscript = rscript,
            HaveFastcluster = fastcluster,
            GnuTime = File.Exists("/usr/bin/time") ? "/usr/bin/time" : null,
        };
    }

    public string Describe() =>
        (Rscript == null ? "Rscript not found: R and fastcluster not run (apt-get install r-base-core r-cran-fastcluster). "
            : HaveFastcluster ? $"R and fastcluster found ({Rscript}). " : "fastcluster not installed: not run. ")
        + (GnuTime == null ? "GNU time not found: peak RSS not measured." : "Peak RSS from GNU time -v.");

    /// <summary>Runs a program under GNU time -v (when present) and collects what it printed.</summary>
    public TimedRun Timed(string file, IReadOnlyList<string> arguments)
    {
        var sw = Stopwatch.StartNew();
        var (code, stdout, stderr) = GnuTime == null ? Run(file, arguments) : Run(GnuTime, ["-v", file, .. arguments]);
        double wall = sw.Elapsed.TotalSeconds, rss = double.NaN;
        if (GnuTime != null)
        {
            var elapsed = WallClock().Match(stderr);
            if (elapsed.Success)
            {
                var parts = elapsed.Groups[1].Value.Split(':').Select(p => double.Parse(p, CultureInfo.InvariantCulture)).ToArray();
                wall = parts.Aggregate(0.0, (acc, p) => acc * 60 + p);
            }
            var max = MaxRss().Match(stderr);
            if (max.Success) rss = double.Parse(max.Groups[1].Value, CultureInfo.InvariantCulture) / 1024;
        }
        var values = stdout.Split('\n').Select(l => l.Trim().Split(' ', 2)).Where(p => p.Length == 2)
            .GroupBy(p => p[0]).ToDictionary(g => g.Key, g => g.Last()[1]);
        if (code != 0) Console.Error.WriteLine($"{Path.GetFileName(file)} {string.Join(' ', arguments)} exited {code}:\n{stderr}");
        return new TimedRun(code, wall, rss, values);
    }

    private static (int ExitCode, string Stdout, string Stderr) Run(string file, IReadOnlyList<string> arguments)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in arguments) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>The 1-, 5- and 15-minute load averages (Linux), or "unknown".</summary>
    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

    private static string? OnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
        .Select(dir => Path.Combine(dir, name)).FirstOrDefault(File.Exists);

    [GeneratedRegex(@"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([0-9:.]+)")]
    private static partial Regex WallClock();

    [GeneratedRegex(@"Maximum resident set size \(kbytes\): (\d+)")]
    private static partial Regex MaxRss();
}
