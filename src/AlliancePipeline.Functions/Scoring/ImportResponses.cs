using AlliancePipeline.Functions.Infrastructure.Http;
using Microsoft.Azure.Functions.Worker;

namespace AlliancePipeline.Functions.Scoring;

/// <summary>
/// <c>POST /api/studies/{studyId}/responses</c> (the study's coordinator: admin or its study key): imports ratings the
/// study already has, from CSV (the app's own export, or <c>dyad,meeting,role,date,item1..itemN</c>); a bad line records nothing.
/// </summary>
public sealed class ImportResponses(ResponseImport import)
{
    /// <summary>Reads the CSV (at most 8 MB) and hands it to <see cref="ResponseImport.ImportAsync"/>.</summary>
    [Function(nameof(ImportResponses))]
    [KeyAccess(KeyPermission.CoordinateStudy)]
    [RequestLimits(ResponseImport.MaxCsvBytes, BodyTypes.Csv, BodyTypes.Text)]
    public async Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "studies/{studyId}/responses")] HttpRequest request,
        string studyId,
        FunctionContext context,
        CancellationToken cancellationToken)
    {
        var csv = await RequestBody.ReadTextAsync(request, ResponseImport.MaxCsvBytes, ResponseImport.TooLarge, cancellationToken);
        var imported = await import.ImportAsync(studyId, csv, context.GetCaller(), cancellationToken);
        return imported.Answer(r => TypedResults.Ok(r));
    }
}
