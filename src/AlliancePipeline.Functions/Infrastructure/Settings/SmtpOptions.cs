using System.Globalization;

namespace AlliancePipeline.Functions.Infrastructure.Settings;

/// <summary>
/// The SMTP server mail goes through (<c>AlliancePipeline:Smtp</c>), as configured; checked at start by
/// <see cref="SmtpOptionsValidator"/>. The mailer takes the <see cref="SmtpServer"/> made from it (<see cref="ToServer"/>).
/// </summary>
public sealed class SmtpOptions
{
    /// <summary>The section.</summary>
    public const string Section = "AlliancePipeline:Smtp";

    /// <summary>Host name or IP address (required; locally MailDev: <c>127.0.0.1</c>).</summary>
    public string? Host { get; set; }

    /// <summary>Port, 1 to 65535; unset: 25 (<c>none</c>), 587 (<c>starttls</c>) or 465 (<c>tls</c>).</summary>
    public string? Port { get; set; }

    /// <summary><c>none</c> (loopback hosts only), <c>starttls</c> (unset) or <c>tls</c>, any case.</summary>
    public string? Security { get; set; }

    /// <summary>The login, with <see cref="Password"/>; both or neither.</summary>
    public string? User { get; set; }

    /// <summary>The password of <see cref="User"/> (in Azure a Key Vault reference); never logged or shown.</summary>
    public string? Password { get; set; }

    /// <summary>The sender: an address with an optional display name, such as <c>Alliance Pipeline &lt;noreply@example.org&gt;</c> (required).</summary>
    public string? From { get; set; }

    /// <summary>How the connection is protected: <see cref="SmtpSecurity.StartTls"/> when unset.</summary>
    internal SmtpSecurity ParsedSecurity(out bool understood)
    {
        var text = Security?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            understood = true;
            return SmtpSecurity.StartTls;
        }
        understood = SmtpServer.TryParseSecurity(text, out var security);
        return security;
    }

    internal bool HasUser => !string.IsNullOrWhiteSpace(User);

    internal bool HasPassword => !string.IsNullOrEmpty(Password);

    /// <summary>The server these options describe (once validated).</summary>
    public SmtpServer ToServer()
    {
        var security = ParsedSecurity(out _);
        var port = string.IsNullOrWhiteSpace(Port) ? SmtpServer.DefaultPort(security) : int.Parse(Port, NumberStyles.Integer, CultureInfo.InvariantCulture);
        var from = SmtpServer.ParseSender(From?.Trim() ?? "") ?? throw new InvalidOperationException($"{SettingNames.Env(SettingNames.SmtpFromKey)} was not validated.");
        return new SmtpServer(Host?.Trim() ?? "", port, security, from, HasUser ? User!.Trim() : null, HasPassword ? Password : null);
    }
}

/// <summary>
/// Names each SMTP setting that is missing or wrong: the host, the security mode (and <c>none</c> for a host that is not
/// this machine), the port, a login without its password or the reverse, the sender. Never the password itself.
/// </summary>
public sealed class SmtpOptionsValidator : SettingsValidator<SmtpOptions>
{
    /// <inheritdoc />
    protected override void Check(SmtpOptions options, List<string> problems)
    {
        var host = options.Host?.Trim();
        if (string.IsNullOrEmpty(host))
            problems.Add($"{SettingNames.Env(SettingNames.SmtpHostKey)} is missing: the SMTP server's host name (locally MailDev: 127.0.0.1).");
        else if (Uri.CheckHostName(host) == UriHostNameType.Unknown)
            problems.Add($"{SettingNames.Env(SettingNames.SmtpHostKey)} is '{host}': expected a host name or an IP address, such as smtp.example.org.");

        var security = options.ParsedSecurity(out var understood);
        if (!understood)
            problems.Add($"{SettingNames.Env(SettingNames.SmtpSecurityKey)} is '{options.Security?.Trim()}': expected none, starttls or tls.");
        else if (security == SmtpSecurity.None && !string.IsNullOrEmpty(host) && !SmtpServer.IsLoopback(host))
            problems.Add($"{SettingNames.Env(SettingNames.SmtpSecurityKey)} is 'none' for host '{host}': unencrypted SMTP is only allowed to a loopback host (localhost, 127.0.0.1, ::1); use starttls or tls.");

        CheckInteger(SettingNames.SmtpPortKey, options.Port, 1, 65535, problems);

        var login = "give both, or neither for a server that needs no login.";
        if (options.HasPassword && !options.HasUser)
            problems.Add($"{SettingNames.Env(SettingNames.SmtpPasswordKey)} is set but {SettingNames.Env(SettingNames.SmtpUserKey)} is not: {login}");
        else if (options.HasUser && !options.HasPassword)
            problems.Add($"{SettingNames.Env(SettingNames.SmtpUserKey)} is set but {SettingNames.Env(SettingNames.SmtpPasswordKey)} is not: {login}");

        var from = options.From?.Trim();
        if (string.IsNullOrEmpty(from))
            problems.Add($"{SettingNames.Env(SettingNames.SmtpFromKey)} is missing: the sender, an address with an optional display name, such as Alliance Pipeline <noreply@example.org>.");
        else if (SmtpServer.ParseSender(from) is null)
            problems.Add($"{SettingNames.Env(SettingNames.SmtpFromKey)} is '{from}': expected one address with an optional display name, such as Alliance Pipeline <noreply@example.org>.");
    }
}
