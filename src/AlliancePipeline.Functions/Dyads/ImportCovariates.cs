using AlliancePipeline.Functions.Infrastructure.Http;
using Microsoft.Azure.Functions.Worker;

namespace AlliancePipeline.Functions.Dyads;

/// <summary><c>POST /api/studies/{studyId}/covariates</c> (a coordinator): imports covariates from CSV (<c>dyad</c> and a column per covariate); a bad line records nothing.</summary>
public sealed class ImportCovariates(CovariateOperations covariates)
{
    /// <summary>Reads the CSV (at most 2 MB) and hands it to <see cref="CovariateOperations.ImportAsync"/>.</summary>
    [Function(nameof(ImportCovariates))]
    [KeyAccess(KeyPermission.Coordinate)]
    [RequestLimits(DyadOperations.MaxCsvBytes, BodyTypes.Csv, BodyTypes.Text)]
    public async Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "studies/{studyId}/covariates")] HttpRequest request,
        string studyId,
        FunctionContext context,
        CancellationToken cancellationToken)
    {
        var csv = await RequestBody.ReadTextAsync(request, DyadOperations.MaxCsvBytes, ImportMeetingDates.TooLarge, cancellationToken);
        var imported = await covariates.ImportAsync(studyId, csv, context.GetCaller(), cancellationToken);
        return imported.Answer(r => TypedResults.Ok(r));
    }
}
