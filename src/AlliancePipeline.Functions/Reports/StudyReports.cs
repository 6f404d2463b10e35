using AlliancePipeline.Functions.Exports;
using AlliancePipeline.Functions.Infrastructure.Http;
using Microsoft.Azure.Functions.Worker;

namespace AlliancePipeline.Functions.Reports;

/// <summary>
/// <c>GET /api/studies/{studyId}/reports/{run}/{file}</c>: a study's report files, <c>latest</c> or a run (a key that reads
/// every site: researcher, study coordinator, admin; <c>?key=</c> works so a printed link opens in a browser, and a
/// refused <c>report.html</c> is a page).
/// </summary>
public sealed class StudyReports(ReportAccess reports)
{
    /// <summary>Serves the file <see cref="ReportAccess.FileAsync"/> reads.</summary>
    [Function(nameof(StudyReports))]
    [KeyAccess(KeyPermission.ReadReports, RefuseAs = RefuseAs.File)]
    public async Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "studies/{studyId}/reports/{run}/{file}")] HttpRequest request,
        string studyId,
        string run,
        string file,
        FunctionContext context,
        CancellationToken cancellationToken)
    {
        var found = await reports.FileAsync(studyId, run, file, context.GetCaller(), cancellationToken);
        return found.Answer(Serve);
    }

    /// <summary>A report or export file, as the report's own security policy allows it.</summary>
    public static IResult Serve(ExportFile file) => HttpResults.File(file, ReportAccess.ReportSecurityPolicy);
}
