using System.Globalization;
using System.Text;

namespace AlliancePipeline.Load;

/// <summary>The figures of one phase of the run.</summary>
public sealed record PhaseResult
{
    public required string Name { get; init; }
    public required string Description { get; init; }
    public int Sent { get; init; }
    public int Accepted { get; init; }
    public required IReadOnlyDictionary<int, int> Statuses { get; init; }
    public int Unanswered { get; init; }
    public double? AcceptP50Ms { get; init; }
    public double? AcceptP95Ms { get; init; }
    public double? AcceptP99Ms { get; init; }
    public double? AcceptMaxMs { get; init; }
    /// <summary>202s per second, from the first due time to the last answer.</summary>
    public double AcceptedPerSecond { get; init; }
    public int Stored { get; init; }
    public int StoredTwiceOrUnasked { get; init; }
    public double? StoredP50S { get; init; }
    public double? StoredP95S { get; init; }
    public double? StoredP99S { get; init; }
    public double? StoredMaxS { get; init; }
    /// <summary>Responses stored per second, between the first and the last stored (server timestamps).</summary>
    public double ScoredPerSecond { get; init; }
    public double WallSeconds { get; init; }
    /// <summary>CPU time over the phase's wall time, in % of one core, per watched process.</summary>
    public required IReadOnlyDictionary<string, double> CpuPercent { get; init; }
    /// <summary>CPU time per accepted submission (per insert for the raw phase), ms, per watched process.</summary>
    public required IReadOnlyDictionary<string, double> CpuMsPerItem { get; init; }
    /// <summary>Highest resident set seen during the phase (sampled every 250 ms), MB.</summary>
    public required IReadOnlyDictionary<string, double> PeakRssMb { get; init; }
    public required string LoadAverageStart { get; init; }
    public required string LoadAverageEnd { get; init; }

    /// <summary>The <paramref name="p"/> quantile (nearest rank) of sorted values, or null when there are none.</summary>
    public static double? Quantile(IReadOnlyList<double> sorted, double p) =>
        sorted.Count == 0 ? null : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];

    public string StatusText => string.Join(", ", Statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}: {s.Value}"))
        + (Unanswered > 0 ? $", no answer: {Unanswered}" : "");

    private static string F(double? value, string format = "0.0") => value is { } v && double.IsFinite(v) ? v.ToString(format, CultureInfo.InvariantCulture) : "";

    /// <summary>The CSV header and one line per phase.</summary>
    public static string Csv(IReadOnlyList<PhaseResult> phases, IReadOnlyList<string> processes)
    {
        var sb = new StringBuilder();
        sb.Append("phase,sent,accepted,statuses,unanswered,accept_p50_ms,accept_p95_ms,accept_p99_ms,accept_max_ms,accepted_per_s,stored,stored_p50_s,stored_p95_s,stored_p99_s,stored_max_s,scored_per_s,wall_s");
        foreach (var p in processes) sb.Append(CultureInfo.InvariantCulture, $",cpu_pct_{Slug(p)},cpu_ms_per_item_{Slug(p)},peak_rss_mb_{Slug(p)}");
        sb.Append(",load_avg_start,load_avg_end\n");
        foreach (var r in phases)
        {
            sb.Append(CultureInfo.InvariantCulture, $"{r.Name},{r.Sent},{r.Accepted},\"{r.StatusText}\",{r.Unanswered},{F(r.AcceptP50Ms)},{F(r.AcceptP95Ms)},{F(r.AcceptP99Ms)},{F(r.AcceptMaxMs)},{F(r.AcceptedPerSecond)},");
            sb.Append(CultureInfo.InvariantCulture, $"{r.Stored},{F(r.StoredP50S, "0.00")},{F(r.StoredP95S, "0.00")},{F(r.StoredP99S, "0.00")},{F(r.StoredMaxS, "0.00")},{F(r.ScoredPerSecond)},{F(r.WallSeconds)}");
            foreach (var p in processes) sb.Append(CultureInfo.InvariantCulture, $",{F(r.CpuPercent.GetValueOrDefault(p), "0")},{F(r.CpuMsPerItem.GetValueOrDefault(p), "0.00")},{F(r.PeakRssMb.GetValueOrDefault(p), "0")}");
            sb.Append(CultureInfo.InvariantCulture, $",{r.LoadAverageStart},{r.LoadAverageEnd}\n");
        }

        return sb.ToString();
    }

    /// <summary>The markdown table of the phases.</summary>
    public static string Markdown(IReadOnlyList<PhaseResult> phases, IReadOnlyList<string> processes)
    {
        var sb = new StringBuilder();
        sb.Append("| phase | sent | answers | 202 p50 ms | p95 ms | p99 ms | max ms | 202/s | stored | stored after p50 s | p95 s | p99 s | max s | scored/s |");
        foreach (var p in processes) sb.Append(CultureInfo.InvariantCulture, $" CPU {p} % | peak RSS {p} MB |");
        sb.Append(" load avg start → end |\n| --- | ---: | --- |");
        for (var i = 0; i < 11 + 2 * processes.Count; i++) sb.Append(" ---: |");
        sb.Append(" --- |\n");
        foreach (var r in phases)
        {
            sb.Append(CultureInfo.InvariantCulture, $"| {r.Name} | {r.Sent:N0} | {r.StatusText} | {F(r.AcceptP50Ms)} | {F(r.AcceptP95Ms)} | {F(r.AcceptP99Ms)} | {F(r.AcceptMaxMs)} | {F(r.AcceptedPerSecond)} | ");
            sb.Append(CultureInfo.InvariantCulture, $"{r.Stored:N0} | {F(r.StoredP50S, "0.00")} | {F(r.StoredP95S, "0.00")} | {F(r.StoredP99S, "0.00")} | {F(r.StoredMaxS, "0.00")} | {F(r.ScoredPerSecond)} |");
            foreach (var p in processes) sb.Append(CultureInfo.InvariantCulture, $" {F(r.CpuPercent.GetValueOrDefault(p), "0")} | {F(r.PeakRssMb.GetValueOrDefault(p), "0")} |");
            sb.Append(CultureInfo.InvariantCulture, $" {r.LoadAverageStart} → {r.LoadAverageEnd} |\n");
        }

        sb.Append("\nCPU time per accepted submission (per insert for the raw phase), ms:\n\n| phase |");
        foreach (var p in processes) sb.Append(CultureInfo.InvariantCulture, $" {p} |");
        sb.Append(" all |\n| --- |");
        for (var i = 0; i <= processes.Count; i++) sb.Append(" ---: |");
        sb.Append('\n');
        foreach (var r in phases)
        {
            sb.Append(CultureInfo.InvariantCulture, $"| {r.Name} |");
            foreach (var p in processes) sb.Append(CultureInfo.InvariantCulture, $" {F(r.CpuMsPerItem.GetValueOrDefault(p), "0.00")} |");
            sb.Append(CultureInfo.InvariantCulture, $" {F(r.CpuMsPerItem.Values.Sum(), "0.00")} |\n");
        }

        return sb.ToString();
    }

    private static string Slug(string name) => new([.. name.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_')]);
}
