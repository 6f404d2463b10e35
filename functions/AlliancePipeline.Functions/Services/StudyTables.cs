using System.Globalization;
using AlliancePipeline.Core.Studies;
using AlliancePipeline.Storage.Tables;
using Azure;

namespace AlliancePipeline.Functions.Services;

/// <summary>
/// Reads and writes studies and assessments. <c>Studies</c>: PartitionKey <c>Study</c>, RowKey study id, Name,
/// InstrumentId, Sites (comma-separated). <c>Assessments</c>: PartitionKey study id, RowKey assessment id, SiteId,
/// DyadId, Meeting, RaterRole, RaterId, DueDate, Status, LinkVersion, Language, SubmittedAt, CompletedAt.
/// </summary>
public sealed class StudyTables(ITableServiceClient tables)
{
    /// <summary>The partition of the <c>Studies</c> table that holds every study.</summary>
    public const string StudyPartition = "Study";

    private ITableClient Studies => tables.GetTableClient(StorageNames.StudiesTable);
    private ITableClient Assessments => tables.GetTableClient(StorageNames.AssessmentsTable);

    /// <summary>Writes a study (insert or replace).</summary>
    public Task SaveStudyAsync(Study study, CancellationToken ct) => Studies.UpsertEntityAsync(new TableEntity(StudyPartition, study.Id)
    {
        ["Name"] = study.Name,
        ["InstrumentId"] = study.InstrumentId,
        ["Sites"] = string.Join(',', study.SiteIds),
    }, TableUpdateMode.Replace, ct);

    /// <summary>The study, or null.</summary>
    public async Task<Study?> FindStudyAsync(string studyId, CancellationToken ct)
    {
        var found = await Studies.GetEntityIfExistsAsync(StudyPartition, studyId, cancellationToken: ct).ConfigureAwait(false);
        return found.HasValue ? ToStudy(found.Value!) : null;
    }

    /// <summary>Every study.</summary>
    public async Task<IReadOnlyList<Study>> ListStudiesAsync(CancellationToken ct)
    {
        var list = new List<Study>();
        await foreach (var e in Studies.QueryAsync(TableFilter.Create($"PartitionKey eq {StudyPartition}"), cancellationToken: ct).ConfigureAwait(false))
            list.Add(ToStudy(e));
        return list;
    }

    /// <summary>Writes an assessment (insert or replace).</summary>
    public Task SaveAssessmentAsync(Assessment a, CancellationToken ct) => Assessments.UpsertEntityAsync(ToEntity(a), TableUpdateMode.Replace, ct);

    /// <summary>The assessment and its ETag, or null.</summary>
    public async Task<(Assessment Assessment, ETag ETag)?> FindAssessmentAsync(string studyId, string assessmentId, CancellationToken ct)
    {
        var found = await Assessments.GetEntityIfExistsAsync(studyId, assessmentId, cancellationToken: ct).ConfigureAwait(false);
        return found.HasValue ? (ToAssessment(found.Value!), found.Value!.ETag) : null;
    }

    /// <summary>
    /// Marks the assessment completed, conditioned on the ETag it was read with; on a concurrent write re-reads and
    /// tries again. Returns false if it was already completed (nothing written).
    /// </summary>
    public async Task<bool> MarkCompletedAsync(string studyId, string assessmentId, DateTimeOffset completedAt, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            var current = await FindAssessmentAsync(studyId, assessmentId, ct).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"Assessment {studyId}/{assessmentId} does not exist.");
            if (current.Assessment.Status == AssessmentStatus.Completed) return false;
            var update = new TableEntity(studyId, assessmentId)
            {
                ["Status"] = nameof(AssessmentStatus.Completed),
                ["CompletedAt"] = completedAt,
            };
            try
            {
                await Assessments.UpdateEntityAsync(update, current.ETag, TableUpdateMode.Merge, ct).ConfigureAwait(false);
                return true;
            }
            catch (TableConcurrencyException) when (attempt < 5)
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
    public async Task<bool> TryMarkSubmittedAsync(string studyId, string assessmentId, ETag readWith, DateTimeOffset submittedAt, CancellationToken ct)
    {
        var update = new TableEntity(studyId, assessmentId)
        {
            ["Status"] = nameof(AssessmentStatus.Submitted),
            ["SubmittedAt"] = submittedAt,
        };
        try
        {
            await Assessments.UpdateEntityAsync(update, readWith, TableUpdateMode.Merge, ct).ConfigureAwait(false);
            return true;
        }
        catch (TableConcurrencyException)
        {
            return false;
        }
    }

    /// <summary>Every assessment of a study.</summary>
    public async Task<IReadOnlyList<Assessment>> ListAssessmentsAsync(string studyId, CancellationToken ct)
    {
        var list = new List<Assessment>();
        await foreach (var e in Assessments.QueryAsync(TableFilter.Create($"PartitionKey eq {studyId}"), cancellationToken: ct).ConfigureAwait(false))
            list.Add(ToAssessment(e));
        return list;
    }

    private static Study ToStudy(TableEntity e) => new(
        e.RowKey,
        e.GetString("Name") ?? e.RowKey,
        e.GetString("InstrumentId") ?? "",
        (e.GetString("Sites") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries));

    private static TableEntity ToEntity(Assessment a) => new(a.StudyId, a.Id)
    {
        ["SiteId"] = a.SiteId,
        ["DyadId"] = a.DyadId,
        ["Meeting"] = a.Meeting,
        ["RaterRole"] = a.RaterRole,
        ["RaterId"] = a.RaterId,
        ["DueDate"] = a.DueDate,
        ["Status"] = a.Status.ToString(),
        ["LinkVersion"] = a.LinkVersion,
        ["Language"] = a.Language,
    };

    private static Assessment ToAssessment(TableEntity e) => new(
        e.RowKey,
        e.PartitionKey,
        e.GetString("SiteId") ?? "",
        e.GetString("DyadId") ?? "",
        e.GetInt32("Meeting") ?? 0,
        e.GetString("RaterRole") ?? "",
        e.GetString("RaterId") ?? "",
        e.GetDateTimeOffset("DueDate") ?? DateTimeOffset.MinValue,
        Enum.TryParse<AssessmentStatus>(e.GetString("Status"), out var s) ? s : AssessmentStatus.Pending,
        e.GetInt32("LinkVersion") ?? 1,
        e.GetString("Language") ?? "en");

    /// <summary>An id made of the parts, safe as a key (for seeding and tests).</summary>
    public static string AssessmentId(string dyadId, int meeting, string raterRole) =>
        string.Create(CultureInfo.InvariantCulture, $"{dyadId}-m{meeting}-{raterRole}");
}
