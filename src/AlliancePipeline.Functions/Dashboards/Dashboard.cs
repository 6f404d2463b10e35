using AlliancePipeline.Functions.Infrastructure.Http;
using Microsoft.Azure.Functions.Worker;

namespace AlliancePipeline.Functions.Dashboards;

/// <summary>
/// <c>GET /api/studies/{studyId}/dashboard[?site=]</c>: the coordinator dashboard (HTML, no script), for a coordinator of
/// the study (admin, study or site key; a site key sees its site only), in its coordinators' language (a site key: its
/// site's; else the browser's: <see cref="DyadConsole.PageLanguageAsync"/>). Its rows link each dyad's console page. Refusals are pages.
/// </summary>
public sealed class Dashboard(DashboardService dashboard, Dyads.DyadSchedules schedules)
{
    /// <summary>The page of the figures <see cref="DashboardService"/> reads.</summary>
    [Function(nameof(Dashboard))]
    [KeyAccess(KeyPermission.Coordinate, RefuseAs = RefuseAs.Page)]
    [StorageOutage("A dashboard request could not be served")]
    public async Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "studies/{studyId}/dashboard")] HttpRequest request,
        string studyId,
        FunctionContext context,
        CancellationToken cancellationToken)
    {
        if (!request.TryGetQueryValue(DashboardService.SiteParameter, out var site))
            return AccessResults.BadRequest(AnswerAs.Page, "Site given twice", "Give ?site= once.");
        var caller = context.GetCaller();
        var figures = await dashboard.CompletionAsync(studyId, caller, site, cancellationToken);
        if (figures.IsRefused) return AccessResults.For(figures.Refusal, AnswerAs.Page);
        var report = figures.Value;
        var closed = request.Query["closed"] is { Count: 1 } asked && DashboardService.IsAssessmentId(asked[0]) && report.OpenAlerts.All(a => a.AssessmentId != asked[0]) ? asked[0] : null;
        var language = await DyadConsole.PageLanguageAsync(schedules, request, caller, studyId, cancellationToken);
        if (await schedules.StudyNameAsync(studyId, language, cancellationToken) is { } name) report = report with { StudyName = name };
        var view = new DashboardView(report, AllSitesVisible: caller.Scope.CanReadStudy(studyId),
            CanCloseAlerts: caller.Scope.CanCoordinate(studyId), ClosedAlert: closed, Language: language);
        return HttpResults.Page(StatusCodes.Status200OK, DashboardPage.Render(view));
    }
}
