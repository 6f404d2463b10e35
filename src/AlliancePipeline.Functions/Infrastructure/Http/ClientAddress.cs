using System.Net;
using System.Net.Sockets;

namespace AlliancePipeline.Functions.Infrastructure.Http;

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
