using AlliancePipeline.Functions.Infrastructure.Http;
using Microsoft.Azure.Functions.Worker;

namespace AlliancePipeline.Functions.Dyads;

/// <summary>
/// <c>POST /api/studies/{studyId}/assessments/{assessmentId}/reissue</c> (a coordinator): a new link version, mailed to
/// the rater by the next <c>Reminders</c> run; the old link answers 410. The answer says what was done and when the
/// link is mailed, never the link.
/// </summary>
public sealed class ReissueLink(DyadOperations dyads)
{
    /// <summary>Hands the assessment to <see cref="DyadOperations.ReissueAsync"/>.</summary>
    [Function(nameof(ReissueLink))]
    [KeyAccess(KeyPermission.Coordinate)]
    public async Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "studies/{studyId}/assessments/{assessmentId}/reissue")] HttpRequest request,
        string studyId,
        string assessmentId,
        FunctionContext context,
        CancellationToken cancellationToken)
    {
        var reissued = await dyads.ReissueAsync(studyId, assessmentId, context.GetCaller(), cancellationToken);
        return reissued.Answer(r => TypedResults.Ok(r));
    }
}
