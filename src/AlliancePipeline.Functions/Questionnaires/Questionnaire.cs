using System.Diagnostics;
using AlliancePipeline.Functions.Infrastructure.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Azure.Functions.Worker;

namespace AlliancePipeline.Functions.Questionnaires;

/// <summary>
/// <c>GET|POST /api/q/{token}</c>: the rater's questionnaire link. GET serves the form in the rater's language
/// (<c>?lang=</c> overrides; <c>?done=1</c> once answered: the thank-you page). POST takes the answers: a browser's form
/// post gets a 303 to the thank-you page (Post/Redirect/Get: a refresh does not post again), a tool's JSON post 202 with
/// JSON. Refused links (404 unknown or altered, 410 expired or revoked, 409 already answered) get a page, or problem
/// details for JSON clients; storage down, 503 with Retry-After (never a 500); a body over 16 KiB, 413 before any work.
/// </summary>
public sealed class Questionnaire(QuestionnaireService questionnaire)
{
    /// <summary>Opens the form, or takes the answers.</summary>
    [Function(nameof(Questionnaire))]
    [RequestLimits(QuestionnaireService.MaxBodyBytes, BodyTypes.Form, BodyTypes.Json, BodyTypes.AnyJson)]
    [StorageOutage("A questionnaire page could not be served", WhatOnPost = "A submission could not be taken", Answer = OutageAnswer.Questionnaire)]
    public Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "post", Route = "q/{token}")] HttpRequest request,
        string token,
        CancellationToken cancellationToken) =>
        HttpMethods.IsPost(request.Method) ? PostAsync(request, token, cancellationToken) : GetAsync(request, token, cancellationToken);

    private async Task<IResult> GetAsync(HttpRequest request, string token, CancellationToken ct) =>
        await questionnaire.OpenAsync(token, request.RequestedLanguage(), ct) switch
        {
            QuestionnaireOpening.Opened o => HttpResults.Page(StatusCodes.Status200OK, QuestionnairePage.RenderForm(o.View)),
            QuestionnaireOpening.Answered a when request.Query.ContainsKey("done") =>
                HttpResults.Page(StatusCodes.Status200OK, QuestionnairePage.RenderMessage(MessagePage.ThankYou, a.Language)),
            QuestionnaireOpening.Answered a => RaterAnswers.AlreadyAnswered(request, a.Language),
            QuestionnaireOpening.Refused r => RaterAnswers.Refused(request, r.Reason, r.Language ?? RaterAnswers.Language(request)),
            _ => throw new UnreachableException(),
        };

    private async Task<IResult> PostAsync(HttpRequest request, string token, CancellationToken ct)
    {
        var json = request.HasJsonBody();
        Submission submission;
        if (json)
        {
            if (await RequestBody.ReadJsonAsync(request, QuestionnaireService.MaxBodyBytes, BodyJson.Default.AnswersBody, ct) is not { } body)
                return HttpResults.Problem(StatusCodes.Status413PayloadTooLarge, "Body too large", $"A submission is at most {QuestionnaireService.MaxBodyBytes} bytes.");
            submission = body.Problem switch
            {
                JsonBodyProblem.NotJson => new Submission.NotJson(),
                _ => new Submission.Answers(body.Value?.Items?.Select(i => i.Value).ToList()),
            };
        }
        else
        {
            submission = new Submission.Form(await ReadFormAsync(request, ct));
        }
        return await questionnaire.SubmitAsync(token, submission, request.RequestedLanguage(), ct) switch
        {
            SubmissionOutcome.Accepted a when json => TypedResults.Accepted((string?)null, new SubmissionAccepted("accepted", a.AssessmentId)),
            SubmissionOutcome.Accepted a => HttpResults.SeeOther($"?done=1&lang={Uri.EscapeDataString(a.Language)}"),
            SubmissionOutcome.AlreadyAnswered a => RaterAnswers.AlreadyAnswered(request, a.Language),
            SubmissionOutcome.Refused r => RaterAnswers.Refused(request, r.Reason, r.Language ?? RaterAnswers.Language(request)),
            SubmissionOutcome.Unreadable u => HttpResults.Problem(StatusCodes.Status400BadRequest, "Invalid answers", u.Detail),
            SubmissionOutcome.Invalid i when json => TypedResults.ValidationProblem(
                i.Errors.ToDictionary(e => Core.Instruments.InstrumentForm.FieldNameFor(e.Key), e => new[] { e.Value }),
                detail: string.Join(" ", i.Errors.Values),
                title: "Invalid answers"),
            SubmissionOutcome.Invalid i => HttpResults.Page(StatusCodes.Status400BadRequest, QuestionnairePage.RenderForm(i.View)),
            _ => throw new UnreachableException(),
        };
    }

    /// <summary>
    /// The form's fields in order, a repeated name as often as it came (ASP.NET Core's form reader). A post without a
    /// Content-Type is read as the form it is by default. The body is at most 16 KiB (the middleware saw to it), so the
    /// reader's own limits are set to take whatever that can hold. A form the reader refuses (a NUL in a value) holds no
    /// answer: the rater gets the form again, as for any answer that is not one of the scale's.
    /// </summary>
    private static async Task<IReadOnlyList<KeyValuePair<string, string?>>> ReadFormAsync(HttpRequest request, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(request.ContentType)) request.ContentType = BodyTypes.Form;
        request.HttpContext.Features.Set<IFormFeature>(new FormFeature(request, new FormOptions
        {
            ValueCountLimit = QuestionnaireService.MaxBodyBytes + 1,
            KeyLengthLimit = QuestionnaireService.MaxBodyBytes,
            ValueLengthLimit = QuestionnaireService.MaxBodyBytes,
        }));
        IFormCollection form;
        try
        {
            form = await request.ReadFormAsync(ct);
        }
        catch (InvalidDataException)
        {
            return [];
        }
        return [.. form.SelectMany(field => field.Value.Select(value => new KeyValuePair<string, string?>(field.Key, value)))];
    }
}
