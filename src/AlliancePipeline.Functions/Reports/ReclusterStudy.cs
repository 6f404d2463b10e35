using AlliancePipeline.Functions.Infrastructure.Access;
using Microsoft.Azure.Functions.Worker;

namespace AlliancePipeline.Functions.Reports;

/// <summary><c>POST /api/manage/studies/{studyId}/recluster</c>: the study's report now (admin or the study's coordinator).</summary>
public sealed class ReclusterStudy(ReportAccess reports, KeyAuthentication keys)
{
    /// <summary>Checks the key, then hands the request to <see cref="ReportAccess"/>.</summary>
    [Function(nameof(ReclusterStudy))]
    public async Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "manage/studies/{studyId}/recluster")] HttpRequest request,
        string studyId,
        CancellationToken cancellationToken)
    {
        var auth = await keys.AuthorizeAsync(request, s => s.CanReadStudy(studyId) && s.CanCoordinate(studyId), AnswerAs.Json, cancellationToken);
        return auth.Succeeded ? await reports.ReclusterAsync(studyId, auth.Caller.Actor, cancellationToken) : auth.Refusal;
    }
}
