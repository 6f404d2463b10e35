using System.Globalization;

namespace AlliancePipeline.Load;

/// <summary>CPU seconds and memory of one process, read from <c>/proc</c> (Linux).</summary>
/// <param name="CpuSeconds">User + system time of the process.</param>
/// <param name="RssBytes">Resident set now (VmRSS).</param>
/// <param name="PeakRssBytes">Peak resident set (VmHWM).</param>
public readonly record struct ProcessSample(double CpuSeconds, long RssBytes, long PeakRssBytes);

/// <summary>
/// Watches the processes of a run by name (worker, host + load client, Azurite): CPU time at the start and end of each
/// phase, and the resident set sampled every 250 ms for each phase's peak; VmHWM (the kernel's own peak) at the end.
/// </summary>
public sealed class ProcessMeter : IAsyncDisposable
{
    private static readonly double TicksPerSecond = 100.0; // USER_HZ on Linux
    private readonly Dictionary<string, Func<int?>> _processes;
    private readonly Dictionary<string, long> _phasePeakRss = new(StringComparer.Ordinal);
    private readonly object _lock = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sampling;

    /// <summary>Starts sampling; each entry gives the current process id of one watched process (it may change).</summary>
    public ProcessMeter(IReadOnlyDictionary<string, Func<int?>> processes)
    {
        _processes = processes.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        _sampling = Task.Run(SampleAsync);
    }

    /// <summary>The names watched, in order.</summary>
    public IReadOnlyList<string> Names => [.. _processes.Keys];

    /// <summary>A sample of every watched process now.</summary>
    public Dictionary<string, ProcessSample> Read() =>
        _processes.ToDictionary(p => p.Key, p => p.Value() is { } pid ? ReadProcess(pid) : default, StringComparer.Ordinal);

    /// <summary>Starts a new phase's peak: the resident set seen from now on.</summary>
    public void ResetPhasePeaks()
    {
        lock (_lock) _phasePeakRss.Clear();
    }

    /// <summary>The highest resident set seen for each process since <see cref="ResetPhasePeaks"/>.</summary>
    public Dictionary<string, long> PhasePeaks()
    {
        lock (_lock) return new Dictionary<string, long>(_phasePeakRss, StringComparer.Ordinal);
    }

    /// <summary>The 1, 5 and 15 minute load averages of the machine.</summary>
    public static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "n/a";
        }
    }

    private async Task SampleAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            foreach (var (name, sample) in Read())
            {
                lock (_lock) _phasePeakRss[name] = Math.Max(_phasePeakRss.GetValueOrDefault(name), sample.RssBytes);
            }

            try
            {
                await Task.Delay(250, _stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>
    /// One process (the worker, the runner, Azurite's node process: none of them does its work in children). Reading
    /// only these three files keeps the meter's own cost out of the figures.
    /// </summary>
    public static ProcessSample ReadProcess(int pid)
    {
        var (cpu, rss, hwm) = ReadOne(pid);
        return new ProcessSample(cpu, rss, hwm);
    }

    /// <summary>The fields of <c>/proc/{pid}/stat</c> after the command name: [0] state, [1] ppid, … [11] utime, [12] stime.</summary>
    private static string[]? StatFields(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var close = stat.LastIndexOf(')');
            return close < 0 ? null : stat[(close + 2)..].Split(' ');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static (double Cpu, long Rss, long Hwm) ReadOne(int pid)
    {
        var fields = StatFields(pid);
        if (fields is null) return default;
        var cpu = (double.Parse(fields[11], CultureInfo.InvariantCulture) + double.Parse(fields[12], CultureInfo.InvariantCulture)) / TicksPerSecond;
        long rss = 0, hwm = 0;
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal)) rss = Kilobytes(line);
                else if (line.StartsWith("VmHWM:", StringComparison.Ordinal)) hwm = Kilobytes(line);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Gone meanwhile.
        }

        return (cpu, rss, hwm);
    }

    private static long Kilobytes(string line) =>
        1024 * long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _sampling.ConfigureAwait(false);
        _stop.Dispose();
    }
}
