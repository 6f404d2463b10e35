using System.Globalization;
using NCrontab;

namespace AlliancePipeline.LocalHost.Triggers;

/// <summary>
/// A timer trigger's schedule as the WebJobs timer extension reads it (<c>TimerSchedule.Create</c>,
/// <c>CronSchedule</c>): an NCRONTAB expression of six fields (seconds first) or five (from minutes), or a
/// <c>TimeSpan</c> for a constant interval. Times are UTC here.
/// </summary>
internal abstract class TimerSchedule
{
    /// <summary>The next occurrence strictly after <paramref name="after"/> (UTC).</summary>
    public abstract DateTime Next(DateTime after);

    /// <summary>
    /// Whether the extension turns the schedule monitor off for this schedule (it may fire more than once a minute):
    /// <c>ShouldDisableScheduleMonitor</c> for cron, an interval under a minute for a constant schedule.
    /// </summary>
    public abstract bool DisablesMonitor(DateTime now);

    /// <summary>Parses a schedule expression; null when it is neither a cron expression nor a time span.</summary>
    public static TimerSchedule? TryParse(string expression)
    {
        var fields = expression.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var cron = CrontabSchedule.TryParse(expression, new CrontabSchedule.ParseOptions { IncludingSeconds = fields.Length != 5 });
        if (cron is not null) return new Cron(cron, fields.Length != 5);
        return TimeSpan.TryParse(expression, CultureInfo.InvariantCulture, out var interval) && interval > TimeSpan.Zero ? new Constant(interval) : null;
    }

    private sealed class Cron(CrontabSchedule schedule, bool withSeconds) : TimerSchedule
    {
        public override DateTime Next(DateTime after) => DateTime.SpecifyKind(schedule.GetNextOccurrence(after), DateTimeKind.Utc);

        public override bool DisablesMonitor(DateTime now)
        {
            // Only "X * * * * *" can fire more than once a minute; it does if two occurrences fall within a minute.
            var fields = schedule.ToString().Split(' ');
            if (!withSeconds || fields.Skip(1).Any(f => f != "*")) return false;
            return schedule.GetNextOccurrences(now, now + TimeSpan.FromMinutes(1)).Take(2).Count() > 1;
        }

        public override string ToString() => schedule.ToString();
    }

    private sealed class Constant(TimeSpan interval) : TimerSchedule
    {
        public override DateTime Next(DateTime after) => DateTime.SpecifyKind(after, DateTimeKind.Utc) + interval;

        public override bool DisablesMonitor(DateTime now) => interval < TimeSpan.FromMinutes(1);

        public override string ToString() => interval.ToString("c", CultureInfo.InvariantCulture);
    }
}

/// <summary>A timer's schedule status as the host keeps it in its status blob.</summary>
/// <param name="Last">The last occurrence run (<see cref="DateTime.MinValue"/> when none).</param>
/// <param name="Next">The next occurrence due.</param>
/// <param name="LastUpdated">When <paramref name="Next"/> was computed.</param>
internal sealed record ScheduleStatus(DateTime Last, DateTime Next, DateTime LastUpdated)
{
    /// <summary>
    /// The extension's <c>ScheduleMonitor.CheckPastDueAsync</c>: the status to keep at start (a new one when none was
    /// recorded or the schedule changed) and how long past due the recorded next occurrence is (zero: not past due).
    /// </summary>
    public static (ScheduleStatus Status, bool Changed, TimeSpan PastDue) CheckPastDue(ScheduleStatus? recorded, TimerSchedule schedule, DateTime now)
    {
        if (recorded is null)
        {
            var status = new ScheduleStatus(DateTime.MinValue, schedule.Next(now), now);
            return (status, true, TimeSpan.Zero);
        }

        DateTime expectedNext;
        DateTime lastUpdated;
        if (!IsDefault(recorded.Last))
        {
            expectedNext = schedule.Next(recorded.Last);
            lastUpdated = recorded.Last;
        }
        else if (!IsDefault(recorded.LastUpdated))
        {
            expectedNext = schedule.Next(recorded.LastUpdated);
            lastUpdated = recorded.LastUpdated;
        }
        else
        {
            expectedNext = schedule.Next(now);
            lastUpdated = now;
        }

        var changed = false;
        if (recorded.Next != expectedNext)
        {
            // The schedule changed since the status was written: recompute, and never call that past due.
            if (now > expectedNext)
            {
                expectedNext = schedule.Next(now);
                lastUpdated = now;
            }

            recorded = new ScheduleStatus(DateTime.MinValue, expectedNext, lastUpdated);
            changed = true;
        }

        return (recorded, changed, now > recorded.Next ? now - recorded.Next : TimeSpan.Zero);
    }

    /// <summary>Whether a date is the "never" of a status (year 1, whatever its offset).</summary>
    public static bool IsDefault(DateTime value) => value.Year <= 1;
}
