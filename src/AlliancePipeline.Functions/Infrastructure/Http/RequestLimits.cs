using System.Globalization;
using AlliancePipeline.Functions.Clock;
using AlliancePipeline.Functions.Dyads;
using AlliancePipeline.Functions.Invitations;
using AlliancePipeline.Functions.Keys;
using AlliancePipeline.Functions.Questionnaires;
using AlliancePipeline.Functions.Studies;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;
using Microsoft.Net.Http.Headers;

namespace AlliancePipeline.Functions.Infrastructure.Http;

/// <summary>
/// What a request to each HTTP function may carry: the largest body, and the media types of the bodies it reads. One
/// table for every route; a function not listed takes no body (at most <see cref="DefaultMaxBodyBytes"/>, ignored) of any
/// type, so a new route is limited without anyone remembering to.
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

    private static readonly string[] Json = ["application/json", "+json"];

    private static readonly Dictionary<string, (int MaxBytes, string[]? MediaTypes)> Routes = new(StringComparer.Ordinal)
    {
        [nameof(Questionnaire)] = (QuestionnaireService.MaxBodyBytes, ["application/x-www-form-urlencoded", .. Json]),
        [nameof(PauseReminders)] = (ReminderPauseService.MaxBodyBytes, null),
        [nameof(ApplyStudy)] = (StudyAdminService.MaxBodyBytes, ["text/plain", "text/yaml", "text/x-yaml", "application/yaml", "application/x-yaml", .. Json]),
        [nameof(ImportMeetingDates)] = (DyadOperations.MaxCsvBytes, ["text/csv", "text/plain"]),
        [nameof(ImportOutcomes)] = (DyadOperations.MaxCsvBytes, ["text/csv", "text/plain"]),
        [nameof(RecordMeetingDate)] = (DyadOperations.MaxJsonBytes, Json),
        [nameof(RecordOutcome)] = (DyadOperations.MaxJsonBytes, Json),
        [nameof(IssueKey)] = (KeyAdministration.MaxBodyBytes, Json),
        [nameof(SetClock)] = (SetClock.MaxBodyBytes, Json),
    };

    /// <summary>The largest body <paramref name="function"/> takes, in bytes.</summary>
    public static int MaxBodyBytes(string function) => Routes.TryGetValue(function, out var r) ? r.MaxBytes : DefaultMaxBodyBytes;

    /// <summary>The media types <paramref name="function"/> reads (<c>+json</c>: any structured JSON type); null when it reads no body.</summary>
    public static IReadOnlyList<string>? MediaTypes(string function) => Routes.TryGetValue(function, out var r) ? r.MediaTypes : null;

    /// <summary>
    /// Why a body of <paramref name="contentType"/> is not read by <paramref name="function"/> (415), or null when it is:
    /// no Content-Type (each route reads its own default), a media type the route reads, and UTF-8 (or ASCII) when a charset
    /// is named, since every body is read as UTF-8.
    /// </summary>
    public static string? RefuseMediaType(string function, string? contentType)
    {
        if (string.IsNullOrEmpty(contentType) || MediaTypes(function) is not { } accepted) return null;
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

/// <summary>
/// Enforces <see cref="RequestLimits"/> before a function runs, so that nothing (no key check, no storage read) is done
/// for a request that will be refused anyway: a declared <c>Content-Length</c> over the route's limit is answered 413,
/// a body of a media type the route does not read 415, both as problem details. A body without a declared length
/// (chunked) on a route with a small limit (<see cref="RequestLimits.ReadAheadBytes"/>) is read here, at most one byte past
/// the limit, and refused before any work too; on the others <see cref="RequestBody"/> reads at most one byte past the
/// limit and the function answers 413. Whatever of a refused body is left is drained by the server, not cut off: the
/// host is still uploading it, and a connection closed under it would turn the 413 into the host's 502.
/// </summary>
public sealed class RequestLimitsMiddleware(ILogger<RequestLimitsMiddleware> log) : IFunctionsWorkerMiddleware
{
    /// <inheritdoc />
    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        if (context.GetHttpContext() is not { } http)
        {
            await next(context).ConfigureAwait(false);
            return;
        }
        var function = context.FunctionDefinition.Name;
        var limit = RequestLimits.MaxBodyBytes(function);
        var request = http.Request;
        if (request.ContentLength > limit)
        {
            log.LogInformation("{Function}: a body of {Length} bytes refused before any work (limit {Limit}; 413).", function, request.ContentLength, limit);
            await RefuseAsync(http, StatusCodes.Status413PayloadTooLarge, "Body too large",
                string.Create(CultureInfo.InvariantCulture, $"This route takes a body of at most {limit} bytes.")).ConfigureAwait(false);
            return;
        }
        var hasBody = request.ContentLength > 0 || request.Headers.TransferEncoding.Count > 0;
        if (hasBody && RequestLimits.RefuseMediaType(function, request.ContentType) is { } refusal)
        {
            log.LogInformation("{Function}: a body of a media type it does not read refused before any work (415).", function);
            await RefuseAsync(http, StatusCodes.Status415UnsupportedMediaType, "Unsupported media type", refusal).ConfigureAwait(false);
            return;
        }
        if (request.ContentLength is null && hasBody && limit <= RequestLimits.ReadAheadBytes && !await ReadAheadAsync(request, limit, http.RequestAborted).ConfigureAwait(false))
        {
            log.LogInformation("{Function}: an undeclared body over {Limit} bytes refused before any work (413).", function, limit);
            await RefuseAsync(http, StatusCodes.Status413PayloadTooLarge, "Body too large",
                string.Create(CultureInfo.InvariantCulture, $"This route takes a body of at most {limit} bytes.")).ConfigureAwait(false);
            return;
        }
        await next(context).ConfigureAwait(false);
    }

    /// <summary>Reads an undeclared body of at most <paramref name="limit"/> bytes into memory, for the function to read again; false when it is longer.</summary>
    private static async Task<bool> ReadAheadAsync(HttpRequest request, int limit, CancellationToken ct)
    {
        var buffer = new byte[limit + 1];
        var total = 0;
        int read;
        while (total < buffer.Length && (read = await request.Body.ReadAsync(buffer.AsMemory(total), ct).ConfigureAwait(false)) > 0) total += read;
        if (total > limit) return false;
        request.Body = new MemoryStream(buffer, 0, total, writable: false);
        return true;
    }

    private static Task RefuseAsync(HttpContext http, int status, string title, string detail) =>
        HttpResults.Problem(status, title, detail).ExecuteAsync(http);
}
