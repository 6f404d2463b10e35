using AlliancePipeline.Contracts.Storage;
using AlliancePipeline.Core.Access;
using AlliancePipeline.Core.Studies;
using AlliancePipeline.Functions.Infrastructure.Audit;
using AlliancePipeline.Functions.Infrastructure.Outcomes;
using AlliancePipeline.Functions.Infrastructure.Settings;
using AlliancePipeline.Functions.Infrastructure.Storage;
using AlliancePipeline.Functions.Questionnaires;
using AlliancePipeline.Functions.Studies;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;

namespace AlliancePipeline.Functions.Dyads;

/// <summary>A meeting date recorded.</summary>
/// <param name="StudyId">The study.</param>
/// <param name="DyadId">The dyad.</param>
/// <param name="Meeting">The meeting number.</param>
/// <param name="Date">The date, <c>yyyy-MM-dd</c>.</param>
/// <param name="AssessmentsMoved">Assessments whose dates moved.</param>
public sealed record MeetingRecorded(string StudyId, string DyadId, int Meeting, string Date, int AssessmentsMoved);

/// <summary>Meeting dates imported.</summary>
/// <param name="StudyId">The study.</param>
/// <param name="Imported">Rows imported.</param>
/// <param name="AssessmentsMoved">Assessments whose dates moved.</param>
public sealed record MeetingsImported(string StudyId, int Imported, int AssessmentsMoved);

/// <summary>An outcome recorded.</summary>
/// <param name="StudyId">The study.</param>
/// <param name="DyadId">The dyad.</param>
/// <param name="Employed">Whether the client is employed.</param>
/// <param name="Date">When the job started, <c>yyyy-MM-dd</c>, when employed.</param>
public sealed record OutcomeRecorded(string StudyId, string DyadId, bool Employed, string? Date);

/// <summary>Outcomes imported.</summary>
/// <param name="StudyId">The study.</param>
/// <param name="Imported">Rows imported.</param>
public sealed record OutcomesImported(string StudyId, int Imported);

/// <summary>A new link for an assessment; earlier ones answer 410.</summary>
/// <param name="StudyId">The study.</param>
/// <param name="AssessmentId">The assessment.</param>
/// <param name="LinkVersion">The new link version.</param>
/// <param name="Link">The new questionnaire link.</param>
/// <param name="ExpiresAt">When it stops opening.</param>
public sealed record LinkReissued(string StudyId, string AssessmentId, int LinkVersion, string Link, DateTimeOffset ExpiresAt);

/// <summary>A dyad withdrawn.</summary>
/// <param name="StudyId">The study.</param>
/// <param name="DyadId">The dyad.</param>
/// <param name="Withdrawn">Always true.</param>
/// <param name="AssessmentsWithdrawn">Its unanswered assessments, now withdrawn.</param>
public sealed record DyadWithdrawn(string StudyId, string DyadId, bool Withdrawn, int AssessmentsWithdrawn);

/// <summary>
/// What coordinators record and change about dyads after the study file: meeting dates (one, or a CSV import), which
/// move the due dates; outcomes (one, or a CSV import); a reissued link (the old one then answers 410); a withdrawn dyad
/// (its links stop, its reminders stop). Every change is written to <c>Audit</c>. Values are checked by Core's
/// <see cref="StudyInputs"/> and <see cref="StudyCsv"/> against the study as the caller may see it (<see cref="Visible"/>:
/// a site key sees its site's dyads only), so that another site's dyad and a dyad that does not exist are answered
/// alike, word for word (404, or in an import a line naming a dyad not in the study, which makes the import a 404), and
/// nothing about another site's dyads (their enrolment dates) is checked, let alone told. A bad value is refused naming
/// it (and its line); a CSV import with any bad line writes nothing and lists the first
/// <see cref="StudyCsv.MaxListedErrors"/> problems with a count of all. What the request carried comes in as read by the
/// edge: the value, or why it is not one, refused here once the study is known to exist.
/// </summary>
public sealed class DyadOperations(StudyStore store, StudyTables studyTables, TableServiceClient tables, ILinkTokens tokens,
    IOptions<PublicAddressOptions> address, IOptions<LinkOptions> links, AuditLog audit, TimeProvider clock)
{
    /// <summary>The largest CSV import taken.</summary>
    public const int MaxCsvBytes = 2 * 1024 * 1024;

    /// <summary>The largest JSON body taken (a meeting date, an outcome).</summary>
    public const int MaxJsonBytes = 4096;

    private TableClient Assessments => tables.GetTableClient(StorageNames.AssessmentsTable);

    /// <summary>Records one meeting date.</summary>
    public async Task<Outcome<MeetingRecorded>> RecordMeetingAsync(string studyId, Outcome<RecordedMeeting> meeting, Caller caller, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(meeting);
        ArgumentNullException.ThrowIfNull(caller);
        if (await FindStudyAsync(studyId, ct).ConfigureAwait(false) is not { } study) return NoStudy(studyId);
        if (meeting.IsRefused) return meeting.Refusal;
        var recorded = meeting.Value;
        var visible = Visible(study.Definition, caller);
        if (visible.FindDyad(recorded.DyadId) is null) return NoDyad(visible, recorded.DyadId);
        if (StudyInputs.CheckMeetingDate(visible, recorded) is { } wrong) return Refusal.Invalid("Meeting date refused", wrong);
        var moved = await RecordAsync(study, [recorded], caller.Actor, ct).ConfigureAwait(false);
        return new MeetingRecorded(studyId, recorded.DyadId, recorded.Meeting, StudyDefinition.Format(recorded.Date), moved);
    }

    /// <summary>Imports meeting dates from CSV (<c>dyad,meeting,date</c>).</summary>
    public async Task<Outcome<MeetingsImported>> ImportMeetingsAsync(string studyId, Outcome<string> csv, Caller caller, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(csv);
        ArgumentNullException.ThrowIfNull(caller);
        if (await FindStudyAsync(studyId, ct).ConfigureAwait(false) is not { } study) return NoStudy(studyId);
        if (csv.IsRefused) return csv.Refusal;
        var import = StudyCsv.ParseMeetingDates(csv.Value, Visible(study.Definition, caller));
        if (!import.IsValid) return CsvRefusal("Meeting dates refused", import);
        var moved = await RecordAsync(study, import.Rows, caller.Actor, ct).ConfigureAwait(false);
        return new MeetingsImported(studyId, import.Rows.Length, moved);
    }

    /// <summary>Records one outcome.</summary>
    public async Task<Outcome<OutcomeRecorded>> RecordOutcomeAsync(string studyId, Outcome<DyadOutcome> outcome, Caller caller, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        ArgumentNullException.ThrowIfNull(caller);
        if (await FindStudyAsync(studyId, ct).ConfigureAwait(false) is not { } study) return NoStudy(studyId);
        if (outcome.IsRefused) return outcome.Refusal;
        var recorded = outcome.Value;
        var visible = Visible(study.Definition, caller);
        if (visible.FindDyad(recorded.DyadId) is null) return NoDyad(visible, recorded.DyadId);
        if (StudyInputs.CheckOutcome(visible, recorded) is { } wrong) return Refusal.Invalid("Outcome refused", wrong);
        await SaveOutcomesAsync(studyId, [recorded], "api", caller.Actor, ct).ConfigureAwait(false);
        return new OutcomeRecorded(studyId, recorded.DyadId, recorded.Employed, recorded.JobDate is { } j ? StudyDefinition.Format(j) : null);
    }

    /// <summary>Imports outcomes from CSV (<c>dyad,employed,date</c>); <paramref name="source"/> is recorded with them.</summary>
    public async Task<Outcome<OutcomesImported>> ImportOutcomesAsync(string studyId, Outcome<string> csv, string source, Caller caller, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(csv);
        ArgumentNullException.ThrowIfNull(caller);
        if (await FindStudyAsync(studyId, ct).ConfigureAwait(false) is not { } study) return NoStudy(studyId);
        if (csv.IsRefused) return csv.Refusal;
        var import = StudyCsv.ParseOutcomes(csv.Value, Visible(study.Definition, caller));
        if (!import.IsValid) return CsvRefusal("Outcomes refused", import);
        await SaveOutcomesAsync(studyId, import.Rows, source, caller.Actor, ct).ConfigureAwait(false);
        return new OutcomesImported(studyId, import.Rows.Length);
    }

    /// <summary>
    /// Reissues an unanswered assessment's link: its link version goes up (every earlier link then answers 410) and its
    /// invitation log starts again (no invitation, no reminders), so the next <c>Reminders</c> run sends the new link.
    /// Answers the new link too.
    /// </summary>
    public async Task<Outcome<LinkReissued>> ReissueAsync(string studyId, string assessmentId, Caller caller, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(caller);
        if (await FindStudyAsync(studyId, ct).ConfigureAwait(false) is not { } study) return NoStudy(studyId);
        for (var attempt = 0; ; attempt++)
        {
            var found = await Assessments.GetEntityIfExistsAsync<AssessmentEntity>(studyId, assessmentId, cancellationToken: ct).ConfigureAwait(false);
            if (!found.HasValue || !caller.Scope.CanCoordinateSite(studyId, found.Value!.SiteId))
                return Refusal.NotFound("No such assessment", $"Study '{studyId}' has no assessment '{assessmentId}'.");
            var a = found.Value!;
            if (a.Status != nameof(AssessmentStatus.Pending))
                return Refusal.Conflict("Link not reissued", $"Assessment '{assessmentId}' is {a.Status.ToLowerInvariant()}: only an unanswered assessment gets a new link.");
            var version = a.LinkVersion + 1;
            var expires = clock.GetUtcNow() + LinkLifetime(study.Definition);
            // The whole row, replaced under the ETag it was read with: a merge cannot clear a property (the SDK leaves
            // null values out of the request), so a merged reissue kept the old invitation log and was never mailed.
            a.LinkVersion = version;
            a.LinkExpiresAt = expires;
            a.InvitationQueuedAt = null;
            a.InvitationSentAt = null;
            a.RemindersSent = 0;
            a.LastReminderAt = null;
            try
            {
                await Assessments.UpdateEntityAsync(a, a.ETag, TableUpdateMode.Replace, ct).ConfigureAwait(false);
            }
            catch (RequestFailedException e) when (e.Status == 412 && attempt < 3)
            {
                continue;
            }
            await audit.WriteAsync(studyId, caller.Actor, "link.reissued", assessmentId, $"link version {version}; earlier links refused", ct).ConfigureAwait(false);
            var token = tokens.Issue(new LinkClaims(studyId, assessmentId, version, expires));
            return new LinkReissued(studyId, assessmentId, version, new Uri(address.Value.BaseUrl, $"api/q/{token}").ToString(), expires);
        }
    }

    /// <summary>Withdraws a dyad: its unanswered assessments stop (links 410, no reminders); its data stays.</summary>
    public async Task<Outcome<DyadWithdrawn>> WithdrawAsync(string studyId, string dyadId, Caller caller, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(caller);
        if (await FindStudyAsync(studyId, ct).ConfigureAwait(false) is null) return NoStudy(studyId);
        var row = await store.FindParticipantAsync(studyId, ParticipantEntity.Kinds.Dyad, dyadId, ct).ConfigureAwait(false);
        if (row is null || !caller.Scope.CanCoordinateSite(studyId, row.SiteId)) return Refusal.NotFound("No such dyad", $"Study '{studyId}' has no dyad '{dyadId}'.");
        var now = clock.GetUtcNow();
        if (!row.Withdrawn)
        {
            row.Withdrawn = true;
            row.WithdrawnAt = now;
            row.WithdrawnBy = "api";
            await tables.GetTableClient(StorageNames.ParticipantsTable).UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace, ct).ConfigureAwait(false);
        }
        var pending = (await studyTables.ListAssessmentEntitiesAsync(studyId, ct).ConfigureAwait(false))
            .Where(a => a.DyadId == dyadId && a.Status == nameof(AssessmentStatus.Pending))
            .Select(a => new TableTransactionAction(TableTransactionActionType.UpdateMerge,
                new TableEntity(studyId, a.RowKey) { [nameof(AssessmentEntity.Status)] = nameof(AssessmentStatus.Withdrawn), ["WithdrawnAt"] = now }, a.ETag))
            .ToList();
        await StudyApplier.SubmitAsync(Assessments, pending, ct).ConfigureAwait(false);
        await audit.WriteAsync(studyId, caller.Actor, "dyad.withdrawn", dyadId, $"{pending.Count} unanswered assessment(s) withdrawn; their links and reminders stop", ct).ConfigureAwait(false);
        return new DyadWithdrawn(studyId, dyadId, true, pending.Count);
    }

    /// <summary>The link lifetime: the study's, else the app's setting.</summary>
    public TimeSpan LinkLifetime(StudyDefinition study) =>
        study.LinkLifetimeDays is { } days ? TimeSpan.FromDays(days) : links.Value.ValidFor;

    private async Task<int> RecordAsync(AppliedStudy study, IReadOnlyList<RecordedMeeting> meetings, string actor, CancellationToken ct)
    {
        var studyId = study.Definition.Id;
        var existing = (await studyTables.ListAssessmentEntitiesAsync(studyId, ct).ConfigureAwait(false)).ToDictionary(a => a.RowKey, StringComparer.Ordinal);
        var recorded = existing.Values
            .Where(a => a.MeetingDateRecorded && a.MeetingDate is not null)
            .Select(a => new RecordedMeeting(a.DyadId, a.Meeting, StudyCalendar.Day(a.MeetingDate!.Value)))
            .Concat(meetings)
            .ToList();
        var dyads = meetings.Select(m => m.DyadId).ToHashSet(StringComparer.Ordinal);
        var plan = EnrolmentPlan.For(study.Definition, recorded).Where(p => dyads.Contains(p.DyadId)).ToList();
        var writes = AssessmentWrites.Plan(studyId, study.Definition with { Dyads = [.. study.Definition.Dyads.Where(d => dyads.Contains(d.Id))] },
            plan, existing.Values.Where(a => dyads.Contains(a.DyadId)).ToDictionary(a => a.RowKey, StringComparer.Ordinal));
        var actions = writes.Updated.Select(u => new TableTransactionAction(TableTransactionActionType.UpdateMerge, u)).ToList();
        // An answered assessment keeps its dates, but learns when its meeting really was (time from meeting to answer).
        foreach (var m in meetings)
        {
            foreach (var a in existing.Values.Where(a => a.DyadId == m.DyadId && a.Meeting == m.Meeting && a.Status is nameof(AssessmentStatus.Submitted) or nameof(AssessmentStatus.Completed)))
            {
                actions.Add(new TableTransactionAction(TableTransactionActionType.UpdateMerge, new TableEntity(studyId, a.RowKey)
                {
                    [nameof(AssessmentEntity.MeetingDate)] = StudyCalendar.StartOf(m.Date),
                    [nameof(AssessmentEntity.MeetingDateRecorded)] = true,
                }));
            }
        }
        var distinct = actions.GroupBy(a => a.Entity.RowKey, StringComparer.Ordinal).Select(g => g.First()).ToList();
        await StudyApplier.SubmitAsync(Assessments, distinct, ct).ConfigureAwait(false);
        foreach (var m in meetings)
            await audit.WriteAsync(studyId, actor, "meeting.recorded", $"{m.DyadId}/m{m.Meeting}", $"meeting date {StudyDefinition.Format(m.Date)}", ct).ConfigureAwait(false);
        return writes.Updated.Count;
    }

    private async Task SaveOutcomesAsync(string studyId, IReadOnlyList<DyadOutcome> outcomes, string source, string actor, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var actions = outcomes.GroupBy(o => o.DyadId, StringComparer.Ordinal).Select(g => g.Last()).Select(o => new TableTransactionAction(TableTransactionActionType.UpsertReplace, new OutcomeEntity
        {
            PartitionKey = studyId,
            RowKey = o.DyadId,
            Employed = o.Employed,
            JobDate = o.JobDate is { } d ? StudyCalendar.StartOf(d) : null,
            RecordedAt = now,
            Source = source,
        }));
        await StudyApplier.SubmitAsync(tables.GetTableClient(StorageNames.OutcomesTable), actions, ct).ConfigureAwait(false);
        await audit.WriteAsync(studyId, actor, "outcome.recorded", outcomes.Count == 1 ? outcomes[0].DyadId : $"{outcomes.Count} dyads", $"source {source}", ct).ConfigureAwait(false);
    }

    /// <summary>
    /// The study as <paramref name="caller"/> may see it: with a site key, its site's dyads only. Every check of what a
    /// caller sends about dyads is made against it, so a dyad of another site is, to a site key, a dyad the study does
    /// not have: the same answer, and no check (an enrolment date) that could tell them apart.
    /// </summary>
    private static StudyDefinition Visible(StudyDefinition study, Caller caller) =>
        study.Dyads.All(d => caller.Scope.CanCoordinateSite(study.Id, d.SiteId))
            ? study
            : study with { Dyads = [.. study.Dyads.Where(d => caller.Scope.CanCoordinateSite(study.Id, d.SiteId))] };

    /// <summary>A 404 for a dyad the study does not have, or the caller may not see (the same words).</summary>
    private static Refusal NoDyad(StudyDefinition visible, string dyadId) =>
        Refusal.NotFound("No such dyad", StudyInputs.NotInStudy(visible, dyadId));

    private Task<AppliedStudy?> FindStudyAsync(string studyId, CancellationToken ct) =>
        StudyIds.IsValid(studyId) ? store.LoadAsync(studyId, ct) : Task.FromResult<AppliedStudy?>(null);

    private static Refusal NoStudy(string studyId) =>
        Refusal.NotFound("No such study", $"No study file was applied for study '{studyId}'.");

    /// <summary>
    /// An import refused: 404 when a line names a dyad not in the study as the caller sees it (as a single record's
    /// route answers), else 400; the first <see cref="StudyCsv.MaxListedErrors"/> problems listed and all counted.
    /// </summary>
    private static Refusal CsvRefusal<T>(string title, CsvImport<T> import)
    {
        var first = import.Errors[0];
        var listed = import.ErrorCount > import.Errors.Length ? $" errors lists the first {import.Errors.Length} of {import.ErrorCount} problems." : "";
        var detail = $"{import.RefusedLines} line(s) refused; nothing was recorded. The first: line {first.Line}: {first.Message}.{listed}";
        var refusal = import.NamesUnknownDyad ? Refusal.NotFound("No such dyad", detail) : Refusal.Invalid(title, detail);
        return refusal with { Errors = [.. import.Errors], ErrorCount = import.ErrorCount };
    }
}
