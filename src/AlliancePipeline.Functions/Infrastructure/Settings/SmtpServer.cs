using System.Globalization;
using System.Net;
using MimeKit;

namespace AlliancePipeline.Functions.Infrastructure.Settings;

/// <summary>How the SMTP connection is protected.</summary>
public enum SmtpSecurity
{
    /// <summary>Plain SMTP: only to a loopback host (MailDev locally).</summary>
    None,
    /// <summary>Plain connection upgraded with STARTTLS, which the server must offer (port 587).</summary>
    StartTls,
    /// <summary>TLS from the first byte (implicit TLS, port 465).</summary>
    Tls,
}

/// <summary>
/// The SMTP server mail is sent through, made from <see cref="SmtpOptions"/> (<c>AlliancePipeline__Smtp__*</c>, checked at
/// start by <see cref="SmtpOptionsValidator"/>) and registered once. <see cref="ToString"/> never shows the password.
/// </summary>
/// <param name="Host">Host name or IP address.</param>
/// <param name="Port">TCP port.</param>
/// <param name="Security">How the connection is protected.</param>
/// <param name="From">The sender (address and display name).</param>
/// <param name="User">The login, or null for a server that needs none.</param>
/// <param name="Password">The password of <paramref name="User"/>, or null.</param>
public sealed record SmtpServer(string Host, int Port, SmtpSecurity Security, MailboxAddress From, string? User, string? Password)
{
    /// <summary>The port a security mode usually listens on: 25, 587 or 465.</summary>
    public static int DefaultPort(SmtpSecurity security) => security switch
    {
        SmtpSecurity.None => 25,
        SmtpSecurity.Tls => 465,
        _ => 587,
    };

    /// <summary>Parses <c>none</c>, <c>starttls</c> or <c>tls</c> (any case).</summary>
    public static bool TryParseSecurity(string text, out SmtpSecurity security)
    {
        switch (text.Trim().ToLowerInvariant())
        {
            case "none":
                security = SmtpSecurity.None;
                return true;
            case "starttls":
                security = SmtpSecurity.StartTls;
                return true;
            case "tls":
                security = SmtpSecurity.Tls;
                return true;
            default:
                security = SmtpSecurity.StartTls;
                return false;
        }
    }

    /// <summary>Whether <paramref name="host"/> is this machine (<c>localhost</c> or a loopback address).</summary>
    public static bool IsLoopback(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase) ||
        (IPAddress.TryParse(host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));

    /// <summary>One mailbox with an optional display name (<c>Name &lt;a@b.org&gt;</c> or <c>a@b.org</c>), or null.</summary>
    public static MailboxAddress? ParseSender(string text) =>
        MailboxAddress.TryParse(text, out var mailbox) && mailbox.Address.Contains('@', StringComparison.Ordinal) && mailbox.Domain.Length > 0
            ? mailbox
            : null;

    /// <summary>The server without the password.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"SMTP {Host}:{Port} ({Security.ToString().ToLowerInvariant()}{(User is null ? "" : ", with a login")}), from {From.Address}");
}
