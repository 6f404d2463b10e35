namespace AlliancePipeline.Functions.Infrastructure.Access;

/// <summary>
/// Counts refused keys per client address and refuses every request from an address that had
/// <see cref="MaxFailures"/> refused keys in the last <see cref="Window"/> (429 with Retry-After), even one with a good key,
/// so that guessing learns nothing while blocked. In memory, <b>per instance</b>: with several instances an address may
/// try up to <see cref="MaxFailures"/> per instance per minute; a 256-bit secret makes that irrelevant to guessing, and
/// the limit mainly keeps noise down. A shared limit (issue 12) would keep the counts in storage.
/// </summary>
/// <remarks>At most <see cref="MaxTracked"/> addresses are tracked; when full, addresses whose failures have aged out are
/// dropped first, then the least recently failed.</remarks>
public sealed class FailedAttemptLimiter(TimeProvider clock)
{
    /// <summary>Refused keys allowed per address within <see cref="Window"/>.</summary>
    public const int MaxFailures = 10;

    /// <summary>The sliding window.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    /// <summary>Addresses tracked at most.</summary>
    public const int MaxTracked = 10_000;

    private readonly Dictionary<string, Queue<DateTimeOffset>> _failures = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>Whether <paramref name="address"/> is blocked now, and for how long (whole seconds, at least 1).</summary>
    public bool IsBlocked(string address, out int retryAfterSeconds)
    {
        var now = clock.GetUtcNow();
        lock (_lock)
        {
            retryAfterSeconds = 0;
            if (!_failures.TryGetValue(address, out var times)) return false;
            Expire(times, now);
            if (times.Count < MaxFailures) return false;
            var until = times.ElementAt(times.Count - MaxFailures) + Window;
            retryAfterSeconds = Math.Max(1, (int)Math.Ceiling((until - now).TotalSeconds));
            return true;
        }
    }

    /// <summary>Records one refused key from <paramref name="address"/>.</summary>
    public void RecordFailure(string address)
    {
        var now = clock.GetUtcNow();
        lock (_lock)
        {
            if (!_failures.TryGetValue(address, out var times))
            {
                if (_failures.Count >= MaxTracked) MakeRoom(now);
                _failures[address] = times = new Queue<DateTimeOffset>();
            }
            Expire(times, now);
            times.Enqueue(now);
            while (times.Count > MaxFailures) times.Dequeue();
        }
    }

    private static void Expire(Queue<DateTimeOffset> times, DateTimeOffset now)
    {
        while (times.Count > 0 && times.Peek() + Window <= now) times.Dequeue();
    }

    private void MakeRoom(DateTimeOffset now)
    {
        foreach (var (address, times) in _failures.ToList())
        {
            Expire(times, now);
            if (times.Count == 0) _failures.Remove(address);
        }
        if (_failures.Count < MaxTracked) return;
        foreach (var address in _failures.OrderBy(p => p.Value.Last()).Take(MaxTracked / 10).Select(p => p.Key).ToList())
            _failures.Remove(address);
    }
}
