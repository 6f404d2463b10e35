namespace AlliancePipeline.Functions.Infrastructure.Http;

/// <summary>What the functions read from a request besides its body: who the client is, and the language asked for.</summary>
public static class HttpRequestExtensions
{
    /// <summary>The query parameter that names the language of a rater's page.</summary>
    public const string LanguageParameter = "lang";

    /// <summary>Whether <paramref name="mediaType"/> is JSON (<c>application/json</c> or a structured <c>+json</c> type).</summary>
    public static bool IsJson(string? mediaType) =>
        mediaType is not null && (mediaType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) || mediaType.Contains("+json", StringComparison.OrdinalIgnoreCase));

    /// <summary>Whether the request carries a JSON body.</summary>
    public static bool HasJsonBody(this HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return IsJson(request.ContentType);
    }

    /// <summary>Whether the client is a tool that reads JSON rather than a browser (JSON body, or Accept without HTML).</summary>
    public static bool WantsJson(this HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.HasJsonBody()) return true;
        var accept = request.Headers.Accept.ToString();
        return accept.Length > 0 && accept.Contains("json", StringComparison.OrdinalIgnoreCase) && !accept.Contains("text/html", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// Whether a browser opens the address itself, as a page (a link followed, an address typed): <c>Sec-Fetch-Dest:
    /// document</c>, which browsers send on every top-level navigation to an HTTPS or localhost address and no script can
    /// set. A tool sends no such header.
    /// </summary>
    public static bool IsBrowserNavigation(this HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.Headers["Sec-Fetch-Dest"] is { Count: 1 } dest && string.Equals(dest[0], "document", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The language the link asks for (<c>?lang=</c>, trimmed), or null.</summary>
    public static string? RequestedLanguage(this HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.Query.TryGetValue(LanguageParameter, out var lang) && !string.IsNullOrWhiteSpace(lang) ? lang.ToString().Trim() : null;
    }

    /// <summary>
    /// The value of query parameter <paramref name="name"/>, given once (null when absent or empty); false when it is given
    /// more than once, which is refused rather than one of them chosen.
    /// </summary>
    public static bool TryGetQueryValue(this HttpRequest request, string name, out string? value)
    {
        ArgumentNullException.ThrowIfNull(request);
        var values = request.Query[name];
        value = values.Count == 1 && !string.IsNullOrEmpty(values[0]) ? values[0] : null;
        return values.Count <= 1;
    }

    /// <summary>
    /// The language of <c>Accept-Language</c> to answer in: of the tags <paramref name="supported"/> takes, the one with the
    /// highest q-value, the first written among equals; null when none is taken (or the header is absent or malformed).
    /// Tags with q=0 are refused by the client, and <c>*</c> names none in particular.
    /// </summary>
    public static string? AcceptedLanguage(this HttpRequest request, Func<string, bool> supported)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(supported);
        return request.GetTypedHeaders().AcceptLanguage
            .Select((tag, order) => (Tag: tag.Value.Value, Quality: tag.Quality ?? 1, Order: order))
            .Where(t => t.Quality > 0 && !string.IsNullOrEmpty(t.Tag) && t.Tag != "*" && supported(t.Tag))
            .OrderByDescending(t => t.Quality)
            .ThenBy(t => t.Order)
            .Select(t => t.Tag)
            .FirstOrDefault();
    }

    /// <summary>
    /// The language of a coordinator's page (the dashboard, a dyad's page): <c>?lang=</c> when the console is written in
    /// it; else the language of the site a site key is for (<paramref name="siteLanguage"/>: its coordinators' in the
    /// study file); else the best of <c>Accept-Language</c>; else English. <c>en</c> or <c>fr</c>.
    /// </summary>
    public static string ConsoleLanguage(this HttpRequest request, string? siteLanguage)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.RequestedLanguage() is { } asked && Dashboards.ConsoleText.Supports(asked)) return Dashboards.ConsoleText.For(asked).Language;
        if (siteLanguage is not null && Dashboards.ConsoleText.Supports(siteLanguage)) return Dashboards.ConsoleText.For(siteLanguage).Language;
        return Dashboards.ConsoleText.For(request.AcceptedLanguage(Dashboards.ConsoleText.Supports)).Language;
    }
}
