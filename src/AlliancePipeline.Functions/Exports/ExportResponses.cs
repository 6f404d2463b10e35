using AlliancePipeline.Functions.Infrastructure.Http;
using AlliancePipeline.Functions.Reports;
using Microsoft.Azure.Functions.Worker;

namespace AlliancePipeline.Functions.Exports;

/// <summary><c>GET /api/studies/{studyId}/export?format=csv|json|fhir</c>: a study's responses (a key that reads every site).</summary>
public sealed class ExportResponses(ReportAccess reports)
{
    /// <summary>Serves the export <see cref="ReportAccess.ExportAsync"/> writes.</summary>
    [Function(nameof(ExportResponses))]
    [KeyAccess(KeyPermission.ReadReports)]
    public async Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "studies/{studyId}/export")] HttpRequest request,
        string studyId,
        FunctionContext context,
        CancellationToken cancellationToken)
    {
        var export = await reports.ExportAsync(studyId, request.Query["format"].FirstOrDefault(), context.GetCaller(), cancellationToken);
        return export.Answer(StudyReports.Serve);
    }
}
