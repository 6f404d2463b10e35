using AlliancePipeline.Core.Studies;
using Microsoft.Extensions.Time.Testing;

namespace AlliancePipeline.Core.Tests.Studies;

public class ReminderScheduleTests
{
    private static readonly ReminderPolicy Policy = new(FirstAfterDays: 3, EveryDays: 7, MaxCount: 3);
    private static readonly DateOnly DueOn = new(2026, 3, 11);

    private static DateTimeOffset Utc(int month, int day, int hour = 0, int minute = 0, int second = 0) =>
        new(2026, month, day, hour, minute, second, TimeSpan.Zero);

    /// <summary>
    /// A reminder timer over simulated time: runs once a day at the clock's time of day, decides for one assessment,
    /// "sends" what is due; the changes given to <see cref="RunDays"/> alter the assessment's state from their instant on.
    /// </summary>
    private sealed class SimulatedTimer(FakeTimeProvider clock, ReminderPolicy policy, ReminderState state)
    {
        public List<(int Number, DateTimeOffset At)> Sent { get; } = [];

        public ReminderState State { get; private set; } = state;

        public ReminderDecision Last { get; private set; } = new ReminderDecision.Stop(ReminderStopReason.AllSent);

        public void RunDays(int days, params (DateTimeOffset From, Func<ReminderState, ReminderState> Change)[] changes)
        {
            var pending = changes.OrderBy(c => c.From).ToList();
            for (var d = 0; d < days; d++)
            {
                clock.Advance(TimeSpan.FromDays(1));
                var now = clock.GetUtcNow();
                while (pending.Count > 0 && pending[0].From <= now)
                {
                    State = pending[0].Change(State);
                    pending.RemoveAt(0);
                }

                Last = ReminderSchedule.Decide(policy, State, now);
                if (Last is ReminderDecision.Send send)
                {
                    Sent.Add((send.Number, now));
                    State = State with { Sent = State.Sent + 1, LastSentAt = now };
                }
            }
        }
    }

    private static SimulatedTimer Timer(DateTimeOffset start, ReminderState? state = null) =>
        new(new FakeTimeProvider(start), Policy, state ?? new ReminderState(DueOn, AssessmentStatus.Pending, 0));

    [Fact]
    public void The_policy_gives_the_day_of_each_reminder()
    {
        Assert.Equal([new(2026, 3, 14), new(2026, 3, 21), new(2026, 3, 28)], new[] { 1, 2, 3 }.Select(n => Policy.DayOf(n, DueOn)));
        Assert.Throws<ArgumentOutOfRangeException>(() => Policy.DayOf(4, DueOn));
        Assert.Equal([new(2026, 3, 12), new(2026, 3, 13)], new[] { 1, 2 }.Select(n => new ReminderPolicy(1, 1, 2).DayOf(n, DueOn)));
    }

    [Fact]
    public void Across_six_weeks_a_daily_timer_sends_the_three_reminders_on_their_days()
    {
        var timer = Timer(Utc(3, 3, 13));
        timer.RunDays(42);
        Assert.Equal([(1, Utc(3, 14, 13)), (2, Utc(3, 21, 13)), (3, Utc(3, 28, 13))], timer.Sent);
        Assert.Equal(new ReminderDecision.Stop(ReminderStopReason.AllSent), timer.Last);
    }

    [Fact]
    public void Completion_between_two_reminders_stops_the_rest()
    {
        var timer = Timer(Utc(3, 3, 13));
        timer.RunDays(42, (Utc(3, 17, 9), s => s with { Status = AssessmentStatus.Submitted }));
        Assert.Equal([(1, Utc(3, 14, 13))], timer.Sent);
        Assert.Equal(new ReminderDecision.Stop(ReminderStopReason.Answered), timer.Last);
    }

    [Fact]
    public void Withdrawal_stops_reminders()
    {
        var timer = Timer(Utc(3, 3, 13));
        timer.RunDays(42, (Utc(3, 22, 8), s => s with { Status = AssessmentStatus.Withdrawn }));
        Assert.Equal([(1, Utc(3, 14, 13)), (2, Utc(3, 21, 13))], timer.Sent);
        Assert.Equal(new ReminderDecision.Stop(ReminderStopReason.Withdrawn), timer.Last);
    }

    [Fact]
    public void An_expired_link_stops_reminders_from_its_expiry()
    {
        var timer = Timer(Utc(3, 3, 13), new ReminderState(DueOn, AssessmentStatus.Pending, 0, LinkExpiresAt: Utc(3, 28, 13)));
        timer.RunDays(42);
        Assert.Equal([(1, Utc(3, 14, 13)), (2, Utc(3, 21, 13))], timer.Sent);
        Assert.Equal(new ReminderDecision.Stop(ReminderStopReason.LinkExpired), timer.Last);
    }

    [Fact]
    public void A_pause_holds_reminders_and_the_spacing_restarts_from_the_last_one_sent()
    {
        var timer = Timer(Utc(3, 3, 13));
        timer.RunDays(42,
            (Utc(3, 19), s => s with { Paused = true }),
            (Utc(3, 30), s => s with { Paused = false }));
        Assert.Equal([(1, Utc(3, 14, 13)), (2, Utc(3, 30, 13)), (3, Utc(4, 6, 13))], timer.Sent);
    }

    [Fact]
    public void A_timer_that_was_down_sends_one_reminder_not_the_backlog()
    {
        var timer = Timer(Utc(3, 24, 13));
        timer.RunDays(28);
        Assert.Equal([(1, Utc(3, 25, 13)), (2, Utc(4, 1, 13)), (3, Utc(4, 8, 13))], timer.Sent);
    }

    [Fact]
    public void A_timer_at_midnight_sends_on_the_day_even_when_the_last_send_took_seconds()
    {
        var state = new ReminderState(DueOn, AssessmentStatus.Pending, 1, LastSentAt: Utc(3, 14, 0, 0, 3));
        Assert.Equal(new ReminderDecision.Wait(2, Utc(3, 21)), ReminderSchedule.Decide(Policy, state, Utc(3, 20, 23, 59, 59)));
        Assert.Equal(new ReminderDecision.Send(2, Utc(3, 21)), ReminderSchedule.Decide(Policy, state, Utc(3, 21)));
    }

    [Fact]
    public void A_late_invitation_gets_the_first_reminders_grace_before_it()
    {
        // Due 11 March, invited only on 24 March (a rater added late): the first reminder three days after the
        // invitation, not at the next run; the others keep the policy's spacing from it.
        var timer = Timer(Utc(3, 24, 13), new ReminderState(DueOn, AssessmentStatus.Pending, 0, InvitedAt: Utc(3, 24, 13, 0, 5)));
        timer.RunDays(28);
        Assert.Equal([(1, Utc(3, 27, 13)), (2, Utc(4, 3, 13)), (3, Utc(4, 10, 13))], timer.Sent);
        Assert.Equal(new ReminderDecision.Wait(1, Utc(3, 27)), ReminderSchedule.Decide(Policy, new ReminderState(DueOn, AssessmentStatus.Pending, 0, InvitedAt: Utc(3, 24, 23, 59)), Utc(3, 26, 23)));
    }

    [Theory]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(11)]
    public void An_invitation_on_or_before_the_due_date_changes_nothing(int invitedOn)
    {
        var timer = Timer(Utc(3, 3, 13), new ReminderState(DueOn, AssessmentStatus.Pending, 0, InvitedAt: Utc(3, invitedOn, 23, 59)));
        timer.RunDays(42);
        Assert.Equal([(1, Utc(3, 14, 13)), (2, Utc(3, 21, 13)), (3, Utc(3, 28, 13))], timer.Sent);
    }

    [Fact]
    public void Before_the_first_reminder_the_decision_says_when()
    {
        var state = new ReminderState(DueOn, AssessmentStatus.Pending, 0);
        Assert.Equal(new ReminderDecision.Wait(1, Utc(3, 14)), ReminderSchedule.Decide(Policy, state, Utc(3, 11, 12)));
        Assert.Equal(new ReminderDecision.Send(1, Utc(3, 14)), ReminderSchedule.Decide(Policy, state, Utc(3, 14)));
    }

    [Fact]
    public void Stop_reasons_are_checked_in_a_fixed_order()
    {
        var now = Utc(4, 1);
        var all = new ReminderState(DueOn, AssessmentStatus.Completed, 3, Utc(3, 28), LinkExpiresAt: Utc(3, 30), Paused: true);
        Assert.Equal(new ReminderDecision.Stop(ReminderStopReason.Answered), ReminderSchedule.Decide(Policy, all, now));
        Assert.Equal(new ReminderDecision.Stop(ReminderStopReason.Withdrawn), ReminderSchedule.Decide(Policy, all with { Status = AssessmentStatus.Withdrawn }, now));
        Assert.Equal(new ReminderDecision.Stop(ReminderStopReason.LinkExpired), ReminderSchedule.Decide(Policy, all with { Status = AssessmentStatus.Pending }, now));
        Assert.Equal(new ReminderDecision.Stop(ReminderStopReason.Paused), ReminderSchedule.Decide(Policy, all with { Status = AssessmentStatus.Pending, LinkExpiresAt = null }, now));
        Assert.Equal(new ReminderDecision.Stop(ReminderStopReason.AllSent),
            ReminderSchedule.Decide(Policy, all with { Status = AssessmentStatus.Pending, LinkExpiresAt = null, Paused = false }, now));
        Assert.Equal(new ReminderDecision.Stop(ReminderStopReason.AllSent),
            ReminderSchedule.Decide(new ReminderPolicy(3, 7, 2), new ReminderState(DueOn, AssessmentStatus.Pending, 3), now));
    }
}
