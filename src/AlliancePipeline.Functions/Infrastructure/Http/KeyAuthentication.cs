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

/// <summary>Where the key a request presents came from.</summary>
public enum KeySource
{
    /// <summary>No key.</summary>
    None,
    /// <summary><c>Authorization: Bearer</c>.</summary>
    Header,
    /// <summary><c>?key=</c>.</summary>
    Query,
    /// <summary>The browser's <see cref="KeyCookie"/>.</summary>
    Cookie,
}

/// <summary>The outcome of <see cref="KeyAuthentication"/>: the caller, or the answer to send instead.</summary>
public sealed record Authentication
{
    private Authentication(Caller? caller, IResult? refusal, KeySource source, TimeSpan? validFor) =>
        (Caller, Refusal, Source, ValidFor) = (caller, refusal, source, validFor);

    /// <summary>The caller, when accepted.</summary>
    public Caller? Caller { get; }

    /// <summary>The answer to send (400, 401, 403 or 429), when refused.</summary>
    public IResult? Refusal { get; }

    /// <summary>Where the accepted key came from (<see cref="KeySource.None"/> when refused).</summary>
    public KeySource Source { get; }

    /// <summary>How much longer the accepted key is valid; null when refused.</summary>
    public TimeSpan? ValidFor { get; }

    /// <summary>Whether the caller was accepted (then <see cref="Caller"/> is set, else <see cref="Refusal"/>).</summary>
    [MemberNotNullWhen(true, nameof(Caller))]
    [MemberNotNullWhen(false, nameof(Refusal))]
    public bool Succeeded => Caller is not null;

    internal static Authentication Accept(Caller caller, KeySource source, TimeSpan? validFor) => new(caller, null, source, validFor);

    internal static Authentication Refuse(IResult refusal) => new(null, refusal, KeySource.None, null);
}

/// <summary>
/// Authenticates a request by its access key (checked by <see cref="AccessKeys"/>) and authorizes it against the key's
/// <see cref="AccessScope"/>. <see cref="KeyAccessMiddleware"/> calls it for every function with <c>[KeyAccess]</c>.
/// </summary>
/// <remarks>
/// <para>Where the key is read from: <c>Authorization: Bearer &lt;key&gt;</c>; <c>?key=&lt;key&gt;</c> (so a printed
/// URL opens in a browser; a page request with a valid one is sent on at once to the address without it, the key moved
/// into <see cref="KeyCookie"/>, by <see cref="KeyAccessMiddleware"/>; JSON routes still take it as they always did,
/// for the tools and scripts that use it, though the header keeps it out of addresses and logs); and, for a page request
/// only (<see cref="AnswerAs.Page"/>) that the cookie may authorize (<see cref="KeyCookie.MayAuthorize"/>: a GET or
/// HEAD, or a post from the app's own origin), the browser's <see cref="KeyCookie"/>. The rule: the header and
/// <c>?key=</c> are explicit, and exactly one of them is taken: both, two <c>key</c> values or two Authorization headers
/// are a 400, never a choice between them. The cookie is what the browser remembers, and is read only when neither is
/// given: an explicit key is taken over it (and a valid <c>?key=</c> on a page replaces it: how a holder of several
/// keys switches). JSON routes never read the cookie.</para>
/// <para>Answers: no key → 401; a key that is malformed, unknown, wrong, revoked or expired → 401 (revoked and expired
/// are told only to a holder of the right secret), counted as a failed attempt; the key is fine but its scope does not
/// allow the request → 403; a refused key after <see cref="FailedAttemptLimiter.MaxFailures"/> failures within a minute
/// from its client address or for its key id → 429 with Retry-After instead of 401 (slowed), while a valid key is never
/// refused for anyone's failures. A refused key that came in the cookie also clears the cookie (<c>Max-Age=0</c>), so a
/// revoked or expired key does not linger in the browser. Storage that cannot check the key
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
        var (presented, source, problem) = Presented(request);
        if (problem is not null) return Authentication.Refuse(AccessResults.BadRequest(answerAs, "Access key given twice", problem));
        if (presented is null && answerAs == AnswerAs.Page && KeyCookie.MayAuthorize(request) && KeyCookie.Read(request) is { } remembered)
            (presented, source) = (remembered, KeySource.Cookie);
        if (presented is null) return Authentication.Refuse(AccessResults.Unauthorized(request, answerAs, AccessResults.Missing));

        var check = await keys.VerifyAsync(presented, ct).ConfigureAwait(false);
        if (check.Caller is { } caller) return Authentication.Accept(caller, source, check.ValidFor);
        if (source == KeySource.Cookie) KeyCookie.Clear(request.HttpContext.Response);

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
    /// Checks <paramref name="allowed"/> against the scope of an accepted <paramref name="authentication"/>: it unchanged,
    /// or a refusal (403 when the scope does not allow it); a refused one unchanged.
    /// </summary>
    public Authentication Authorize(Authentication authentication, Func<AccessScope, bool> allowed, AnswerAs answerAs)
    {
        ArgumentNullException.ThrowIfNull(authentication);
        ArgumentNullException.ThrowIfNull(allowed);
        if (!authentication.Succeeded || allowed(authentication.Caller.Scope)) return authentication;
        log.LogInformation("Access refused: key {KeyId} ({Role}) is not allowed this request (403).", authentication.Caller.KeyId, authentication.Caller.Scope.Role);
        return Authentication.Refuse(AccessResults.Forbidden(answerAs));
    }

    /// <summary>
    /// The key the request presents explicitly, in its header or its query (null when none), or why it cannot be taken
    /// (given in both places, or twice). An Authorization header of another scheme counts as presented, and is then
    /// refused as not valid. The cookie is not looked at here.
    /// </summary>
    public static (string? Key, string? Problem) PresentedKey(HttpRequest request)
    {
        var (key, _, problem) = Presented(request);
        return (key, problem);
    }

    /// <summary>The key, when it came in the query string (and not in a header too); otherwise null.</summary>
    public static string? KeyInQuery(HttpRequest request) => Presented(request) is (var key, KeySource.Query, null) ? key : null;

    private static (string? Key, KeySource Source, string? Problem) Presented(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var headers = request.Headers.Authorization;
        var query = request.Query[QueryParameter];
        if (headers.Count > 1) return (null, KeySource.None, "Send one Authorization header.");
        if (query.Count > 1) return (null, KeySource.None, "Give ?key= once.");
        string? fromHeader = null;
        if (headers.Count == 1 && !string.IsNullOrEmpty(headers[0]))
        {
            var value = headers[0]!.Trim();
            fromHeader = value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? value[7..].Trim() : value;
        }
        var fromQuery = query.Count == 1 && !string.IsNullOrEmpty(query[0]) ? query[0] : null;
        if (fromHeader is not null && fromQuery is not null)
            return (null, KeySource.None, "Give the access key once: in the Authorization header or in ?key=, not both.");
        return fromHeader is not null ? (fromHeader, KeySource.Header, null)
            : fromQuery is not null ? (fromQuery, KeySource.Query, null)
            : (null, KeySource.None, null);
    }
}
