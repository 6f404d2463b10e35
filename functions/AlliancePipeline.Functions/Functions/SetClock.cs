using System.Text.Json;
using AlliancePipeline.Functions.Access;
using AlliancePipeline.Functions.Http;
using AlliancePipeline.Functions.Services;
using Microsoft.Azure.Functions.Worker;

namespace AlliancePipeline.Functions.Functions;

/// <summary>
/// <c>GET|PUT /api/manage/clock</c> (admin key): reads or sets the app's clock, <c>{"now":"2026-02-01T09:00:00Z"}</c>, when
/// <c>AlliancePipeline__Clock__Adjustable</c> is on (local demos and trials); 404 otherwise.
/// </summary>
public sealed class SetClock(IServiceProvider services, TimeProvider clock, KeyAuthentication keys)
{
    /// <summary>Reads or moves the clock.</summary>
    [Function(nameof(SetClock))]
    public async Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "put", Route = "manage/clock")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        if (services.GetService<AdjustableClock>() is not { } adjustable)
            return HttpResults.Problem(404, "No adjustable clock", "The app's clock is the system's: set AlliancePipeline__Clock__Adjustable to true (local only) to move it.");
        var auth = await keys.AuthorizeAsync(request, s => s.CanAdminister, AnswerAs.Json, cancellationToken);
        if (!auth.Succeeded) return auth.Refusal;
        if (HttpMethods.IsPut(request.Method))
        {
            var body = await RequestBody.ReadTextAsync(request, 1024, cancellationToken);
            try
            {
                using var doc = JsonDocument.Parse(body ?? "");
                if (!doc.RootElement.TryGetProperty("now", out var now) || !now.TryGetDateTimeOffset(out var to))
                    return HttpResults.Problem(400, "Clock not set", "Send {\"now\": \"2026-02-01T09:00:00Z\"}.");
                adjustable.Set(to);
            }
            catch (JsonException)
            {
                return HttpResults.Problem(400, "Clock not set", "Send {\"now\": \"2026-02-01T09:00:00Z\"}.");
            }
        }
        return TypedResults.Ok(new { now = clock.GetUtcNow(), offset = adjustable.Offset.ToString() });
    }
}
