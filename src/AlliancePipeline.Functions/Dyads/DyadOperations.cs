using AlliancePipeline.Contracts.Storage;
using AlliancePipeline.Core.Access;
using AlliancePipeline.Core.Studies;
using AlliancePipeline.Functions.Infrastructure.Audit;
using AlliancePipeline.Functions.Infrastructure.Outcomes;
using AlliancePipeline.Functions.Infrastructure.Settings;
using AlliancePipeline.Functions.Infrastructure.Storage;
using AlliancePipeline.Functions.Invitations;
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
/// <param name="AssessmentsChanged">Assessments changed in all (moved, or answered ones that learnt their meeting's date): one <c>Audit</c> row each.</param>
public sealed record MeetingsImported(string StudyId, int Imported, int AssessmentsMoved, int AssessmentsChanged);

/// <summary>An outcome recorded.</summary>
/// <param name="StudyId">The study.</param>
/// <param name="DyadId">The dyad.</param>
/// <param name="Employed">Whether the client is employed.</param>
/// <param name="Date">When the job started, <c>yyyy-MM-dd</c>, when employed.</param>
public sealed record OutcomeRecorded(string StudyId, string DyadId, bool Employed, string? Date)
{
    /// <summary>Days of paid work during follow-up, when recorded.</summary>
    public int? DaysWorked { get; init; }

    /// <summary>Days the job had lasted on the recorded day, when recorded.</summary>
    public int? TenureDays { get; init; }
}

/// <summary>Outcomes imported.</summary>
/// <param name="StudyId">The study.</param>
/// <param name="Imported">Rows imported.</param>
/// <param name="Changed">Dyads whose outcome was new or different: written, one <c>Audit</c> row each.</param>
/// <param name="Unchanged">Dyads whose outcome was already stored as imported: not written again, no row.</param>
public sealed record OutcomesImported(string StudyId, int Imported, int Changed, int Unchanged);

/// <summary>
/// A new link version for an assessment, to be mailed to its rater; earlier links answer 410. What was done, never the
/// link: it goes to the rater's address only.
/// </summary>
/// <param name="StudyId">The study.</param>
/// <param name="AssessmentId">The assessment.</param>
/// <param name="LinkVersion">The new link version.</param>
/// <param name="ExpiresAt">When the new link stops opening (unless it is first mailed later, when it counts from then).</param>
/// <param name="MailedAt">
/// When the <c>Reminders</c> run that mails it to the rater comes: the next one, or the first on the meeting day when
/// that is still to come.
/// </param>
/// <param name="Mailing">The same in words, for people.</param>
public sealed record LinkReissued(string StudyId, string AssessmentId, int LinkVersion, DateTimeOffset ExpiresAt, DateTimeOffset MailedAt, string Mailing);

/// <summary>A coordinator's request for a hand-over link, as read by the edge.</summary>
/// <param name="DyadId">The dyad.</param>
/// <param name="Meeting">The meeting number.</param>
/// <param name="RaterRole">Whose form: <c>practitioner</c> or <c>client</c>.</param>
/// <param name="Reason">Why the rater cannot take the mailed link (audited; no names or addresses).</param>
public sealed record HandOverRequest(string DyadId, int Meeting, string RaterRole, string Reason)
{
    /// <summary>The longest reason taken.</summary>
    public const int MaxReasonLength = 500;
}

/// <summary>
/// A hand-over link: a new link version the coordinator who asked holds for the rater (earlier links, the mailed one
/// among them, answer 410). The only answer of the app that holds a live questionnaire link; given once: asking again
/// makes another version.
/// </summary>
/// <param name="StudyId">The study.</param>
/// <param name="DyadId">The dyad.</param>
/// <param name="Meeting">The meeting.</param>
/// <param name="RaterRole">Whose form.</param>
/// <param name="AssessmentId">The assessment.</param>
/// <param name="LinkVersion">The hand-over link's version.</param>
/// <param name="Link">The questionnaire link.</param>
/// <param name="ExpiresAt">When it stops opening.</param>
public sealed record LinkHandedOver(string StudyId, string DyadId, int Meeting, string RaterRole, string AssessmentId, int LinkVersion, string Link, DateTimeOffset ExpiresAt);

/// <summary>A dyad withdrawn.</summary>
/// <param name="StudyId">The study.</param>
/// <param name="DyadId">The dyad.</param>
/// <param name="Withdrawn">Always true.</param>
/// <param name="AssessmentsWithdrawn">Its unanswered assessments, now withdrawn.</param>
public sealed record DyadWithdrawn(string StudyId, string DyadId, bool Withdrawn, int AssessmentsWithdrawn);

/// <summary>A pending form's reminders paused or resumed by a coordinator.</summary>
/// <param name="StudyId">The study.</param>
/// <param name="AssessmentId">The assessment.</param>
/// <param name="Paused">Whether its reminders are paused now.</param>
/// <param name="Changed">Whether this call changed it (false: it already was).</param>
public sealed record RemindersSet(string StudyId, string AssessmentId, bool Paused, bool Changed);

/// <summary>A dyad reinstated.</summary>
/// <param name="StudyId">The study.</param>
/// <param name="DyadId">The dyad.</param>
/// <param name="AssessmentsReinstated">Its withdrawn forms, now pending again with new links (0: it was not withdrawn).</param>
public sealed record DyadReinstated(string StudyId, string DyadId, int AssessmentsReinstated);

/// <summary>
/// What coordinators record and change about dyads after the study file: meeting dates (one, or a CSV import), which
/// move the due dates; outcomes (one, or a CSV import); a reissued link (the old one then answers 410; the new one is
/// mailed to the rater, never answered); a hand-over link where the study allows it (the one answer that holds a live
/// link); a withdrawn dyad (its links stop, its reminders stop). Every record changed gets its own <c>Audit</c> row with the fields before and
/// after (<see cref="AuditChange"/>); a record that a write would leave as it is (an outcome or a date imported again) is
/// not written and gets no row; a CSV import adds a summary row (<c>outcome.imported</c>, <c>meeting.imported</c>).
/// Outcomes and assessments are written under the ETags they were read with, so the "before" of a row is what the write
/// replaced; a record written meanwhile is read again and decided again. Values are checked by Core's
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
        var dates = (await RecordedDatesAsync(studyId, ct).ConfigureAwait(false)).GetValueOrDefault(recorded.DyadId) ?? new Dictionary<int, DateOnly>();
        if (StudyInputs.CheckMeetingDateRules(recorded, Today, dates.Where(d => d.Key != recorded.Meeting).ToDictionary(d => d.Key, d => d.Value)) is { } broken)
            return DateRuleRefusal("Meeting date refused", broken);
        var (moved, _) = await RecordAsync(study, [recorded], caller.Actor, ct).ConfigureAwait(false);
        return new MeetingRecorded(studyId, recorded.DyadId, recorded.Meeting, StudyDefinition.Format(recorded.Date), moved);
    }

    /// <summary>Imports meeting dates from CSV (<c>dyad,meeting,date</c>).</summary>
    public async Task<Outcome<MeetingsImported>> ImportMeetingsAsync(string studyId, Outcome<string> csv, Caller caller, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(csv);
        ArgumentNullException.ThrowIfNull(caller);
        if (await FindStudyAsync(studyId, ct).ConfigureAwait(false) is not { } study) return NoStudy(studyId);
        if (csv.IsRefused) return csv.Refusal;
        var import = StudyCsv.ParseMeetingDates(csv.Value, Visible(study.Definition, caller), Today, await RecordedDatesAsync(studyId, ct).ConfigureAwait(false));
        if (!import.IsValid) return Refusal.OfImport("Meeting dates refused", import);
        var (moved, changed) = await RecordAsync(study, import.Rows, caller.Actor, ct).ConfigureAwait(false);
        await audit.WriteAsync(studyId, caller.Actor, "meeting.imported", studyId,
            $"{import.Rows.Length} line(s): {changed} assessment(s) changed, {moved} moved", ct).ConfigureAwait(false);
        return new MeetingsImported(studyId, import.Rows.Length, moved, changed);
    }

    /// <summary>
    /// Records the meeting dates a responses import carries (<see cref="Scoring.ResponseImport"/>): for each dyad's meeting
    /// rated in <paramref name="rated"/> (its day: the day the rating was given) whose date is not recorded yet, the
    /// earliest day of its ratings, the same way and with the same audit rows (<c>meeting.recorded</c>, by
    /// <paramref name="actor"/>) as a date recorded by a coordinator. A date already recorded is never changed; one that
    /// the date rules refuse (<see cref="StudyInputs.CheckMeetingDateRules"/>: after today, or out of order with the dyad's
    /// other recorded or imported meetings) is left unrecorded. Answers the meetings whose date was recorded.
    /// </summary>
    public async Task<int> RecordRatedMeetingsAsync(AppliedStudy study, IReadOnlyList<RecordedMeeting> rated, string actor, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(study);
        ArgumentNullException.ThrowIfNull(rated);
        var recorded = await RecordedDatesAsync(study.Definition.Id, ct).ConfigureAwait(false);
        var recording = new List<RecordedMeeting>();
        foreach (var dyad in rated.GroupBy(m => m.DyadId, StringComparer.Ordinal))
        {
            var dates = recorded.GetValueOrDefault(dyad.Key)?.ToDictionary(d => d.Key, d => d.Value) ?? new Dictionary<int, DateOnly>();
            foreach (var meeting in dyad.GroupBy(m => m.Meeting).OrderBy(g => g.Key).Select(g => g.MinBy(m => m.Date)!))
            {
                if (dates.ContainsKey(meeting.Meeting) || StudyInputs.CheckMeetingDate(study.Definition, meeting) is not null
                    || StudyInputs.CheckMeetingDateRules(meeting, Today, dates) is not null) continue;
                recording.Add(meeting);
                dates[meeting.Meeting] = meeting.Date;
            }
        }
        if (recording.Count > 0) await RecordAsync(study, recording, actor, ct).ConfigureAwait(false);
        return recording.Count;
    }

    /// <summary>Records one outcome; <paramref name="source"/> says how it came (<c>api</c>, <c>console</c>), stored with it.</summary>
    public async Task<Outcome<OutcomeRecorded>> RecordOutcomeAsync(string studyId, Outcome<DyadOutcome> outcome, string source, Caller caller, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        ArgumentNullException.ThrowIfNull(caller);
        if (await FindStudyAsync(studyId, ct).ConfigureAwait(false) is not { } study) return NoStudy(studyId);
        if (outcome.IsRefused) return outcome.Refusal;
        var recorded = outcome.Value;
        var visible = Visible(study.Definition, caller);
        if (visible.FindDyad(recorded.DyadId) is null) return NoDyad(visible, recorded.DyadId);
        var (wrong, broken) = StudyInputs.CheckOutcomeOn(visible, recorded, Today, await FirstMeetingsAsync(study.Definition, ct).ConfigureAwait(false));
        if (broken is not null) return DateRuleRefusal("Outcome refused", broken);
        if (wrong is not null) return Refusal.Invalid("Outcome refused", wrong);
        await SaveOutcomesAsync(studyId, [recorded], source, caller.Actor, ct).ConfigureAwait(false);
        return new OutcomeRecorded(studyId, recorded.DyadId, recorded.Employed, recorded.JobDate is { } j ? StudyDefinition.Format(j) : null)
        {
            DaysWorked = recorded.DaysWorked,
            TenureDays = recorded.TenureDays,
        };
    }

    /// <summary>Imports outcomes from CSV (<c>dyad,employed,date</c>); <paramref name="source"/> is recorded with them.</summary>
    public async Task<Outcome<OutcomesImported>> ImportOutcomesAsync(string studyId, Outcome<string> csv, string source, Caller caller, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(csv);
        ArgumentNullException.ThrowIfNull(caller);
        if (await FindStudyAsync(studyId, ct).ConfigureAwait(false) is not { } study) return NoStudy(studyId);
        if (csv.IsRefused) return csv.Refusal;
        var import = StudyCsv.ParseOutcomes(csv.Value, Visible(study.Definition, caller), Today,
            await FirstMeetingsAsync(study.Definition, ct).ConfigureAwait(false));
        if (!import.IsValid) return Refusal.OfImport("Outcomes refused", import);
        var (changed, unchanged) = await SaveOutcomesAsync(studyId, import.Rows, source, caller.Actor, ct).ConfigureAwait(false);
        await audit.WriteAsync(studyId, caller.Actor, "outcome.imported", studyId,
            $"{import.Rows.Length} line(s), source {source}: {changed} changed, {unchanged} unchanged", ct).ConfigureAwait(false);
        return new OutcomesImported(studyId, import.Rows.Length, changed, unchanged);
    }

    /// <summary>
    /// Reissues an unanswered assessment's link: its link version goes up (every earlier link, a hand-over link among
    /// them, then answers 410) and its invitation log starts again (no invitation, no reminders), so the next
    /// <c>Reminders</c> run mails the new link to the rater. Answers what it did and when the link is mailed; never the
    /// link, which only the rater's address receives (security finding 3: a key holder could answer as the rater).
    /// </summary>
    public async Task<Outcome<LinkReissued>> ReissueAsync(string studyId, string assessmentId, Caller caller, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(caller);
        if (await FindStudyAsync(studyId, ct).ConfigureAwait(false) is not { } study) return NoStudy(studyId);
        // The invitation log cleared with the whole row replaced: a merge cannot clear a property (the SDK leaves null
        // values out of the request), so a merged reissue kept the old invitation log and was never mailed.
        var reissued = await NewLinkVersionAsync(study, assessmentId, caller, "Link not reissued", a =>
        {
            a.InvitationQueuedAt = null;
            a.InvitationSentAt = null;
            a.RemindersSent = 0;
            a.LastReminderAt = null;
            a.HandOverLinkVersion = null;
        }, ct).ConfigureAwait(false);
        if (reissued.IsRefused) return reissued.Refusal;
        var a = reissued.Value.Row;
        await audit.WriteAsync(audit.Row(studyId, caller.Actor, "link.reissued", assessmentId, $"link version {a.LinkVersion}; earlier links refused; mailed by the next Reminders run",
            reissued.Value.Change), ct).ConfigureAwait(false);
        var now = clock.GetUtcNow();
        var mailedAt = Reminders.FirstRunFrom(a.InviteOn is { } inviteOn && inviteOn > now ? inviteOn : now);
        return new LinkReissued(studyId, assessmentId, a.LinkVersion, a.LinkExpiresAt!.Value, mailedAt,
            $"Link version {a.LinkVersion} goes to the rater by e-mail with the Reminders run of {mailedAt.UtcDateTime:yyyy-MM-dd HH:mm} UTC; earlier links answer 410.");
    }

    /// <summary>
    /// A hand-over link, where the study allows it (<c>handOver: allowed</c>): for a rater the mailed link does not reach
    /// (reached by phone), a coordinator with the study's key or the dyad's site key gets a new link version, once; the
    /// mailed link then answers 410, no mail carries the new one, and answers through it are stored as
    /// <c>hand-over</c>. Audited (<c>link.handed-over</c>: the key id, the version, the reason). Refused: an admin key
    /// (403: the audit is to name the coordinator), another site's dyad (404, as a dyad that does not exist), a study
    /// that does not allow it (409), an answered or withdrawn form (409).
    /// </summary>
    public async Task<Outcome<LinkHandedOver>> HandOverAsync(string studyId, Outcome<HandOverRequest> request, Caller caller, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(caller);
        if (await FindStudyAsync(studyId, ct).ConfigureAwait(false) is not { } study) return NoStudy(studyId);
        if (request.IsRefused) return request.Refusal;
        var asked = request.Value;
        if (caller.Scope.Role is not (AccessRole.Study or AccessRole.Site))
            return Refusal.Forbidden("Hand-over refused",
                "A hand-over link is given to a coordinator: ask with the study's coordinator key or the dyad's site key (the audit names the key that holds it), not an admin key.");
        var visible = Visible(study.Definition, caller);
        if (visible.FindDyad(asked.DyadId) is null) return NoDyad(visible, asked.DyadId);
        if (!study.Definition.HandOverAllowed)
            return Refusal.Conflict("Hand-over not allowed",
                $"Study '{studyId}' does not allow hand-over links (its study file would say handOver: allowed). Reissue the link instead: the next Reminders run mails it to the rater.");
        var assessmentId = EnrolmentPlan.AssessmentId(asked.DyadId, asked.Meeting, asked.RaterRole);
        var handed = await NewLinkVersionAsync(study, assessmentId, caller, "Link not handed over", a => a.HandOverLinkVersion = a.LinkVersion, ct).ConfigureAwait(false);
        if (handed.IsRefused) return handed.Refusal;
        var a = handed.Value.Row;
        var expires = a.LinkExpiresAt!.Value;
        await audit.WriteAsync(audit.Row(studyId, caller.Actor, "link.handed-over", assessmentId,
            $"link version {a.LinkVersion} (expires {expires:yyyy-MM-dd}) handed to {caller.Actor}; earlier links refused; reason: {asked.Reason}", handed.Value.Change), ct).ConfigureAwait(false);
        var token = tokens.Issue(new LinkClaims(studyId, assessmentId, a.LinkVersion, expires));
        return new LinkHandedOver(studyId, asked.DyadId, asked.Meeting, asked.RaterRole, assessmentId, a.LinkVersion,
            new Uri(address.Value.BaseUrl, $"api/q/{token}").ToString(), expires);
    }

    /// <summary>An assessment given a new link version, and the audit change it made.</summary>
    private sealed record NewLinkVersion(AssessmentEntity Row, AuditChange? Change);

    /// <summary>
    /// Gives an unanswered assessment the next link version (every earlier link then answers 410), a fresh expiry, and
    /// <paramref name="change"/>: the whole row replaced under the ETag it was read with, read again on a concurrent
    /// write. Another site's assessment is, to a site key, one the study does not have (404).
    /// </summary>
    private async Task<Outcome<NewLinkVersion>> NewLinkVersionAsync(AppliedStudy study, string assessmentId, Caller caller, string refused,
        Action<AssessmentEntity> change, CancellationToken ct)
    {
        var studyId = study.Definition.Id;
        for (var attempt = 0; ; attempt++)
        {
            var found = await Assessments.GetEntityIfExistsAsync<AssessmentEntity>(studyId, assessmentId, cancellationToken: ct).ConfigureAwait(false);
            if (!found.HasValue || !caller.Scope.CanCoordinateSite(studyId, found.Value!.SiteId))
                return Refusal.NotFound("No such assessment", $"Study '{studyId}' has no assessment '{assessmentId}'.");
            var a = found.Value!;
            if (a.Status != nameof(AssessmentStatus.Pending))
                return Refusal.Conflict(refused, $"Assessment '{assessmentId}' is {a.Status.ToLowerInvariant()}: only an unanswered assessment gets a new link.");
            var before = AuditChange.Fields(a);
            a.LinkVersion++;
            a.LinkExpiresAt = clock.GetUtcNow() + LinkLifetime(study.Definition);
            change(a);
            try
            {
                await Assessments.UpdateEntityAsync(a, a.ETag, TableUpdateMode.Replace, ct).ConfigureAwait(false);
                return new NewLinkVersion(a, AuditChange.Of(AuditChange.RecordOf(StorageNames.AssessmentsTable, assessmentId), before, AuditChange.Fields(a)));
            }
            catch (RequestFailedException e) when (e.Status == 412 && attempt < 3)
            {
                // Written since it was read: read again and decide again.
            }
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
        var rows = new List<AuditEntity>();
        if (!row.Withdrawn)
        {
            var before = AuditChange.Fields(row);
            row.Withdrawn = true;
            row.WithdrawnAt = now;
            row.WithdrawnBy = "api";
            await tables.GetTableClient(StorageNames.ParticipantsTable).UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace, ct).ConfigureAwait(false);
            rows.Add(audit.Row(studyId, caller.Actor, "dyad.withdrawn", dyadId, "withdrawn by a coordinator; its links and reminders stop",
                AuditChange.Of(AuditChange.RecordOf(StorageNames.ParticipantsTable, row.RowKey), before, AuditChange.Fields(row))));
        }
        var pending = (await studyTables.ListAssessmentEntitiesAsync(studyId, ct).ConfigureAwait(false))
            .Where(a => a.DyadId == dyadId && a.Status == nameof(AssessmentStatus.Pending))
            .Select(a => (Before: a, Merge: new TableEntity(studyId, a.RowKey) { [nameof(AssessmentEntity.Status)] = nameof(AssessmentStatus.Withdrawn), ["WithdrawnAt"] = now }))
            .ToList();
        await StudyApplier.SubmitAsync(Assessments, pending.Select(p => new TableTransactionAction(TableTransactionActionType.UpdateMerge, p.Merge, p.Before.ETag)), ct).ConfigureAwait(false);
        rows.AddRange(pending.Select(p => audit.Row(studyId, caller.Actor, "dyad.withdrawn", p.Before.RowKey, $"unanswered assessment of dyad {dyadId} withdrawn with it: its link and reminders stop",
            AuditChange.Merged(StorageNames.AssessmentsTable, p.Before, p.Merge))));
        await audit.WriteAllAsync(rows, ct).ConfigureAwait(false);
        return new DyadWithdrawn(studyId, dyadId, true, pending.Count);
    }

    /// <summary>
    /// Pauses (<paramref name="paused"/>) or resumes a pending assessment's reminders, for a coordinator of its site: the
    /// same <c>RemindersPaused</c> the rater's pause link sets, merged under the ETag read (read again on a concurrent
    /// write), audited <c>reminders.paused</c> or <c>reminders.resumed</c> with the key id and the field before and after.
    /// Asking for what already holds changes nothing and writes no row. Another site's assessment is not found (404); an
    /// answered or withdrawn one has no reminders to change (409).
    /// </summary>
    public async Task<Outcome<RemindersSet>> SetRemindersPausedAsync(string studyId, string assessmentId, bool paused, Caller caller, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(caller);
        if (await FindStudyAsync(studyId, ct).ConfigureAwait(false) is null) return NoStudy(studyId);
        for (var attempt = 0; ; attempt++)
        {
            var found = Dashboards.DashboardService.IsAssessmentId(assessmentId)
                ? await Assessments.GetEntityIfExistsAsync<AssessmentEntity>(studyId, assessmentId, cancellationToken: ct).ConfigureAwait(false)
                : null;
            if (found is null || !found.HasValue || !caller.Scope.CanCoordinateSite(studyId, found.Value!.SiteId))
                return Refusal.NotFound("No such assessment", $"Study '{studyId}' has no assessment '{assessmentId}'.");
            var a = found.Value!;
            if (a.Status != nameof(AssessmentStatus.Pending))
                return Refusal.Conflict(paused ? "Reminders not paused" : "Reminders not resumed", $"Assessment '{assessmentId}' is {a.Status.ToLowerInvariant()}: no reminders go.");
            if (a.RemindersPaused == paused) return new RemindersSet(studyId, assessmentId, paused, Changed: false);
            var update = new TableEntity(studyId, assessmentId) { [nameof(AssessmentEntity.RemindersPaused)] = paused };
            try
            {
                await Assessments.UpdateEntityAsync(update, a.ETag, TableUpdateMode.Merge, ct).ConfigureAwait(false);
            }
            catch (RequestFailedException e) when (e.Status == 412 && attempt < 3)
            {
                continue; // Written meanwhile (a reminder, an answer, the rater's pause): read again and decide again.
            }
            await audit.WriteAsync(audit.Row(studyId, caller.Actor, paused ? "reminders.paused" : "reminders.resumed", assessmentId,
                paused ? "reminders paused by a coordinator" : "reminders resumed by a coordinator", AuditChange.Merged(StorageNames.AssessmentsTable, a, update)), ct).ConfigureAwait(false);
            return new RemindersSet(studyId, assessmentId, paused, Changed: true);
        }
    }

    /// <summary>
    /// Reinstates a dyad a coordinator withdrew: it is active again, and each of its withdrawn forms is pending again
    /// with a new link version, a fresh expiry and its invitation log cleared, so the next <c>Reminders</c> run mails the
    /// new link (the old ones stay refused). Each record changed is audited (<c>dyad.reinstated</c>, key id, before and
    /// after). A dyad the study file withdraws (<c>withdrawn: true</c>) is reinstated by changing the file (409); a dyad
    /// not withdrawn changes nothing. Another site's dyad is not found (404).
    /// </summary>
    public async Task<Outcome<DyadReinstated>> ReinstateAsync(string studyId, string dyadId, Caller caller, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(caller);
        if (await FindStudyAsync(studyId, ct).ConfigureAwait(false) is not { } study) return NoStudy(studyId);
        var row = await store.FindParticipantAsync(studyId, ParticipantEntity.Kinds.Dyad, dyadId, ct).ConfigureAwait(false);
        if (row is null || !caller.Scope.CanCoordinateSite(studyId, row.SiteId)) return Refusal.NotFound("No such dyad", $"Study '{studyId}' has no dyad '{dyadId}'.");
        if (!row.Withdrawn) return new DyadReinstated(studyId, dyadId, 0);
        if (row.WithdrawnBy == "file")
            return Refusal.Conflict("Dyad not reinstated", $"The study file withdraws dyad '{dyadId}' (withdrawn: true): apply the file without it to reinstate the dyad.");
        var now = clock.GetUtcNow();
        var before = AuditChange.Fields(row);
        row.Withdrawn = false;
        row.WithdrawnAt = null;
        row.WithdrawnBy = null;
        await tables.GetTableClient(StorageNames.ParticipantsTable).UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace, ct).ConfigureAwait(false);
        var rows = new List<AuditEntity>
        {
            audit.Row(studyId, caller.Actor, "dyad.reinstated", dyadId, "reinstated by a coordinator; its withdrawn forms are pending again, each with a new link",
                AuditChange.Of(AuditChange.RecordOf(StorageNames.ParticipantsTable, row.RowKey), before, AuditChange.Fields(row))),
        };
        var withdrawn = (await studyTables.ListAssessmentEntitiesAsync(studyId, ct).ConfigureAwait(false))
            .Where(a => a.DyadId == dyadId && a.Status == nameof(AssessmentStatus.Withdrawn)).ToList();
        foreach (var a in withdrawn)
        {
            var was = AuditChange.Fields(a);
            a.Status = nameof(AssessmentStatus.Pending);
            a.LinkVersion++;
            a.LinkExpiresAt = now + LinkLifetime(study.Definition);
            a.InvitationQueuedAt = null;
            a.InvitationSentAt = null;
            a.RemindersSent = 0;
            a.LastReminderAt = null;
            a.HandOverLinkVersion = null;
            // Replaced whole: a merge cannot clear the invitation log (see ReissueAsync).
            await Assessments.UpdateEntityAsync(a, a.ETag, TableUpdateMode.Replace, ct).ConfigureAwait(false);
            rows.Add(audit.Row(studyId, caller.Actor, "dyad.reinstated", a.RowKey, $"form of dyad {dyadId} pending again with link version {a.LinkVersion}; mailed by the next Reminders run",
                AuditChange.Of(AuditChange.RecordOf(StorageNames.AssessmentsTable, a.RowKey), was, AuditChange.Fields(a))));
        }
        await audit.WriteAllAsync(rows, ct).ConfigureAwait(false);
        return new DyadReinstated(studyId, dyadId, withdrawn.Count);
    }

    /// <summary>The link lifetime: the study's, else the app's setting.</summary>
    public TimeSpan LinkLifetime(StudyDefinition study) =>
        study.LinkLifetimeDays is { } days ? TimeSpan.FromDays(days) : links.Value.ValidFor;

    /// <summary>
    /// Records meeting dates: the pending assessments of their dyads move as the plan now says, and answered ones learn
    /// their meeting's date; each assessment changed gets an <c>Audit</c> row (<c>meeting.recorded</c>) with its fields
    /// before and after. Written under the ETags read, in transactions of up to 100, each followed by its rows; when an
    /// assessment was written meanwhile (a reminder, an answer), everything is read and planned again (what was written
    /// is then no change). Answers the assessments moved and the assessments changed.
    /// </summary>
    private async Task<(int Moved, int Changed)> RecordAsync(AppliedStudy study, IReadOnlyList<RecordedMeeting> meetings, string actor, CancellationToken ct)
    {
        var studyId = study.Definition.Id;
        var dyads = meetings.Select(m => m.DyadId).ToHashSet(StringComparer.Ordinal);
        var recordedHere = meetings.Select(m => (m.DyadId, m.Meeting)).ToHashSet();
        var (moved, changed) = (0, 0);
        for (var attempt = 0; ; attempt++)
        {
            var existing = (await studyTables.ListAssessmentEntitiesAsync(studyId, ct).ConfigureAwait(false)).ToDictionary(a => a.RowKey, StringComparer.Ordinal);
            var recorded = existing.Values
                .Where(a => a.MeetingDateRecorded && a.MeetingDate is not null)
                .Select(a => new RecordedMeeting(a.DyadId, a.Meeting, StudyCalendar.Day(a.MeetingDate!.Value)))
                .Concat(meetings)
                .ToList();
            var plan = EnrolmentPlan.For(study.Definition, recorded).Where(p => dyads.Contains(p.DyadId)).ToList();
            var writes = AssessmentWrites.Plan(studyId, study.Definition with { Dyads = [.. study.Definition.Dyads.Where(d => dyads.Contains(d.Id))] },
                plan, existing.Values.Where(a => dyads.Contains(a.DyadId)).ToDictionary(a => a.RowKey, StringComparer.Ordinal));
            var merges = writes.Updated.Select(u => (Merge: u, Moves: true)).ToList();
            // An answered assessment keeps its dates, but learns when its meeting really was (time from meeting to answer).
            foreach (var m in meetings)
            {
                foreach (var a in existing.Values.Where(a => a.DyadId == m.DyadId && a.Meeting == m.Meeting && a.Status is nameof(AssessmentStatus.Submitted) or nameof(AssessmentStatus.Completed)))
                {
                    merges.Add((new TableEntity(studyId, a.RowKey)
                    {
                        [nameof(AssessmentEntity.MeetingDate)] = StudyCalendar.StartOf(m.Date),
                        [nameof(AssessmentEntity.MeetingDateRecorded)] = true,
                    }, false));
                }
            }
            var writing = merges
                .GroupBy(w => w.Merge.RowKey, StringComparer.Ordinal).Select(g => g.Last())
                .Select(w => (w.Merge, w.Moves, Before: existing[w.Merge.RowKey], Change: AuditChange.Merged(StorageNames.AssessmentsTable, existing[w.Merge.RowKey], w.Merge)))
                .Where(w => w.Change is not null)
                .ToList();
            try
            {
                foreach (var chunk in writing.Chunk(100))
                {
                    await Assessments.SubmitTransactionAsync(chunk.Select(w => new TableTransactionAction(TableTransactionActionType.UpdateMerge, w.Merge, w.Before.ETag)), ct).ConfigureAwait(false);
                    await audit.WriteAllAsync(chunk.Select(w => audit.Row(studyId, actor, "meeting.recorded", w.Before.RowKey,
                        recordedHere.Contains((w.Before.DyadId, w.Before.Meeting))
                            ? $"dyad {w.Before.DyadId}, meeting {w.Before.Meeting}: took place on {StudyDefinition.Format(meetings.Last(m => m.DyadId == w.Before.DyadId && m.Meeting == w.Before.Meeting).Date)}"
                            : $"dyad {w.Before.DyadId}, meeting {w.Before.Meeting}: planned dates moved by a recorded meeting",
                        w.Change)), ct).ConfigureAwait(false);
                    moved += chunk.Count(w => w.Moves);
                    changed += chunk.Length;
                }
                return (moved, changed);
            }
            catch (RequestFailedException e) when (e.Status == 412 && attempt < 3)
            {
                // An assessment was written meanwhile: read again, plan again; what was written is no change any more.
            }
        }
    }

    /// <summary>
    /// Each dyad's first meeting date (recorded, else expected) when the study's follow-up
    /// starts there (<c>analysis.followUp.from: firstMeeting</c>); else null, and nothing is read.
    /// </summary>
    private async Task<IReadOnlyDictionary<string, DateOnly>?> FirstMeetingsAsync(StudyDefinition study, CancellationToken ct)
    {
        if (study.Analysis.FollowUp?.From != FollowUpOrigin.FirstMeeting) return null;
        return Reports.ReportSource.FirstMeetings(await studyTables.ListAssessmentEntitiesAsync(study.Id, ct).ConfigureAwait(false));
    }

    /// <summary>
    /// Stores outcomes (the last of a dyad's, when it is given twice): a dyad's outcome that is new or differs (employed,
    /// job date) is written, added or replaced under the ETag it was read with, in transactions of up to 100, each followed
    /// by its <c>Audit</c> rows (<c>outcome.recorded</c>, the dyad, before and after); one stored as given is not written
    /// again (its recording time and source stay) and gets no row. A row written meanwhile makes it read and decide again.
    /// Answers the dyads changed and unchanged.
    /// </summary>
    private async Task<(int Changed, int Unchanged)> SaveOutcomesAsync(string studyId, IReadOnlyList<DyadOutcome> outcomes, string source, string actor, CancellationToken ct)
    {
        var table = tables.GetTableClient(StorageNames.OutcomesTable);
        var latest = outcomes.GroupBy(o => o.DyadId, StringComparer.Ordinal).Select(g => g.Last()).ToList();
        var changed = 0;
        for (var attempt = 0; ; attempt++)
        {
            var stored = new Dictionary<string, OutcomeEntity>(StringComparer.Ordinal);
            await foreach (var row in table.QueryAsync<OutcomeEntity>(e => e.PartitionKey == studyId, cancellationToken: ct).ConfigureAwait(false))
                stored[row.RowKey] = row;
            var now = clock.GetUtcNow();
            var writing = new List<(TableTransactionAction Action, AuditChange Change)>();
            foreach (var o in latest)
            {
                DateTimeOffset? jobDate = o.JobDate is { } d ? StudyCalendar.StartOf(d) : null;
                var recordedOn = StudyCalendar.StartOf(o.RecordedOn ?? DateOnly.FromDateTime(now.UtcDateTime));
                var before = stored.GetValueOrDefault(o.DyadId);
                // The same outcome sent again is no change; given with another recorded day, the day is the change.
                if (before is not null && before.Employed == o.Employed && before.JobDate == jobDate && (o.RecordedOn is null || before.RecordedOn == recordedOn)
                    && before.DaysWorked == o.DaysWorked && before.TenureDays == o.TenureDays) continue;
                var entity = new OutcomeEntity
                {
                    PartitionKey = studyId,
                    RowKey = o.DyadId,
                    Employed = o.Employed,
                    JobDate = jobDate,
                    RecordedAt = now,
                    RecordedOn = recordedOn,
                    DaysWorked = o.DaysWorked,
                    TenureDays = o.TenureDays,
                    Source = source,
                };
                writing.Add((before is null
                    ? new TableTransactionAction(TableTransactionActionType.Add, entity)
                    : new TableTransactionAction(TableTransactionActionType.UpdateReplace, entity, before.ETag),
                    AuditChange.Between(StorageNames.OutcomesTable, before, entity)!));
            }
            try
            {
                foreach (var chunk in writing.Chunk(100))
                {
                    await table.SubmitTransactionAsync(chunk.Select(w => w.Action), ct).ConfigureAwait(false);
                    await audit.WriteAllAsync(chunk.Select(w => audit.Row(studyId, actor, "outcome.recorded", w.Action.Entity.RowKey, $"source {source}", w.Change)), ct).ConfigureAwait(false);
                    changed += chunk.Length;
                }
                return (changed, latest.Count - changed);
            }
            catch (RequestFailedException e) when (e.Status is 409 or 412 && attempt < 3)
            {
                // An outcome was written meanwhile: read again, decide again; what was written is no change any more.
            }
        }
    }

    /// <summary>
    /// The study as <paramref name="caller"/> may see it: with a site key, its site's dyads only. Every check of what a
    /// caller sends about dyads is made against it, so a dyad of another site is, to a site key, a dyad the study does
    /// not have: the same answer, and no check (an enrolment date) that could tell them apart.
    /// </summary>
    internal static StudyDefinition Visible(StudyDefinition study, Caller caller) =>
        study.Dyads.All(d => caller.Scope.CanCoordinateSite(study.Id, d.SiteId))
            ? study
            : study with { Dyads = [.. study.Dyads.Where(d => caller.Scope.CanCoordinateSite(study.Id, d.SiteId))] };

    /// <summary>A 404 for a dyad the study does not have, or the caller may not see (the same words).</summary>
    internal static Refusal NoDyad(StudyDefinition visible, string dyadId) =>
        Refusal.NotFound("No such dyad", StudyInputs.NotInStudy(visible, dyadId));

    private Task<AppliedStudy?> FindStudyAsync(string studyId, CancellationToken ct) =>
        StudyIds.IsValid(studyId) ? store.LoadAsync(studyId, ct) : Task.FromResult<AppliedStudy?>(null);

    internal static Refusal NoStudy(string studyId) =>
        Refusal.NotFound("No such study", $"No study file was applied for study '{studyId}'.");

    /// <summary>The study calendar's day now: dates recorded today may not lie after it.</summary>
    private DateOnly Today => StudyCalendar.Day(clock.GetUtcNow());

    /// <summary>A 400 naming the field and the date rule broken (as the problem's one <c>errors</c> entry: field, rule, message).</summary>
    private static Refusal DateRuleRefusal(string title, DateRuleProblem problem) =>
        Refusal.Invalid(title, problem.Message) with { Errors = [problem] };

    /// <summary>The meeting dates recorded so far, by dyad and meeting.</summary>
    private async Task<IReadOnlyDictionary<string, IReadOnlyDictionary<int, DateOnly>>> RecordedDatesAsync(string studyId, CancellationToken ct) =>
        (await studyTables.ListAssessmentEntitiesAsync(studyId, ct).ConfigureAwait(false))
            .Where(a => a.MeetingDateRecorded && a.MeetingDate is not null)
            .GroupBy(a => a.DyadId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (IReadOnlyDictionary<int, DateOnly>)g.GroupBy(a => a.Meeting).ToDictionary(m => m.Key, m => StudyCalendar.Day(m.First().MeetingDate!.Value)), StringComparer.Ordinal);
}
