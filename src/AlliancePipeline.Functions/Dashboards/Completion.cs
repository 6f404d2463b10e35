using AlliancePipeline.Functions.Infrastructure.Http;
using Microsoft.Azure.Functions.Worker;

namespace AlliancePipeline.Functions.Dashboards;

/// <summary>
/// <c>GET /api/studies/{studyId}/completion[?site=]</c>: the completion figures as JSON, for any key of the study (a site
/// key: its site's).
/// </summary>
public sealed class Completion(DashboardService dashboard)
{
    /// <summary>The figures <see cref="DashboardService"/> reads, as JSON.</summary>
    [Function(nameof(Completion))]
    [KeyAccess(KeyPermission.ReadCompletion)]
    [StorageOutage("A dashboard request could not be served")]
    public async Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "studies/{studyId}/completion")] HttpRequest request,
        string studyId,
        FunctionContext context,
        CancellationToken cancellationToken)
    {
        if (!request.TryGetQueryValue(DashboardService.SiteParameter, out var site))
            return AccessResults.BadRequest(AnswerAs.Json, "Site given twice", "Give ?site= once.");
        var figures = await dashboard.CompletionAsync(studyId, context.GetCaller(), site, cancellationToken);
        return figures.IsRefused ? AccessResults.For(figures.Refusal, AnswerAs.Json) : HttpResults.NoStore(TypedResults.Ok(figures.Value));
    }
}
