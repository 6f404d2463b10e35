using AlliancePipeline.Functions.Infrastructure.Access;
using Microsoft.Azure.Functions.Worker;

namespace AlliancePipeline.Functions.Dyads;

/// <summary><c>PUT /api/studies/{studyId}/dyads/{dyadId}/meetings/{meeting}</c>: records when a meeting took place.</summary>
public sealed class RecordMeetingDate(DyadOperations dyads, KeyAuthentication keys)
{
    /// <summary>Hands the date to <see cref="DyadOperations"/>.</summary>
    [Function(nameof(RecordMeetingDate))]
    public async Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "studies/{studyId}/dyads/{dyadId}/meetings/{meeting}")] HttpRequest request,
        string studyId,
        string dyadId,
        string meeting,
        CancellationToken cancellationToken)
    {
        var auth = await keys.AuthorizeAsync(request, s => s.CanCoordinate(studyId), AnswerAs.Json, cancellationToken);
        return auth.Succeeded ? await dyads.RecordMeetingAsync(studyId, dyadId, meeting, request, auth.Caller, cancellationToken) : auth.Refusal;
    }
}
