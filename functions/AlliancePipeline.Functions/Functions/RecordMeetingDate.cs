using AlliancePipeline.Functions.Services.Studies;
using Microsoft.Azure.Functions.Worker;

namespace AlliancePipeline.Functions.Functions;

/// <summary><c>PUT /api/studies/{studyId}/dyads/{dyadId}/meetings/{meeting}</c>: records when a meeting took place.</summary>
public sealed class RecordMeetingDate(DyadOperations dyads)
{
    /// <summary>Hands the date to <see cref="DyadOperations"/>.</summary>
    [Function(nameof(RecordMeetingDate))]
    public Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "studies/{studyId}/dyads/{dyadId}/meetings/{meeting}")] HttpRequest request,
        string studyId,
        string dyadId,
        string meeting,
        CancellationToken cancellationToken) =>
        dyads.RecordMeetingAsync(studyId, dyadId, meeting, request, "api", cancellationToken);
}
