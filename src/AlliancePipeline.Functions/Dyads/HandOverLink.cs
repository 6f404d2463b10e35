using System.Globalization;
using AlliancePipeline.Core.Studies;
using AlliancePipeline.Functions.Infrastructure.Http;
using AlliancePipeline.Functions.Infrastructure.Outcomes;
using Microsoft.Azure.Functions.Worker;

namespace AlliancePipeline.Functions.Dyads;

/// <summary>
/// <c>POST /api/studies/{studyId}/dyads/{dyadId}/meetings/{meeting}/raters/{role}/hand-over</c> (the study's coordinator
/// key or the dyad's site key), <c>{"reason":"…"}</c>: where the study allows it, a new link version handed to the
/// coordinator for a rater reached another way (the mailed link then answers 410). The one route whose answer holds a
/// live questionnaire link; <c>no-store</c>.
/// </summary>
public sealed class HandOverLink(DyadOperations dyads)
{
    /// <summary>Reads the request and hands it to <see cref="DyadOperations.HandOverAsync"/>.</summary>
    [Function(nameof(HandOverLink))]
    [KeyAccess(KeyPermission.Coordinate)]
    [RequestLimits(DyadOperations.MaxJsonBytes, BodyTypes.Json, BodyTypes.AnyJson)]
    public async Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "studies/{studyId}/dyads/{dyadId}/meetings/{meeting}/raters/{role}/hand-over")] HttpRequest request,
        string studyId,
        string dyadId,
        string meeting,
        string role,
        FunctionContext context,
        CancellationToken cancellationToken)
    {
        var body = await RequestBody.ReadJsonAsync(request, DyadOperations.MaxJsonBytes, BodyJson.Default.HandOverBody, cancellationToken);
        var handed = await dyads.HandOverAsync(studyId, Read(body, dyadId, meeting, role), context.GetCaller(), cancellationToken);
        return HttpResults.NoStore(handed.Answer(r => TypedResults.Ok(r)));
    }

    /// <summary>The request the route and body hold, or why they hold none: the meeting, the role, then the reason.</summary>
    private static Outcome<HandOverRequest> Read(JsonBody<HandOverBody>? body, string dyadId, string meeting, string role)
    {
        const string Title = "Hand-over refused";
        if (!int.TryParse(meeting, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
            return Refusal.Invalid(Title, $"'{meeting}' is not a meeting number.");
        if (!RaterRoles.All.Contains(role))
            return Refusal.Invalid(Title, $"'{role}' is not a rater role: {string.Join(" or ", RaterRoles.All)}.");
        if (body is null) return Refusal.TooLarge("Body too large", "Send {\"reason\": \"…\"}: a small JSON object.");
        var asked = $"Send {{\"reason\": \"…\"}}: why the rater cannot take the mailed link, in at most {HandOverRequest.MaxReasonLength} characters, without names or addresses.";
        if (!body.IsRead || body.Value.Reason?.Trim() is not { Length: > 0 } reason) return Refusal.Invalid(Title, asked);
        if (reason.Length > HandOverRequest.MaxReasonLength || reason.Any(char.IsControl)) return Refusal.Invalid(Title, asked);
        return new HandOverRequest(dyadId, number, role, reason);
    }
}
