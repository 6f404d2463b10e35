using AlliancePipeline.Functions.Infrastructure.Access;
using AlliancePipeline.Functions.Reports;
using Microsoft.Azure.Functions.Worker;

namespace AlliancePipeline.Functions.Exports;

/// <summary><c>GET /api/studies/{studyId}/export?format=csv|json|fhir</c>: a study's responses (a key that reads every site).</summary>
public sealed class ExportResponses(ReportAccess reports, KeyAuthentication keys)
{
    /// <summary>Checks the key, then hands the request to <see cref="ReportAccess"/>.</summary>
    [Function(nameof(ExportResponses))]
    public async Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "studies/{studyId}/export")] HttpRequest request,
        string studyId,
        CancellationToken cancellationToken)
    {
        var auth = await keys.AuthorizeAsync(request, s => s.CanReadReports(studyId), AnswerAs.Json, cancellationToken);
        return auth.Succeeded ? await reports.ExportAsync(studyId, request.Query["format"].FirstOrDefault(), cancellationToken) : auth.Refusal;
    }
}
