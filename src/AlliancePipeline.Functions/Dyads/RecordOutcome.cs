using AlliancePipeline.Functions.Infrastructure.Access;
using Microsoft.Azure.Functions.Worker;

namespace AlliancePipeline.Functions.Dyads;

/// <summary><c>PUT /api/studies/{studyId}/dyads/{dyadId}/outcome</c>: records a dyad's employment outcome.</summary>
public sealed class RecordOutcome(DyadOperations dyads, KeyAuthentication keys)
{
    /// <summary>Hands the outcome to <see cref="DyadOperations"/>.</summary>
    [Function(nameof(RecordOutcome))]
    public async Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "studies/{studyId}/dyads/{dyadId}/outcome")] HttpRequest request,
        string studyId,
        string dyadId,
        CancellationToken cancellationToken)
    {
        var auth = await keys.AuthorizeAsync(request, s => s.CanCoordinate(studyId), AnswerAs.Json, cancellationToken);
        return auth.Succeeded ? await dyads.RecordOutcomeAsync(studyId, dyadId, request, auth.Caller, cancellationToken) : auth.Refusal;
    }
}
