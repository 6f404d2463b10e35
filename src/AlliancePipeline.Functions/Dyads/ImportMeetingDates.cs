using AlliancePipeline.Functions.Infrastructure.Http;
using AlliancePipeline.Functions.Infrastructure.Outcomes;
using Microsoft.Azure.Functions.Worker;

namespace AlliancePipeline.Functions.Dyads;

/// <summary><c>POST /api/studies/{studyId}/meetings</c> (a coordinator): imports meeting dates from CSV (<c>dyad,meeting,date</c>); a bad line records nothing.</summary>
public sealed class ImportMeetingDates(DyadOperations dyads)
{
    /// <summary>Reads the CSV (at most 2 MB) and hands it to <see cref="DyadOperations.ImportMeetingsAsync"/>.</summary>
    [Function(nameof(ImportMeetingDates))]
    [KeyAccess(KeyPermission.Coordinate)]
    [RequestLimits(DyadOperations.MaxCsvBytes, BodyTypes.Csv, BodyTypes.Text)]
    public async Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "studies/{studyId}/meetings")] HttpRequest request,
        string studyId,
        FunctionContext context,
        CancellationToken cancellationToken)
    {
        var csv = await RequestBody.ReadTextAsync(request, DyadOperations.MaxCsvBytes, TooLarge, cancellationToken);
        var imported = await dyads.ImportMeetingsAsync(studyId, csv, context.GetCaller(), cancellationToken);
        return imported.Answer(r => TypedResults.Ok(r));
    }

    /// <summary>A CSV import over <see cref="DyadOperations.MaxCsvBytes"/>.</summary>
    public static Refusal TooLarge { get; } = Refusal.TooLarge("CSV too large", $"An import is at most {DyadOperations.MaxCsvBytes / (1024 * 1024)} MB.");
}
