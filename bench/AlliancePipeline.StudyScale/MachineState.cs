using System.Diagnostics;
using System.Globalization;
using AlliancePipeline.Load;

namespace AlliancePipeline.StudyScale;

/// <summary>The machine at one moment: cores, memory, load average, and the busiest other processes.</summary>
/// <param name="At">When.</param>
/// <param name="Cores">Logical processors.</param>
/// <param name="MemTotalMb">Memory, MiB.</param>
/// <param name="MemAvailableMb">Memory available, MiB.</param>
/// <param name="LoadAverage">1, 5 and 15 minute load averages.</param>
/// <param name="Others">The processes using most memory (not this run's), name and RSS.</param>
public sealed record MachineState(DateTimeOffset At, int Cores, long MemTotalMb, long MemAvailableMb, string LoadAverage, IReadOnlyList<string> Others)
{
    /// <summary>Reads it now.</summary>
    public static MachineState Read()
    {
        long total = 0, available = 0;
        foreach (var line in File.ReadLines("/proc/meminfo"))
        {
            if (line.StartsWith("MemTotal:", StringComparison.Ordinal)) total = Kib(line) / 1024;
            else if (line.StartsWith("MemAvailable:", StringComparison.Ordinal)) available = Kib(line) / 1024;
        }
        var self = Environment.ProcessId;
        var others = Process.GetProcesses()
            .Select(p =>
            {
                try
                {
                    return (Name: p.ProcessName, p.Id, Rss: p.WorkingSet64);
                }
                catch (InvalidOperationException)
                {
                    return (Name: "", p.Id, Rss: 0L);
                }
                finally
                {
                    p.Dispose();
                }
            })
            .Where(p => p.Id != self && p.Rss > 0)
            .GroupBy(p => p.Name, StringComparer.Ordinal)
            .Select(g => (g.Key, Count: g.Count(), Rss: g.Sum(p => p.Rss)))
            .OrderByDescending(g => g.Rss)
            .Take(6)
            .Select(g => string.Create(CultureInfo.InvariantCulture, $"{g.Key} ×{g.Count} {g.Rss / 1048576} MiB"))
            .ToList();
        return new MachineState(DateTimeOffset.UtcNow, Environment.ProcessorCount, total, available, ProcessMeter.LoadAverage(), others);
    }

    /// <summary>One line.</summary>
    public string Summary => string.Create(CultureInfo.InvariantCulture,
        $"{At:yyyy-MM-dd HH:mm} UTC: {Cores} cores, {MemTotalMb:N0} MiB memory ({MemAvailableMb:N0} available), load average {LoadAverage}; most memory elsewhere: {string.Join(", ", Others)}.");

    private static long Kib(string line) => long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
}
