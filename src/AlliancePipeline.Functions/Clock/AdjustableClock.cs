namespace AlliancePipeline.Functions.Clock;

/// <summary>
/// The app's clock for local demos and trials (<c>AlliancePipeline__Clock__Adjustable</c>; never in Azure): the system
/// clock moved by an offset an admin sets (<c>PUT /api/manage/clock</c>), so invitations, due dates, reminders and
/// links can be played through weeks in minutes. The offset lives in this worker process only.
/// </summary>
public sealed class AdjustableClock(TimeProvider system) : TimeProvider
{
    private long _offsetTicks;

    /// <summary>How far the clock is ahead of (or behind) the system clock.</summary>
    public TimeSpan Offset => TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));

    /// <inheritdoc />
    public override DateTimeOffset GetUtcNow() => system.GetUtcNow() + Offset;

    /// <inheritdoc />
    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    /// <summary>Sets the clock to read <paramref name="now"/> at this instant.</summary>
    public void Set(DateTimeOffset now) => Interlocked.Exchange(ref _offsetTicks, (now - system.GetUtcNow()).Ticks);
}
