using AlliancePipeline.Functions.Infrastructure.Http;
using AlliancePipeline.Functions.Reports;
using Microsoft.Azure.Functions.Worker;

namespace AlliancePipeline.Functions.Exports;

/// <summary>
/// <c>GET /api/studies/{studyId}/export?format=csv|json|fhir</c>: a study's responses (a key that reads every site),
/// streamed as they are written; the reading is audited (<c>export.read</c> with the responses sent) when it has ended.
/// </summary>
public sealed class ExportResponses(ReportAccess reports, ILogger<ExportResponses> log)
{
    /// <summary>Streams the export <see cref="ReportAccess.ExportAsync"/> opens, then audits it.</summary>
    [Function(nameof(ExportResponses))]
    [KeyAccess(KeyPermission.ReadReports)]
    public async Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "studies/{studyId}/export")] HttpRequest request,
        string studyId,
        FunctionContext context,
        CancellationToken cancellationToken)
    {
        var caller = context.GetCaller();
        var export = await reports.ExportAsync(studyId, request.Query["format"].FirstOrDefault(), cancellationToken);
        return export.Answer(e => HttpResults.Streamed(e, ReportAccess.ReportSecurityPolicy,
            (rows, complete) => reports.AuditExportAsync(studyId, caller, e, rows, complete, CancellationToken.None), log));
    }
}
