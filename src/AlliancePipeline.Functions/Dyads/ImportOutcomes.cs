using AlliancePipeline.Functions.Infrastructure.Http;
using Microsoft.Azure.Functions.Worker;

namespace AlliancePipeline.Functions.Dyads;

/// <summary><c>POST /api/studies/{studyId}/outcomes</c> (a coordinator): imports outcomes from CSV (<c>dyad,employed,date</c>); a bad line records nothing.</summary>
public sealed class ImportOutcomes(DyadOperations dyads)
{
    /// <summary>Reads the CSV (at most 2 MB) and hands it to <see cref="DyadOperations.ImportOutcomesAsync"/>.</summary>
    [Function(nameof(ImportOutcomes))]
    [KeyAccess(KeyPermission.Coordinate)]
    [RequestLimits(DyadOperations.MaxCsvBytes, BodyTypes.Csv, BodyTypes.Text)]
    public async Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "studies/{studyId}/outcomes")] HttpRequest request,
        string studyId,
        FunctionContext context,
        CancellationToken cancellationToken)
    {
        var csv = await RequestBody.ReadTextAsync(request, DyadOperations.MaxCsvBytes, ImportMeetingDates.TooLarge, cancellationToken);
        var imported = await dyads.ImportOutcomesAsync(studyId, csv, "csv", context.GetCaller(), cancellationToken);
        return imported.Answer(r => TypedResults.Ok(r));
    }
}
