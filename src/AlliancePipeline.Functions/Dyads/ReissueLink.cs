using AlliancePipeline.Functions.Infrastructure.Access;
using Microsoft.Azure.Functions.Worker;

namespace AlliancePipeline.Functions.Dyads;

/// <summary><c>POST /api/studies/{studyId}/assessments/{assessmentId}/reissue</c>: a new link; the old one answers 410.</summary>
public sealed class ReissueLink(DyadOperations dyads, KeyAuthentication keys)
{
    /// <summary>Hands the request to <see cref="DyadOperations"/>.</summary>
    [Function(nameof(ReissueLink))]
    public async Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "studies/{studyId}/assessments/{assessmentId}/reissue")] HttpRequest request,
        string studyId,
        string assessmentId,
        CancellationToken cancellationToken)
    {
        var auth = await keys.AuthorizeAsync(request, s => s.CanCoordinate(studyId), AnswerAs.Json, cancellationToken);
        return auth.Succeeded ? await dyads.ReissueAsync(studyId, assessmentId, auth.Caller, cancellationToken) : auth.Refusal;
    }
}
