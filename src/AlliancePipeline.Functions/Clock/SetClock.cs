using AlliancePipeline.Functions.Infrastructure.Http;
using AlliancePipeline.Functions.Infrastructure.Settings;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;

namespace AlliancePipeline.Functions.Clock;

/// <summary>
/// <c>GET|PUT /api/manage/clock</c> (admin key): reads or sets the app's clock, <c>{"now":"2026-02-01T09:00:00Z"}</c>, when
/// <c>AlliancePipeline__Clock__Adjustable</c> is on (local demos and trials); 404 otherwise.
/// </summary>
public sealed class SetClock(IOptions<ClockOptions> options, AdjustableClock adjustable, TimeProvider clock)
{
    /// <summary>The largest body taken.</summary>
    public const int MaxBodyBytes = 1024;

    /// <summary>The earliest and latest years the clock may be set to.</summary>
    public const int MinYear = 2000, MaxYear = 2199;

    /// <summary>Reads or moves the clock.</summary>
    [Function(nameof(SetClock))]
    [KeyAccess(KeyPermission.Administer)]
    [RequestLimits(MaxBodyBytes, BodyTypes.Json, BodyTypes.AnyJson)]
    public async Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "put", Route = "manage/clock")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        if (!options.Value.IsAdjustable)
            return HttpResults.Problem(404, "No adjustable clock", "The app's clock is the system's: set AlliancePipeline__Clock__Adjustable to true (local only) to move it.");
        if (HttpMethods.IsPut(request.Method))
        {
            var body = await RequestBody.ReadJsonAsync(request, MaxBodyBytes, BodyJson.Default.ClockBody, cancellationToken);
            if (body is null) return HttpResults.Problem(413, "Body too large", $"A clock request is at most {MaxBodyBytes} bytes.");
            if (!body.IsRead || body.Value.Now is not { } to)
                return HttpResults.Problem(400, "Clock not set", "Send {\"now\": \"2026-02-01T09:00:00Z\"}.");
            // Far from now, every date the app computes (due days, expiries) would overflow.
            if (to.Year is < MinYear or > MaxYear)
                return HttpResults.Problem(400, "Clock not set", $"The clock can be set between {MinYear} and {MaxYear}.");
            adjustable.Set(to);
        }
        return TypedResults.Ok(new { now = clock.GetUtcNow(), offset = adjustable.Offset.ToString() });
    }
}
