using AlliancePipeline.Functions.Infrastructure.Http;
using Microsoft.Azure.Functions.Worker;

namespace AlliancePipeline.Functions.Dashboards;

/// <summary>
/// <c>GET /api/studies/{studyId}/completion[?site=]</c>: the completion figures as JSON, for any key of the study (a site
/// key: its site's). The dashboard links it, so a browser opening it is treated as opening a page: refusals are pages,
/// and the key cookie opens it (<see cref="RefuseAs.Navigation"/>); tools get problem details and must send the key.
/// </summary>
public sealed class Completion(DashboardService dashboard)
{
    /// <summary>The figures <see cref="DashboardService"/> reads, as JSON.</summary>
    [Function(nameof(Completion))]
    [KeyAccess(KeyPermission.ReadCompletion, RefuseAs = RefuseAs.Navigation)]
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
