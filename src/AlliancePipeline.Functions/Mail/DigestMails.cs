using AlliancePipeline.Core.Studies;

namespace AlliancePipeline.Functions.Mail;

/// <summary>A coordinator's weekly digest as a mail that always fits a queue message.</summary>
public static class DigestMails
{
    /// <summary>
    /// The digest's mail, listing as many of the overdue forms as fit a queue message
    /// (<see cref="OutboxMessage.MaxTextBytes"/>): all of them up to <see cref="MailTemplates.MaxDigestLines"/>, else half
    /// as many, and half again, until it fits (down to none). The mail counts the forms it does not list ("… and 640
    /// more"), and its dashboard link lists them all, so a large site's digest is never too large to queue.
    /// </summary>
    public static OutboxMail Fitting(MailTemplates templates, CoordinatorDigest digest, DigestModel model)
    {
        ArgumentNullException.ThrowIfNull(templates);
        ArgumentNullException.ThrowIfNull(digest);
        ArgumentNullException.ThrowIfNull(model);
        for (var listed = MailTemplates.MaxDigestLines; ; listed /= 2)
        {
            var mail = new OutboxMail(MailIds.Digest(digest), digest.StudyId, MailKinds.Digest, digest.Coordinator.Email, digest.Coordinator.Language,
                templates.Digest(model with { Listed = listed }, digest.Coordinator.Language));
            if (listed == 0 || OutboxMessage.Fits(mail)) return mail;
        }
    }
}
