using AlliancePipeline.Contracts.Storage;
using Azure;
using Azure.Data.Tables;
using Azure.Data.Tables.Models;
using Azure.Storage.Queues;

namespace AlliancePipeline.Functions.Mail;

/// <summary>
/// Puts mails on <c>outbox</c>, each at most once (by its deterministic <see cref="OutboxMail.MailId"/>), for
/// <c>SendEmail</c> to send.
/// </summary>
/// <remarks>
/// <para><b>Write order: the queue message first, then the <c>Mail</c> row.</b> A crash between the two leaves a
/// message without a row: <see cref="MailSender"/> then writes the row itself and sends, so nothing is lost. The other
/// order could leave a row saying "queued" with no message, which nothing would ever send, and a retry would skip it
/// because the row exists.</para>
/// <para><b>Never doubled.</b> The row is the one record of a mail's fate: before queueing, an existing row means
/// "already queued or sent" (<see cref="QueueAsync"/> returns false, nothing written). Two messages of the same mail can
/// still exist (a crash after the message and before the row, then a retry; or two callers at the same instant); the
/// sender claims the row under its ETag before sending and skips a mail whose row says <c>sent</c>, so only one of them
/// sends.</para>
/// <para><b>Who writes the invitation log</b> (<see cref="AssessmentEntity"/>): this class sets
/// <c>InvitationQueuedAt</c> (invitations); <c>SendEmail</c> sets <c>InvitationSentAt</c> (invitations) and
/// <c>LastMailError</c> (any mail about the assessment); the caller that decides reminders sets <c>RemindersSent</c>
/// and <c>LastReminderAt</c> once <see cref="QueueAsync"/> has returned, true or false (false: that reminder was
/// queued by an earlier run that stopped before recording it); scoring sets <c>Status</c> and <c>CompletedAt</c>;
/// the pause link sets <c>RemindersPaused</c>.</para>
/// </remarks>
public sealed class Outbox(TableServiceClient tables, QueueServiceClient queues, TimeProvider clock, ILogger<Outbox> log)
{
    /// <summary>
    /// Queues <paramref name="mail"/> unless a mail with its id was already queued (or sent) in its study: true when this
    /// call put it on <c>outbox</c>, false when it was there before (nothing written). Writes the <c>Mail</c> row
    /// (<c>queued</c>), the assessment's <c>InvitationQueuedAt</c> for an invitation, and <c>Audit</c>
    /// (<c>mail.queued</c>).
    /// </summary>
    /// <remarks>
    /// An exception (storage unreachable) does not say whether the mail was queued: calling again with the same mail is
    /// always safe, and is how to find out.
    /// </remarks>
    /// <exception cref="ArgumentException">The mail breaks the message schema (bad id, address, kind, empty part, too large); nothing is written.</exception>
    /// <exception cref="InvalidOperationException">Its assessment does not exist; nothing is written.</exception>
    public async Task<bool> QueueAsync(OutboxMail mail, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(mail);
        if (OutboxMessage.Problem(mail) is { } problem)
            throw new ArgumentException($"Mail {mail.MailId} cannot be queued: {problem}.", nameof(mail));

        var assessments = tables.GetTableClient(StorageNames.AssessmentsTable);
        AssessmentEntity? assessment = null;
        if (mail.AssessmentId is { } assessmentId)
        {
            var found = await assessments.GetEntityIfExistsAsync<AssessmentEntity>(mail.StudyId, assessmentId,
                [nameof(AssessmentEntity.InvitationQueuedAt)], ct).ConfigureAwait(false);
            assessment = found.HasValue ? found.Value : throw new InvalidOperationException(
                $"Assessment {mail.StudyId}/{assessmentId} does not exist: mail {mail.MailId} is not queued.");
        }

        var rows = tables.GetTableClient(StorageNames.MailTable);
        var existing = await rows.GetEntityIfExistsAsync<MailEntity>(mail.StudyId, mail.MailId,
            [nameof(MailEntity.State), nameof(MailEntity.QueuedAt)], ct).ConfigureAwait(false);
        if (existing.HasValue)
        {
            // An earlier call may have stopped between the row and the invitation log: complete the log.
            await RecordInvitationQueuedAsync(mail, assessment, existing.Value!.QueuedAt, ct).ConfigureAwait(false);
            log.LogInformation("Mail {MailId} ({Kind}, study {StudyId}) was queued before (now {State}); not queued again.",
                mail.MailId, mail.Kind, mail.StudyId, existing.Value.State);
            return false;
        }

        var queuedAt = clock.GetUtcNow();
        await queues.GetQueueClient(StorageNames.OutboxQueue).SendMessageAsync(OutboxMessage.From(mail, queuedAt).ToJson(), cancellationToken: ct).ConfigureAwait(false);
        try
        {
            await rows.AddEntityAsync(MailSender.NewRow(mail, queuedAt), ct).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.ErrorCode == TableErrorCode.EntityAlreadyExists)
        {
            // SendEmail took the message before this row was written (it writes the row itself), or another caller
            // queued the same mail at the same instant: either way the sender sends it once.
        }
        await RecordInvitationQueuedAsync(mail, assessment, queuedAt, ct).ConfigureAwait(false);
        await MailAudit.WriteAsync(tables, mail.StudyId, queuedAt, "outbox", MailAudit.Queued, mail.MailId,
            $"{mail.Kind} queued in {mail.Language}{(mail.AssessmentId is null ? "" : $" about assessment {mail.AssessmentId}")}", ct).ConfigureAwait(false);
        log.LogInformation("Queued mail {MailId} ({Kind}, study {StudyId}).", mail.MailId, mail.Kind, mail.StudyId);
        return true;
    }

    /// <summary>Sets <c>InvitationQueuedAt</c> of an invitation's assessment, unless it already records this queueing or a later one.</summary>
    private async Task RecordInvitationQueuedAsync(OutboxMail mail, AssessmentEntity? assessment, DateTimeOffset queuedAt, CancellationToken ct)
    {
        if (mail.Kind != MailKinds.Invitation || assessment is null || assessment.InvitationQueuedAt >= queuedAt) return;
        var update = new TableEntity(mail.StudyId, mail.AssessmentId) { [nameof(AssessmentEntity.InvitationQueuedAt)] = queuedAt };
        // One column of its own: merged without a condition, so no concurrent write of another column is undone.
        await tables.GetTableClient(StorageNames.AssessmentsTable).UpdateEntityAsync(update, ETag.All, TableUpdateMode.Merge, ct).ConfigureAwait(false);
    }
}
