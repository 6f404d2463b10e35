using AlliancePipeline.Functions.Infrastructure.Access;
using Microsoft.Azure.Functions.Worker;

namespace AlliancePipeline.Functions.Dyads;

/// <summary><c>POST /api/studies/{studyId}/meetings</c>: imports meeting dates from CSV (<c>dyad,meeting,date</c>).</summary>
public sealed class ImportMeetingDates(DyadOperations dyads, KeyAuthentication keys)
{
    /// <summary>Hands the CSV to <see cref="DyadOperations"/>.</summary>
    [Function(nameof(ImportMeetingDates))]
    public async Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "studies/{studyId}/meetings")] HttpRequest request,
        string studyId,
        CancellationToken cancellationToken)
    {
        var auth = await keys.AuthorizeAsync(request, s => s.CanCoordinate(studyId), AnswerAs.Json, cancellationToken);
        return auth.Succeeded ? await dyads.ImportMeetingsAsync(studyId, request, auth.Caller, cancellationToken) : auth.Refusal;
    }
}
