using Microsoft.Azure.Functions.Worker;

namespace AlliancePipeline.Functions.Invitations;

/// <summary>Timer, every hour: invitations as they fall due, reminders by each study's policy, weekly coordinator digests.</summary>
public sealed class Reminders(StudyMailings mailings, ILogger<Reminders> log)
{
    /// <summary>Hands the run to <see cref="StudyMailings"/>.</summary>
    [Function(nameof(Reminders))]
    public async Task Run([TimerTrigger("0 5 * * * *")] TimerInfo timer, CancellationToken cancellationToken)
    {
        var run = await mailings.RunAllAsync(cancellationToken);
        log.LogInformation("Reminders: {Run}{PastDue}.", run, timer.IsPastDue ? " (past-due run)" : "");
    }
}
