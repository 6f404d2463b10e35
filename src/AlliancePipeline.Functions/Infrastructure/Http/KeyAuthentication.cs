using System.Diagnostics.CodeAnalysis;
using AlliancePipeline.Core.Access;
using AlliancePipeline.Functions.Infrastructure.Access;

namespace AlliancePipeline.Functions.Infrastructure.Http;

/// <summary>How refusals are answered: problem details (RFC 9457) for tools, an HTML page for browsers.</summary>
public enum AnswerAs
{
    /// <summary><c>application/problem+json</c>.</summary>
    Json,
    /// <summary>A self-contained HTML page with the page headers.</summary>
    Page,
}

/// <summary>The outcome of <see cref="KeyAuthentication"/>: the caller, or the answer to send instead.</summary>
public sealed record Authentication
{
    private Authentication(Caller? caller, IResult? refusal) => (Caller, Refusal) = (caller, refusal);

    /// <summary>The caller, when accepted.</summary>
    public Caller? Caller { get; }

    /// <summary>The answer to send (400, 401, 403 or 429), when refused.</summary>
    public IResult? Refusal { get; }

    /// <summary>Whether the caller was accepted (then <see cref="Caller"/> is set, else <see cref="Refusal"/>).</summary>
    [MemberNotNullWhen(true, nameof(Caller))]
    [MemberNotNullWhen(false, nameof(Refusal))]
    public bool Succeeded => Caller is not null;

    internal static Authentication Accept(Caller caller) => new(caller, null);

    internal static Authentication Refuse(IResult refusal) => new(null, refusal);
}

/// <summary>
/// Authenticates a request by its access key (checked by <see cref="AccessKeys"/>) and authorizes it against the key's
/// <see cref="AccessScope"/>. <see cref="KeyAccessMiddleware"/> calls it for every function with <c>[KeyAccess]</c>.
/// </summary>
/// <remarks>
/// <para>The key is read from <c>Authorization: Bearer &lt;key&gt;</c> or from <c>?key=&lt;key&gt;</c> (so a printed
/// URL opens in a browser; pages carry <c>Referrer-Policy: no-referrer</c>, so it does not leak to other sites). Exactly
/// one of the two: both, two <c>key</c> values or two Authorization headers are a 400, never a choice between them.</para>
/// <para>Answers: no key → 401; a key that is malformed, unknown, wrong, revoked or expired → 401 (revoked and expired
/// are told only to a holder of the right secret), counted as a failed attempt; the key is fine but its scope does not
/// allow the request → 403; a refused key after <see cref="FailedAttemptLimiter.MaxFailures"/> failures within a minute
/// from its client address or for its key id → 429 with Retry-After instead of 401 (slowed), while a valid key is never
/// refused for anyone's failures. Storage that cannot check the key
/// throws, and <see cref="StorageUnavailableMiddleware"/> answers 503. 401s carry <c>WWW-Authenticate: Bearer</c>. Logs
/// name the refusal and the key id (public), never the key, the secret or the client address.</para>
/// </remarks>
public sealed class KeyAuthentication(AccessKeys keys, FailedAttemptLimiter limiter, ILogger<KeyAuthentication> log)
{
    /// <summary>The query parameter that may carry the key.</summary>
    public const string QueryParameter = "key";

    /// <summary>Authenticates the request's key: the caller, or a refusal (400, 401, 429).</summary>
    public async Task<Authentication> AuthenticateAsync(HttpRequest request, AnswerAs answerAs, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (presented, problem) = PresentedKey(request);
        if (problem is not null) return Authentication.Refuse(AccessResults.BadRequest(answerAs, "Access key given twice", problem));
        if (presented is null) return Authentication.Refuse(AccessResults.Unauthorized(request, answerAs, AccessResults.Missing));

        var check = await keys.VerifyAsync(presented, ct).ConfigureAwait(false);
        if (check.Caller is { } caller) return Authentication.Accept(caller);

        // Only a refused key is ever slowed: the counts are read before this failure is added, so the eleventh is the first 429.
        var address = ClientAddress.Of(request);
        var existingKeyId = check.Refusal is KeyRefusal.Malformed or KeyRefusal.Unknown ? null : check.KeyId;
        var limited = limiter.IsLimited(address, existingKeyId, out var retryAfter);
        limiter.RecordFailure(address, existingKeyId);
        if (limited)
        {
            log.LogWarning("Access refused: {Refusal} key{KeyId}, after too many refused keys from its client address or for its key id (429).",
                check.Refusal, check.KeyId is null ? "" : " " + check.KeyId);
            return Authentication.Refuse(AccessResults.TooManyAttempts(request, answerAs, retryAfter));
        }

        log.LogWarning("Access refused: {Refusal} key{KeyId}.", check.Refusal, check.KeyId is null ? "" : " " + check.KeyId);
        var reason = check.Refusal switch
        {
            KeyRefusal.Expired => AccessResults.Expired,
            KeyRefusal.Revoked => AccessResults.Revoked,
            _ => AccessResults.NotValid,
        };
        return Authentication.Refuse(AccessResults.Unauthorized(request, answerAs, reason));
    }

    /// <summary>
    /// Authenticates, then checks <paramref name="allowed"/> against the caller's scope: the caller, or a refusal (403
    /// when the scope does not allow it).
    /// </summary>
    public async Task<Authentication> AuthorizeAsync(HttpRequest request, Func<AccessScope, bool> allowed, AnswerAs answerAs, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(allowed);
        var authentication = await AuthenticateAsync(request, answerAs, ct).ConfigureAwait(false);
        if (!authentication.Succeeded || allowed(authentication.Caller.Scope)) return authentication;
        log.LogInformation("Access refused: key {KeyId} ({Role}) is not allowed this request (403).", authentication.Caller.KeyId, authentication.Caller.Scope.Role);
        return Authentication.Refuse(AccessResults.Forbidden(answerAs));
    }

    /// <summary>
    /// The key the request presents (null when none), or why it cannot be taken (given in both places, or twice). An
    /// Authorization header of another scheme counts as presented, and is then refused as not valid.
    /// </summary>
    public static (string? Key, string? Problem) PresentedKey(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var headers = request.Headers.Authorization;
        var query = request.Query[QueryParameter];
        if (headers.Count > 1) return (null, "Send one Authorization header.");
        if (query.Count > 1) return (null, "Give ?key= once.");
        string? fromHeader = null;
        if (headers.Count == 1 && !string.IsNullOrEmpty(headers[0]))
        {
            var value = headers[0]!.Trim();
            fromHeader = value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? value[7..].Trim() : value;
        }
        var fromQuery = query.Count == 1 && !string.IsNullOrEmpty(query[0]) ? query[0] : null;
        if (fromHeader is not null && fromQuery is not null)
            return (null, "Give the access key once: in the Authorization header or in ?key=, not both.");
        return (fromHeader ?? fromQuery, null);
    }

    /// <summary>The key, when it came in the query string (then links and forms on a page carry it on); otherwise null.</summary>
    public static string? KeyInQuery(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.Query[QueryParameter] is { Count: 1 } q && !string.IsNullOrEmpty(q[0]) && request.Headers.Authorization.Count == 0 ? q[0] : null;
    }
}
