using Microsoft.Azure.Functions.Worker;

namespace AlliancePipeline.Functions.Dashboards;

/// <summary><c>POST /api/studies/{studyId}/alerts/{assessmentId}/close</c>: a coordinator closes a rupture alert.</summary>
public sealed class CloseAlert(DashboardService dashboard)
{
    /// <summary>Hands the request to <see cref="DashboardService.CloseAlertAsync"/>.</summary>
    [Function(nameof(CloseAlert))]
    public Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "studies/{studyId}/alerts/{assessmentId}/close")] HttpRequest request,
        string studyId,
        string assessmentId,
        CancellationToken cancellationToken) =>
        dashboard.CloseAlertAsync(studyId, assessmentId, request, cancellationToken);
}
