using AlliancePipeline.Functions.Services.Studies;
using Microsoft.Azure.Functions.Worker;

namespace AlliancePipeline.Functions.Functions;

/// <summary><c>POST /api/studies/{studyId}/dyads/{dyadId}/withdraw</c>: its links stop, its reminders stop; its data stays.</summary>
public sealed class WithdrawDyad(DyadOperations dyads)
{
    /// <summary>Hands the request to <see cref="DyadOperations"/>.</summary>
    [Function(nameof(WithdrawDyad))]
    public Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "studies/{studyId}/dyads/{dyadId}/withdraw")] HttpRequest request,
        string studyId,
        string dyadId,
        CancellationToken cancellationToken) =>
        dyads.WithdrawAsync(studyId, dyadId, "api", cancellationToken);
}
