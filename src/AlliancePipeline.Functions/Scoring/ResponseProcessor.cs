using AlliancePipeline.Contracts.Storage;
using AlliancePipeline.Core.Studies;
using AlliancePipeline.Functions.Infrastructure.Audit;
using AlliancePipeline.Functions.Infrastructure.Storage;
using AlliancePipeline.Functions.Studies;
using Azure;
using Azure.Data.Tables;
using Azure.Data.Tables.Models;

namespace AlliancePipeline.Functions.Scoring;

/// <summary>What became of one message.</summary>
public enum ProcessingOutcome
{
    /// <summary>Scored and stored now.</summary>
    Stored,
    /// <summary>Already stored by an earlier delivery of the same submission: nothing written.</summary>
    AlreadyStored,
    /// <summary>Moved to the poison queue at once (it can never succeed); the reason is logged.</summary>
    Poisoned,
    /// <summary>
    /// A post that lost the race for its assessment to another post of the same link (and was answered 409): dropped,
    /// neither scored nor poisoned.
    /// </summary>
    Discarded,
}

/// <summary>A queue message as the queue trigger delivers it: its text and the host's metadata.</summary>
/// <param name="Text">The message text (decoded from base64 by the host).</param>
/// <param name="Id">The message id.</param>
/// <param name="DequeueCount">How many times it has been received, this time included.</param>
public sealed record QueueMessageData(string Text, string Id, long DequeueCount);

/// <summary>
/// Scores a queued submission and stores it, idempotently under at-least-once delivery: the <c>Responses</c> entity is
/// inserted (never upserted) with RowKey = assessment id, so a second delivery gets 409 and, finding the same answers,
/// counts as done; the assessment is marked completed under its ETag. The row has the columns of the study's instrument for
/// the rater's role: one <c>ItemNN</c> per item, one score column per subscale and the global score
/// (<see cref="ResponseEntity"/>), and its <c>Provenance</c>: <c>hand-over</c> when the link version answered is the one the
/// assessment was handed over at, else <c>rater-link</c>. A malformed message, answers that do not fit the instrument (another number of answers
/// than it has items, an answer off its scale), or a second submission with different answers, can never succeed: it is
/// copied verbatim to <c>responses-poison</c> (as the host would) with its reason logged and in <c>Audit</c>, and the
/// invocation succeeds so it is not retried. Anything else that fails (storage down, unknown assessment) throws: the host
/// retries it and poisons it after <c>maxDequeueCount</c>.
/// </summary>
public sealed class ResponseProcessor(StudyTables studies, StudyStore store, IResponseScorer scorer, RuptureAlerts alerts, TableServiceClient tables, PoisonQueue poison, AuditLog audit, ILogger<ResponseProcessor> log)
{
    /// <summary>Processes one message.</summary>
    public async Task<ProcessingOutcome> ProcessAsync(QueueMessageData message, CancellationToken ct)
    {
        var submission = SubmissionMessage.TryParse(message.Text, out var reason);
        if (submission is null)
        {
            await PoisonAsync(message, reason!, ct).ConfigureAwait(false);
            return ProcessingOutcome.Poisoned;
        }

        var context = await store.FindRecentContextAsync(submission.StudyId, ct).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"Study '{submission.StudyId}' does not exist.");
        var study = context.Study;
        // One read of the assessment serves the claim check and the completion's ETag (a 412 reads again).
        var row = await studies.FindAssessmentEntityAsync(submission.StudyId, submission.AssessmentId, ct).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"Assessment '{submission.StudyId}/{submission.AssessmentId}' does not exist.");
        var assessment = row.ToAssessment();
        if (submission.SubmissionId is { } submissionId)
        {
            (var holds, row) = await studies.TryClaimForScoringAsync(row, submissionId, ct).ConfigureAwait(false);
            if (!holds)
            {
                log.LogInformation("Submission {SubmissionId} for {StudyId}/{AssessmentId} lost to another submission of the same link; dropped.", submissionId, study.Id, assessment.Id);
                await audit.WriteAsync(study.Id, AuditLog.Function("ScoreResponse"), "submission.discarded", assessment.Id, "another submission of the same link was accepted first", ct).ConfigureAwait(false);
                return ProcessingOutcome.Discarded;
            }
        }
        var instrument = context.InstrumentFor(assessment.RaterRole)
            ?? throw new InvalidOperationException($"Study '{study.Id}' has no instrument '{study.InstrumentIdFor(assessment.RaterRole)}' for {assessment.RaterRole} raters.");

        if (submission.Items.Length != instrument.Items.Length)
        {
            await PoisonAsync(message, $"items has {submission.Items.Length} answers; {instrument.Id} has {instrument.Items.Length} items", ct).ConfigureAwait(false);
            return ProcessingOutcome.Poisoned;
        }
        ResponseScores scores;
        try
        {
            scores = scorer.Score(instrument, submission.Items);
        }
        catch (ArgumentException)
        {
            // The answers themselves stay out of the reason: it is logged.
            await PoisonAsync(message, $"an answer is outside the scale of {instrument.Id}", ct).ConfigureAwait(false);
            return ProcessingOutcome.Poisoned;
        }

        // The link it came through: a hand-over link when the assessment was handed over at that link version
        // (only a current link is accepted, and an answered assessment is never relinked, so the row still says).
        var outcome = await StoreAsync(study.Id, row, scores, submission.Items, submission.SubmittedAt, row.ProvenanceOf(submission.LinkVersion),
            AuditLog.Function("ScoreResponse"), ct).ConfigureAwait(false);
        if (outcome == ProcessingOutcome.Poisoned)
        {
            await PoisonAsync(message, $"assessment {assessment.Id} was already answered with different answers; the first answer is kept", ct).ConfigureAwait(false);
            return outcome;
        }
        if (outcome == ProcessingOutcome.Stored)
            log.LogInformation("Stored response {StudyId}/{AssessmentId} (meeting {Meeting}).", study.Id, assessment.Id, assessment.Meeting);
        else
            log.LogInformation("Response {StudyId}/{AssessmentId} was already stored (delivery {DequeueCount}); nothing written.", study.Id, assessment.Id, message.DequeueCount);
        return outcome;
    }

    /// <summary>
    /// Stores a scored response and what follows from it, the one way every response is stored (a rater's submission, an
    /// import): the <c>Responses</c> row inserted (never upserted) keyed by the assessment id, its <c>Audit</c> row
    /// (<c>response.stored</c>, by <paramref name="actor"/>), the assessment completed under its ETag, the rupture check
    /// (an imported response's alert recorded but not mailed).
    /// A row already there with the same answers is <see cref="ProcessingOutcome.AlreadyStored"/> (the completion and
    /// the check are made again: an earlier run may have stopped before them); with other answers it is left as it is and
    /// the answer is <see cref="ProcessingOutcome.Poisoned"/>: the caller says why.
    /// </summary>
    public async Task<ProcessingOutcome> StoreAsync(string studyId, AssessmentEntity row, ResponseScores scores, IReadOnlyList<int> items, DateTimeOffset submittedAt,
        string provenance, string actor, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(row);
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(items);
        var assessment = row.ToAssessment();
        var entity = new ResponseEntity
        {
            PartitionKey = studyId,
            RowKey = assessment.Id,
            Items = items,
            Scores = scores.Columns.ToDictionary(StringComparer.Ordinal),
            Meeting = assessment.Meeting,
            RaterRole = assessment.RaterRole,
            SiteId = assessment.SiteId,
            DyadId = assessment.DyadId,
            SubmittedAt = submittedAt.UtcDateTime,
            Provenance = provenance,
        };

        var responses = tables.GetTableClient(StorageNames.ResponsesTable);
        var outcome = ProcessingOutcome.Stored;
        try
        {
            await responses.AddEntityAsync(entity, ct).ConfigureAwait(false);
            await audit.WriteAsync(studyId, actor, "response.stored", assessment.Id, $"meeting {assessment.Meeting}, {assessment.RaterRole}", ct).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.ErrorCode == TableErrorCode.EntityAlreadyExists)
        {
            var existing = (await responses.GetEntityAsync<ResponseEntity>(studyId, assessment.Id, cancellationToken: ct).ConfigureAwait(false)).Value;
            if (!existing.Items.SequenceEqual(items)) return ProcessingOutcome.Poisoned;
            outcome = ProcessingOutcome.AlreadyStored;
        }

        // Also on a redelivery: the earlier run may have stored the response and stopped before these steps.
        await studies.MarkCompletedAsync(studyId, assessment.Id, submittedAt, ct, row).ConfigureAwait(false);
        // The same answers score the same, so a redelivery checks the alert the stored response called for.
        // An imported rating is history: its alert is recorded, not mailed.
        await alerts.CheckAsync(studyId, assessment, scores.GlobalColumn, scores.Global, ct, mailIt: provenance != ResponseProvenance.Imported).ConfigureAwait(false);
        return outcome;
    }

    private Task PoisonAsync(QueueMessageData message, string reason, CancellationToken ct) =>
        poison.MoveAsync(StorageNames.ResponsesQueue, message, reason, ct);
}
