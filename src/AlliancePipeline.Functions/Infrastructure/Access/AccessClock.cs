namespace AlliancePipeline.Functions.Infrastructure.Access;

/// <summary>
/// The clock access keys run on — issue, expiry, revocation and the counts of refused keys — which is the system's real
/// time, never the app's adjustable clock (<c>AlliancePipeline:Clock:Adjustable</c>): an operator who moves the study's
/// clock past a key's expiry to rehearse a season is not locked out, the clock route included. The study schedule, links
/// and mail follow the app clock (<see cref="TimeProvider"/> in the container).
/// </summary>
/// <param name="time">The time source; <see cref="TimeProvider.System"/> in the app, a fake one in unit tests.</param>
public sealed class AccessClock(TimeProvider time)
{
    /// <summary>The system's real time, as the app registers it.</summary>
    public static AccessClock System { get; } = new(TimeProvider.System);

    /// <summary>The current time.</summary>
    public DateTimeOffset GetUtcNow() => time.GetUtcNow();

    /// <summary>The time source, for APIs that take a <see cref="TimeProvider"/>.</summary>
    public TimeProvider Time => time;
}
