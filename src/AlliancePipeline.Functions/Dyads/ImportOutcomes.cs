using AlliancePipeline.Functions.Infrastructure.Access;
using Microsoft.Azure.Functions.Worker;

namespace AlliancePipeline.Functions.Dyads;

/// <summary><c>POST /api/studies/{studyId}/outcomes</c>: imports outcomes from CSV (<c>dyad,employed,date</c>).</summary>
public sealed class ImportOutcomes(DyadOperations dyads, KeyAuthentication keys)
{
    /// <summary>Hands the CSV to <see cref="DyadOperations"/>.</summary>
    [Function(nameof(ImportOutcomes))]
    public async Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "studies/{studyId}/outcomes")] HttpRequest request,
        string studyId,
        CancellationToken cancellationToken)
    {
        var auth = await keys.AuthorizeAsync(request, s => s.CanCoordinate(studyId), AnswerAs.Json, cancellationToken);
        return auth.Succeeded ? await dyads.ImportOutcomesAsync(studyId, request, "csv", auth.Caller, cancellationToken) : auth.Refusal;
    }
}
