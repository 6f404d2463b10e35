using AlliancePipeline.Functions.Infrastructure.Http;
using AlliancePipeline.Functions.Questionnaires;
using Microsoft.Azure.Functions.Worker;

namespace AlliancePipeline.Functions.Invitations;

/// <summary>
/// <c>GET|POST /api/reminders/pause/{token}</c>: the pause link of invitations and reminders. GET changes nothing (mail
/// scanners open links): the page says what pausing does and offers the button. POST pauses. Pages are in the rater's
/// language (<c>?lang=</c> overrides); JSON clients get <c>{"status","assessmentId"}</c>, and problem details for refusals:
/// altered or unknown 404, expired or replaced (the assessment's link version moved on: reissued, or a new rater or
/// address) 410, storage down 503 with Retry-After (nothing changed). It reads no body: at most
/// 1 KiB of any type, as every route that declares none.
/// </summary>
public sealed class PauseReminders(ReminderPauseService pause)
{
    /// <summary>Shows the pause page, or pauses.</summary>
    [Function(nameof(PauseReminders))]
    [StorageOutage("A pause link could not be served", Answer = OutageAnswer.PauseLink)]
    public async Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "post", Route = "reminders/pause/{token}")] HttpRequest request,
        string token,
        FunctionContext context,
        CancellationToken cancellationToken)
    {
        var language = request.RequestedLanguage();
        if (pause.Check(token, out var refusal) is not { } claims)
            return RaterAnswers.Refused(request, refusal!.Value, language ?? RaterAnswers.Language(request));
        if (await pause.FindAsync(claims, cancellationToken) is not { } target)
            return RaterAnswers.Refused(request, LinkRefusal.Unknown, language ?? RaterAnswers.Language(request));
        language ??= target.Language;
        if (!target.IsCurrent) return RaterAnswers.Refused(request, LinkRefusal.Revoked, language);
        context.KnowPageLanguage(language);
        if (HttpMethods.IsPost(request.Method))
        {
            if (await pause.PauseAsync(target, cancellationToken) is not { } after)
                return RaterAnswers.Refused(request, LinkRefusal.Unknown, language);
            if (!after.IsCurrent) return RaterAnswers.Refused(request, LinkRefusal.Revoked, language);
            target = after;
        }
        return request.WantsJson()
            ? TypedResults.Ok(new PauseStatus(Status(target.State), target.AssessmentId))
            : HttpResults.Page(StatusCodes.Status200OK, PausePage.Render(View(target.State), language, target.DyadId, target.Meeting, target.RaterRole));
    }

    private static string Status(PauseState state) => state switch
    {
        PauseState.Paused => "paused",
        PauseState.Closed => "closed",
        _ => "active",
    };

    private static PauseView View(PauseState state) => state switch
    {
        PauseState.Paused => PauseView.Paused,
        PauseState.Closed => PauseView.NothingToPause,
        _ => PauseView.Confirm,
    };
}
