using AlliancePipeline.Functions.Services.Studies;
using Microsoft.Azure.Functions.Worker;

namespace AlliancePipeline.Functions.Functions;

/// <summary><c>PUT /api/studies/{studyId}/dyads/{dyadId}/outcome</c>: records a dyad's employment outcome.</summary>
public sealed class RecordOutcome(DyadOperations dyads)
{
    /// <summary>Hands the outcome to <see cref="DyadOperations"/>.</summary>
    [Function(nameof(RecordOutcome))]
    public Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "studies/{studyId}/dyads/{dyadId}/outcome")] HttpRequest request,
        string studyId,
        string dyadId,
        CancellationToken cancellationToken) =>
        dyads.RecordOutcomeAsync(studyId, dyadId, request, "api", cancellationToken);
}
