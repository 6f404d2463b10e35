using AlliancePipeline.Functions.Services.Studies;
using Microsoft.Azure.Functions.Worker;

namespace AlliancePipeline.Functions.Functions;

/// <summary><c>POST /api/studies/{studyId}/meetings</c>: imports meeting dates from CSV (<c>dyad,meeting,date</c>).</summary>
public sealed class ImportMeetingDates(DyadOperations dyads)
{
    /// <summary>Hands the CSV to <see cref="DyadOperations"/>.</summary>
    [Function(nameof(ImportMeetingDates))]
    public Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "studies/{studyId}/meetings")] HttpRequest request,
        string studyId,
        CancellationToken cancellationToken) =>
        dyads.ImportMeetingsAsync(studyId, request, "api", cancellationToken);
}
