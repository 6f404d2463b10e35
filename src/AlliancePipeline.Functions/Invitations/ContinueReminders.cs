using AlliancePipeline.Contracts.Storage;
using AlliancePipeline.Functions.Infrastructure.Storage;
using AlliancePipeline.Functions.Scoring;
using Microsoft.Azure.Functions.Worker;

namespace AlliancePipeline.Functions.Invitations;

/// <summary>
/// Queue <c>reminders</c>: continues a study's <c>Reminders</c> run that ran out of its budget with due forms left
/// (<see cref="StudyMailings.ContinueAsync"/>, itself within a budget and continued again while it mails). A malformed
/// message is moved to <c>reminders-poison</c> with its reason.
/// </summary>
public sealed class ContinueReminders(StudyMailings mailings, PoisonQueue poison, ILogger<ContinueReminders> log)
{
    /// <summary>Runs the study named by the message.</summary>
    [Function(nameof(ContinueReminders))]
    public async Task Run(
        [QueueTrigger(StorageNames.RemindersQueue)] string message,
        string id,
        long dequeueCount,
        CancellationToken cancellationToken)
    {
        if (ReminderContinuation.TryParse(message, out var reason) is not { } continuation)
        {
            await poison.MoveAsync(StorageNames.RemindersQueue, new QueueMessageData(message, id, dequeueCount), reason!, cancellationToken);
            return;
        }
        var run = await mailings.ContinueAsync(continuation.StudyId, cancellationToken);
        log.LogInformation("Reminders continued for {StudyId}: {Run}.", continuation.StudyId, run);
    }
}
