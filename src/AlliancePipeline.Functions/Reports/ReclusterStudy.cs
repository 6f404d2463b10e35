using AlliancePipeline.Functions.Infrastructure.Http;
using Microsoft.Azure.Functions.Worker;

namespace AlliancePipeline.Functions.Reports;

/// <summary><c>POST /api/manage/studies/{studyId}/recluster</c>: the study's report now (admin or the study's coordinator).</summary>
public sealed class ReclusterStudy(ReportAccess reports)
{
    /// <summary>Hands the study to <see cref="ReportAccess.ReclusterAsync"/>.</summary>
    [Function(nameof(ReclusterStudy))]
    [KeyAccess(KeyPermission.CoordinateStudy)]
    public async Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "manage/studies/{studyId}/recluster")] HttpRequest request,
        string studyId,
        FunctionContext context,
        CancellationToken cancellationToken)
    {
        var run = await reports.ReclusterAsync(studyId, context.GetCaller().Actor, cancellationToken);
        return run.Answer(r => TypedResults.Ok(r));
    }
}
