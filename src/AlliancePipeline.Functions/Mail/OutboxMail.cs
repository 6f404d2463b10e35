using System.Collections.Immutable;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using AlliancePipeline.Contracts.Storage;
using AlliancePipeline.Core.Studies;

namespace AlliancePipeline.Functions.Mail;

/// <summary>What a mail says: its subject, a plain-text part and an HTML part, in the recipient's language.</summary>
/// <param name="Subject">One line.</param>
/// <param name="Text">The plain-text part.</param>
/// <param name="Html">The HTML part (a whole document).</param>
public sealed record MailContent(string Subject, string Text, string Html);

/// <summary>The kinds of mail, as <see cref="MailEntity.Kind"/> and the queue message name them.</summary>
public static class MailKinds
{
    /// <summary>A rater's invitation to one assessment, with its questionnaire link.</summary>
    public const string Invitation = "invitation";
    /// <summary>A reminder of an unanswered assessment.</summary>
    public const string Reminder = "reminder";
    /// <summary>A coordinator's weekly digest of their site's overdue assessments.</summary>
    public const string Digest = "digest";
    /// <summary>A rupture alert to a coordinator (or the rater).</summary>
    public const string Alert = "alert";
    /// <summary>A study report to a researcher.</summary>
    public const string Report = "report";
    /// <summary>An access key handed out by mail (templates come with the access keys).</summary>
    public const string Key = "key";

    /// <summary>Every kind.</summary>
    public static readonly ImmutableArray<string> All = [Invitation, Reminder, Digest, Alert, Report, Key];
}

/// <summary>
/// One mail to put on <c>outbox</c> (<see cref="Outbox.QueueAsync"/>): one recipient, its content already rendered
/// (<see cref="MailTemplates"/>), and the keys that make it idempotent. <see cref="MailId"/> is deterministic
/// (<see cref="MailIds"/>): the same mail always gets the same id, so it is queued once and sent once.
/// </summary>
/// <param name="MailId">The mail's id, unique within <paramref name="StudyId"/>: lower-case letters, digits, '.', '_', '-' (see <see cref="MailIds"/>).</param>
/// <param name="StudyId">The study (the <c>Mail</c> and <c>Audit</c> partition), or <see cref="StorageNames.SystemPartition"/>.</param>
/// <param name="Kind">One of <see cref="MailKinds"/>.</param>
/// <param name="To">The recipient's address (one address, no display name needed).</param>
/// <param name="Language">The language the content is in (BCP 47), sent as <c>Content-Language</c>.</param>
/// <param name="Content">Subject, text and HTML.</param>
public sealed record OutboxMail(string MailId, string StudyId, string Kind, string To, string Language, MailContent Content)
{
    /// <summary>The assessment the mail is about (invitations, reminders, alerts): its invitation log is kept up to date.</summary>
    public string? AssessmentId { get; init; }

    /// <summary>
    /// The pause link of the assessment (invitations and reminders): sent as <c>List-Unsubscribe</c> (with one-click
    /// <c>List-Unsubscribe-Post</c>), so a mail client's "unsubscribe" pauses the reminders.
    /// </summary>
    public Uri? PauseLink { get; init; }

    /// <summary>
    /// Blobs of the <c>reports</c> container to attach, by name (e.g. <c>{studyId}/{runId}/report.html</c>): read when
    /// the mail is sent, never carried in the queue message (at most 64 KiB).
    /// </summary>
    public ImmutableArray<string> Attachments { get; init; } = [];
}

/// <summary>
/// The deterministic mail ids: the same mail always gets the same id, so queueing it again is noticed
/// (<see cref="Outbox.QueueAsync"/> returns false) and sending it again is not done (<see cref="MailSender"/>).
/// Ids are table row keys and part of the <c>Message-Id</c> header; addresses appear only hashed.
/// </summary>
public static partial class MailIds
{
    [GeneratedRegex(@"^[a-z0-9][a-z0-9._-]{0,199}\z")]
    private static partial Regex Pattern();

    /// <summary>Whether <paramref name="mailId"/> can be a mail id (lower-case letters, digits, '.', '_', '-'; at most 200).</summary>
    public static bool IsValid(string? mailId) => mailId is not null && Pattern().IsMatch(mailId);

    /// <summary><c>invitation-{assessmentId}-v{linkVersion}</c>: one invitation per link version (a reissued link is invited again).</summary>
    public static string Invitation(string assessmentId, int linkVersion) =>
        string.Create(CultureInfo.InvariantCulture, $"invitation-{assessmentId}-v{linkVersion}");

    /// <summary>
    /// <c>reminder-{assessmentId}-v{linkVersion}-{number}</c>: reminder <paramref name="number"/> (1-based) of one link
    /// version (reissuing a link may start its reminders again).
    /// </summary>
    public static string Reminder(string assessmentId, int linkVersion, int number) =>
        string.Create(CultureInfo.InvariantCulture, $"reminder-{assessmentId}-v{linkVersion}-{number}");

    /// <summary><c>digest-{digest.Key}</c>, e.g. <c>digest-2026-w13-site-a-5f2c0e9b7a41</c>: one per coordinator, site and ISO week.</summary>
    public static string Digest(CoordinatorDigest digest)
    {
        ArgumentNullException.ThrowIfNull(digest);
        return $"digest-{digest.Key}";
    }

    /// <summary><c>alert-{assessmentId}-{recipient hash}</c>: one alert per response and recipient (coordinators, the rater).</summary>
    public static string Alert(string assessmentId, string recipient) => $"alert-{assessmentId}-{RecipientKey(recipient)}";

    /// <summary><c>report-{runId}-{recipient hash}</c> (run id lower-cased): one report mail per run and recipient.</summary>
    public static string Report(string runId, string recipient) => $"report-{runId.ToLowerInvariant()}-{RecipientKey(recipient)}";

    /// <summary>12 hex digits of the SHA-256 of the lower-cased address, as <see cref="CoordinatorDigest.Key"/> hashes it.</summary>
    public static string RecipientKey(string address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(address.ToLowerInvariant())))[..12];
    }
}
