using System.Globalization;
using AlliancePipeline.Functions.Infrastructure.Storage;
using AlliancePipeline.Functions.Invitations;
using AlliancePipeline.Functions.Questionnaires;
using Microsoft.Azure.Functions.Worker;

namespace AlliancePipeline.Functions.Infrastructure.Http;

/// <summary>
/// The answers of the raters' links (the questionnaire and the pause link) that are not their own page: a refused link,
/// an answered questionnaire, storage down. A page in the rater's language for a browser, problem details for a client
/// that asks for JSON.
/// </summary>
public static class RaterAnswers
{
    private const string PageLanguageItem = "AlliancePipeline.PageLanguage";

    /// <summary>
    /// The language of a page before the rater's own is known: <c>?lang=</c>, else the best of <c>Accept-Language</c> the
    /// pages are written in (<see cref="PageLanguages"/>), else null (English).
    /// </summary>
    public static string? Language(HttpRequest request) =>
        request.RequestedLanguage() ?? request.AcceptedLanguage(PageLanguages.Supports);

    /// <summary>Remembers the language of the rater's pages once it is known, for a 503 page should storage fail from here on.</summary>
    public static void KnowPageLanguage(this FunctionContext context, string language)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Items[PageLanguageItem] = language;
    }

    /// <summary>A refused link: 404 or 410.</summary>
    public static IResult Refused(HttpRequest request, LinkRefusal refusal, string? language) => refusal switch
    {
        LinkRefusal.Expired => Message(request, StatusCodes.Status410Gone, MessagePage.Expired, language, "Link expired", "The link has expired."),
        LinkRefusal.Revoked => Message(request, StatusCodes.Status410Gone, MessagePage.Revoked, language, "Link revoked", "This link has been replaced or withdrawn."),
        LinkRefusal.Unknown => Message(request, StatusCodes.Status404NotFound, MessagePage.NotFound, language, "Link not valid", "The questionnaire this link names does not exist."),
        _ => Message(request, StatusCodes.Status404NotFound, MessagePage.NotFound, language, "Link not valid", "The link is not valid."),
    };

    /// <summary>409: the questionnaire was answered; the first answers stand.</summary>
    public static IResult AlreadyAnswered(HttpRequest request, string? language) =>
        Message(request, StatusCodes.Status409Conflict, MessagePage.AlreadyAnswered, language, "Already answered", "Answers for this questionnaire were already received; the first answers stand.");

    /// <summary>503 with Retry-After for the questionnaire: nothing was recorded; the page in the rater's language.</summary>
    public static IResult QuestionnaireUnavailable(HttpRequest request, string? language)
    {
        RetryLater(request);
        return request.WantsJson()
            ? HttpResults.Problem(StatusCodes.Status503ServiceUnavailable, "Temporarily unavailable", "The answers could not be confirmed just now. Please try again in a minute: if they did arrive, the link answers 409.")
            : HttpResults.Page(StatusCodes.Status503ServiceUnavailable, QuestionnairePage.RenderMessage(MessagePage.Unavailable, language));
    }

    /// <summary>503 with Retry-After for the pause link: nothing was changed; the page in the rater's language.</summary>
    public static IResult PauseUnavailable(HttpRequest request, string? language)
    {
        RetryLater(request);
        return request.WantsJson()
            ? HttpResults.Problem(StatusCodes.Status503ServiceUnavailable, "Temporarily unavailable", "Reminders could not be paused just now; nothing was changed. Please try again in a minute.")
            : HttpResults.Page(StatusCodes.Status503ServiceUnavailable, PausePage.Render(PauseView.Unavailable, language));
    }

    /// <summary>500 for the questionnaire (<see cref="UnexpectedFailureMiddleware"/>): the page that asks to send the answers again in a minute, in the rater's language.</summary>
    public static IResult QuestionnaireFailed(HttpRequest request, string? language) =>
        Message(request, StatusCodes.Status500InternalServerError, MessagePage.Unavailable, language, UnexpectedFailureMiddleware.Title, UnexpectedFailureMiddleware.Detail);

    /// <summary>500 for the pause link (<see cref="UnexpectedFailureMiddleware"/>): the page that asks to try again, in the rater's language.</summary>
    public static IResult PauseFailed(HttpRequest request, string? language) =>
        request.WantsJson()
            ? HttpResults.Problem(StatusCodes.Status500InternalServerError, UnexpectedFailureMiddleware.Title, UnexpectedFailureMiddleware.Detail)
            : HttpResults.Page(StatusCodes.Status500InternalServerError, PausePage.Render(PauseView.Unavailable, language));

    /// <summary>The language remembered by <see cref="KnowPageLanguage"/>, else <see cref="Language"/>.</summary>
    internal static string? PageLanguage(FunctionContext context, HttpRequest request) =>
        context.Items.TryGetValue(PageLanguageItem, out var known) && known is string language ? language : Language(request);

    private static IResult Message(HttpRequest request, int status, MessagePage page, string? language, string title, string detail) =>
        request.WantsJson() ? HttpResults.Problem(status, title, detail) : HttpResults.Page(status, QuestionnairePage.RenderMessage(page, language));

    private static void RetryLater(HttpRequest request) =>
        request.HttpContext.Response.Headers.RetryAfter = StorageUnavailable.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
}
