namespace AlliancePipeline.Functions.Infrastructure.Http;

/// <summary>
/// The cookie a browser keeps an access key in, so that no address carries it (issue 17, finding 10): a page opened
/// with <c>?key=</c> has the key moved here and is sent on to the same address without it (<see cref="KeyAccessMiddleware"/>);
/// pages then open by the cookie (<see cref="KeyAuthentication"/>).
/// </summary>
/// <remarks>
/// <para><c>__Host-alliance-key</c>: <c>HttpOnly</c> (no script reads it; pages run none anyway), <c>Secure</c>,
/// <c>SameSite=Strict</c> (a browser sends it only with requests that start on the app's own site: never with a request
/// another site makes or links to), <c>Path=/</c>, no <c>Domain</c> (the <c>__Host-</c> prefix has browsers refuse it
/// otherwise, and refuse a cookie of that name set by any other host). It lasts as long as the key does
/// (<c>Max-Age</c> until the key's expiry); one key at a time per browser: opening a page with another key replaces it.
/// Browsers keep <c>Secure</c> cookies set over plain HTTP from <c>localhost</c> and <c>127.0.0.1</c> (Chromium does,
/// checked by <c>Browser.Tests/KeyCookieBrowserTests</c>), so the local host and the demo need no other name.</para>
/// <para>The cookie never authorizes a request that changes something unless the request proves it comes from the
/// app's own pages (<see cref="MayAuthorize"/>): SameSite=Strict already keeps other sites' requests without it, and
/// the proof covers what SameSite cannot (another origin of the same site, a browser that ignores SameSite).</para>
/// </remarks>
public static class KeyCookie
{
    /// <summary>The cookie's name.</summary>
    public const string Name = "__Host-alliance-key";

    /// <summary>The key the request's cookie holds, or null.</summary>
    public static string? Read(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.Cookies.TryGetValue(Name, out var value) && !string.IsNullOrEmpty(value) ? value : null;
    }

    /// <summary>Sets the cookie to <paramref name="key"/>, for <paramref name="validFor"/> (the key's remaining life; at least a second).</summary>
    public static void Set(HttpResponse response, string key, TimeSpan validFor)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentException.ThrowIfNullOrEmpty(key);
        response.Cookies.Append(Name, key, Options(validFor < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : validFor));
    }

    /// <summary>Clears the cookie (<c>Max-Age=0</c>, with the attributes a <c>__Host-</c> cookie must be cleared with).</summary>
    public static void Clear(HttpResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        var options = Options(TimeSpan.Zero);
        options.Expires = DateTimeOffset.UnixEpoch;
        response.Cookies.Append(Name, "", options);
    }

    /// <summary>
    /// Whether the cookie may authorize <paramref name="request"/>: a GET or HEAD always (they change nothing); any other
    /// method only when the browser says the request comes from the app's own origin: <c>Sec-Fetch-Site: same-origin</c>
    /// (which every current browser sends and no page can forge), or, from a browser that sends no
    /// <c>Sec-Fetch-Site</c>, an <c>Origin</c> equal to the app's own (the scheme it was served over and its
    /// <c>Host</c>). Anything else (no proof, <c>same-site</c>, <c>cross-site</c>, <c>Origin: null</c>) is refused.
    /// </summary>
    public static bool MayAuthorize(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method)) return true;
        var site = request.Headers["Sec-Fetch-Site"];
        if (site.Count > 0) return site.Count == 1 && string.Equals(site[0], "same-origin", StringComparison.OrdinalIgnoreCase);
        var origin = request.Headers.Origin;
        if (origin.Count != 1 || !request.Host.HasValue) return false;
        var own = (TransportSecurityMiddleware.ServedOverHttps(request) ? "https://" : "http://") + request.Host.Value;
        return string.Equals(origin[0], own, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// Where a page opened with <c>?key=</c> is sent on to: the same page, as a relative reference (<c>./dashboard</c>,
    /// so it stays on the address the browser used, whatever the front ends made of the host), with every query
    /// parameter but <c>key</c> (in any case, as <see cref="HttpRequest.Query"/> matches it) kept as it came.
    /// </summary>
    public static string AddressWithoutKey(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var path = request.Path.ToUriComponent();
        var page = path[(path.LastIndexOf('/') + 1)..];
        var kept = (request.QueryString.Value ?? "").TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Where(pair => !string.Equals(Uri.UnescapeDataString(pair.Split('=', 2)[0].Replace('+', ' ')), KeyAuthentication.QueryParameter, StringComparison.OrdinalIgnoreCase));
        var query = string.Join('&', kept);
        return "./" + page + (query.Length == 0 ? "" : "?" + query);
    }

    private static CookieOptions Options(TimeSpan maxAge) => new()
    {
        HttpOnly = true,
        Secure = true,
        SameSite = SameSiteMode.Strict,
        Path = "/",
        MaxAge = TimeSpan.FromSeconds(Math.Floor(maxAge.TotalSeconds)),
        IsEssential = true,
    };
}
