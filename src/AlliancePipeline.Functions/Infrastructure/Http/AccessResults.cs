using System.Globalization;
using AlliancePipeline.Functions.Dashboards;
using AlliancePipeline.Functions.Infrastructure.Outcomes;
using AlliancePipeline.Functions.Infrastructure.Storage;

namespace AlliancePipeline.Functions.Infrastructure.Http;

/// <summary>
/// The refusals of the keyed endpoints, as problem details or as a page: the same title and detail either way, never a
/// stack trace, never the key. Problem details are marked <c>Cache-Control: no-store</c> (answers about keys are never
/// cached); pages carry the page headers, which say the same.
/// </summary>
public static class AccessResults
{
    /// <summary>No key presented.</summary>
    public const string Missing = "An access key is needed: send Authorization: Bearer <key>, or open the link with ?key=<key>.";

    /// <summary>A key that is malformed, unknown or wrong (the three are not told apart).</summary>
    public const string NotValid = "The access key is not valid.";

    /// <summary>A key past its expiry.</summary>
    public const string Expired = "The access key has expired: ask the study's administrator for a new one.";

    /// <summary>A revoked key.</summary>
    public const string Revoked = "The access key has been revoked.";

    /// <summary>401 with <c>WWW-Authenticate: Bearer</c>.</summary>
    public static IResult Unauthorized(HttpRequest request, AnswerAs answerAs, string detail)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.HttpContext.Response.Headers.WWWAuthenticate = detail == Missing
            ? "Bearer realm=\"alliance-pipeline\""
            : "Bearer realm=\"alliance-pipeline\", error=\"invalid_token\"";
        return Refusal(answerAs, StatusCodes.Status401Unauthorized, detail == Missing ? "Access key needed" : "Access key refused", detail, keyForm: true);
    }

    /// <summary>403: the key is good but does not reach what was asked.</summary>
    public static IResult Forbidden(AnswerAs answerAs) =>
        Refusal(answerAs, StatusCodes.Status403Forbidden, "Not allowed", "This access key does not allow this request.");

    /// <summary>429 with Retry-After.</summary>
    public static IResult TooManyAttempts(HttpRequest request, AnswerAs answerAs, int retryAfterSeconds)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.HttpContext.Response.Headers.RetryAfter = retryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        return Refusal(answerAs, StatusCodes.Status429TooManyRequests, "Too many attempts",
            string.Create(CultureInfo.InvariantCulture, $"Too many refused access keys from this address. Try again in {retryAfterSeconds} seconds."));
    }

    /// <summary>400 with what is wrong.</summary>
    public static IResult BadRequest(AnswerAs answerAs, string title, string detail) =>
        Refusal(answerAs, StatusCodes.Status400BadRequest, title, detail);

    /// <summary>A service's refusal, with its own title and detail.</summary>
    public static IResult For(Refusal refusal, AnswerAs answerAs)
    {
        ArgumentNullException.ThrowIfNull(refusal);
        return Refusal(answerAs, Problems.Status(refusal.Kind), refusal.Title, refusal.Detail);
    }

    /// <summary>503 with Retry-After: storage could not answer; nothing was changed.</summary>
    public static IResult Unavailable(HttpRequest request, AnswerAs answerAs)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.HttpContext.Response.Headers.RetryAfter = StorageUnavailable.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        return Refusal(answerAs, StatusCodes.Status503ServiceUnavailable, "Temporarily unavailable", "Storage did not answer just now; nothing was changed. Please try again in a minute.");
    }

    /// <summary>500: the request failed on the server (<see cref="UnexpectedFailureMiddleware"/>).</summary>
    public static IResult Failed(AnswerAs answerAs) =>
        Refusal(answerAs, StatusCodes.Status500InternalServerError, UnexpectedFailureMiddleware.Title, UnexpectedFailureMiddleware.Detail);

    private static IResult Refusal(AnswerAs answerAs, int status, string title, string detail, bool keyForm = false) =>
        answerAs == AnswerAs.Json
            ? HttpResults.NoStore(HttpResults.Problem(status, title, detail))
            : HttpResults.Page(status, DashboardPage.RenderMessage(title, detail, keyForm));
}
