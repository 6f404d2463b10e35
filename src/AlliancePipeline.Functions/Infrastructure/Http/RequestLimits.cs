using Microsoft.Net.Http.Headers;

namespace AlliancePipeline.Functions.Infrastructure.Http;

/// <summary>
/// The limits of each HTTP function, as its <see cref="RequestLimitsAttribute"/> declares them: the largest body, and the
/// media types of the bodies it reads. A function that declares none takes no body (at most
/// <see cref="DefaultMaxBodyBytes"/>, ignored) of any type, so a new route is limited without anyone remembering to.
/// </summary>
public static class RequestLimits
{
    /// <summary>The body a route that reads none may still carry (a form's empty button post, a one-click unsubscribe).</summary>
    public const int DefaultMaxBodyBytes = 1024;

    /// <summary>
    /// Routes whose limit is at most this read an undeclared (chunked) body whole before the function runs, so it too is
    /// refused before any work; larger ones (CSV imports, study files) are capped as the function reads them.
    /// </summary>
    public const int ReadAheadBytes = 64 * 1024;

    /// <summary>The largest body <paramref name="function"/> takes, in bytes.</summary>
    public static int MaxBodyBytes(string function) => MaxBodyBytes(FunctionAttributes.ForFunction<RequestLimitsAttribute>(function));

    /// <summary>The media types <paramref name="function"/> reads (<c>+json</c>: any structured JSON type); null when it reads no body.</summary>
    public static IReadOnlyList<string>? MediaTypes(string function) => FunctionAttributes.ForFunction<RequestLimitsAttribute>(function)?.MediaTypes;

    /// <summary>The largest body under <paramref name="limits"/> (none declared: the default).</summary>
    public static int MaxBodyBytes(RequestLimitsAttribute? limits) => limits?.MaxBodyBytes ?? DefaultMaxBodyBytes;

    /// <summary>Why a body of <paramref name="contentType"/> is not read by <paramref name="function"/> (415), or null when it is.</summary>
    public static string? RefuseMediaType(string function, string? contentType) => RefuseMediaType(MediaTypes(function), contentType);

    /// <summary>
    /// Why a body of <paramref name="contentType"/> is not one of <paramref name="accepted"/> (415), or null when it is:
    /// no Content-Type (each route reads its own default), a route that reads no body, a media type the route reads, and
    /// UTF-8 (or ASCII) when a charset is named, since every body is read as UTF-8.
    /// </summary>
    public static string? RefuseMediaType(IReadOnlyList<string>? accepted, string? contentType)
    {
        if (string.IsNullOrEmpty(contentType) || accepted is null) return null;
        if (!MediaTypeHeaderValue.TryParse(contentType, out var parsed) || parsed.MediaType.Length == 0)
            return "The Content-Type header is not a media type.";
        var type = parsed.MediaType.Value!;
        if (!accepted.Any(a => a.StartsWith('+') ? type.EndsWith(a, StringComparison.OrdinalIgnoreCase) : type.Equals(a, StringComparison.OrdinalIgnoreCase)))
            return $"This route reads {string.Join(", ", accepted.Select(a => a.StartsWith('+') ? "application/*" + a : a))}; not {type}.";
        var charset = parsed.Charset.Value;
        if (charset is not null && !charset.Trim('"').Equals("utf-8", StringComparison.OrdinalIgnoreCase) && !charset.Trim('"').Equals("us-ascii", StringComparison.OrdinalIgnoreCase))
            return $"Bodies are read as UTF-8; not {charset}.";
        return null;
    }
}
