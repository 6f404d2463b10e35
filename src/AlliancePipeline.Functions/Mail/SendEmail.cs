using AlliancePipeline.Contracts.Storage;
using AlliancePipeline.Functions.Scoring;
using Microsoft.Azure.Functions.Worker;

namespace AlliancePipeline.Functions.Mail;

/// <summary>Queue <c>outbox</c>: sends one mail through SMTP, once, however often it is delivered.</summary>
public sealed class SendEmail(MailSender sender)
{
    /// <summary>Hands the message to <see cref="MailSender"/>; a throw makes the host retry, then poison.</summary>
    [Function(nameof(SendEmail))]
    public Task Run(
        [QueueTrigger(StorageNames.OutboxQueue)] string message,
        string id,
        long dequeueCount,
        CancellationToken cancellationToken) =>
        sender.SendAsync(new QueueMessageData(message, id, dequeueCount), cancellationToken);
}
