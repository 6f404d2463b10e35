using AlliancePipeline.Core.Studies;
using AlliancePipeline.Functions.Infrastructure.Http;
using AlliancePipeline.Functions.Infrastructure.Outcomes;
using Microsoft.Azure.Functions.Worker;

namespace AlliancePipeline.Functions.Dyads;

/// <summary>
/// <c>PUT /api/studies/{studyId}/dyads/{dyadId}/outcome</c> (a coordinator): records a dyad's employment outcome,
/// <c>{"employed":true,"date":"2026-05-01"}</c> or <c>{"employed":false}</c>, with if wished the day it was recorded
/// (<c>"recorded":"2026-06-30"</c>; left out: the day it is sent), and the continuous outcomes when the study records them
/// (<c>"daysWorked":60,"tenureDays":91</c>).
/// </summary>
public sealed class RecordOutcome(DyadOperations dyads)
{
    /// <summary>Reads the outcome and hands it to <see cref="DyadOperations.RecordOutcomeAsync"/>.</summary>
    [Function(nameof(RecordOutcome))]
    [KeyAccess(KeyPermission.Coordinate)]
    [RequestLimits(DyadOperations.MaxJsonBytes, BodyTypes.Json, BodyTypes.AnyJson)]
    public async Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "studies/{studyId}/dyads/{dyadId}/outcome")] HttpRequest request,
        string studyId,
        string dyadId,
        FunctionContext context,
        CancellationToken cancellationToken)
    {
        var body = await RequestBody.ReadJsonAsync(request, DyadOperations.MaxJsonBytes, BodyJson.Default.OutcomeBody, cancellationToken);
        var read = body is null ? Refusal.TooLarge("Body too large", "An outcome is a small JSON object.") : Read(body, dyadId);
        var recorded = await dyads.RecordOutcomeAsync(studyId, read, "api", context.GetCaller(), cancellationToken);
        return recorded.Answer(r => TypedResults.Ok(r));
    }

    /// <summary>The outcome the body holds, or why it holds none: not JSON, then <c>employed</c>, then <c>date</c>.</summary>
    private static Outcome<DyadOutcome> Read(JsonBody<OutcomeBody> body, string dyadId)
    {
        const string Title = "Outcome refused";
        if (body.Problem == JsonBodyProblem.NotJson)
            return Refusal.Invalid(Title, "The body is not JSON: send {\"employed\": true, \"date\": \"2026-05-01\"} or {\"employed\": false}.");
        var badDate = Refusal.Invalid(Title, "\"date\" must be a date written yyyy-MM-dd.");
        if (body.Problem == JsonBodyProblem.WrongShape && body.Field == "date" && body.Names.Contains("employed")) return badDate;
        if (body.Problem == JsonBodyProblem.WrongShape && body.Field is StudyInputs.DaysWorkedField or StudyInputs.TenureDaysField && body.Names.Contains("employed"))
            return Refusal.Invalid(Title, $"\"{body.Field}\" must be a whole number of days, 0 or more.");
        if (!body.IsRead || body.Value.Employed is not { } employed) return Refusal.Invalid(Title, "\"employed\" (true or false) is required.");
        DateOnly? date = null;
        if (body.Value.Date is { } text)
        {
            if (!JsonBody.TryReadDate(text, out var parsed)) return badDate;
            date = parsed;
        }
        DateOnly? recordedOn = null;
        if (body.Value.Recorded is { } recordedText)
        {
            if (!JsonBody.TryReadDate(recordedText, out var parsed)) return Refusal.Invalid(Title, "\"recorded\" must be a date written yyyy-MM-dd.");
            recordedOn = parsed;
        }
        return new DyadOutcome(dyadId, employed, date) { RecordedOn = recordedOn, DaysWorked = body.Value.DaysWorked, TenureDays = body.Value.TenureDays };
    }
}
