using Microsoft.Azure.Functions.Worker;
using NCrontab;

namespace AlliancePipeline.Functions.Invitations;

/// <summary>Timer, every hour: invitations as they fall due, reminders by each study's policy, weekly coordinator digests.</summary>
public sealed class Reminders(StudyMailings mailings, ILogger<Reminders> log)
{
    /// <summary>When it runs (NCRONTAB, UTC): five minutes past every hour.</summary>
    public const string Schedule = "0 5 * * * *";

    private static readonly CrontabSchedule Cron = CrontabSchedule.Parse(Schedule, new CrontabSchedule.ParseOptions { IncludingSeconds = true });

    /// <summary>The first run at or after <paramref name="time"/> (what mails a link that is due by then).</summary>
    public static DateTimeOffset FirstRunFrom(DateTimeOffset time) =>
        new(DateTime.SpecifyKind(Cron.GetNextOccurrence(time.UtcDateTime.AddTicks(-1)), DateTimeKind.Utc));

    /// <summary>Hands the run to <see cref="StudyMailings"/>.</summary>
    [Function(nameof(Reminders))]
    public async Task Run([TimerTrigger(Schedule)] TimerInfo timer, CancellationToken cancellationToken)
    {
        var run = await mailings.RunAllAsync(cancellationToken);
        log.LogInformation("Reminders: {Run}{PastDue}.", run, timer.IsPastDue ? " (past-due run)" : "");
    }
}
