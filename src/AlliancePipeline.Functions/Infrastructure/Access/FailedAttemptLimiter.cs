namespace AlliancePipeline.Functions.Infrastructure.Access;

/// <summary>
/// Counts refused keys per client address and per key id, and slows guessing: once an address, or a key id, had
/// <see cref="MaxFailures"/> refused keys in the last <see cref="Window"/>, its further refused keys are answered 429 with
/// Retry-After instead of 401. A valid key is never refused for failures, its own address's or anyone else's (issue 17):
/// whoever shares a NAT with a guesser, or holds the key being guessed at, keeps working. Per key id catches guessing at
/// one key from many addresses; only ids of existing keys are counted there, so made-up ids cannot crowd them out. In
/// memory, <b>per instance</b>: with several instances an address may try up to <see cref="MaxFailures"/> per instance
/// per minute before it is slowed; a 256-bit secret makes guessing hopeless anyway, and the limit mainly keeps noise
/// down. A shared limit would keep the counts in storage.
/// </summary>
/// <remarks>At most <see cref="MaxTracked"/> addresses and as many key ids are tracked; when full, entries whose failures
/// have aged out are dropped first, then the least recently failed.</remarks>
public sealed class FailedAttemptLimiter(AccessClock clock)
{
    /// <summary>Refused keys allowed per address, and per key id, within <see cref="Window"/> before the next are slowed.</summary>
    public const int MaxFailures = 10;

    /// <summary>The sliding window.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    /// <summary>Addresses (and key ids) tracked at most.</summary>
    public const int MaxTracked = 10_000;

    private readonly Counts _addresses = new();
    private readonly Counts _keyIds = new();
    private readonly Lock _lock = new();

    /// <summary>
    /// Whether a refused key from <paramref name="address"/> (for the existing key <paramref name="keyId"/>, when known) is
    /// to be slowed now, and for how long (whole seconds, at least 1): the longer of the two waits.
    /// </summary>
    public bool IsLimited(string address, string? keyId, out int retryAfterSeconds)
    {
        var now = clock.GetUtcNow();
        lock (_lock)
        {
            var wait = Max(_addresses.Wait(address, now), keyId is null ? null : _keyIds.Wait(keyId, now));
            retryAfterSeconds = wait is { } w ? Math.Max(1, (int)Math.Ceiling(w.TotalSeconds)) : 0;
            return wait is not null;
        }
    }

    /// <summary>Records one refused key from <paramref name="address"/>, and against <paramref name="keyId"/> when it names an existing key.</summary>
    public void RecordFailure(string address, string? keyId)
    {
        var now = clock.GetUtcNow();
        lock (_lock)
        {
            _addresses.Record(address, now);
            if (keyId is not null) _keyIds.Record(keyId, now);
        }
    }

    private static TimeSpan? Max(TimeSpan? a, TimeSpan? b) => a is null ? b : b is null ? a : a > b ? a : b;

    /// <summary>The failure times of each tracked name (an address or a key id), the last <see cref="MaxFailures"/> at most.</summary>
    private sealed class Counts
    {
        private readonly Dictionary<string, Queue<DateTimeOffset>> _failures = new(StringComparer.Ordinal);

        /// <summary>How long until <paramref name="name"/> is under the limit again; null when it is now.</summary>
        public TimeSpan? Wait(string name, DateTimeOffset now)
        {
            if (!_failures.TryGetValue(name, out var times)) return null;
            Expire(times, now);
            if (times.Count < MaxFailures) return null;
            return times.ElementAt(times.Count - MaxFailures) + Window - now;
        }

        public void Record(string name, DateTimeOffset now)
        {
            if (!_failures.TryGetValue(name, out var times))
            {
                if (_failures.Count >= MaxTracked) MakeRoom(now);
                _failures[name] = times = new Queue<DateTimeOffset>();
            }
            Expire(times, now);
            times.Enqueue(now);
            while (times.Count > MaxFailures) times.Dequeue();
        }

        private static void Expire(Queue<DateTimeOffset> times, DateTimeOffset now)
        {
            while (times.Count > 0 && times.Peek() + Window <= now) times.Dequeue();
        }

        private void MakeRoom(DateTimeOffset now)
        {
            foreach (var (name, times) in _failures.ToList())
            {
                Expire(times, now);
                if (times.Count == 0) _failures.Remove(name);
            }
            if (_failures.Count < MaxTracked) return;
            foreach (var name in _failures.OrderBy(p => p.Value.Last()).Take(MaxTracked / 10).Select(p => p.Key).ToList())
                _failures.Remove(name);
        }
    }
}
