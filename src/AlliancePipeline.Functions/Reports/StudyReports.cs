using AlliancePipeline.Functions.Infrastructure.Access;
using Microsoft.Azure.Functions.Worker;

namespace AlliancePipeline.Functions.Reports;

/// <summary>
/// <c>GET /api/studies/{studyId}/reports/{run}/{file}</c>: a study's report files, <c>latest</c> or a run (a key that reads
/// every site: researcher, study coordinator, admin; <c>?key=</c> works so a printed link opens in a browser).
/// </summary>
public sealed class StudyReports(ReportAccess reports, KeyAuthentication keys)
{
    /// <summary>Checks the key, then hands the request to <see cref="ReportAccess"/>.</summary>
    [Function(nameof(StudyReports))]
    public async Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "studies/{studyId}/reports/{run}/{file}")] HttpRequest request,
        string studyId,
        string run,
        string file,
        CancellationToken cancellationToken)
    {
        var asPage = file.EndsWith(".html", StringComparison.Ordinal) ? AnswerAs.Page : AnswerAs.Json;
        var auth = await keys.AuthorizeAsync(request, s => s.CanReadReports(studyId), asPage, cancellationToken);
        return auth.Succeeded ? await reports.FileAsync(studyId, run, file, cancellationToken) : auth.Refusal;
    }
}
