using AlliancePipeline.Analytics.Reports;
using AlliancePipeline.Contracts.Storage;
using AlliancePipeline.Core.Instruments;
using AlliancePipeline.Core.Studies;
using AlliancePipeline.Functions.Studies;
using Azure.Data.Tables;

namespace AlliancePipeline.Functions.Reports;

/// <summary>What decides whether a study has anything new since its last run: counts and latest times.</summary>
/// <param name="ResponseCount">Responses stored.</param>
/// <param name="LastSubmittedAt">The latest response's submission time.</param>
/// <param name="OutcomeCount">Outcomes recorded.</param>
/// <param name="LastOutcomeAt">The latest change of an outcome (its entity's timestamp, so a corrected outcome counts).</param>
/// <param name="AlertCount">Alerts raised.</param>
/// <param name="LastAlertAt">The latest alert's time.</param>
/// <param name="CovariateCount">Dyads with covariates recorded.</param>
/// <param name="LastCovariateAt">The latest change of a dyad's covariates (its entity's timestamp).</param>
public sealed record StudyWatermark(int ResponseCount, DateTimeOffset? LastSubmittedAt, int OutcomeCount, DateTimeOffset? LastOutcomeAt, int AlertCount, DateTimeOffset? LastAlertAt,
    int CovariateCount = 0, DateTimeOffset? LastCovariateAt = null)
{
    /// <summary>Nothing at all to report.</summary>
    public bool IsEmpty => ResponseCount == 0 && OutcomeCount == 0 && AlertCount == 0;
}

/// <summary>A study's data as read for a report or an export, and its watermark.</summary>
/// <param name="Input">What the report is computed from.</param>
/// <param name="Watermark">What decides whether the study has anything new.</param>
public sealed record StudyData(ReportInput Input, StudyWatermark Watermark);

/// <summary>
/// Reads everything a study's report and exports are made from, through the official table and blob clients: the
/// <c>Studies</c> row and the applied study file when there is one (instruments per role, meetings, sites with names,
/// arms), <c>Responses</c>, <c>Assessments</c>, <c>Participants</c> (dyads), <c>Outcomes</c> and <c>Alerts</c>. A study
/// seeded without a study file (the demo) gets its instruments from the catalog and its dyads from its assessments.
/// </summary>
public sealed class ReportSource(StudyStore store, TableServiceClient tables)
{
    /// <summary>
    /// The study's data, or null when there is no such study. <paramref name="runId"/>, <paramref name="generatedAt"/> and
    /// <paramref name="periodStart"/> go into the input as they are (a caller may replace them with <c>with</c>).
    /// </summary>
    public async Task<StudyData?> ReadAsync(string studyId, string runId, DateTimeOffset generatedAt, DateTimeOffset? periodStart, CancellationToken ct)
    {
        var context = await store.FindContextAsync(studyId, ct).ConfigureAwait(false);
        if (context is null) return null;
        var applied = await store.LoadAsync(studyId, ct).ConfigureAwait(false);
        var definition = applied?.Definition;

        // Rows are made into the report's records as they are read, page by page: the entities are never all held.
        var responses = await ReadResponsesAsync(studyId, InstrumentLookup(context, definition), ct).ConfigureAwait(false);
        var (outcomes, alerts) = await ReadOutcomesAndAlertsAsync(studyId, ct).ConfigureAwait(false);
        var covariates = definition is null || definition.Covariates.IsDefaultOrEmpty
            ? (Values: new Dictionary<string, IReadOnlyDictionary<string, CovariateValue>>(), LastChangedAt: (DateTimeOffset?)null)
            : await ReadCovariatesAsync(studyId, ct).ConfigureAwait(false);
        var (assessments, firstMeetings) = await ReadAssessmentsAsync(studyId, ct).ConfigureAwait(false);
        var participants = await store.ParticipantsAsync(studyId, ct).ConfigureAwait(false);

        var instruments = InstrumentsOf(context, definition, responses.Select(r => r.RaterRole).Concat(assessments.Select(a => a.RaterRole)));

        var siteRows = participants.Where(p => p.Kind == ParticipantEntity.Kinds.Site).ToDictionary(p => p.Id, p => p.Name ?? p.Id, StringComparer.Ordinal);
        var sites = definition is not null
            ? definition.Sites.Select(s => new ReportSite(s.Id, s.Name)).ToArray()
            : context.Study.SiteIds.Select(s => new ReportSite(s, siteRows.GetValueOrDefault(s, s))).ToArray();
        var dyadRows = participants.Where(p => p.Kind == ParticipantEntity.Kinds.Dyad).ToArray();
        var dyads = dyadRows.Length > 0
            ? dyadRows.Select(p => new ReportDyad(p.Id, p.SiteId ?? "", p.Arm, p.EnrolledOn is { } e ? DateOnly.FromDateTime(e.UtcDateTime) : null, p.Withdrawn)).ToArray()
            : assessments.GroupBy(a => a.DyadId, StringComparer.Ordinal).Select(g => new ReportDyad(g.Key, g.First().SiteId, g.First().ArmId, null, g.All(a => a.Status == nameof(AssessmentStatus.Withdrawn)))).ToArray();
        var enrolled = dyads.Where(d => d.Enrolled is not null).ToDictionary(d => d.Id, d => d.Enrolled, StringComparer.Ordinal);

        var reportOutcomes = outcomes.Select(o => Outcome(o, enrolled.GetValueOrDefault(o.RowKey))).ToArray();
        var input = new ReportInput
        {
            StudyId = studyId,
            StudyName = definition?.Name ?? context.Study.Name,
            RunId = runId,
            GeneratedAt = generatedAt,
            PeriodStart = periodStart,
            SoftwareVersion = typeof(ReportSource).Assembly.GetName().Version?.ToString() ?? "unknown",
            Instruments = instruments,
            Sites = sites,
            Arms = definition?.Arms.Select(a => new ReportArm(a.Id, a.Name)).ToArray() ?? [],
            PlannedMeetings = definition?.Meetings.Length,
            Responses = responses,
            Assessments = assessments,
            Dyads = dyads,
            Outcomes = reportOutcomes,
            Analysis = definition?.Analysis,
            Covariates = definition is null || definition.Covariates.IsDefault ? [] : definition.Covariates,
            CovariateValues = covariates.Values,
            ContinuousOutcomes = ReportCovariates.ContinuousOf(reportOutcomes),
            TimeToJob = definition?.Analysis.FollowUp is { } followUp
                ? Analytics.Reports.TimeToJob.Of(followUp, dyads, reportOutcomes, firstMeetings)
                : [],
            Alerts = alerts.Select(a => new ReportAlert(a.RowKey, a.DyadId, a.SiteId, a.RaterRole, a.Meeting, a.Kinds, a.Previous, a.Current, a.DropThreshold, a.Cutoff, a.RaisedAt, a.Status)).ToArray(),
        };
        var watermark = new StudyWatermark(
            responses.Count, responses.Count == 0 ? null : responses.Max(r => r.SubmittedAt),
            outcomes.Count, outcomes.Count == 0 ? null : outcomes.Max(o => o.Timestamp),
            alerts.Count, alerts.Count == 0 ? null : alerts.Max(a => a.RaisedAt),
            covariates.Values.Count, covariates.LastChangedAt);
        return new StudyData(input, watermark);
    }

    /// <summary>
    /// A role's instrument, looked up once per role: the study file's, else the catalog's for the study (the demo's seeded
    /// study has no file).
    /// </summary>
    internal static Func<string, InstrumentDefinition?> InstrumentLookup(StudyContext context, StudyDefinition? definition)
    {
        var byRole = new Dictionary<string, InstrumentDefinition?>(StringComparer.Ordinal);
        return role =>
        {
            if (!byRole.TryGetValue(role, out var instrument))
            {
                instrument = definition is not null && definition.Instruments.TryGetValue(role, out var own) ? own.Definition : context.InstrumentFor(role);
                byRole[role] = instrument;
            }
            return instrument;
        };
    }

    /// <summary>
    /// The instruments by role: the study file's, then the catalog's for each of <paramref name="roles"/> (those that rated
    /// or are to rate) and the practitioner that the file does not name.
    /// </summary>
    internal static Dictionary<string, InstrumentDefinition> InstrumentsOf(StudyContext context, StudyDefinition? definition, IEnumerable<string> roles)
    {
        var instruments = new Dictionary<string, InstrumentDefinition>(StringComparer.Ordinal);
        if (definition is not null)
        {
            foreach (var (role, instrument) in definition.Instruments) instruments[role] = instrument.Definition;
        }
        foreach (var role in roles.Append(RaterRoles.Practitioner).Distinct(StringComparer.Ordinal))
        {
            if (!instruments.ContainsKey(role) && context.InstrumentFor(role) is { } definitionForRole) instruments[role] = definitionForRole;
        }
        return instruments;
    }

    /// <summary>A recorded outcome as the report reads it, with its dyad's enrolment date when known.</summary>
    internal static ReportOutcome Outcome(OutcomeEntity o, DateOnly? enrolled) =>
        new(o.RowKey, o.Employed, o.JobDate is { } j ? DateOnly.FromDateTime(j.UtcDateTime) : null, enrolled, o.RecordedAt)
        {
            RecordedOn = o.RecordedOn is { } on ? DateOnly.FromDateTime(on.UtcDateTime) : null,
            DaysWorked = o.DaysWorked,
            TenureDays = o.TenureDays,
        };

    /// <summary>Each dyad's first meeting date: its meeting 1's date (recorded, else expected from enrolment).</summary>
    public static IReadOnlyDictionary<string, DateOnly> FirstMeetings(IEnumerable<AssessmentEntity> assessments) =>
        assessments.Where(a => a.Meeting == 1 && (a.MeetingDate ?? a.InviteOn) is not null).GroupBy(a => a.DyadId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => DateOnly.FromDateTime(g.Min(a => (a.MeetingDate ?? a.InviteOn)!.Value).UtcDateTime), StringComparer.Ordinal);

    /// <summary>
    /// A stored row as the report reads it: its answers, its scores by column, and its global score from the column its
    /// role's instrument names (<c>Global</c> when the instrument is not known).
    /// </summary>
    internal static StoredResponse Stored(ResponseEntity e, InstrumentDefinition? instrument)
    {
        var scores = e.Scores;
        return new StoredResponse(e.PartitionKey, e.RowKey, e.SiteId, e.DyadId, e.Meeting, e.RaterRole, e.Items, scores,
            scores.GetValueOrDefault(instrument?.Global.Column ?? "Global", double.NaN), new DateTimeOffset(DateTime.SpecifyKind(e.SubmittedAt, DateTimeKind.Utc)),
            e.Provenance);
    }

    private async Task<IReadOnlyList<StoredResponse>> ReadResponsesAsync(string studyId, Func<string, InstrumentDefinition?> instrumentOf, CancellationToken ct)
    {
        var list = new List<StoredResponse>();
        var table = tables.GetTableClient(StorageNames.ResponsesTable);
        await foreach (var e in table.QueryAsync<ResponseEntity>(e => e.PartitionKey == studyId, cancellationToken: ct).ConfigureAwait(false))
            list.Add(Stored(e, instrumentOf(e.RaterRole)));
        return list;
    }

    /// <summary>The assessment columns a report reads (not the invitation log, links or addresses).</summary>
    private static readonly string[] AssessmentColumns =
    [
        nameof(AssessmentEntity.RowKey), nameof(AssessmentEntity.SiteId), nameof(AssessmentEntity.DyadId), nameof(AssessmentEntity.Meeting), nameof(AssessmentEntity.RaterRole),
        nameof(AssessmentEntity.RaterId), nameof(AssessmentEntity.Arm), nameof(AssessmentEntity.Status), nameof(AssessmentEntity.InviteOn), nameof(AssessmentEntity.DueDate),
        nameof(AssessmentEntity.MeetingDate),
    ];

    /// <summary>The study's assessments as the report reads them, and each dyad's first meeting date (<see cref="FirstMeetings"/>).</summary>
    private async Task<(IReadOnlyList<ReportAssessment> Assessments, IReadOnlyDictionary<string, DateOnly> FirstMeetings)> ReadAssessmentsAsync(string studyId, CancellationToken ct)
    {
        var list = new List<ReportAssessment>();
        var firstForms = new List<AssessmentEntity>();
        var table = tables.GetTableClient(StorageNames.AssessmentsTable);
        await foreach (var a in table.QueryAsync<AssessmentEntity>(e => e.PartitionKey == studyId, select: AssessmentColumns, cancellationToken: ct).ConfigureAwait(false))
        {
            list.Add(new ReportAssessment(a.RowKey, a.SiteId, a.DyadId, a.Meeting, a.RaterRole, a.RaterId, a.Arm, a.Status, a.InviteOn, a.DueDate));
            if (a.Meeting == 1) firstForms.Add(a);
        }
        return (list, FirstMeetings(firstForms));
    }

    /// <summary>Each dyad's recorded covariates (<c>Covariates</c>), by dyad id, and the latest change of any (for the watermark).</summary>
    private async Task<(IReadOnlyDictionary<string, IReadOnlyDictionary<string, CovariateValue>> Values, DateTimeOffset? LastChangedAt)> ReadCovariatesAsync(string studyId, CancellationToken ct)
    {
        var values = new Dictionary<string, IReadOnlyDictionary<string, CovariateValue>>(StringComparer.Ordinal);
        DateTimeOffset? last = null;
        await foreach (var c in tables.GetTableClient(StorageNames.CovariatesTable).QueryAsync<CovariateEntity>(e => e.PartitionKey == studyId, cancellationToken: ct).ConfigureAwait(false))
        {
            values[c.RowKey] = Dyads.CovariateOperations.Read(c.Values);
            if (c.Timestamp is { } at && (last is null || at > last)) last = at;
        }
        return (values, last);
    }

    private async Task<(IReadOnlyList<OutcomeEntity> Outcomes, IReadOnlyList<AlertEntity> Alerts)> ReadOutcomesAndAlertsAsync(string studyId, CancellationToken ct)
    {
        var outcomes = new List<OutcomeEntity>();
        await foreach (var o in tables.GetTableClient(StorageNames.OutcomesTable).QueryAsync<OutcomeEntity>(e => e.PartitionKey == studyId, cancellationToken: ct).ConfigureAwait(false))
            outcomes.Add(o);
        var alerts = new List<AlertEntity>();
        await foreach (var a in tables.GetTableClient(StorageNames.AlertsTable).QueryAsync<AlertEntity>(e => e.PartitionKey == studyId, cancellationToken: ct).ConfigureAwait(false))
            alerts.Add(a);
        return (outcomes, alerts);
    }
}
