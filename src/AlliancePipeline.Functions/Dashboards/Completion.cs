using Microsoft.Azure.Functions.Worker;

namespace AlliancePipeline.Functions.Dashboards;

/// <summary><c>GET /api/studies/{studyId}/completion</c>: the completion figures as JSON, behind an access key.</summary>
public sealed class Completion(DashboardService dashboard)
{
    /// <summary>Hands the request to <see cref="DashboardService.CompletionAsync"/>.</summary>
    [Function(nameof(Completion))]
    public Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "studies/{studyId}/completion")] HttpRequest request,
        string studyId,
        CancellationToken cancellationToken) =>
        dashboard.CompletionAsync(studyId, request, cancellationToken);
}
