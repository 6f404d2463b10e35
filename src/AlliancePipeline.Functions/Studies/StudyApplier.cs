using System.Collections.Immutable;
using System.Text.Json;
using AlliancePipeline.Contracts.Storage;
using AlliancePipeline.Core.Studies;
using AlliancePipeline.Functions.Infrastructure.Audit;
using AlliancePipeline.Functions.Infrastructure.Storage;
using Azure;
using Azure.Data.Tables;

namespace AlliancePipeline.Functions.Studies;

/// <summary>What applying a study file did (or, for a dry run, would do).</summary>
/// <param name="StudyId">The study, when the file could be read that far.</param>
/// <param name="Applied">Whether anything was written (false for a dry run, an unchanged file or a refused one).</param>
/// <param name="Changes">The changes to the study's parts, when the file was valid.</param>
/// <param name="Errors">Every problem of the file, each naming its line and field; nothing was written when there is one.</param>
/// <param name="AssessmentsAdded">Assessments enrolment created.</param>
/// <param name="AssessmentsUpdated">Pending assessments whose dates, rater or language moved.</param>
/// <param name="AssessmentsWithdrawn">Pending assessments of withdrawn dyads, now withdrawn (their links stop).</param>
/// <param name="AssessmentsReinstated">Withdrawn assessments of reinstated dyads, pending again with a new link version.</param>
/// <param name="AssessmentsRelinked">Of the updated ones, those whose rater or rater's address changed: a new link version, mailed again.</param>
/// <param name="Notes">Things worth knowing that are not errors (e.g. a dyad withdrawn through the API stays withdrawn).</param>
public sealed record StudyApplyOutcome(
    string? StudyId,
    bool Applied,
    StudyChanges? Changes,
    ImmutableArray<StudyFileError> Errors,
    int AssessmentsAdded,
    int AssessmentsUpdated,
    int AssessmentsWithdrawn,
    int AssessmentsReinstated,
    int AssessmentsRelinked,
    ImmutableArray<string> Notes)
{
    /// <summary>The assessments withdrawn (ids, in order): pending ones no longer planned (withdrawn dyad, removed meeting, client no longer named).</summary>
    public ImmutableArray<string> WithdrawnAssessments { get; init; } = [];

    /// <summary>Things the coordinator should look at, though the file was applied (e.g. newly enrolled forms already due).</summary>
    public ImmutableArray<string> Warnings { get; init; } = [];

    /// <summary>Whether the file was valid.</summary>
    public bool IsValid => Errors.IsEmpty;

    /// <summary>Whether applying it changes (or changed) anything.</summary>
    public bool HasChanges => (Changes?.HasChanges ?? false) || AssessmentsAdded + AssessmentsUpdated + AssessmentsWithdrawn + AssessmentsReinstated > 0;

    /// <summary>A refused file.</summary>
    public static StudyApplyOutcome Refused(string? studyId, ImmutableArray<StudyFileError> errors) =>
        new(studyId, false, null, errors, 0, 0, 0, 0, 0, []);
}

/// <summary>
/// Applies a study file: reads and checks it completely (Core's <see cref="StudyFile"/>; every error with its line and
/// field, and nothing written when there is one), compares it with the study as last applied
/// (<see cref="StudyChanges.Between"/>), plans enrolment (<see cref="EnrolmentPlan.For"/>, with the meeting dates recorded
/// so far) and writes, in this order: the source (blob), the <c>Assessments</c> rows (entity group transactions of up to
/// 100; pending ones whose rater or rater's address changed get a new link version, <see cref="AssessmentWrites"/>), the
/// <c>Participants</c> rows, and last the <c>Studies</c> row; then <c>Audit</c>: a <c>study.applied</c> row per
/// assessment and participant changed, with its fields before and after (<see cref="AuditChange"/>: addresses and names
/// never written), and the summary row. Every write is idempotent, so applying the same
/// file again changes nothing and reports no change; and if an apply stops midway, the study's row still describes the
/// previous version and applying the file again completes it (Table Storage has no transaction across tables or
/// partitions: "nothing half-applied" is reached by re-applying, which the report of the interrupted call asks for).
/// </summary>
public sealed class StudyApplier(StudyStore store, StudyTables studyTables, TableServiceClient tables, AssessmentViews views, AuditLog audit, TimeProvider clock)
{
    /// <summary>Applies (or, with <paramref name="dryRun"/>, only reports) <paramref name="source"/>.</summary>
    /// <param name="source">The file and its instrument files.</param>
    /// <param name="expectedStudyId">The study the caller addressed (the route), or null; a file for another study is refused.</param>
    /// <param name="actor">Who applies it (a key id, or <c>cli</c>).</param>
    /// <param name="dryRun">Report what would change, write nothing.</param>
    /// <param name="ct">Cancellation.</param>
    public async Task<StudyApplyOutcome> ApplyAsync(StudySource source, string? expectedStudyId, string actor, bool dryRun, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await ApplyOnceAsync(source, expectedStudyId, actor, dryRun, ct).ConfigureAwait(false);
            }
            catch (RequestFailedException e) when (e.Status == 412 && attempt < 3)
            {
                // A relinked assessment was written meanwhile (answered, reminded): read everything again and decide again.
            }
        }
    }

    private async Task<StudyApplyOutcome> ApplyOnceAsync(StudySource source, string? expectedStudyId, string actor, bool dryRun, CancellationToken ct)
    {
        var first = StudyFile.Parse(source.Text, source.Source, source.ReadFile);
        if (!first.IsValid) return StudyApplyOutcome.Refused(null, first.Errors);
        var studyId = first.Definition.Id;
        if (expectedStudyId is not null && expectedStudyId != studyId)
        {
            return StudyApplyOutcome.Refused(studyId,
                [new StudyFileError(source.Source, 1, 1, "id", $"the file describes study '{studyId}', but it was sent to study '{expectedStudyId}'")]);
        }

        var previous = await store.LoadAsync(studyId, ct).ConfigureAwait(false);
        var prepared = StudyFile.PrepareApply(previous?.Definition, source.Text, source.Source, source.ReadFile);
        if (!prepared.IsValid) return StudyApplyOutcome.Refused(studyId, prepared.Errors);
        var definition = prepared.Definition!;

        var participants = await store.ParticipantsAsync(studyId, ct).ConfigureAwait(false);
        var withdrawnByApi = participants
            .Where(p => p.Kind == ParticipantEntity.Kinds.Dyad && p.Withdrawn && p.WithdrawnBy == "api")
            .Select(p => p.Id)
            .ToHashSet(StringComparer.Ordinal);
        var notes = ImmutableArray.CreateBuilder<string>();
        foreach (var dyad in definition.Dyads.Where(d => !d.Withdrawn && withdrawnByApi.Contains(d.Id)))
            notes.Add($"dyad {dyad.Id} was withdrawn by a coordinator and stays withdrawn; write 'withdrawn: true' for it in the file.");
        var effective = withdrawnByApi.Count == 0 ? definition : definition with
        {
            Dyads = [.. definition.Dyads.Select(d => withdrawnByApi.Contains(d.Id) ? d with { Withdrawn = true } : d)],
        };

        var existing = (await studyTables.ListAssessmentEntitiesAsync(studyId, ct).ConfigureAwait(false)).ToDictionary(a => a.RowKey, StringComparer.Ordinal);
        var recorded = existing.Values
            .Where(a => a.MeetingDateRecorded && a.MeetingDate is not null)
            .Select(a => new RecordedMeeting(a.DyadId, a.Meeting, StudyCalendar.Day(a.MeetingDate!.Value)))
            .DistinctBy(r => (r.DyadId, r.Meeting));
        var plan = EnrolmentPlan.For(effective, recorded);
        var writes = AssessmentWrites.Plan(studyId, effective, plan, existing, Readdressed(effective, participants));

        foreach (var meeting in writes.MeetingRemoved.GroupBy(id => existing[id].Meeting).OrderBy(g => g.Key))
            notes.Add($"meeting {meeting.Key} is no longer in the file: its {meeting.Count()} pending form(s) are withdrawn ({string.Join(", ", meeting)}); their links stop, and answered ones are kept.");
        var added = writes.Added.Select(a => a.RowKey).ToHashSet(StringComparer.Ordinal);
        var outcome = new StudyApplyOutcome(studyId, false, prepared.Changes, [], writes.Added.Count, writes.Updated.Count + writes.Relinked.Count,
            writes.Withdrawn.Count, writes.Reinstated.Count, writes.Relinked.Count, notes.ToImmutable())
        {
            WithdrawnAssessments = [.. writes.Withdrawn.Select(w => w.RowKey)],
            Warnings = EnrolmentPlan.AlreadyDue(plan.Where(p => added.Contains(p.Id)), StudyCalendar.Day(clock.GetUtcNow())),
        };
        var entity = await store.FindEntityAsync(studyId, ct).ConfigureAwait(false);
        var complete = entity is not null && previous is not null && entity.AppliedAt is not null;
        if (dryRun) return outcome;
        if (!outcome.HasChanges && complete)
        {
            await views.EnsureBuiltAsync(studyId, definition.Reminders, ct).ConfigureAwait(false);
            return outcome;
        }

        var now = clock.GetUtcNow();
        var storedParticipants = participants.ToDictionary(p => p.RowKey, AuditChange.Fields, StringComparer.Ordinal);
        await store.SaveSourceAsync(studyId, source, now, ct).ConfigureAwait(false);
        // Assessments before participants: the raters' addresses as stored are what tells a changed address, so they
        // change only once the links mailed to the old ones are revoked (an apply that stops between the two relinks
        // again when completed, which at worst mails the rater one more fresh link).
        await SubmitAsync(tables.GetTableClient(StorageNames.AssessmentsTable), [.. writes.Actions(now)], ct).ConfigureAwait(false);
        var participantRows = ParticipantRows(effective, participants, now).ToList();
        await SubmitAsync(tables.GetTableClient(StorageNames.ParticipantsTable), participantRows
            .Select(p => new TableTransactionAction(TableTransactionActionType.UpsertReplace, p)), ct).ConfigureAwait(false);
        await store.SaveEntityAsync(definition, now, actor, (entity?.Version ?? 0) + 1, ct).ConfigureAwait(false);
        await audit.WriteAllAsync(AssessmentChanges(writes, existing).Concat(ParticipantChanges(participantRows, storedParticipants))
            .Select(c => audit.Row(studyId, actor, "study.applied", c.Subject, c.Details, c.Change)), ct).ConfigureAwait(false);
        await audit.WriteAsync(studyId, actor, "study.applied", studyId,
            $"{prepared.Changes!.Summary}; assessments: {writes.Added.Count} added, {writes.Updated.Count + writes.Relinked.Count} updated, {writes.Withdrawn.Count} withdrawn, {writes.Reinstated.Count} reinstated, {writes.Relinked.Count} relinked",
            ct).ConfigureAwait(false);
        // The views (the dashboards' rows per site, the reminder index) under the study's reminder policy: built now from
        // the rows just written, rather than by the first reader without a policy and again by the first Reminders run.
        await views.EnsureBuiltAsync(studyId, definition.Reminders, ct).ConfigureAwait(false);
        return outcome with { Applied = true };
    }

    /// <summary>Each assessment the writes changed, with its fields before and after (for <c>Audit</c>).</summary>
    private static IEnumerable<(string Subject, string Details, AuditChange Change)> AssessmentChanges(AssessmentWrites writes, IReadOnlyDictionary<string, AssessmentEntity> existing)
    {
        const string Table = StorageNames.AssessmentsTable;
        var meetingRemoved = writes.MeetingRemoved.ToHashSet(StringComparer.Ordinal);
        var changes = writes.Added.Select(a => (a.RowKey, "assessment added", AuditChange.Between(Table, null, a)))
            .Concat(writes.Updated.Select(u => (u.RowKey, "pending assessment's plan changed (dates, rater, language, site or arm)", AuditChange.Merged(Table, existing[u.RowKey], u))))
            .Concat(writes.Relinked.Select(r => (r.RowKey, $"relinked (rater or address changed): link version {r.LinkVersion}, earlier links refused, mailed again", AuditChange.Between(Table, existing[r.RowKey], r))))
            .Concat(writes.Reinstated.Select(r => (r.RowKey, $"reinstated with its dyad: pending again, link version {r.LinkVersion}", AuditChange.Between(Table, existing[r.RowKey], r))))
            .Concat(writes.Withdrawn.Select(w => (w.RowKey, meetingRemoved.Contains(w.RowKey) ? "withdrawn: its meeting is no longer in the file; its link and reminders stop" : "withdrawn (its dyad withdrawn, or its rater no longer named): its link and reminders stop", AuditChange.Merged(Table, existing[w.RowKey], w))));
        foreach (var (subject, details, change) in changes)
            if (change is not null) yield return (subject, details, change);
    }

    /// <summary>Each participant row written that differs from the one stored before (for <c>Audit</c>; addresses and names redacted).</summary>
    private static IEnumerable<(string Subject, string Details, AuditChange Change)> ParticipantChanges(IEnumerable<ParticipantEntity> written, IReadOnlyDictionary<string, IReadOnlyDictionary<string, object?>> stored)
    {
        foreach (var row in written)
        {
            var before = stored.GetValueOrDefault(row.RowKey);
            if (AuditChange.Of(AuditChange.RecordOf(StorageNames.ParticipantsTable, row.RowKey), before, AuditChange.Fields(row)) is not { } change) continue;
            var what = before is null ? "added" : row.Withdrawn && before.GetValueOrDefault(nameof(ParticipantEntity.Withdrawn)) is false ? "withdrawn"
                : !row.Withdrawn && before.GetValueOrDefault(nameof(ParticipantEntity.Withdrawn)) is true ? "reinstated" : "changed";
            yield return (row.RowKey, $"{row.Kind} {what}", change);
        }
    }

    /// <summary>
    /// The raters whose address the file changes (added, removed or corrected; letter case alone is no change): the links
    /// mailed to the old address must stop.
    /// </summary>
    private static HashSet<string> Readdressed(StudyDefinition study, IReadOnlyList<ParticipantEntity> existing)
    {
        var stored = existing.Where(p => p.Kind == ParticipantEntity.Kinds.Rater).ToDictionary(p => p.Id, p => p.Email ?? "", StringComparer.Ordinal);
        return study.Raters
            .Where(r => stored.TryGetValue(r.Id, out var before) && !string.Equals(before.Trim(), r.Email.Trim(), StringComparison.OrdinalIgnoreCase))
            .Select(r => r.Id)
            .ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>The participant rows of a definition, keeping how and when existing rows were withdrawn.</summary>
    private static IEnumerable<ParticipantEntity> ParticipantRows(StudyDefinition study, IReadOnlyList<ParticipantEntity> existing, DateTimeOffset now)
    {
        var old = existing.ToDictionary(p => p.RowKey, StringComparer.Ordinal);
        ParticipantEntity Row(string kind, string id) => new() { PartitionKey = study.Id, RowKey = ParticipantEntity.Key(kind, id), Kind = kind, Id = id };
        foreach (var site in study.Sites)
        {
            var row = Row(ParticipantEntity.Kinds.Site, site.Id);
            row.Name = site.Name;
            row.Coordinators = JsonSerializer.Serialize(site.Coordinators.Select(c => new { email = c.Email, language = c.Language }));
            yield return row;
        }
        foreach (var rater in study.Raters)
        {
            var row = Row(ParticipantEntity.Kinds.Rater, rater.Id);
            (row.Role, row.SiteId, row.Email, row.Language) = (rater.Role, rater.SiteId, rater.Email, rater.Language);
            yield return row;
        }
        foreach (var dyad in study.Dyads)
        {
            var row = Row(ParticipantEntity.Kinds.Dyad, dyad.Id);
            (row.SiteId, row.PractitionerId, row.ClientId, row.Arm) = (dyad.SiteId, dyad.PractitionerId, dyad.ClientId, dyad.ArmId);
            row.EnrolledOn = StudyCalendar.StartOf(dyad.Enrolled);
            row.Withdrawn = dyad.Withdrawn;
            if (dyad.Withdrawn)
            {
                var before = old.GetValueOrDefault(row.RowKey);
                row.WithdrawnAt = before?.Withdrawn == true ? before.WithdrawnAt : now;
                row.WithdrawnBy = before?.Withdrawn == true ? before.WithdrawnBy : "file";
            }
            yield return row;
        }
        var recipients = study.Reports?.Recipients ?? [];
        for (var i = 0; i < recipients.Length; i++)
        {
            var row = Row(ParticipantEntity.Kinds.Recipient, (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
            (row.Email, row.Language) = (recipients[i].Email, recipients[i].Language);
            yield return row;
        }
        // Raters and recipients no longer in the file: kept (their data stays), marked withdrawn.
        var current = new HashSet<string>(study.Raters.Select(r => ParticipantEntity.Key(ParticipantEntity.Kinds.Rater, r.Id))
            .Concat(Enumerable.Range(1, recipients.Length).Select(i => ParticipantEntity.Key(ParticipantEntity.Kinds.Recipient, i.ToString(System.Globalization.CultureInfo.InvariantCulture)))), StringComparer.Ordinal);
        foreach (var gone in existing.Where(p => p.Kind is ParticipantEntity.Kinds.Rater or ParticipantEntity.Kinds.Recipient && !current.Contains(p.RowKey) && !p.Withdrawn))
        {
            gone.Withdrawn = true;
            gone.WithdrawnAt = now;
            gone.WithdrawnBy = "file";
            yield return gone;
        }
    }

    /// <summary>Submits actions as entity group transactions of at most 100 (one partition: the study's).</summary>
    internal static async Task SubmitAsync(TableClient table, IEnumerable<TableTransactionAction> actions, CancellationToken ct)
    {
        foreach (var chunk in actions.Chunk(100))
            await table.SubmitTransactionAsync(chunk, ct).ConfigureAwait(false);
    }
}
