using System.Net;
using System.Net.Sockets;

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

/// <summary>The client address that failed attempts are counted against.</summary>
public static class ClientAddress
{
    /// <summary>
    /// The rightmost public address in <c>X-Forwarded-For</c> (the one Azure's front end appends for the client that
    /// connected to it; entries to its left were written by the client and are not trusted), else the connection's
    /// remote address. IPv6 addresses count by their /64 prefix (one subscriber's block). <c>unknown</c> when there is
    /// none. Locally, without a front end, the header is whatever the client sent: the limit is for the deployed app.
    /// </summary>
    public static string Of(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var forwarded = request.Headers["X-Forwarded-For"].ToString();
        foreach (var entry in forwarded.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Reverse())
        {
            if (TryParse(entry, out var address) && IsPublic(address)) return Key(address);
        }
        var remote = request.HttpContext.Connection.RemoteIpAddress;
        return remote is null ? "unknown" : Key(remote.IsIPv4MappedToIPv6 ? remote.MapToIPv4() : remote);
    }

    private static bool TryParse(string entry, out IPAddress address)
    {
        // "203.0.113.7", "203.0.113.7:51234", "2001:db8::1", "[2001:db8::1]:51234"
        if (IPAddress.TryParse(entry, out address!)) return true;
        if (IPEndPoint.TryParse(entry, out var endpoint))
        {
            address = endpoint.Address;
            return true;
        }
        return false;
    }

    private static bool IsPublic(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any)) return false;
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            return !(b[0] == 10 || (b[0] == 172 && b[1] >= 16 && b[1] <= 31) || (b[0] == 192 && b[1] == 168) || (b[0] == 169 && b[1] == 254)
                || (b[0] == 100 && b[1] >= 64 && b[1] <= 127));
        }
        return !(address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6UniqueLocal);
    }

    private static string Key(IPAddress address)
    {
        if (address.AddressFamily != AddressFamily.InterNetworkV6) return address.ToString();
        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes) + "/64";
    }
}
