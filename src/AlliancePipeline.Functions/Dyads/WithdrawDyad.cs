using AlliancePipeline.Functions.Infrastructure.Access;
using Microsoft.Azure.Functions.Worker;

namespace AlliancePipeline.Functions.Dyads;

/// <summary><c>POST /api/studies/{studyId}/dyads/{dyadId}/withdraw</c>: its links stop, its reminders stop; its data stays.</summary>
public sealed class WithdrawDyad(DyadOperations dyads, KeyAuthentication keys)
{
    /// <summary>Hands the request to <see cref="DyadOperations"/>.</summary>
    [Function(nameof(WithdrawDyad))]
    public async Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "studies/{studyId}/dyads/{dyadId}/withdraw")] HttpRequest request,
        string studyId,
        string dyadId,
        CancellationToken cancellationToken)
    {
        var auth = await keys.AuthorizeAsync(request, s => s.CanCoordinate(studyId), AnswerAs.Json, cancellationToken);
        return auth.Succeeded ? await dyads.WithdrawAsync(studyId, dyadId, auth.Caller, cancellationToken) : auth.Refusal;
    }
}
