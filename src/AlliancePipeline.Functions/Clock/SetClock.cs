using System.Text.Json;
using AlliancePipeline.Functions.Infrastructure.Access;
using AlliancePipeline.Functions.Infrastructure.Http;
using Microsoft.Azure.Functions.Worker;

namespace AlliancePipeline.Functions.Clock;

/// <summary>
/// <c>GET|PUT /api/manage/clock</c> (admin key): reads or sets the app's clock, <c>{"now":"2026-02-01T09:00:00Z"}</c>, when
/// <c>AlliancePipeline__Clock__Adjustable</c> is on (local demos and trials); 404 otherwise.
/// </summary>
public sealed class SetClock(IServiceProvider services, TimeProvider clock, KeyAuthentication keys)
{
    /// <summary>The largest body taken.</summary>
    public const int MaxBodyBytes = 1024;

    /// <summary>The earliest and latest years the clock may be set to.</summary>
    public const int MinYear = 2000, MaxYear = 2199;

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
            var body = await RequestBody.ReadTextAsync(request, MaxBodyBytes, cancellationToken);
            if (body is null) return HttpResults.Problem(413, "Body too large", $"A clock request is at most {MaxBodyBytes} bytes.");
            using var doc = JsonBody.Parse(body);
            if (doc is null || doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("now", out var now)
                || now.ValueKind != JsonValueKind.String || !now.TryGetDateTimeOffset(out var to))
                return HttpResults.Problem(400, "Clock not set", "Send {\"now\": \"2026-02-01T09:00:00Z\"}.");
            // Far from now, every date the app computes (due days, expiries) would overflow.
            if (to.Year is < MinYear or > MaxYear)
                return HttpResults.Problem(400, "Clock not set", $"The clock can be set between {MinYear} and {MaxYear}.");
            adjustable.Set(to);
        }
        return TypedResults.Ok(new { now = clock.GetUtcNow(), offset = adjustable.Offset.ToString() });
    }
}
