using AlliancePipeline.Contracts.Storage;
using Azure.Data.Tables;

namespace AlliancePipeline.Functions.Mail;

/// <summary>
/// Writes the mail machinery's <c>Audit</c> rows (no addresses, no bodies: ids, kinds and reasons only), through
/// <see cref="AuditTrail"/> (Contracts: the one writer of <c>Audit</c> rows).
/// </summary>
internal static class MailAudit
{
    /// <summary>Actions written here.</summary>
    public const string Queued = "mail.queued";
    public const string Sent = "mail.sent";
    public const string Failed = "mail.failed";
    public const string RemindersPaused = "reminders.paused";

    /// <summary>Adds one row to the partition of <paramref name="studyId"/>.</summary>
    public static Task WriteAsync(TableServiceClient tables, string studyId, DateTimeOffset at, string actor, string action, string subject, string details, CancellationToken ct) =>
        AuditTrail.WriteAsync(tables.GetTableClient(StorageNames.AuditTable), studyId, actor, action, subject, details, at, ct);
}
