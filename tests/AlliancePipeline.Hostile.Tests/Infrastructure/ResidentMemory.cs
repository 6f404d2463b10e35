using System.Globalization;

namespace AlliancePipeline.Hostile.Tests.Infrastructure;

/// <summary>A process's resident memory, as Linux reports it (<c>/proc/{pid}/status</c>, <c>VmRSS</c>).</summary>
public static class ResidentMemory
{
    /// <summary>VmRSS of <paramref name="pid"/> in MiB.</summary>
    public static double MiB(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (!line.StartsWith("VmRSS:", StringComparison.Ordinal)) continue;
            var kb = long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
            return kb / 1024.0;
        }
        throw new InvalidOperationException($"/proc/{pid}/status has no VmRSS line.");
    }
}
