using System.Text.Json;
using System.Text.Json.Serialization;

namespace AlliancePipeline.Functions.Hosting;

/// <summary>
/// An HTTP request as the host passes it in <c>Data</c> when <c>enableForwardingHttpRequest</c> is false:
/// Url, Method, Query (name → value), Headers (name → values), Params (route values), Identities and Body (text).
/// </summary>
public sealed class HttpRequestData
{
    /// <summary>The absolute request URL.</summary>
    [JsonPropertyName("Url")] public string Url { get; init; } = "";

    /// <summary>The HTTP method, upper case.</summary>
    [JsonPropertyName("Method")] public string Method { get; init; } = "GET";

    /// <summary>Query string values (the last value of a repeated name).</summary>
    [JsonPropertyName("Query")] public Dictionary<string, string> Query { get; init; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Request headers, each with its values.</summary>
    [JsonPropertyName("Headers")] public Dictionary<string, string[]> Headers { get; init; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Route parameters from the function's route template.</summary>
    [JsonPropertyName("Params")] public Dictionary<string, string> Params { get; init; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Authenticated identities (empty for anonymous functions).</summary>
    [JsonPropertyName("Identities")] public List<JsonElement> Identities { get; init; } = [];

    /// <summary>The request body as text, or null when there is none.</summary>
    [JsonPropertyName("Body")] public string? Body { get; init; }

    /// <summary>The first value of a header, or null.</summary>
    public string? Header(string name)
    {
        foreach (var (key, values) in Headers)
        {
            if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase) && values.Length > 0) return values[0];
        }
        return null;
    }
}

/// <summary>The HTTP answer of a function: the value of its <c>res</c> output binding.</summary>
public sealed class HttpResponseData
{
    /// <summary>The HTTP status code.</summary>
    [JsonPropertyName("statusCode")] public int StatusCode { get; init; } = 200;

    /// <summary>The body as text.</summary>
    [JsonPropertyName("body")] public string? Body { get; init; }

    /// <summary>Response headers.</summary>
    [JsonPropertyName("headers")] public Dictionary<string, string> Headers { get; init; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>An answer with a body of the given content type.</summary>
    public static HttpResponseData Text(int statusCode, string body, string contentType) =>
        new() { StatusCode = statusCode, Body = body, Headers = { ["Content-Type"] = contentType } };

    /// <summary>An RFC 9457 problem details answer (<c>application/problem+json</c>).</summary>
    public static HttpResponseData Problem(int statusCode, string title, string detail) =>
        Text(statusCode, JsonSerializer.Serialize(new { type = "about:blank", title, status = statusCode, detail }), "application/problem+json");
}
