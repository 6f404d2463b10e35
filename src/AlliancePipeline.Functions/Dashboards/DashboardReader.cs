using AlliancePipeline.Contracts.Storage;
using AlliancePipeline.Core.Studies;
using AlliancePipeline.Functions.Infrastructure.Storage;
using Azure;
using Azure.Data.Tables;

namespace AlliancePipeline.Functions.Dashboards;

/// <summary>
/// Reads what the dashboard shows from <c>Studies</c>, <c>Participants</c>, the sites' completion summaries and
/// assessments as <see cref="AssessmentViews"/> keeps them per site, and <c>Alerts</c>. A site whose kept summary still
/// holds is not read again; when a site is given, storage is asked for that site's rows only, so rows of other sites
/// are neither read nor scanned.
/// </summary>
public sealed class DashboardReader(TableServiceClient tables, AssessmentViews views)
{
    /// <summary>The value of <see cref="AlertEntity.Status"/> for an open alert.</summary>
    public const string OpenStatus = "open";

    /// <summary>The value of <see cref="AlertEntity.Status"/> for a closed alert.</summary>
    public const string ClosedStatus = "closed";

    private TableClient Table(string name) => tables.GetTableClient(name);

    /// <summary>The study, or null.</summary>
    public async Task<StudyEntity?> FindStudyAsync(string studyId, CancellationToken ct)
    {
        var found = await Table(StorageNames.StudiesTable).GetEntityIfExistsAsync<StudyEntity>(StudyEntity.Partition, studyId, cancellationToken: ct).ConfigureAwait(false);
        return found.HasValue ? found.Value : null;
    }

    /// <summary>
    /// The study's sites by id with their names: the <c>site:</c> rows of <c>Participants</c>, and the ids listed on the
    /// study row (named by their id when no participant row names them). Only <paramref name="site"/> when given.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, string>> SiteNamesAsync(StudyEntity study, string? site, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(study);
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var id in study.Sites.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (site is null || id == site) names[id] = id;
        }
        var participants = Table(StorageNames.ParticipantsTable);
        if (site is null)
        {
            await foreach (var p in participants.QueryAsync<ParticipantEntity>(
                p => p.PartitionKey == study.RowKey && p.Kind == ParticipantEntity.Kinds.Site, cancellationToken: ct).ConfigureAwait(false))
            {
                if (p.Kind == ParticipantEntity.Kinds.Site && p.Id.Length > 0) names[p.Id] = string.IsNullOrWhiteSpace(p.Name) ? p.Id : p.Name;
            }
        }
        else
        {
            var found = await participants.GetEntityIfExistsAsync<ParticipantEntity>(study.RowKey, ParticipantEntity.Key(ParticipantEntity.Kinds.Site, site), cancellationToken: ct).ConfigureAwait(false);
            if (found.HasValue && found.Value!.Id == site) names[site] = string.IsNullOrWhiteSpace(found.Value.Name) ? site : found.Value.Name;
        }
        return names;
    }

    /// <summary>
    /// The completion report of the study (or one site of it) at <paramref name="now"/>: each site's summary kept in
    /// <see cref="AssessmentViews"/> when nothing changed it since (<see cref="AssessmentViews.SummariesAsync"/>), every
    /// other site's computed from its copies (and its assessments being written, from <c>Assessments</c>) and kept under
    /// the version read before them (unless a marker touches the site); the sites' summaries merged, with the open alerts and site names.
    /// </summary>
    public async Task<CompletionReport> ReportAsync(StudyEntity study, string? site, DateTimeOffset now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(study);
        var studyId = study.RowKey;
        var names = await SiteNamesAsync(study, site, ct).ConfigureAwait(false);
        var today = StudyCalendar.Day(now);
        var kept = await views.SummariesAsync(studyId, site, today, ct).ConfigureAwait(false);
        var parts = new CompletionSummary[kept.Sites.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, parts.Length), new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = ct }, async (i, token) =>
        {
            var s = kept.Sites[i];
            if (s.Summary is { } json)
            {
                parts[i] = CompletionSummary.FromJson(json, now);
                return;
            }
            parts[i] = CompletionSummary.Of(await views.ReadSiteAsync(studyId, s.SiteId, kept.Marked, token).ConfigureAwait(false), now);
            if (s.Version is { } version) await views.KeepSummaryAsync(studyId, s.SiteId, version, today, parts[i].ToJson(), token).ConfigureAwait(false);
        }).ConfigureAwait(false);

        var alerts = new List<AlertEntity>();
        var alertQuery = site is null
            ? Table(StorageNames.AlertsTable).QueryAsync<AlertEntity>(a => a.PartitionKey == studyId && a.Status == OpenStatus, cancellationToken: ct)
            : Table(StorageNames.AlertsTable).QueryAsync<AlertEntity>(a => a.PartitionKey == studyId && a.Status == OpenStatus && a.SiteId == site, cancellationToken: ct);
        await foreach (var a in alertQuery.ConfigureAwait(false)) alerts.Add(a);

        var input = new CompletionInput(studyId, study.Name.Length > 0 ? study.Name : studyId, site, names, [], alerts);
        return CompletionReport.Of(input, CompletionSummary.Merge(parts, now));
    }

    /// <summary>The alert raised by an assessment's response, or null.</summary>
    public async Task<AlertEntity?> FindAlertAsync(string studyId, string assessmentId, CancellationToken ct)
    {
        var found = await Table(StorageNames.AlertsTable).GetEntityIfExistsAsync<AlertEntity>(studyId, assessmentId, cancellationToken: ct).ConfigureAwait(false);
        return found.HasValue ? found.Value : null;
    }

    /// <summary>
    /// Closes an open alert, conditioned on the ETag it was read with: true when this call closed it, false when it was
    /// already closed (by now or by a concurrent call).
    /// </summary>
    public async Task<bool> CloseAlertAsync(AlertEntity alert, string closedBy, DateTimeOffset at, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(alert);
        var table = Table(StorageNames.AlertsTable);
        for (var attempt = 0; ; attempt++)
        {
            if (alert.Status != OpenStatus) return false;
            var update = new TableEntity(alert.PartitionKey, alert.RowKey)
            {
                [nameof(AlertEntity.Status)] = ClosedStatus,
                [nameof(AlertEntity.ClosedAt)] = at,
                [nameof(AlertEntity.ClosedBy)] = closedBy,
            };
            try
            {
                await table.UpdateEntityAsync(update, alert.ETag, TableUpdateMode.Merge, ct).ConfigureAwait(false);
                return true;
            }
            catch (RequestFailedException e) when (e.Status == 412 && attempt < 5)
            {
                alert = await FindAlertAsync(alert.PartitionKey, alert.RowKey, ct).ConfigureAwait(false)
                    ?? throw new InvalidOperationException("The alert disappeared while it was being closed.");
            }
        }
    }
}
