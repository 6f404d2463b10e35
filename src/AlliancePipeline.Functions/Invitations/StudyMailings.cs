using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using AlliancePipeline.Contracts.Storage;
using AlliancePipeline.Core.Studies;
using AlliancePipeline.Functions.Dyads;
using AlliancePipeline.Functions.Infrastructure.Audit;
using AlliancePipeline.Functions.Infrastructure.Settings;
using AlliancePipeline.Functions.Infrastructure.Storage;
using AlliancePipeline.Functions.Mail;
using AlliancePipeline.Functions.Questionnaires;
using AlliancePipeline.Functions.Studies;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using Microsoft.Extensions.Options;

namespace AlliancePipeline.Functions.Invitations;

/// <summary>What one run of <c>Reminders</c> queued.</summary>
/// <param name="Studies">Studies looked at.</param>
/// <param name="Invitations">Invitations queued (a link issued each).</param>
/// <param name="Reminders">Reminders queued.</param>
/// <param name="Digests">Coordinator digests queued.</param>
/// <param name="Left">Due forms the run had no time left for: due assessments it did not read (each one read is decided).</param>
/// <param name="Continued">Studies handed to a continuation (<see cref="StudyMailings.ContinueAsync"/>): forms left, or due rows left unread.</param>
/// <param name="Read">Assessments read from <c>Assessments</c> to be decided (<see cref="AssessmentViews.ReadDueAsync"/>).</param>
public sealed record MailingRun(int Studies, int Invitations, int Reminders, int Digests, int Left = 0, int Continued = 0, int Read = 0)
{
    /// <summary>Nothing done.</summary>
    public static MailingRun None { get; } = new(0, 0, 0, 0);

    /// <summary>This run and <paramref name="other"/>, added.</summary>
    public MailingRun Plus(MailingRun other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return new(Studies + other.Studies, Invitations + other.Invitations, Reminders + other.Reminders, Digests + other.Digests, Left + other.Left,
            Continued + other.Continued, Read + other.Read);
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"{Studies} stud{(Studies == 1 ? "y" : "ies")}: {Invitations} invitation(s), {Reminders} reminder(s), {Digests} digest(s) queued" +
        (Read > 0 ? $"; {Read} assessment(s) read" : "") + (Left > 0 ? $"; {Left} due form(s) left" : "") +
        (Continued > 0 ? $"; {Continued} stud{(Continued == 1 ? "y" : "ies")} continued in another run" : "");
}

/// <summary>
/// The <c>Reminders</c> timer's work, for every study with an applied study file: an invitation for each unanswered
/// assessment whose meeting day has come (its link issued then, expiring after the study's link lifetime); reminders by
/// the study's policy (Core's <see cref="ReminderSchedule.Decide"/>: first N days after the due date, then every M days,
/// at most K; none once answered, withdrawn, expired or paused, nor for a form whose current link a coordinator was
/// handed); and each site coordinator's weekly overdue digest
/// (Core's <see cref="OverdueDigest"/>). It reads what is due from the reminder index (<see cref="AssessmentViews.DueBatchAsync"/>),
/// and a site's overdue rows only in a week its digest is not queued yet (docs/architecture.md, "Assessment views"). Every mail has a deterministic id (<see cref="MailIds"/>), so a run that is
/// repeated or interrupted queues nothing twice; the assessment's invitation log is updated with an ETag after its mail
/// is queued.
/// </summary>
public sealed class StudyMailings(
    StudyStore store,
    StudyTables studyTables,
    AssessmentViews views,
    TableServiceClient tables,
    Outbox outbox,
    MailTemplates templates,
    MailLinks links,
    PauseLinks pauseLinks,
    ILinkTokens tokens,
    DyadOperations dyads,
    AuditLog audit,
    QueueServiceClient queues,
    IOptions<ReminderRunOptions> runOptions,
    TimeProvider clock,
    ILogger<StudyMailings> log)
{
    private readonly TimeSpan budget = runOptions.Value.Budget;

    /// <summary>Due forms decided and mailed at once by a run.</summary>
    public const int FormsAtOnce = 16;

    /// <summary>
    /// Due assessments a run reads from <c>Assessments</c> at a time (<see cref="AssessmentViews.ReadDueAsync"/>), the
    /// next ones only when its <see cref="FormsAtOnce"/> workers have taken the last and only within the budget: a run
    /// reads little more than it decides, where reading every due form first (up to
    /// <see cref="AssessmentViews.DueRowsPerRun"/>) had a backlog's continuations read the same thousands of assessments
    /// again and again for a few hundred mails each. Every form read is decided, so a run may overrun its budget by one
    /// chunk: one round of the workers. Two rounds (32) took a 10,000-dyad study's first run to 27.2 s against its 20 s
    /// budget, near the 30 s a run is allowed, on an Azurite at 100% of a core (bench/results/study-scale.md); a chunk of
    /// 16 costs the same requests a mail (29.4 against 29.2 on a 302-form backlog), in more continuations.
    /// </summary>
    public const int FormsPerRead = FormsAtOnce;

    /// <summary>
    /// Runs every study within the run's budget (<see cref="ReminderRunOptions.Budget"/>): a study whose due forms the
    /// budget did not cover, or that the run did not reach, is handed to a continuation on <c>reminders</c>.
    /// </summary>
    public async Task<MailingRun> RunAllAsync(CancellationToken ct)
    {
        var started = Stopwatch.StartNew();
        var total = MailingRun.None;
        foreach (var study in await studyTables.ListStudiesAsync(ct).ConfigureAwait(false))
        {
            if (started.Elapsed >= budget)
            {
                await ContinueLaterAsync(study.Id, "the run's budget was spent before it reached the study", ct).ConfigureAwait(false);
                total = total.Plus(MailingRun.None with { Continued = 1 });
                continue;
            }
            var applied = await store.LoadAsync(study.Id, ct).ConfigureAwait(false);
            if (applied is null) continue; // seeded without a study file (the demo's older path): nobody to write to
            total = total.Plus(await RunWithinAsync(applied.Definition, started, ct).ConfigureAwait(false));
        }
        return total;
    }

    /// <summary>
    /// Runs one study within a budget of its own (<see cref="ReminderRunOptions.Budget"/>): the assessments
    /// <see cref="AssessmentViews.DueBatchAsync"/> finds due (its index by due day, not the whole study), read
    /// <see cref="FormsPerRead"/> at a time while the budget lasts, each decided by <see cref="Decide"/> as a scan of every
    /// assessment would decide it; forms the budget did not cover, read or not, go to a continuation.
    /// </summary>
    public Task<MailingRun> RunAsync(StudyDefinition study, CancellationToken ct) => RunWithinAsync(study, Stopwatch.StartNew(), ct);

    /// <summary>
    /// A continuation (<c>ContinueReminders</c>): runs <paramref name="studyId"/> as <see cref="RunAsync"/> does, or
    /// nothing when the study has no applied file any more.
    /// </summary>
    public async Task<MailingRun> ContinueAsync(string studyId, CancellationToken ct)
    {
        var applied = await store.LoadAsync(studyId, ct).ConfigureAwait(false);
        return applied is null ? MailingRun.None : await RunAsync(applied.Definition, ct).ConfigureAwait(false);
    }

    private async Task<MailingRun> RunWithinAsync(StudyDefinition study, Stopwatch started, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var due = await views.DueBatchAsync(study.Id, study.Reminders, now, AssessmentViews.DueRowsPerRun, ct).ConfigureAwait(false);
        // Each due form is decided and mailed on its own (deterministic mail ids, merges under the ETag read), so a few go
        // at once: one after another, a run that mails a day's invitations of a large study waits on every storage call
        // of each in turn. The participant rows are read once per run, whichever form asks first. The forms are taken in
        // a random order, so forms a run cannot mail (a rater without an address) never hold back the others when the
        // budget cuts a run short; and read a chunk at a time, as the workers need them, so a run cut short has read only
        // the forms it decided.
        var participants = new ConcurrentDictionary<string, Lazy<Task<ParticipantEntity?>>>(StringComparer.Ordinal);
        Task<ParticipantEntity?> Participant(string kind, string id) =>
            participants.GetOrAdd(ParticipantEntity.Key(kind, id), _ => new Lazy<Task<ParticipantEntity?>>(() => store.FindParticipantAsync(study.Id, kind, id, ct))).Value;
        var ids = due.Ids.ToArray();
        Random.Shared.Shuffle(ids);
        int invitations = 0, reminders = 0, read = 0, stale = 0;
        // Called by one worker at a time (Parallel.ForEachAsync takes the next form under a lock).
        async IAsyncEnumerable<AssessmentEntity> FormsAsync([EnumeratorCancellation] CancellationToken token = default)
        {
            foreach (var chunk in ids.Chunk(FormsPerRead))
            {
                // Every run reads and decides at least one chunk, so a continuation always gets somewhere.
                if (read > 0 && started.Elapsed >= budget) yield break;
                var found = await views.ReadDueAsync(study.Id, study.Reminders, chunk, token).ConfigureAwait(false);
                (read, stale) = (read + found.Read, stale + found.StaleDeleted);
                foreach (var a in found.Rows.Where(a => a.Status == nameof(AssessmentStatus.Pending) && !a.IsHandedOver())) yield return a;
            }
        }
        await Parallel.ForEachAsync(FormsAsync(), new ParallelOptions { MaxDegreeOfParallelism = FormsAtOnce, CancellationToken = ct }, async (a, token) =>
            {
                var action = Decide(study.Reminders, a, await Participant(ParticipantEntity.Kinds.Dyad, a.DyadId).ConfigureAwait(false),
                    await Participant(ParticipantEntity.Kinds.Rater, a.RaterId).ConfigureAwait(false), now);
                if (action is MailingAction.Invite invite && await InviteAsync(study, a, invite.Email, invite.Language, now, token).ConfigureAwait(false))
                    Interlocked.Increment(ref invitations);
                else if (action is MailingAction.Remind remind && await RemindAsync(study, a, remind.Number, remind.Email, remind.Language, now, token).ConfigureAwait(false))
                    Interlocked.Increment(ref reminders);
            }).ConfigureAwait(false);
        // Due assessments never read are left, as forms are: a continuation reads them. It follows only a run that got
        // somewhere (mailed, or deleted due rows left behind): the forms and rows left are then fewer, so the chain ends.
        var left = ids.Length - read;
        var digests = 0;
        var continued = (left > 0 || due.More) && invitations + reminders + stale > 0;
        if (continued)
            await ContinueLaterAsync(study.Id, $"{left} due form(s) left after {started.Elapsed.TotalSeconds:0.0} s, {read} read{(due.More ? $", more than {AssessmentViews.DueRowsPerRun} due rows" : "")}", ct).ConfigureAwait(false);
        else
            digests = await DigestsAsync(study, now, ct).ConfigureAwait(false); // once the forms are decided: the digest counts their reminders
        var run = new MailingRun(1, invitations, reminders, digests, left, continued ? 1 : 0, read);
        if (invitations + reminders + digests > 0) log.LogInformation("Reminders for {StudyId}: {Run}.", study.Id, run);
        return run;
    }

    /// <summary>Puts a continuation of <paramref name="studyId"/>'s run on <c>reminders</c> (<see cref="ReminderContinuation"/>).</summary>
    private async Task ContinueLaterAsync(string studyId, string why, CancellationToken ct)
    {
        await queues.GetQueueClient(StorageNames.RemindersQueue).SendMessageAsync(new ReminderContinuation(studyId).ToJson(), cancellationToken: ct).ConfigureAwait(false);
        log.LogInformation("Reminders for {StudyId} continue in another run: {Why}.", studyId, why);
    }

    /// <summary>
    /// What a run at <paramref name="now"/> mails for one assessment, given its dyad's and rater's participant rows: an
    /// invitation once its meeting day has come, a reminder by the study's policy, or nothing (answered, withdrawn, handed
    /// over, no address), under the study's reminder <paramref name="policy"/>.
    /// </summary>
    public static MailingAction? Decide(ReminderPolicy policy, AssessmentEntity a, ParticipantEntity? dyad, ParticipantEntity? rater, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(a);
        if (a.Status != nameof(AssessmentStatus.Pending)) return null;
        // Its current link is in a coordinator's hands (a hand-over): the rater is reached another way, and a mail
        // would carry the hand-over link itself. A reissue makes it the rater's again, mailed by the next run.
        if (a.IsHandedOver()) return null;
        if (dyad is { Withdrawn: true }) return null;
        if (rater is not { Withdrawn: false, Email: { Length: > 0 } email }) return null;
        var language = rater.Language ?? a.Language;
        if (a.InvitationQueuedAt is null)
            return a.InviteOn is { } inviteOn && inviteOn <= now ? new MailingAction.Invite(email, language) : null;
        var state = new ReminderState(StudyCalendar.Day(a.DueDate), AssessmentStatus.Pending, a.RemindersSent, a.LastReminderAt, a.LinkExpiresAt, a.RemindersPaused, a.InvitationQueuedAt);
        return ReminderSchedule.Decide(policy, state, now) is ReminderDecision.Send send ? new MailingAction.Remind(send.Number, email, language) : null;
    }

    private async Task<bool> InviteAsync(StudyDefinition study, AssessmentEntity a, string to, string language, DateTimeOffset now, CancellationToken ct)
    {
        // The link's expiry is fixed when it is first sent, and kept by its reminders.
        var expires = a.LinkExpiresAt is { } e && e > now ? e : now + dyads.LinkLifetime(study);
        if (a.LinkExpiresAt != expires && !await MergeAsync(a, new() { [nameof(AssessmentEntity.LinkExpiresAt)] = expires }, ct).ConfigureAwait(false))
            return false;
        var model = new InvitationModel(study.NameIn(language), a.DyadId, a.Meeting, StudyCalendar.Day(a.DueDate),
            links.Questionnaire(tokens.Issue(new LinkClaims(study.Id, a.RowKey, a.LinkVersion, expires))), pauseLinks.Link(study.Id, a.RowKey, a.LinkVersion, expires));
        var mail = new OutboxMail(MailIds.Invitation(a.RowKey, a.LinkVersion), study.Id, MailKinds.Invitation, to, language, templates.Invitation(model, language))
        {
            AssessmentId = a.RowKey,
            PauseLink = model.PauseLink,
        };
        var queued = await outbox.QueueAsync(mail, ct).ConfigureAwait(false);
        if (queued)
            await audit.WriteAsync(study.Id, AuditLog.Function("Reminders"), "link.issued", a.RowKey, $"link version {a.LinkVersion}, expires {expires:yyyy-MM-dd}; invitation queued", ct).ConfigureAwait(false);
        return queued;
    }

    private async Task<bool> RemindAsync(StudyDefinition study, AssessmentEntity a, int number, string to, string language, DateTimeOffset now, CancellationToken ct)
    {
        var expires = a.LinkExpiresAt ?? now + dyads.LinkLifetime(study);
        var model = new ReminderModel(study.NameIn(language), a.DyadId, a.Meeting, StudyCalendar.Day(a.DueDate),
            links.Questionnaire(tokens.Issue(new LinkClaims(study.Id, a.RowKey, a.LinkVersion, expires))), pauseLinks.Link(study.Id, a.RowKey, a.LinkVersion, expires),
            number, study.Reminders.MaxCount);
        var mail = new OutboxMail(MailIds.Reminder(a.RowKey, a.LinkVersion, number), study.Id, MailKinds.Reminder, to, language, templates.Reminder(model, language))
        {
            AssessmentId = a.RowKey,
            PauseLink = model.PauseLink,
        };
        var queued = await outbox.QueueAsync(mail, ct).ConfigureAwait(false);
        // Also when it was queued by an earlier, interrupted run: the log catches up.
        await MergeAsync(a, new() { [nameof(AssessmentEntity.RemindersSent)] = number, [nameof(AssessmentEntity.LastReminderAt)] = now }, ct).ConfigureAwait(false);
        return queued;
    }

    /// <summary>
    /// The week's coordinator digests not queued yet: a site whose coordinators all have this week's digest is not read;
    /// for another, its pending overdue assessments are read from its partition of the views.
    /// </summary>
    private async Task<int> DigestsAsync(StudyDefinition study, DateTimeOffset now, CancellationToken ct)
    {
        var mail = tables.GetTableClient(StorageNames.MailTable);
        HashSet<string>? withdrawn = null;
        var queued = 0;
        foreach (var site in study.Sites)
        {
            var owed = false;
            foreach (var empty in OverdueDigest.Build(study, [], now).Where(d => d.SiteId == site.Id))
            {
                if (!(await mail.GetEntityIfExistsAsync<TableEntity>(study.Id, MailIds.Digest(empty), [nameof(TableEntity.PartitionKey)], ct).ConfigureAwait(false)).HasValue)
                    owed = true;
            }
            if (!owed) continue;
            var overdue = await views.OverdueAsync(study.Id, site.Id, now, ct).ConfigureAwait(false);
            if (overdue.Count > 0 && withdrawn is null)
            {
                withdrawn = (await store.ParticipantsAsync(study.Id, ct).ConfigureAwait(false))
                    .Where(p => p.Kind == ParticipantEntity.Kinds.Dyad && p.Withdrawn).Select(p => p.Id).ToHashSet(StringComparer.Ordinal);
            }
            var current = overdue.Where(a => withdrawn is null || !withdrawn.Contains(a.DyadId)).ToList();
            var rows = current.ToDictionary(a => a.RowKey, StringComparer.Ordinal);
            foreach (var digest in OverdueDigest.Build(study, current.Select(a => a.ToAssessment()), now).Where(d => d.SiteId == site.Id && study.Digests.Sends(d)))
            {
                var model = new DigestModel(study.NameIn(digest.Coordinator.Language), site.Name, digest.Week,
                    [.. digest.Overdue.Select(a => DigestLine.Of(a, rows[a.Id].RemindersSent, rows[a.Id].RemindersPaused, now))], links.Dashboard(study.Id));
                if (await outbox.QueueAsync(DigestMails.Fitting(templates, digest, model), ct).ConfigureAwait(false)) queued++;
            }
        }
        return queued;
    }

    /// <summary>Merges <paramref name="values"/> into the assessment under its ETag; false when somebody wrote it first.</summary>
    private async Task<bool> MergeAsync(AssessmentEntity a, TableEntity values, CancellationToken ct)
    {
        values.PartitionKey = a.PartitionKey;
        values.RowKey = a.RowKey;
        try
        {
            var response = await tables.GetTableClient(StorageNames.AssessmentsTable).UpdateEntityAsync(values, a.ETag, TableUpdateMode.Merge, ct).ConfigureAwait(false);
            a.ETag = response.Headers.ETag ?? a.ETag;
            foreach (var (key, value) in values)
            {
                if (key == nameof(AssessmentEntity.LinkExpiresAt)) a.LinkExpiresAt = (DateTimeOffset?)value;
            }
            return true;
        }
        catch (RequestFailedException e) when (e.Status == 412)
        {
            log.LogInformation("Assessment {StudyId}/{AssessmentId} changed during the run; it is looked at again next time.", a.PartitionKey, a.RowKey);
            return false;
        }
    }
}

/// <summary>Queues a rupture alert's mails: to the site's coordinators, and to the rater when the study says so.</summary>
public sealed class AlertMail(StudyStore store, Outbox outbox, MailTemplates templates, MailLinks links)
{
    /// <summary>Queues the mails of <paramref name="alert"/>; how many were queued now (not before).</summary>
    public async Task<int> QueueAsync(StudyDefinition study, AlertEntity alert, RuptureAlert finding, CancellationToken ct)
    {
        var site = study.FindSite(alert.SiteId);
        var recipients = (site?.Coordinators ?? []).Select(c => (c.Email, c.Language)).ToList();
        if (finding.NotifyRater)
        {
            var rater = await store.FindParticipantAsync(study.Id, ParticipantEntity.Kinds.Rater, alert.RaterId, ct).ConfigureAwait(false);
            if (rater is { Withdrawn: false, Email: { Length: > 0 } email }) recipients.Add((email, rater.Language ?? "en"));
        }
        var queued = 0;
        foreach (var (email, language) in recipients.DistinctBy(r => r.Item1.ToLowerInvariant()))
        {
            var model = new AlertModel(study.NameIn(language), site?.Name ?? alert.SiteId, alert.DyadId, alert.Meeting, alert.RaterRole, finding, links.Dashboard(study.Id));
            var mail = new OutboxMail(MailIds.Alert(alert.RowKey, email), study.Id, MailKinds.Alert, email, language, templates.Alert(model, language))
            {
                AssessmentId = alert.RowKey,
            };
            if (await outbox.QueueAsync(mail, ct).ConfigureAwait(false)) queued++;
        }
        return queued;
    }
}

/// <summary>What a <c>Reminders</c> run mails for one assessment (<see cref="StudyMailings.Decide"/>).</summary>
public abstract record MailingAction(string Email, string Language)
{
    /// <summary>The invitation with its link.</summary>
    public sealed record Invite(string Email, string Language) : MailingAction(Email, Language);

    /// <summary>Reminder <paramref name="Number"/>.</summary>
    public sealed record Remind(int Number, string Email, string Language) : MailingAction(Email, Language);
}
