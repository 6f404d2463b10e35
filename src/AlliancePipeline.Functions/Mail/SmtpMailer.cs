using System.Globalization;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using AlliancePipeline.Functions.Infrastructure.Settings;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace AlliancePipeline.Functions.Mail;

/// <summary>A file attached to a mail (read from the <c>reports</c> container when the mail is sent).</summary>
/// <param name="FileName">The name the recipient sees.</param>
/// <param name="ContentType">Its media type, e.g. <c>text/html</c>.</param>
/// <param name="Content">Its bytes.</param>
public sealed record MailAttachment(string FileName, string ContentType, BinaryData Content);

/// <summary>Hands one mail to a mail server.</summary>
public interface IMailer
{
    /// <summary>
    /// Sends <paramref name="mail"/> with <paramref name="attachments"/>; returns when the server accepted it.
    /// </summary>
    /// <exception cref="MailDeliveryException">The server could not be reached or refused the mail (the reason holds no password, body or address).</exception>
    Task SendAsync(OutboxMail mail, IReadOnlyList<MailAttachment> attachments, CancellationToken ct);
}

/// <summary>A mail was not accepted; <see cref="Reason"/> says why in words safe to store and log.</summary>
public sealed class MailDeliveryException(string reason, bool permanent, Exception? inner = null) : Exception(reason, inner)
{
    /// <summary>Why, without password, body or address.</summary>
    public string Reason { get; } = reason;

    /// <summary>Whether trying again cannot help (the server refused the recipient or the message with a 5xx).</summary>
    public bool Permanent { get; } = permanent;
}

/// <summary>
/// Sends mail through SMTP with MailKit (<see cref="SmtpServer"/>: MailDev locally, TLS in Azure), one connection per
/// mail. The message (<see cref="Build"/>) is multipart/alternative (plain text and HTML, then any attachments in
/// multipart/mixed), with a <c>Message-Id</c> made from the mail id so a receiving server can drop a duplicate,
/// <c>Auto-Submitted: auto-generated</c> (no out-of-office answers), <c>Content-Language</c>, and, with a pause link,
/// <c>List-Unsubscribe</c> and one-click <c>List-Unsubscribe-Post</c> (RFC 8058) pointing at it.
/// </summary>
public sealed partial class SmtpMailer(SmtpServer server) : IMailer
{
    /// <summary>How long one SMTP operation (connect, login, send) may take.</summary>
    public static readonly TimeSpan OperationTimeout = TimeSpan.FromSeconds(30);

    /// <inheritdoc />
    public async Task SendAsync(OutboxMail mail, IReadOnlyList<MailAttachment> attachments, CancellationToken ct)
    {
        using var message = Build(mail, attachments, server.From);
        using var client = new SmtpClient { Timeout = (int)OperationTimeout.TotalMilliseconds };
        try
        {
            var socket = server.Security switch
            {
                SmtpSecurity.None => SecureSocketOptions.None,
                SmtpSecurity.Tls => SecureSocketOptions.SslOnConnect,
                _ => SecureSocketOptions.StartTls,
            };
            await client.ConnectAsync(server.Host, server.Port, socket, ct).ConfigureAwait(false);
            if (server.User is not null)
                await client.AuthenticateAsync(server.User, server.Password ?? "", ct).ConfigureAwait(false);
            await client.SendAsync(message, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (!(e is OperationCanceledException && ct.IsCancellationRequested) && Describe(e, $"{server.Host}:{server.Port}") is { } failure)
        {
            // The server's own words (SMTP replies) can quote the recipient: they stay out of the exception the host logs.
            throw new MailDeliveryException(failure.Reason, failure.Permanent, e is SocketException or SslHandshakeException or TimeoutException or IOException ? e : null);
        }
        try
        {
            await client.DisconnectAsync(true, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException or ProtocolException or CommandException or OperationCanceledException)
        {
            // The server accepted the mail: a failed goodbye must not make it look unsent (it would be sent twice).
        }
    }

    /// <summary>The MIME message of <paramref name="mail"/> from <paramref name="from"/>.</summary>
    public static MimeMessage Build(OutboxMail mail, IReadOnlyList<MailAttachment> attachments, MailboxAddress from)
    {
        ArgumentNullException.ThrowIfNull(mail);
        ArgumentNullException.ThrowIfNull(attachments);
        ArgumentNullException.ThrowIfNull(from);
        var message = new MimeMessage();
        message.From.Add(from);
        message.To.Add(new MailboxAddress("", mail.To));
        message.Subject = mail.Content.Subject;
        message.MessageId = MessageId(mail, from);
        message.Headers.Add("Auto-Submitted", "auto-generated");
        message.Headers.Add("X-Auto-Response-Suppress", "All");
        message.Headers.Add(HeaderId.ContentLanguage, mail.Language);
        if (mail.PauseLink is { } pause)
        {
            message.Headers.Add(HeaderId.ListUnsubscribe, $"<{pause.AbsoluteUri}>");
            message.Headers.Add("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
        }
        var body = new BodyBuilder { TextBody = mail.Content.Text, HtmlBody = mail.Content.Html };
        foreach (var attachment in attachments)
            body.Attachments.Add(attachment.FileName, attachment.Content.ToArray(), ContentType.Parse(attachment.ContentType));
        message.Body = body.ToMessageBody();
        return message;
    }

    /// <summary>
    /// <c>{mailId}.{studyId}@{sender's domain}</c>: the same for every attempt at the same mail (mail ids are unique
    /// within a study), so a server that got it twice can tell.
    /// </summary>
    public static string MessageId(OutboxMail mail, MailboxAddress from)
    {
        ArgumentNullException.ThrowIfNull(mail);
        ArgumentNullException.ThrowIfNull(from);
        return $"{mail.MailId}.{mail.StudyId}@{from.Domain}";
    }

    /// <summary>
    /// A failure in words without secrets or addresses, and whether it is permanent: a 5xx refusal of the recipient or
    /// of the message is; a refused sender or login, an unreachable server, TLS and protocol errors are not (they are
    /// the server's or the settings' and may be mended). Null for exceptions that are not about delivery.
    /// </summary>
    public static (string Reason, bool Permanent)? Describe(Exception e, string server)
    {
        ArgumentNullException.ThrowIfNull(e);
        return e switch
        {
            SmtpCommandException c when c.ErrorCode == SmtpErrorCode.RecipientNotAccepted =>
                ($"the SMTP server refused the recipient ({Code(c)}: {Redact(c.Message)})", (int)c.StatusCode >= 500),
            SmtpCommandException c when c.ErrorCode == SmtpErrorCode.MessageNotAccepted =>
                ($"the SMTP server refused the message ({Code(c)}: {Redact(c.Message)})", (int)c.StatusCode >= 500),
            SmtpCommandException c when c.ErrorCode == SmtpErrorCode.SenderNotAccepted =>
                ($"the SMTP server refused the sender ({Code(c)}: {Redact(c.Message)}); check AlliancePipeline__Smtp__From", false),
            SmtpCommandException c => ($"the SMTP server answered {Code(c)}: {Redact(c.Message)}", false),
            AuthenticationException => ($"the SMTP server {server} refused the login; check AlliancePipeline__Smtp__User and __Password", false),
            SslHandshakeException => ($"the TLS handshake with the SMTP server {server} failed; check AlliancePipeline__Smtp__Security and __Port", false),
            SmtpProtocolException p => ($"the SMTP conversation with {server} failed: {Redact(p.Message)}", false),
            NotSupportedException n => ($"the SMTP server {server} does not support what the settings ask: {Redact(n.Message)}", false),
            SocketException s => ($"could not connect to the SMTP server {server} ({s.SocketErrorCode})", false),
            TimeoutException or OperationCanceledException => ($"the SMTP server {server} did not answer within {OperationTimeout.TotalSeconds:0} s", false),
            IOException io => ($"the connection to the SMTP server {server} failed: {Redact(io.Message)}", false),
            _ => null,
        };
    }

    private static string Code(SmtpCommandException c) => ((int)c.StatusCode).ToString(CultureInfo.InvariantCulture);

    [GeneratedRegex(@"[^\s<>""'(),;:]+@[^\s<>""'(),;:]+")]
    private static partial Regex Address();

    /// <summary>The text with every email address replaced by <c>&lt;address&gt;</c> (server answers often quote the recipient).</summary>
    public static string Redact(string text) => Address().Replace(text ?? "", "<address>").Trim();
}
