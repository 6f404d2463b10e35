using System.Text.Json;
using AlliancePipeline.Contracts.Storage;
using AlliancePipeline.Core.Studies;
using AlliancePipeline.Functions.Infrastructure.Storage;
using AlliancePipeline.Functions.Scoring;
using Azure;
using Azure.Data.Tables;
using Azure.Data.Tables.Models;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;

namespace AlliancePipeline.Functions.Mail;

/// <summary>What became of one <c>outbox</c> message.</summary>
public enum MailOutcome
{
    /// <summary>The SMTP server accepted the mail now.</summary>
    Sent,
    /// <summary>The mail had been sent already (a redelivery, or a second message of the same mail): nothing sent.</summary>
    AlreadySent,
    /// <summary>The server refused it for good (5xx for the recipient or the message), or an attachment is missing: marked failed and moved to <c>outbox-poison</c>.</summary>
    Failed,
    /// <summary>The server could not be reached through a whole round of deliveries: put back on <c>outbox</c> for a later round (<see cref="MailSender.RetryFor"/>).</summary>
    Deferred,
    /// <summary>The message is malformed: moved to <c>outbox-poison</c> with its reason.</summary>
    Poisoned,
}

/// <summary>
/// Sends one <c>outbox</c> message (the work of <c>SendEmail</c>), at most once per mail id however often and however
/// concurrently it is delivered:
/// <list type="number">
/// <item>a malformed message is moved to <c>outbox-poison</c> at once with its reason (<c>Audit</c>, and the <c>Mail</c>
/// row when the message names one), and the invocation succeeds;</item>
/// <item>the <c>Mail</c> row decides: <c>sent</c> → nothing to do (a redelivery never doubles a mail); missing → written
/// now (the queueing run stopped between message and row); held by another run (<see cref="MailEntity.ClaimedUntil"/>
/// in the future) → wait until that run has sent it or its claim has lapsed;</item>
/// <item>otherwise the run claims it: <c>Attempts</c> + 1 and <c>ClaimedUntil</c>, written under the row's ETag, so
/// of two runs only one sends;</item>
/// <item>it sends (attachments read from <c>reports</c>), then marks the row <c>sent</c>, the assessment's
/// <c>InvitationSentAt</c> for an invitation, and <c>Audit</c> (<c>mail.sent</c>).</item>
/// </list>
/// A failed attempt records its reason (<c>LastError</c>, the assessment's <c>LastMailError</c>; never a password, body or
/// address) and throws, so the host retries after <c>visibilityTimeout</c>. When the attempt at
/// <see cref="MaxDequeueCount"/> fails too and the mail was queued less than <see cref="RetryFor"/> ago, the message is
/// put back on <c>outbox</c>, hidden for <see cref="NextRoundAfter"/> (5 minutes, doubling each round, at most an hour),
/// and the row stays <c>queued</c>: an SMTP server down for a day loses nothing and its mails go out within the hour it
/// is back. After <see cref="RetryFor"/> (or when the message cannot be put back) that attempt marks the row
/// <c>failed</c> (<c>Audit</c> <c>mail.failed</c>) before throwing, and the host moves the message to <c>outbox-poison</c>. A permanent refusal (5xx for the recipient or the message) is marked
/// <c>failed</c> and poisoned at once. Putting a poisoned message back on <c>outbox</c> tries it again.
/// </summary>
/// <remarks>
/// The one window left: a run that dies after the server accepted the mail and before the row says <c>sent</c>. Its
/// claim lapses, a retry sends again, and the repeated <c>Message-Id</c> lets the receiving server drop the copy.
/// </remarks>
public sealed class MailSender(TableServiceClient tables, BlobServiceClient blobs, QueueServiceClient queues, IMailer mailer, PoisonQueue poison, TimeProvider clock, ILogger<MailSender> log)
{
    /// <summary>How long after it was queued a mail the server could not take (not a refusal) is still tried: three days, a long weekend's outage.</summary>
    public static readonly TimeSpan RetryFor = TimeSpan.FromDays(3);

    /// <summary>The pause before the next round of <see cref="MaxDequeueCount"/> deliveries after round <paramref name="round"/> (1, 2, …) failed: 5 minutes, doubling, at most an hour.</summary>
    public static TimeSpan NextRoundAfter(int round) => TimeSpan.FromMinutes(Math.Min(60, 5 * Math.Pow(2, Math.Clamp(round - 1, 0, 10))));

    /// <summary>The host's <c>maxDequeueCount</c> (host.json): the attempt that gives up.</summary>
    public const int MaxDequeueCount = 5;

    /// <summary>How long a claim holds: longer than the slowest send (connect, login, data: each up to <see cref="SmtpMailer.OperationTimeout"/>).</summary>
    public static readonly TimeSpan ClaimLease = TimeSpan.FromMinutes(3);

    /// <summary>The most attachment bytes one mail carries.</summary>
    public const long MaxAttachmentBytes = 10L * 1024 * 1024;

    private const string Actor = "function:SendEmail";

    private TableClient Rows => tables.GetTableClient(StorageNames.MailTable);

    /// <summary>A new <c>Mail</c> row (<c>queued</c>) for <paramref name="mail"/>.</summary>
    public static MailEntity NewRow(OutboxMail mail, DateTimeOffset queuedAt)
    {
        ArgumentNullException.ThrowIfNull(mail);
        return new MailEntity
        {
            PartitionKey = mail.StudyId,
            RowKey = mail.MailId,
            Kind = mail.Kind,
            AssessmentId = mail.AssessmentId,
            To = mail.To,
            State = MailEntity.States.Queued,
            QueuedAt = queuedAt,
        };
    }

    /// <summary>Sends one message; throws when the host should retry it (see the class).</summary>
    public async Task<MailOutcome> SendAsync(QueueMessageData message, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(message);
        var parsed = OutboxMessage.TryParse(message.Text, out var problem);
        if (parsed is null)
        {
            await PoisonMalformedAsync(message, problem!, ct).ConfigureAwait(false);
            return MailOutcome.Poisoned;
        }
        var mail = parsed.ToMail();
        var row = await ClaimAsync(mail, parsed.QueuedAt, ct).ConfigureAwait(false);
        if (row is null)
        {
            log.LogInformation("Mail {MailId} ({Kind}, study {StudyId}) was already sent (delivery {DequeueCount}); nothing sent.",
                mail.MailId, mail.Kind, mail.StudyId, message.DequeueCount);
            return MailOutcome.AlreadySent;
        }

        try
        {
            var attachments = await ReadAttachmentsAsync(mail, ct).ConfigureAwait(false);
            await mailer.SendAsync(mail, attachments, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (!(e is OperationCanceledException && ct.IsCancellationRequested))
        {
            var delivery = e as MailDeliveryException;
            var reason = delivery?.Reason ?? (StorageUnavailable.Is(e) ? $"storage did not answer ({StorageUnavailable.Describe(e)})" : $"unexpected {e.GetType().Name}");
            var permanent = delivery?.Permanent == true;
            var lastOfRound = message.DequeueCount >= MaxDequeueCount;
            if (!permanent && lastOfRound && clock.GetUtcNow() - parsed.QueuedAt < RetryFor)
            {
                var after = NextRoundAfter(Math.Max(1, row.Attempts / MaxDequeueCount));
                if (await PutBackAsync(message, after, ct).ConfigureAwait(false))
                {
                    await RecordFailureAsync(row, mail, reason, false, message.DequeueCount, ct, after).ConfigureAwait(false);
                    return MailOutcome.Deferred;
                }
            }
            var final = permanent || lastOfRound;
            await RecordFailureAsync(row, mail, reason, final, message.DequeueCount, ct).ConfigureAwait(false);
            if (permanent)
            {
                await poison.MoveAsync(StorageNames.OutboxQueue, message, $"mail {mail.MailId}: {reason}", ct).ConfigureAwait(false);
                return MailOutcome.Failed;
            }
            throw delivery ?? new MailDeliveryException(reason, false, e);
        }

        await RecordSentAsync(row, mail, ct).ConfigureAwait(false);
        return MailOutcome.Sent;
    }

    /// <summary>The row claimed for this run (its ETag current), or null when the mail was sent already.</summary>
    private async Task<MailEntity?> ClaimAsync(OutboxMail mail, DateTimeOffset queuedAt, CancellationToken ct)
    {
        while (true)
        {
            var found = await Rows.GetEntityIfExistsAsync<MailEntity>(mail.StudyId, mail.MailId, cancellationToken: ct).ConfigureAwait(false);
            if (!found.HasValue)
            {
                // The queueing run stopped between the message and the row (or has not written it yet): write it here.
                try
                {
                    await Rows.AddEntityAsync(NewRow(mail, queuedAt), ct).ConfigureAwait(false);
                }
                catch (RequestFailedException e) when (e.ErrorCode == TableErrorCode.EntityAlreadyExists)
                {
                }
                continue;
            }
            var row = found.Value!;
            if (row.State == MailEntity.States.Sent) return null;
            var now = clock.GetUtcNow();
            if (row.ClaimedUntil is { } until && until > now)
            {
                // Another run is sending this mail: wait until it has (sent) or its claim lapses (it died).
                var wait = until - now;
                await Task.Delay(wait < TimeSpan.FromSeconds(1) ? wait : TimeSpan.FromSeconds(1), clock, ct).ConfigureAwait(false);
                continue;
            }
            row.ClaimedUntil = now + ClaimLease;
            row.Attempts++;
            // A failed mail whose message was put back on the outbox is tried again.
            row.State = MailEntity.States.Queued;
            try
            {
                var response = await Rows.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace, ct).ConfigureAwait(false);
                row.ETag = response.Headers.ETag ?? throw new InvalidOperationException("The table service returned no ETag.");
                return row;
            }
            catch (RequestFailedException e) when (e.Status == 412)
            {
                // Another run claimed it first: read again.
            }
        }
    }

    private async Task<IReadOnlyList<MailAttachment>> ReadAttachmentsAsync(OutboxMail mail, CancellationToken ct)
    {
        if (mail.Attachments.IsDefaultOrEmpty) return [];
        var container = blobs.GetBlobContainerClient(StorageNames.ReportsContainer);
        var list = new List<MailAttachment>();
        long total = 0;
        foreach (var name in mail.Attachments)
        {
            BinaryData content;
            string? contentType;
            try
            {
                var download = (await container.GetBlobClient(name).DownloadContentAsync(ct).ConfigureAwait(false)).Value;
                content = download.Content;
                contentType = download.Details.ContentType;
            }
            catch (RequestFailedException e) when (e.Status == 404)
            {
                throw new MailDeliveryException($"attachment {StorageNames.ReportsContainer}/{name} does not exist", true, e);
            }
            total += content.ToMemory().Length;
            if (total > MaxAttachmentBytes)
                throw new MailDeliveryException($"the attachments are larger than {MaxAttachmentBytes / (1024 * 1024)} MiB", true);
            list.Add(new MailAttachment(name[(name.LastIndexOf('/') + 1)..], string.IsNullOrEmpty(contentType) ? ContentTypeOf(name) : contentType, content));
        }
        return list;
    }

    private static string ContentTypeOf(string name) => Path.GetExtension(name).ToLowerInvariant() switch
    {
        ".html" or ".htm" => "text/html",
        ".csv" => "text/csv",
        ".json" => "application/json",
        ".txt" => "text/plain",
        _ => "application/octet-stream",
    };

    private async Task RecordSentAsync(MailEntity row, OutboxMail mail, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        // The server has the mail: if this write were lost, a retry would send it again. Storage gets more chances here
        // than the SDK's own retries give it.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await WriteRowAsync(row, r =>
                {
                    r.State = MailEntity.States.Sent;
                    r.SentAt = now;
                    r.ClaimedUntil = null;
                }, ct).ConfigureAwait(false);
                break;
            }
            catch (Exception e) when (StorageUnavailable.Is(e) && attempt < 4)
            {
                await Task.Delay(TimeSpan.FromSeconds(attempt * 2), clock, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (StorageUnavailable.Is(e))
            {
                log.LogError("Mail {MailId} was sent but could not be marked sent (storage: {Storage}); a retry after its claim lapses may send it again, with the same Message-Id.",
                    mail.MailId, StorageUnavailable.Describe(e));
                throw;
            }
        }
        if (mail.AssessmentId is { } assessmentId)
        {
            var update = new TableEntity(mail.StudyId, assessmentId);
            var changed = false;
            if (mail.Kind == MailKinds.Invitation)
            {
                update[nameof(AssessmentEntity.InvitationSentAt)] = now;
                changed = true;
            }
            var assessment = await tables.GetTableClient(StorageNames.AssessmentsTable).GetEntityIfExistsAsync<AssessmentEntity>(mail.StudyId, assessmentId,
                [nameof(AssessmentEntity.LastMailError)], ct).ConfigureAwait(false);
            // The last error was about this very mail, which has now gone: it no longer describes the assessment.
            if (assessment.HasValue && assessment.Value!.LastMailError?.StartsWith(mail.MailId + ":", StringComparison.Ordinal) == true)
            {
                update[nameof(AssessmentEntity.LastMailError)] = "";
                changed = true;
            }
            if (assessment.HasValue && changed) await MergeAsync(update, ct).ConfigureAwait(false);
        }
        await MailAudit.WriteAsync(tables, mail.StudyId, now, Actor, MailAudit.Sent, mail.MailId,
            $"{mail.Kind} sent in {mail.Language} after {row.Attempts} attempt(s)", ct).ConfigureAwait(false);
        log.LogInformation("Sent mail {MailId} ({Kind}, study {StudyId}, attempt {Attempt}).", mail.MailId, mail.Kind, mail.StudyId, row.Attempts);
    }

    /// <summary>Puts <paramref name="message"/> back on <c>outbox</c>, hidden for <paramref name="after"/>; false when storage would not take it (the caller then gives up as before).</summary>
    private async Task<bool> PutBackAsync(QueueMessageData message, TimeSpan after, CancellationToken ct)
    {
        try
        {
            await queues.GetQueueClient(StorageNames.OutboxQueue).SendMessageAsync(message.Text, visibilityTimeout: after, cancellationToken: ct).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (StorageUnavailable.Is(e))
        {
            log.LogWarning("A message could not be put back on the outbox for a later round (storage: {Storage}).", StorageUnavailable.Describe(e));
            return false;
        }
    }

    private async Task RecordFailureAsync(MailEntity row, OutboxMail mail, string reason, bool final, long dequeueCount, CancellationToken ct, TimeSpan? nextRound = null)
    {
        try
        {
            var now = clock.GetUtcNow();
            await WriteRowAsync(row, r =>
            {
                r.LastError = reason;
                r.ClaimedUntil = null;
                if (!final) return;
                r.State = MailEntity.States.Failed;
                r.FailedAt = now;
            }, ct).ConfigureAwait(false);
            if (mail.AssessmentId is { } assessmentId)
            {
                var update = new TableEntity(mail.StudyId, assessmentId) { [nameof(AssessmentEntity.LastMailError)] = $"{mail.MailId}: {reason}" };
                await MergeAsync(update, ct).ConfigureAwait(false);
            }
            if (final)
            {
                await MailAudit.WriteAsync(tables, mail.StudyId, now, Actor, MailAudit.Failed, mail.MailId,
                    $"{mail.Kind} failed after {row.Attempts} attempt(s): {reason}", ct).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (StorageUnavailable.Is(e))
        {
            // The failure stays unrecorded; the claim lapses by itself and the host retries the message.
            log.LogWarning("The failure of mail {MailId} could not be recorded (storage: {Storage}).", mail.MailId, StorageUnavailable.Describe(e));
        }
        if (nextRound is { } after)
            log.LogWarning("Mail {MailId} ({Kind}, study {StudyId}) not sent after {Attempts} attempt(s): {Reason}; put back on the outbox, tried again in {Minutes} minutes.",
                mail.MailId, mail.Kind, mail.StudyId, row.Attempts, reason, (int)after.TotalMinutes);
        else if (final)
            log.LogError("Mail {MailId} ({Kind}, study {StudyId}) failed for good after {Attempts} attempt(s): {Reason}.", mail.MailId, mail.Kind, mail.StudyId, row.Attempts, reason);
        else
            log.LogWarning("Mail {MailId} ({Kind}, study {StudyId}) not sent (delivery {DequeueCount} of {Max}): {Reason}; the host tries again.",
                mail.MailId, mail.Kind, mail.StudyId, dequeueCount, MaxDequeueCount, reason);
    }

    /// <summary>Applies <paramref name="change"/> to the claimed row under its ETag; if the claim was lost meanwhile, to the row as it now is (unless it is sent).</summary>
    private async Task WriteRowAsync(MailEntity row, Action<MailEntity> change, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            change(row);
            try
            {
                await Rows.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace, ct).ConfigureAwait(false);
                return;
            }
            catch (RequestFailedException e) when (e.Status == 412 && attempt < 5)
            {
                row = (await Rows.GetEntityAsync<MailEntity>(row.PartitionKey, row.RowKey, cancellationToken: ct).ConfigureAwait(false)).Value;
                if (row.State == MailEntity.States.Sent) return;
            }
        }
    }

    /// <summary>Merges columns of an assessment's invitation log (its own columns: no condition needed); a missing assessment is skipped.</summary>
    private async Task MergeAsync(TableEntity update, CancellationToken ct)
    {
        try
        {
            await tables.GetTableClient(StorageNames.AssessmentsTable).UpdateEntityAsync(update, ETag.All, TableUpdateMode.Merge, ct).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
        }
    }

    private async Task PoisonMalformedAsync(QueueMessageData message, string reason, CancellationToken ct)
    {
        if (!await poison.MoveAsync(StorageNames.OutboxQueue, message, reason, ct).ConfigureAwait(false)) return;
        // When the message still names its study and mail, their row records the reason too.
        if (MailKeys(message.Text) is not var (studyId, mailId)) return;
        var found = await Rows.GetEntityIfExistsAsync<MailEntity>(studyId, mailId, cancellationToken: ct).ConfigureAwait(false);
        if (!found.HasValue || found.Value!.State == MailEntity.States.Sent) return;
        var now = clock.GetUtcNow();
        await WriteRowAsync(found.Value, r =>
        {
            r.State = MailEntity.States.Failed;
            r.FailedAt = now;
            r.LastError = $"malformed message: {reason}";
        }, ct).ConfigureAwait(false);
        await MailAudit.WriteAsync(tables, studyId, now, Actor, MailAudit.Failed, mailId, $"malformed message moved to outbox-poison: {reason}", ct).ConfigureAwait(false);
    }

    private static (string StudyId, string MailId)? MailKeys(string text)
    {
        try
        {
            using var doc = JsonDocument.Parse(text);
            if (doc.RootElement.ValueKind == JsonValueKind.Object &&
                doc.RootElement.TryGetProperty("studyId", out var study) && study.ValueKind == JsonValueKind.String &&
                doc.RootElement.TryGetProperty("mailId", out var mail) && mail.ValueKind == JsonValueKind.String &&
                (StudyIds.IsValid(study.GetString()) || study.GetString() == StorageNames.SystemPartition) && MailIds.IsValid(mail.GetString()))
                return (study.GetString()!, mail.GetString()!);
        }
        catch (JsonException)
        {
        }
        return null;
    }
}
