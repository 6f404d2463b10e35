using AlliancePipeline.Functions.Services.Studies;
using Microsoft.Azure.Functions.Worker;

namespace AlliancePipeline.Functions.Functions;

/// <summary><c>POST /api/studies/{studyId}/outcomes</c>: imports outcomes from CSV (<c>dyad,employed,date</c>).</summary>
public sealed class ImportOutcomes(DyadOperations dyads)
{
    /// <summary>Hands the CSV to <see cref="DyadOperations"/>.</summary>
    [Function(nameof(ImportOutcomes))]
    public Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "studies/{studyId}/outcomes")] HttpRequest request,
        string studyId,
        CancellationToken cancellationToken) =>
        dyads.ImportOutcomesAsync(studyId, request, "csv", "api", cancellationToken);
}
