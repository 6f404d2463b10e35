using AlliancePipeline.Contracts.Storage;
using AlliancePipeline.Core.Studies;
using AlliancePipeline.Functions.Infrastructure.Http;
using AlliancePipeline.Functions.Infrastructure.Storage;
using AlliancePipeline.Functions.Mail;
using AlliancePipeline.Functions.Questionnaires;
using Azure;
using Azure.Data.Tables;

namespace AlliancePipeline.Functions.Invitations;

/// <summary>
/// The pause link <c>/api/reminders/pause/{token}</c> (<see cref="PauseLinks"/>). <c>GET</c> changes nothing (mail
/// scanners open links): it shows what pausing means and a button. <c>POST</c> (the button, or a mail client's one-click
/// <c>List-Unsubscribe-Post</c>) sets the assessment's <c>RemindersPaused</c> under its ETag and writes <c>Audit</c>
/// (<c>reminders.paused</c>) once; posting again changes nothing. Pages are in the rater's language (<c>?lang=</c>
/// overrides); JSON clients get JSON, and problem details for refusals: an altered, malformed or unknown link → 404, an
/// expired one → 410, storage unreachable → 503 with Retry-After (nothing changed).
/// </summary>
public sealed class ReminderPauseService(PauseLinks links, TableServiceClient tables, TimeProvider clock, ILogger<ReminderPauseService> log)
{
    /// <summary>The largest body a post may have (the button sends nothing; one-click sends <c>List-Unsubscribe=One-Click</c>).</summary>
    public const int MaxBodyBytes = 1024;

    /// <summary>Shows the pause page; changes nothing.</summary>
    public Task<IResult> GetAsync(string token, HttpRequest request, CancellationToken ct) => AnswerAsync(token, request, pause: false, ct);

    /// <summary>Pauses the assessment's reminders.</summary>
    public async Task<IResult> PostAsync(string token, HttpRequest request, CancellationToken ct)
    {
        if (await RequestBody.ReadTextAsync(request, MaxBodyBytes, ct).ConfigureAwait(false) is null)
            return HttpResults.Problem(StatusCodes.Status413PayloadTooLarge, "Body too large", $"A pause request is at most {MaxBodyBytes} bytes.");
        return await AnswerAsync(token, request, pause: true, ct).ConfigureAwait(false);
    }

    private async Task<IResult> AnswerAsync(string token, HttpRequest request, bool pause, CancellationToken ct)
    {
        var language = RequestedLanguage(request);
        var claims = links.Validate(token, clock.GetUtcNow(), out var problem);
        if (claims is null)
        {
            return problem == LinkProblem.Expired
                ? Refuse(request, 410, MessagePage.Expired, language ?? AcceptLanguage(request), "Link expired", "The link has expired.")
                : Refuse(request, 404, MessagePage.NotFound, language ?? AcceptLanguage(request), "Link not valid", "The link is not valid.");
        }
        try
        {
            var assessments = tables.GetTableClient(StorageNames.AssessmentsTable);
            for (var attempt = 0; ; attempt++)
            {
                var found = await assessments.GetEntityIfExistsAsync<AssessmentEntity>(claims.StudyId, claims.AssessmentId, cancellationToken: ct).ConfigureAwait(false);
                if (!found.HasValue)
                    return Refuse(request, 404, MessagePage.NotFound, language ?? AcceptLanguage(request), "Link not valid", "The questionnaire this link names does not exist.");
                var entity = found.Value!;
                language ??= entity.Language;
                var status = entity.ToAssessment().Status;
                if (status != AssessmentStatus.Pending) return Show(request, PauseView.NothingToPause, language, entity, "closed");
                if (entity.RemindersPaused) return Show(request, PauseView.Paused, language, entity, "paused");
                if (!pause) return Show(request, PauseView.Confirm, language, entity, "active");
                var update = new TableEntity(claims.StudyId, claims.AssessmentId) { [nameof(AssessmentEntity.RemindersPaused)] = true };
                try
                {
                    await assessments.UpdateEntityAsync(update, entity.ETag, TableUpdateMode.Merge, ct).ConfigureAwait(false);
                }
                catch (RequestFailedException e) when (e.Status == 412 && attempt < 5)
                {
                    continue; // written meanwhile (answered, paused, reminded): read again and decide again
                }
                var now = clock.GetUtcNow();
                await MailAudit.WriteAsync(tables, claims.StudyId, now, "link:pause", MailAudit.RemindersPaused, claims.AssessmentId,
                    "the rater paused reminders through the link in a mail", ct).ConfigureAwait(false);
                log.LogInformation("Reminders of {StudyId}/{AssessmentId} paused through the pause link.", claims.StudyId, claims.AssessmentId);
                return Show(request, PauseView.Paused, language, entity, "paused");
            }
        }
        catch (Exception e) when (StorageUnavailable.Is(e))
        {
            log.LogWarning("A pause link could not be served (storage unavailable: {Reason}); answered 503.", StorageUnavailable.Describe(e));
            request.HttpContext.Response.Headers.RetryAfter = StorageUnavailable.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return QuestionnaireService.WantsJson(request)
                ? HttpResults.Problem(503, "Temporarily unavailable", "Reminders could not be paused just now; nothing was changed. Please try again in a minute.")
                : HttpResults.Page(503, PausePage.Render(PauseView.Unavailable, language ?? AcceptLanguage(request)));
        }
    }

    private static IResult Show(HttpRequest request, PauseView view, string language, AssessmentEntity entity, string status) =>
        QuestionnaireService.WantsJson(request)
            ? TypedResults.Ok(new PauseStatus(status, entity.RowKey))
            : HttpResults.Page(200, PausePage.Render(view, language, entity.DyadId, entity.Meeting));

    private static IResult Refuse(HttpRequest request, int status, MessagePage page, string? language, string title, string detail) =>
        QuestionnaireService.WantsJson(request)
            ? HttpResults.Problem(status, title, detail)
            : HttpResults.Page(status, QuestionnairePage.RenderMessage(page, language));

    private static string? RequestedLanguage(HttpRequest request) =>
        request.Query.TryGetValue("lang", out var lang) && !string.IsNullOrWhiteSpace(lang) ? lang.ToString().Trim() : null;

    private static string? AcceptLanguage(HttpRequest request) =>
        request.Headers.AcceptLanguage.ToString().Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).FirstOrDefault()?.Split(';')[0];
}

/// <summary>The JSON answer of the pause link.</summary>
/// <param name="Status"><c>active</c> (reminders go; GET), <c>paused</c>, or <c>closed</c> (answered or withdrawn: none go).</param>
/// <param name="AssessmentId">The assessment.</param>
public sealed record PauseStatus(
    [property: System.Text.Json.Serialization.JsonPropertyName("status")] string Status,
    [property: System.Text.Json.Serialization.JsonPropertyName("assessmentId")] string AssessmentId);
