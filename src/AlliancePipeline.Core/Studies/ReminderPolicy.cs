namespace AlliancePipeline.Core.Studies;

/// <summary>
/// Study days are calendar days in UTC. A form is due <b>on</b> its due date and overdue from the next day; a
/// reminder or invitation planned for a day may go from 00:00 UTC that day (the timer that sends it runs later).
/// </summary>
public static class StudyCalendar
{
    /// <summary>The UTC calendar day <paramref name="instant"/> falls on.</summary>
    public static DateOnly Day(DateTimeOffset instant) => DateOnly.FromDateTime(instant.UtcDateTime);

    /// <summary>00:00 UTC on <paramref name="day"/>.</summary>
    public static DateTimeOffset StartOf(DateOnly day) => new(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);

    /// <summary>Whether a form due on <paramref name="dueOn"/> is overdue at <paramref name="now"/> (from 00:00 UTC the next day).</summary>
    public static bool IsOverdue(DateOnly dueOn, DateTimeOffset now) => Day(now) > dueOn;
}

/// <summary>
/// When reminders go for an unanswered form: the first <see cref="FirstAfterDays"/> days after its due date, then every
/// <see cref="EveryDays"/> days, at most <see cref="MaxCount"/> in all. With a due date of 10 March and (3, 7, 3):
/// 13, 20 and 27 March. See <see cref="ReminderSchedule.Decide"/> for when they stop.
/// </summary>
/// <param name="FirstAfterDays">Days after the due date for the first reminder, 1..<see cref="MaxDays"/>.</param>
/// <param name="EveryDays">Days between reminders, 1..<see cref="MaxDays"/>.</param>
/// <param name="MaxCount">Reminders at most, 1..<see cref="MaxReminders"/>.</param>
public sealed record ReminderPolicy(int FirstAfterDays, int EveryDays, int MaxCount)
{
    /// <summary>Largest <see cref="FirstAfterDays"/> and <see cref="EveryDays"/> a study file may set.</summary>
    public const int MaxDays = 60;

    /// <summary>Largest <see cref="MaxCount"/> a study file may set.</summary>
    public const int MaxReminders = 10;

    /// <summary>The day reminder <paramref name="number"/> (1-based) is planned for, by the policy alone.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="number"/> is not in 1..<see cref="MaxCount"/>.</exception>
    public DateOnly DayOf(int number, DateOnly dueOn)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(number, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(number, MaxCount);
        return dueOn.AddDays(FirstAfterDays + ((number - 1) * EveryDays));
    }
}

/// <summary>Why no reminder goes for an assessment (now, or again).</summary>
public enum ReminderStopReason
{
    /// <summary>Answered (submitted or scored): never again.</summary>
    Answered,

    /// <summary>The dyad or rater was withdrawn: never again.</summary>
    Withdrawn,

    /// <summary>Its link has expired: a reminder would carry a dead link. Reissuing the link gives it a new expiry.</summary>
    LinkExpired,

    /// <summary>Reminders are paused for it (e.g. by a coordinator): none until un-paused.</summary>
    Paused,

    /// <summary>All the policy's reminders were sent.</summary>
    AllSent,
}

/// <summary>What the reminder timer should do for one assessment at one instant.</summary>
public abstract record ReminderDecision
{
    private ReminderDecision()
    {
    }

    /// <summary>Send reminder <paramref name="Number"/> now.</summary>
    /// <param name="Number">1-based number of the reminder to send (sent so far + 1).</param>
    /// <param name="DueSince">The instant from which it was due (see <see cref="Wait.NotBefore"/>).</param>
    public sealed record Send(int Number, DateTimeOffset DueSince) : ReminderDecision;

    /// <summary>Nothing yet: reminder <paramref name="Number"/> goes from <paramref name="NotBefore"/> on.</summary>
    /// <param name="Number">1-based number of the next reminder.</param>
    /// <param name="NotBefore">00:00 UTC of the day it may go.</param>
    public sealed record Wait(int Number, DateTimeOffset NotBefore) : ReminderDecision;

    /// <summary>No reminder, for <paramref name="Reason"/>.</summary>
    public sealed record Stop(ReminderStopReason Reason) : ReminderDecision;
}

/// <summary>What the reminder decision needs to know about one assessment.</summary>
/// <param name="DueOn">Its due date.</param>
/// <param name="Status">Its status.</param>
/// <param name="Sent">Reminders already sent for it (for its current link: reissuing a link may reset the count).</param>
/// <param name="LastSentAt">When the last reminder was sent, if any.</param>
/// <param name="LinkExpiresAt">When its current link expires, if known.</param>
/// <param name="Paused">Whether reminders are paused for it.</param>
/// <param name="InvitedAt">When its invitation (for its current link) was queued, if it was.</param>
public sealed record ReminderState(
    DateOnly DueOn,
    AssessmentStatus Status,
    int Sent,
    DateTimeOffset? LastSentAt = null,
    DateTimeOffset? LinkExpiresAt = null,
    bool Paused = false,
    DateTimeOffset? InvitedAt = null);

/// <summary>
/// The reminder rule, as a pure function of the policy, the assessment's state and the time, so the timer (which may
/// run at any hour, late, or twice) and the tests (which move a fake clock) get the same answers.
/// </summary>
public static class ReminderSchedule
{
    /// <summary>
    /// Decides whether a reminder is due at <paramref name="now"/>, checking in this order:
    /// <list type="number">
    /// <item>answered (submitted or completed) → <see cref="ReminderStopReason.Answered"/>;</item>
    /// <item>withdrawn → <see cref="ReminderStopReason.Withdrawn"/>;</item>
    /// <item><paramref name="now"/> at or after the link's expiry → <see cref="ReminderStopReason.LinkExpired"/>;</item>
    /// <item>paused → <see cref="ReminderStopReason.Paused"/>;</item>
    /// <item><see cref="ReminderPolicy.MaxCount"/> already sent → <see cref="ReminderStopReason.AllSent"/>;</item>
    /// <item>otherwise reminder n = sent + 1 may go from 00:00 UTC on the latest of its planned day
    /// (<see cref="ReminderPolicy.DayOf"/>), the day <see cref="ReminderPolicy.EveryDays"/> after the UTC day the
    /// last one was sent, and the day <see cref="ReminderPolicy.FirstAfterDays"/> after the UTC day the invitation was
    /// queued: <see cref="ReminderDecision.Send"/> if that is now or earlier, else <see cref="ReminderDecision.Wait"/>.</item>
    /// </list>
    /// A timer that missed days sends one reminder, not the backlog, and the next one keeps the policy's spacing from
    /// it. An invitation that went late (after the due date: a rater added late, a link reissued, a run that was down)
    /// gets the grace an invitation on time gets before the first reminder, not a reminder at the next run. An invitation
    /// on time changes nothing: it goes no later than the due date, so its day plus
    /// <see cref="ReminderPolicy.FirstAfterDays"/> is no later than the first reminder's planned day. Comparing days, not
    /// instants, keeps a daily timer from slipping a day when a send took a few seconds.
    /// </summary>
    public static ReminderDecision Decide(ReminderPolicy policy, ReminderState state, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(state);
        ArgumentOutOfRangeException.ThrowIfNegative(state.Sent);
        if (state.Status is AssessmentStatus.Submitted or AssessmentStatus.Completed)
        {
            return new ReminderDecision.Stop(ReminderStopReason.Answered);
        }

        if (state.Status == AssessmentStatus.Withdrawn)
        {
            return new ReminderDecision.Stop(ReminderStopReason.Withdrawn);
        }

        if (state.LinkExpiresAt is { } expiresAt && now >= expiresAt)
        {
            return new ReminderDecision.Stop(ReminderStopReason.LinkExpired);
        }

        if (state.Paused)
        {
            return new ReminderDecision.Stop(ReminderStopReason.Paused);
        }

        if (state.Sent >= policy.MaxCount)
        {
            return new ReminderDecision.Stop(ReminderStopReason.AllSent);
        }

        var number = state.Sent + 1;
        var day = policy.DayOf(number, state.DueOn);
        if (state.LastSentAt is { } last && StudyCalendar.Day(last).AddDays(policy.EveryDays) is var spaced && spaced > day)
        {
            day = spaced;
        }

        if (state.InvitedAt is { } invited && StudyCalendar.Day(invited).AddDays(policy.FirstAfterDays) is var grace && grace > day)
        {
            day = grace;
        }

        var from = StudyCalendar.StartOf(day);
        return now >= from ? new ReminderDecision.Send(number, from) : new ReminderDecision.Wait(number, from);
    }
}
