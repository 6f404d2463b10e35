using AlliancePipeline.Functions.Infrastructure.Http;
using Microsoft.Azure.Functions.Worker;

namespace AlliancePipeline.Functions.Dashboards;

/// <summary>
/// <c>POST /api/studies/{studyId}/alerts/{assessmentId}/close</c>: a coordinator closes a rupture alert. The dashboard's
/// form post (authorized by the key cookie, which a post only may use from the app's own page: see
/// <see cref="KeyCookie.MayAuthorize"/>) gets 303 back to the dashboard; a client that asks for JSON gets 200 with the
/// alert's state. Refusals as the client asked: a page, or problem details.
/// </summary>
public sealed class CloseAlert(DashboardService dashboard)
{
    /// <summary>Hands the alert to <see cref="DashboardService.CloseAlertAsync"/>.</summary>
    [Function(nameof(CloseAlert))]
    [KeyAccess(KeyPermission.Coordinate, RefuseAs = RefuseAs.Asked)]
    [StorageOutage("A dashboard request could not be served")]
    public async Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "studies/{studyId}/alerts/{assessmentId}/close")] HttpRequest request,
        string studyId,
        string assessmentId,
        FunctionContext context,
        CancellationToken cancellationToken)
    {
        var answerAs = request.WantsJson() ? AnswerAs.Json : AnswerAs.Page;
        var closed = await dashboard.CloseAlertAsync(studyId, assessmentId, context.GetCaller(), cancellationToken);
        if (closed.IsRefused) return AccessResults.For(closed.Refusal, answerAs);
        if (answerAs == AnswerAs.Json) return HttpResults.NoStore(TypedResults.Ok(closed.Value));
        return HttpResults.SeeOther($"../../dashboard?closed={Uri.EscapeDataString(assessmentId)}#alerts");
    }
}
