using AlliancePipeline.Contracts.Storage;
using AlliancePipeline.Core.Studies;
using Azure;
using Azure.Data.Tables;

namespace AlliancePipeline.Functions.Infrastructure.Storage;

/// <summary>
/// Reads studies (<see cref="StudyEntity"/>; their rows are written by <c>Studies/StudyStore</c> alone) and reads and
/// writes assessments (<see cref="AssessmentEntity"/>) through the official table client.
/// </summary>
public sealed class StudyTables(TableServiceClient tables)
{
    private TableClient Studies => tables.GetTableClient(StorageNames.StudiesTable);
    private TableClient Assessments => tables.GetTableClient(StorageNames.AssessmentsTable);

    /// <summary>Every study.</summary>
    public async Task<IReadOnlyList<Study>> ListStudiesAsync(CancellationToken ct)
    {
        var list = new List<Study>();
        await foreach (var e in Studies.QueryAsync<StudyEntity>(e => e.PartitionKey == StudyEntity.Partition, cancellationToken: ct).ConfigureAwait(false))
            list.Add(e.ToStudy());
        return list;
    }

    /// <summary>The assessment and its ETag, or null.</summary>
    public async Task<(Assessment Assessment, ETag ETag)?> FindAssessmentAsync(string studyId, string assessmentId, CancellationToken ct)
    {
        var found = await Assessments.GetEntityIfExistsAsync<AssessmentEntity>(studyId, assessmentId, cancellationToken: ct).ConfigureAwait(false);
        return found.HasValue ? (found.Value!.ToAssessment(), found.Value.ETag) : null;
    }

    /// <summary>The assessment row as stored (with its ETag and claiming submission), or null.</summary>
    public async Task<AssessmentEntity?> FindAssessmentEntityAsync(string studyId, string assessmentId, CancellationToken ct)
    {
        var found = await Assessments.GetEntityIfExistsAsync<AssessmentEntity>(studyId, assessmentId, cancellationToken: ct).ConfigureAwait(false);
        return found.HasValue ? found.Value : null;
    }

    /// <summary>
    /// Marks the assessment completed, conditioned on the ETag it was read with; on a concurrent write re-reads and
    /// tries again. Returns false if it was already completed (nothing written). <paramref name="known"/>, the row as
    /// the caller last read or wrote it, saves the first read: it is tried with its ETag, and a 412 reads again.
    /// </summary>
    public async Task<bool> MarkCompletedAsync(string studyId, string assessmentId, DateTimeOffset completedAt, CancellationToken ct, AssessmentEntity? known = null)
    {
        for (var attempt = 0; ; attempt++)
        {
            var current = (attempt == 0 ? known : null)
                ?? await FindAssessmentEntityAsync(studyId, assessmentId, ct).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"Assessment {studyId}/{assessmentId} does not exist.");
            if (current.Status == nameof(AssessmentStatus.Completed)) return false;
            var update = new TableEntity(studyId, assessmentId)
            {
                [nameof(AssessmentEntity.Status)] = nameof(AssessmentStatus.Completed),
                [nameof(AssessmentEntity.CompletedAt)] = completedAt,
            };
            try
            {
                await Assessments.UpdateEntityAsync(update, current.ETag, TableUpdateMode.Merge, ct).ConfigureAwait(false);
                return true;
            }
            catch (RequestFailedException e) when (e.Status == 412 && attempt < 5)
            {
                // Somebody wrote it since we read it: read again and decide again.
            }
        }
    }

    /// <summary>
    /// Marks a pending assessment <see cref="AssessmentStatus.Submitted"/> (answers queued), conditioned on the ETag it
    /// was read with. Returns false when somebody else wrote it first (a concurrent submission, or scoring already
    /// done): the caller re-reads and decides.
    /// </summary>
    public async Task<bool> TryMarkSubmittedAsync(string studyId, string assessmentId, ETag readWith, DateTimeOffset submittedAt, string? submissionId, CancellationToken ct)
    {
        var update = new TableEntity(studyId, assessmentId)
        {
            [nameof(AssessmentEntity.Status)] = nameof(AssessmentStatus.Submitted),
            [nameof(AssessmentEntity.SubmittedAt)] = submittedAt,
            [nameof(AssessmentEntity.SubmissionId)] = submissionId,
        };
        try
        {
            await Assessments.UpdateEntityAsync(update, readWith, TableUpdateMode.Merge, ct).ConfigureAwait(false);
            return true;
        }
        catch (RequestFailedException e) when (e.Status == 412)
        {
            return false;
        }
    }

    /// <summary>Every assessment row of a study, as stored (with its invitation log and ETag).</summary>
    public async Task<IReadOnlyList<AssessmentEntity>> ListAssessmentEntitiesAsync(string studyId, CancellationToken ct)
    {
        var list = new List<AssessmentEntity>();
        await foreach (var e in Assessments.QueryAsync<AssessmentEntity>(e => e.PartitionKey == studyId, cancellationToken: ct).ConfigureAwait(false))
            list.Add(e);
        return list;
    }

    /// <summary>
    /// Whether <paramref name="submissionId"/> is the submission that holds the assessment: true when it claimed it (the
    /// post that was thanked), or when no submission did yet (a post that stopped between queueing and claiming: its
    /// answers are taken now, the assessment claimed for them under its ETag); false when another submission holds it.
    /// Decided on <paramref name="read"/>, the row as just read (no second read when a post already claimed it); returns
    /// the row as it now stands (its ETag moved on when this call wrote the claim).
    /// </summary>
    public async Task<(bool Holds, AssessmentEntity Row)> TryClaimForScoringAsync(AssessmentEntity read, string submissionId, CancellationToken ct)
    {
        var a = read;
        for (var attempt = 0; ; attempt++)
        {
            if (a.SubmissionId is { } holder) return (holder == submissionId, a);
            var claim = new TableEntity(a.PartitionKey, a.RowKey) { [nameof(AssessmentEntity.SubmissionId)] = submissionId };
            if (a.Status == nameof(AssessmentStatus.Pending)) claim[nameof(AssessmentEntity.Status)] = nameof(AssessmentStatus.Submitted);
            try
            {
                var written = await Assessments.UpdateEntityAsync(claim, a.ETag, TableUpdateMode.Merge, ct).ConfigureAwait(false);
                a.SubmissionId = submissionId;
                if (a.Status == nameof(AssessmentStatus.Pending)) a.Status = nameof(AssessmentStatus.Submitted);
                a.ETag = written.Headers.ETag ?? default;
                return (true, a);
            }
            catch (RequestFailedException e) when (e.Status == 412 && attempt < 5)
            {
                // Written since it was read (a post claiming it): read again and decide again.
            }

            a = await FindAssessmentEntityAsync(a.PartitionKey, a.RowKey, ct).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"Assessment '{a.PartitionKey}/{a.RowKey}' does not exist.");
        }
    }
}
