using System.Text;
using System.Text.Json.Serialization.Metadata;
using AlliancePipeline.Functions.Infrastructure.Outcomes;

namespace AlliancePipeline.Functions.Infrastructure.Http;

/// <summary>
/// Reads a request body as UTF-8 text up to a limit, so a huge body costs nothing: a declared <c>Content-Length</c> over
/// the limit is refused before reading, and an undeclared one is read only to the limit plus one byte (or until the server's
/// own cap for the request, <see cref="RequestLimitsMiddleware"/>, refuses it, which counts as too long); a JSON body is
/// then read by <see cref="JsonBody"/>.
/// </summary>
public static class RequestBody
{
    /// <summary>The body's text, or null when it is longer than <paramref name="limitBytes"/>.</summary>
    public static async Task<string?> ReadTextAsync(HttpRequest request, int limitBytes, CancellationToken ct)
    {
        if (request.ContentLength > limitBytes) return null;
        var buffer = new byte[Math.Min(limitBytes + 1, (int?)request.ContentLength + 1 ?? limitBytes + 1)];
        var total = 0;
        while (total < buffer.Length)
        {
            int read;
            try
            {
                read = await request.Body.ReadAsync(buffer.AsMemory(total), ct).ConfigureAwait(false);
            }
            catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
            {
                return null;
            }
            if (read == 0) break;
            total += read;
        }
        if (total > limitBytes) return null;
        return Encoding.UTF8.GetString(buffer, 0, total);
    }

    /// <summary>The body read as JSON into a <typeparamref name="T"/> (or what is wrong with it), or null when it is longer than <paramref name="limitBytes"/>.</summary>
    public static async Task<JsonBody<T>?> ReadJsonAsync<T>(HttpRequest request, int limitBytes, JsonTypeInfo<T> type, CancellationToken ct)
        where T : class
    {
        var text = await ReadTextAsync(request, limitBytes, ct).ConfigureAwait(false);
        return text is null ? null : JsonBody.Read(text, type);
    }

    /// <summary>The body's text, or <paramref name="tooLarge"/> when it is longer than <paramref name="limitBytes"/>, for the service to answer in its turn.</summary>
    public static async Task<Outcome<string>> ReadTextAsync(HttpRequest request, int limitBytes, Refusal tooLarge, CancellationToken ct) =>
        await ReadTextAsync(request, limitBytes, ct).ConfigureAwait(false) is { } text ? text : tooLarge;
}
