using AlliancePipeline.Functions.Services.Studies;
using Microsoft.Azure.Functions.Worker;

namespace AlliancePipeline.Functions.Functions;

/// <summary><c>POST /api/studies/{studyId}/assessments/{assessmentId}/reissue</c>: a new link; the old one answers 410.</summary>
public sealed class ReissueLink(DyadOperations dyads)
{
    /// <summary>Hands the request to <see cref="DyadOperations"/>.</summary>
    [Function(nameof(ReissueLink))]
    public Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "studies/{studyId}/assessments/{assessmentId}/reissue")] HttpRequest request,
        string studyId,
        string assessmentId,
        CancellationToken cancellationToken) =>
        dyads.ReissueAsync(studyId, assessmentId, "api", cancellationToken);
}
