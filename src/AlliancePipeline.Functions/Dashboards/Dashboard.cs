using Microsoft.Azure.Functions.Worker;

namespace AlliancePipeline.Functions.Dashboards;

/// <summary><c>GET /api/studies/{studyId}/dashboard</c>: the coordinator dashboard (HTML, no script), behind an access key.</summary>
public sealed class Dashboard(DashboardService dashboard)
{
    /// <summary>Hands the request to <see cref="DashboardService.DashboardAsync"/>.</summary>
    [Function(nameof(Dashboard))]
    public Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "studies/{studyId}/dashboard")] HttpRequest request,
        string studyId,
        CancellationToken cancellationToken) =>
        dashboard.DashboardAsync(studyId, request, cancellationToken);
}
