using System.Globalization;
using AlliancePipeline.Core.Studies;
using AlliancePipeline.Functions.Infrastructure.Http;
using AlliancePipeline.Functions.Infrastructure.Outcomes;
using Microsoft.Azure.Functions.Worker;

namespace AlliancePipeline.Functions.Dyads;

/// <summary><c>PUT /api/studies/{studyId}/dyads/{dyadId}/meetings/{meeting}</c> (a coordinator): records when a meeting took place, <c>{"date":"yyyy-MM-dd"}</c>.</summary>
public sealed class RecordMeetingDate(DyadOperations dyads)
{
    /// <summary>Reads the date and hands it to <see cref="DyadOperations.RecordMeetingAsync"/>.</summary>
    [Function(nameof(RecordMeetingDate))]
    [KeyAccess(KeyPermission.Coordinate)]
    [RequestLimits(DyadOperations.MaxJsonBytes, BodyTypes.Json, BodyTypes.AnyJson)]
    public async Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "studies/{studyId}/dyads/{dyadId}/meetings/{meeting}")] HttpRequest request,
        string studyId,
        string dyadId,
        string meeting,
        FunctionContext context,
        CancellationToken cancellationToken)
    {
        if (!int.TryParse(meeting, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
            return HttpResults.Problem(StatusCodes.Status400BadRequest, "Meeting date refused", $"'{meeting}' is not a meeting number.");
        var body = await RequestBody.ReadJsonAsync(request, DyadOperations.MaxJsonBytes, BodyJson.Default.MeetingDateBody, cancellationToken);
        Outcome<RecordedMeeting> read;
        if (body is null) read = Refusal.TooLarge("Body too large", "Send {\"date\": \"yyyy-MM-dd\"}: a small JSON object.");
        else if (body.IsRead && JsonBody.TryReadDate(body.Value.Date, out var date)) read = new RecordedMeeting(dyadId, number, date);
        else read = Refusal.Invalid("Date refused", "Send {\"date\": \"yyyy-MM-dd\"}.");
        var recorded = await dyads.RecordMeetingAsync(studyId, read, context.GetCaller(), cancellationToken);
        return recorded.Answer(r => TypedResults.Ok(r));
    }
}
