using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace AlliancePipeline.Client;

/// <summary>An answer of the app: its status and body, and, for a refusal, what the problem details say in words.</summary>
/// <param name="Status">The HTTP status.</param>
/// <param name="Body">The body as text.</param>
/// <param name="ContentType">The media type of the body.</param>
public sealed partial record ApiAnswer(HttpStatusCode Status, string Body, string? ContentType)
{
    /// <summary>Whether the app did what was asked.</summary>
    public bool Succeeded => (int)Status is >= 200 and < 300;

    /// <summary>The body as JSON, or null when it is not JSON.</summary>
    public JsonNode? Json
    {
        get
        {
            try
            {
                return Body.Length == 0 ? null : JsonNode.Parse(Body);
            }
            catch (JsonException)
            {
                return null;
            }
        }
    }

    /// <summary>
    /// The body read as <typeparamref name="T"/> (one of the answers in <c>AlliancePipeline.Contracts.Api</c>), with the
    /// web defaults the app writes it with.
    /// </summary>
    /// <exception cref="JsonException">The body is not such an answer.</exception>
    public T Read<T>() => JsonSerializer.Deserialize<T>(Body, JsonSerializerOptions.Web)
                          ?? throw new JsonException($"The app answered null where a {typeof(T).Name} was expected.");

    /// <summary>
    /// The refusal in the user's words: the problem's title and detail, then each listed error on its own line, once (a
    /// study file's errors with their line and field; a CSV's with their line). A sentence of the detail that repeats a
    /// listed error (an import's "The first: line 2: …") is left out, and an <c>errorCount</c> beyond the list is said.
    /// <paramref name="translate"/> rewrites the title and detail (not the listed errors, which speak of the file) into
    /// the caller's terms, such as the command line's option names for the API's fields.
    /// </summary>
    public string Problem(Func<string, string>? translate = null)
    {
        translate ??= static s => s;
        var json = Json;
        if (json is not JsonObject problem) return $"the app answered {(int)Status} {Status}.";
        var listed = new List<string>();
        if (problem["errors"] is JsonArray errors)
        {
            foreach (var e in errors)
                listed.Add(e?["text"]?.GetValue<string>() ?? (e?["line"] is { } line ? $"line {line}: {e["message"]}" : e?.ToJsonString() ?? ""));
        }
        else if (problem["errors"] is JsonObject byField)
        {
            foreach (var (field, messages) in byField)
                listed.Add($"{translate(field)}: {string.Join(" ", messages!.AsArray().Select(m => m!.GetValue<string>()))}");
        }
        var text = new StringBuilder();
        text.Append(translate(problem["title"]?.GetValue<string>() ?? $"{(int)Status} {Status}"));
        if (problem["detail"]?.GetValue<string>() is { Length: > 0 } detail)
        {
            var said = detail;
            foreach (var line in listed.Where(l => l.Length > 0)) said = said.Replace("The first: " + line + ".", "", StringComparison.Ordinal).Replace(line, "", StringComparison.Ordinal);
            said = ErrorsListed().Replace(said, "");
            said = string.Join(' ', said.Split(' ', StringSplitOptions.RemoveEmptyEntries));
            if (said.Length > 0) text.Append(": ").Append(translate(said));
        }
        if (problem["errorCount"]?.GetValue<int>() is { } count && count > listed.Count)
            text.Append($" The first {listed.Count} of {count} problems:");
        foreach (var line in listed.Distinct(StringComparer.Ordinal)) text.AppendLine().Append("  ").Append(line);
        return text.ToString();
    }

    /// <summary>The detail's sentence about the list's length, said again here in words of the caller.</summary>
    [GeneratedRegex(@"errors lists the first \d+ of \d+ problems\.")]
    private static partial Regex ErrorsListed();
}

/// <summary>
/// The app's HTTP API as the command line uses it: a base address (<c>--url</c>, else <c>ALLIANCE_URL</c>, else the local
/// host's <c>http://localhost:7071</c>) and an access key (<c>--key</c>, else <c>ALLIANCE_KEY</c>), sent as
/// <c>Authorization: Bearer</c>. Connection failures become a sentence, not an exception.
/// </summary>
public sealed class AllianceApi : IDisposable
{
    /// <summary>The default address: the local host.</summary>
    public const string DefaultUrl = "http://localhost:7071";

    private readonly HttpClient _http;

    /// <summary>A client of the app at <paramref name="baseUrl"/> presenting <paramref name="key"/>.</summary>
    public AllianceApi(Uri baseUrl, string? key, HttpMessageHandler? handler = null)
    {
        _http = new HttpClient(handler ?? new SocketsHttpHandler { AllowAutoRedirect = false }, disposeHandler: handler is null)
        {
            BaseAddress = new Uri(baseUrl.AbsoluteUri.TrimEnd('/') + "/"),
            Timeout = TimeSpan.FromMinutes(5),
        };
        if (!string.IsNullOrWhiteSpace(key)) _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key.Trim());
        BaseAddress = _http.BaseAddress;
    }

    /// <summary>The app's address.</summary>
    public Uri BaseAddress { get; }

    /// <summary>Sends a request; a connection failure is an <see cref="ApiUnreachableException"/> naming the address.</summary>
    public async Task<ApiAnswer> SendAsync(HttpMethod method, string path, HttpContent? content = null, CancellationToken ct = default)
    {
        using var request = new HttpRequestMessage(method, path.TrimStart('/')) { Content = content };
        return await SendAsync(request, ct).ConfigureAwait(false);
    }

    private async Task<ApiAnswer> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        try
        {
            using var response = await _http.SendAsync(request, ct).ConfigureAwait(false);
            return new ApiAnswer(response.StatusCode, await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false), response.Content.Headers.ContentType?.MediaType);
        }
        catch (HttpRequestException e)
        {
            throw new ApiUnreachableException($"the app at {BaseAddress} did not answer ({e.HttpRequestError switch { HttpRequestError.ConnectionError => "nothing listens there", HttpRequestError.NameResolutionError => "unknown host", _ => e.Message }}). Is it running? (--url, or ALLIANCE_URL)");
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new ApiUnreachableException($"the app at {BaseAddress} did not answer within {_http.Timeout.TotalMinutes:0} minutes.");
        }
    }

    /// <summary>Reads a resource as JSON (<c>Accept: application/json</c>: routes that also serve a page answer JSON).</summary>
    public async Task<ApiAnswer> GetJsonAsync(string path, CancellationToken ct = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path.TrimStart('/'));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        return await SendAsync(request, ct).ConfigureAwait(false);
    }

    /// <summary>Sends JSON.</summary>
    public Task<ApiAnswer> SendJsonAsync(HttpMethod method, string path, object body, CancellationToken ct = default) =>
        SendAsync(method, path, new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json"), ct);

    /// <inheritdoc />
    public void Dispose() => _http.Dispose();
}

/// <summary>The app could not be reached; the message says where and what to check.</summary>
public sealed class ApiUnreachableException(string message) : Exception(message);
