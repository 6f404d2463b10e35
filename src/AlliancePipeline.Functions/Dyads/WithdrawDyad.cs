using AlliancePipeline.Functions.Infrastructure.Http;
using Microsoft.Azure.Functions.Worker;

namespace AlliancePipeline.Functions.Dyads;

/// <summary><c>POST /api/studies/{studyId}/dyads/{dyadId}/withdraw</c> (a coordinator): its links stop, its reminders stop; its data stays.</summary>
public sealed class WithdrawDyad(DyadOperations dyads)
{
    /// <summary>Hands the dyad to <see cref="DyadOperations.WithdrawAsync"/>.</summary>
    [Function(nameof(WithdrawDyad))]
    [KeyAccess(KeyPermission.Coordinate)]
    public async Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "studies/{studyId}/dyads/{dyadId}/withdraw")] HttpRequest request,
        string studyId,
        string dyadId,
        FunctionContext context,
        CancellationToken cancellationToken)
    {
        var withdrawn = await dyads.WithdrawAsync(studyId, dyadId, context.GetCaller(), cancellationToken);
        return withdrawn.Answer(r => TypedResults.Ok(r));
    }
}
