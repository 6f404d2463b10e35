using System.Globalization;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;

namespace AlliancePipeline.Functions.Infrastructure.Http;

/// <summary>
/// Enforces each function's <see cref="RequestLimitsAttribute"/> before it runs, so that nothing (no key check, no
/// storage read) is done for a request that will be refused anyway: a declared <c>Content-Length</c> over the limit is
/// answered 413, a body of a media type the function does not read 415, both as problem details. A body without a
/// declared length (chunked) under a small limit (<see cref="RequestLimits.ReadAheadBytes"/>) is read here, at most one
/// byte past the limit, and refused before any work too; on the others <see cref="RequestBody"/> reads at most one byte
/// past the limit and the function answers 413. Whatever of a refused body is left is drained by the server, not cut
/// off: the host is still uploading it, and a connection closed under it would turn the 413 into the host's 502.
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
        var declared = FunctionAttributes.Get<RequestLimitsAttribute>(context);
        var limit = RequestLimits.MaxBodyBytes(declared);
        var request = http.Request;
        if (request.ContentLength > limit)
        {
            log.LogInformation("{Function}: a body of {Length} bytes refused before any work (limit {Limit}; 413).", function, request.ContentLength, limit);
            await TooLarge(limit).ExecuteAsync(http).ConfigureAwait(false);
            return;
        }
        var hasBody = request.ContentLength > 0 || request.Headers.TransferEncoding.Count > 0;
        if (hasBody && RequestLimits.RefuseMediaType(declared?.MediaTypes, request.ContentType) is { } refusal)
        {
            log.LogInformation("{Function}: a body of a media type it does not read refused before any work (415).", function);
            await HttpResults.Problem(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type", refusal).ExecuteAsync(http).ConfigureAwait(false);
            return;
        }
        if (request.ContentLength is null && hasBody && limit <= RequestLimits.ReadAheadBytes && !await ReadAheadAsync(request, limit, http.RequestAborted).ConfigureAwait(false))
        {
            log.LogInformation("{Function}: an undeclared body over {Limit} bytes refused before any work (413).", function, limit);
            await TooLarge(limit).ExecuteAsync(http).ConfigureAwait(false);
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

    private static IResult TooLarge(int limit) =>
        HttpResults.Problem(StatusCodes.Status413PayloadTooLarge, "Body too large", string.Create(CultureInfo.InvariantCulture, $"This route takes a body of at most {limit} bytes."));
}
