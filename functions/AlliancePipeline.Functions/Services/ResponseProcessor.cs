using AlliancePipeline.Functions.Hosting;
using AlliancePipeline.Storage.Queues;
using AlliancePipeline.Storage.Tables;
using Azure;

namespace AlliancePipeline.Functions.Services;

/// <summary>What became of one message.</summary>
public enum ProcessingOutcome
{
    /// <summary>Scored and stored now.</summary>
    Stored,
    /// <summary>Already stored by an earlier delivery of the same submission: nothing written.</summary>
    AlreadyStored,
    /// <summary>Moved to the poison queue at once (it can never succeed); the reason is logged.</summary>
    Poisoned,
}

/// <summary>
/// Scores a queued submission and stores it, idempotently under at-least-once delivery: the <c>Responses</c> entity is
/// inserted (never upserted) with RowKey = assessment id, so a second delivery gets 409 and, finding the same answers,
/// counts as done; the assessment is marked completed under its ETag. A malformed message, or a second submission with
/// different answers, can never succeed: it is copied verbatim to <c>responses-poison</c> (as the host would) with its
/// reason logged and in <c>Audit</c>, and the invocation succeeds so it is not retried. Anything else that fails
/// (storage down, unknown assessment) throws: the host retries it and poisons it after <c>maxDequeueCount</c>.
/// </summary>
public sealed class ResponseProcessor(StudyTables studies, IResponseScorer scorer, ITableServiceClient tables, IQueueServiceClient queues, TimeProvider clock)
{
    /// <summary>Processes one message.</summary>
    public async Task<ProcessingOutcome> ProcessAsync(QueueMessageData message, InvocationLog log, CancellationToken ct)
    {
        var submission = SubmissionMessage.TryParse(message.Text, out var reason);
        if (submission is null)
        {
            await PoisonAsync(message, reason!, log, ct).ConfigureAwait(false);
            return ProcessingOutcome.Poisoned;
        }

        var study = await studies.FindStudyAsync(submission.StudyId, ct).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"Study '{submission.StudyId}' does not exist.");
        var found = await studies.FindAssessmentAsync(submission.StudyId, submission.AssessmentId, ct).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"Assessment '{submission.StudyId}/{submission.AssessmentId}' does not exist.");
        var assessment = found.Assessment;

        AllianceScores scores;
        try
        {
            scores = scorer.Score(study.InstrumentId, submission.Items);
        }
        catch (ArgumentException e)
        {
            await PoisonAsync(message, "answers out of range: " + e.Message, log, ct).ConfigureAwait(false);
            return ProcessingOutcome.Poisoned;
        }

        var entity = new TableEntity(study.Id, assessment.Id);
        for (var i = 0; i < 12; i++) entity[$"Item{i + 1:00}"] = submission.Items[i];
        entity["Goal"] = scores.Goal;
        entity["Task"] = scores.Task;
        entity["Bond"] = scores.Bond;
        entity["Global"] = scores.Global;
        entity["Meeting"] = assessment.Meeting;
        entity["RaterRole"] = assessment.RaterRole;
        entity["SiteId"] = assessment.SiteId;
        entity["DyadId"] = assessment.DyadId;
        entity["SubmittedAt"] = submission.SubmittedAt.UtcDateTime;

        var responses = tables.GetTableClient(StorageNames.ResponsesTable);
        var outcome = ProcessingOutcome.Stored;
        try
        {
            await responses.AddEntityAsync(entity, ct).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            var existing = (await responses.GetEntityAsync(study.Id, assessment.Id, cancellationToken: ct).ConfigureAwait(false)).Value;
            var same = Enumerable.Range(1, 12).All(i => existing.GetInt32($"Item{i:00}") == submission.Items[i - 1]);
            if (!same)
            {
                await PoisonAsync(message, $"assessment {assessment.Id} was already answered with different answers; the first answer is kept", log, ct).ConfigureAwait(false);
                return ProcessingOutcome.Poisoned;
            }
            outcome = ProcessingOutcome.AlreadyStored;
        }

        // Also on a redelivery: the earlier run may have stored the response and stopped before this step.
        await studies.MarkCompletedAsync(study.Id, assessment.Id, submission.SubmittedAt, ct).ConfigureAwait(false);
        log.Info(outcome == ProcessingOutcome.Stored
            ? $"Stored response {study.Id}/{assessment.Id} (meeting {assessment.Meeting}, global {scores.Global:0.###})."
            : $"Response {study.Id}/{assessment.Id} was already stored (redelivery {message.DequeueCount}); nothing written.");
        return outcome;
    }

    private async Task PoisonAsync(QueueMessageData message, string reason, InvocationLog log, CancellationToken ct)
    {
        var poison = StorageNames.Poison(StorageNames.ResponsesQueue);
        await queues.GetQueueClient(poison).SendMessageAsync(message.Text, cancellationToken: ct).ConfigureAwait(false);
        var audit = new TableEntity("poison-" + StorageNames.ResponsesQueue, message.Id.Length > 0 ? message.Id : Guid.NewGuid().ToString("N"))
        {
            ["Queue"] = StorageNames.ResponsesQueue,
            ["Reason"] = reason,
            ["DequeueCount"] = message.DequeueCount,
            ["PoisonedAt"] = clock.GetUtcNow(),
        };
        await tables.GetTableClient(StorageNames.AuditTable).UpsertEntityAsync(audit, TableUpdateMode.Replace, ct).ConfigureAwait(false);
        log.Error($"Message {message.Id} moved to {poison}: {reason}.");
    }
}
