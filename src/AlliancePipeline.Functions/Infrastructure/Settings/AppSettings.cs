using System.Globalization;
using AlliancePipeline.Core.Links;

namespace AlliancePipeline.Functions.Infrastructure.Settings;

/// <summary>
/// Every setting the app reads, checked together at start: <see cref="Read"/> names each one that is missing or wrong,
/// and <c>Program</c> exits with code 2. In Azure they are app settings (environment variables; <c>__</c> separates
/// sections); locally they come from <c>local.settings.json</c>, which the host (func start, or our local host) passes to
/// the worker as environment variables.
/// </summary>
public sealed record AppSettings
{
    /// <summary>The storage connection setting (as the Functions host names it; see <see cref="StorageConnectionSetting"/>).</summary>
    public const string StorageKey = StorageConnectionSetting.Name;
    /// <summary>The link signing keys: <c>id=BASE64;id2=BASE64</c>, each at least 32 bytes (Core's <see cref="LinkSigningKeys"/>).</summary>
    public const string SigningKeysKey = LinkSigningKeys.KeysSetting;
    /// <summary>The id of the key that signs new links.</summary>
    public const string CurrentSigningKeyIdKey = LinkSigningKeys.CurrentKeyIdSetting;
    /// <summary>How long an issued link stays valid (TimeSpan, e.g. <c>30.00:00:00</c>).</summary>
    public const string LinkLifetimeKey = "AlliancePipeline:Links:Lifetime";
    /// <summary>The app's public address, which links in emails start with (e.g. <c>https://alliance.example.org</c>).</summary>
    public const string PublicBaseUrlKey = "AlliancePipeline:PublicBaseUrl";
    /// <summary>The host name Azure sets for a Function App; the public address when <see cref="PublicBaseUrlKey"/> is not set.</summary>
    public const string WebsiteHostNameKey = "WEBSITE_HOSTNAME";
    /// <summary>Whether the app creates its tables, queues and container at start.</summary>
    public const string CreateResourcesKey = "AlliancePipeline:Storage:CreateResources";
    /// <summary>Whether an admin may move the app's clock (local demos and trials only; never in Azure).</summary>
    public const string ClockAdjustableKey = "AlliancePipeline:Clock:Adjustable";
    /// <summary>The SMTP server's host name (locally MailDev: <c>127.0.0.1</c>).</summary>
    public const string SmtpHostKey = "AlliancePipeline:Smtp:Host";
    /// <summary>The SMTP server's port (default: 25 for <c>none</c>, 587 for <c>starttls</c>, 465 for <c>tls</c>).</summary>
    public const string SmtpPortKey = "AlliancePipeline:Smtp:Port";
    /// <summary>The SMTP user name, if the server asks for one.</summary>
    public const string SmtpUserKey = "AlliancePipeline:Smtp:User";
    /// <summary>The SMTP password (with <see cref="SmtpUserKey"/>); never logged.</summary>
    public const string SmtpPasswordKey = "AlliancePipeline:Smtp:Password";
    /// <summary>The sender: an address with an optional display name, e.g. <c>Alliance Pipeline &lt;noreply@example.org&gt;</c>.</summary>
    public const string SmtpFromKey = "AlliancePipeline:Smtp:From";
    /// <summary>How the connection is protected: <c>none</c> (loopback hosts only), <c>starttls</c> (default) or <c>tls</c>.</summary>
    public const string SmtpSecurityKey = "AlliancePipeline:Smtp:Security";

    /// <summary>The storage account: a connection string, or an identity-based connection (managed identity).</summary>
    public required StorageConnection Storage { get; init; }
    /// <summary>The link signing keys.</summary>
    public required LinkSigningKeys SigningKeys { get; init; }
    /// <summary>The app's public address, without a trailing slash.</summary>
    public required Uri PublicBaseUrl { get; init; }
    /// <summary>How long an issued link stays valid.</summary>
    public TimeSpan LinkLifetime { get; init; } = TimeSpan.FromDays(30);
    /// <summary>Whether to create tables, queues and the container at start.</summary>
    public bool CreateResources { get; init; }
    /// <summary>Whether the clock can be moved (local only).</summary>
    public bool ClockAdjustable { get; init; }
    /// <summary>The SMTP server mail is sent through.</summary>
    public required SmtpOptions Smtp { get; init; }

    /// <summary>Reads and checks every setting; throws <see cref="InvalidSettingsException"/> naming each problem.</summary>
    public static AppSettings Read(IConfiguration configuration)
    {
        var errors = new List<string>();
        var storage = StorageConnectionSetting.Read(configuration, errors);

        LinkSigningKeys? keys = null;
        var keysText = configuration[SigningKeysKey];
        var currentKeyId = configuration[CurrentSigningKeyIdKey];
        if (string.IsNullOrWhiteSpace(keysText))
            errors.Add($"{Env(SigningKeysKey)} is missing: link signing keys as id=BASE64 (at least 32 random bytes each), separated by ';'.");
        if (string.IsNullOrWhiteSpace(currentKeyId))
            errors.Add($"{Env(CurrentSigningKeyIdKey)} is missing: the id of the key in {Env(SigningKeysKey)} that signs new links.");
        if (!string.IsNullOrWhiteSpace(keysText) && !string.IsNullOrWhiteSpace(currentKeyId))
        {
            try
            {
                keys = LinkSigningKeys.FromSettings(keysText, currentKeyId);
            }
            catch (FormatException e)
            {
                errors.Add(e.Message.Replace(SigningKeysKey, Env(SigningKeysKey), StringComparison.Ordinal).Replace(CurrentSigningKeyIdKey, Env(CurrentSigningKeyIdKey), StringComparison.Ordinal));
            }
        }

        var lifetime = ReadTimeSpan(configuration, LinkLifetimeKey, TimeSpan.FromDays(30), errors);
        var create = ReadBool(configuration, CreateResourcesKey, false, errors);
        var baseUrl = ReadBaseUrl(configuration, errors);
        var adjustable = ReadBool(configuration, ClockAdjustableKey, false, errors);
        var smtp = ReadSmtp(configuration, errors);
        if (errors.Count > 0) throw new InvalidSettingsException(errors);
        return new AppSettings
        {
            Storage = storage!,
            SigningKeys = keys!,
            PublicBaseUrl = baseUrl!,
            LinkLifetime = lifetime,
            CreateResources = create,
            Smtp = smtp!,
            ClockAdjustable = adjustable,
        };
    }

    /// <summary>The environment-variable spelling of a configuration key (<c>:</c> becomes <c>__</c>).</summary>
    public static string Env(string key) => key.Replace(":", "__", StringComparison.Ordinal);

    private static Uri? ReadBaseUrl(IConfiguration c, List<string> errors)
    {
        var text = c[PublicBaseUrlKey];
        if (string.IsNullOrWhiteSpace(text))
        {
            if (c[WebsiteHostNameKey] is { Length: > 0 } host) return new Uri($"https://{host}");
            errors.Add($"{Env(PublicBaseUrlKey)} is missing: the app's public address, which links in emails start with (e.g. https://alliance.example.org; locally http://localhost:7071).");
            return null;
        }
        if (Uri.TryCreate(text.TrimEnd('/'), UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp) && uri.Query.Length == 0)
            return uri;
        errors.Add($"{Env(PublicBaseUrlKey)} is '{text}': expected an absolute http(s) address without a query, such as https://alliance.example.org.");
        return null;
    }

    private static SmtpOptions? ReadSmtp(IConfiguration c, List<string> errors)
    {
        var problems = errors.Count;
        var host = c[SmtpHostKey]?.Trim();
        if (string.IsNullOrEmpty(host))
            errors.Add($"{Env(SmtpHostKey)} is missing: the SMTP server's host name (locally MailDev: 127.0.0.1).");
        else if (Uri.CheckHostName(host) == UriHostNameType.Unknown)
            errors.Add($"{Env(SmtpHostKey)} is '{host}': expected a host name or an IP address, such as smtp.example.org.");

        var securityText = c[SmtpSecurityKey]?.Trim();
        var security = SmtpSecurity.StartTls;
        if (!string.IsNullOrEmpty(securityText) && !SmtpOptions.TryParseSecurity(securityText, out security))
            errors.Add($"{Env(SmtpSecurityKey)} is '{securityText}': expected none, starttls or tls.");
        else if (security == SmtpSecurity.None && !string.IsNullOrEmpty(host) && !SmtpOptions.IsLoopback(host))
            errors.Add($"{Env(SmtpSecurityKey)} is 'none' for host '{host}': unencrypted SMTP is only allowed to a loopback host (localhost, 127.0.0.1, ::1); use starttls or tls.");

        var port = ReadInt(c, SmtpPortKey, SmtpOptions.DefaultPort(security), 1, 65535, errors);

        var user = c[SmtpUserKey];
        var password = c[SmtpPasswordKey];
        var hasUser = !string.IsNullOrWhiteSpace(user);
        var hasPassword = !string.IsNullOrEmpty(password);
        if (hasPassword && !hasUser)
            errors.Add($"{Env(SmtpPasswordKey)} is set but {Env(SmtpUserKey)} is not: give both, or neither for a server that needs no login.");
        else if (hasUser && !hasPassword)
            errors.Add($"{Env(SmtpUserKey)} is set but {Env(SmtpPasswordKey)} is not: give both, or neither for a server that needs no login.");

        var fromText = c[SmtpFromKey]?.Trim();
        MimeKit.MailboxAddress? from = null;
        if (string.IsNullOrEmpty(fromText))
            errors.Add($"{Env(SmtpFromKey)} is missing: the sender, an address with an optional display name, such as Alliance Pipeline <noreply@example.org>.");
        else if ((from = SmtpOptions.ParseSender(fromText)) is null)
            errors.Add($"{Env(SmtpFromKey)} is '{fromText}': expected one address with an optional display name, such as Alliance Pipeline <noreply@example.org>.");

        if (errors.Count > problems) return null;
        return new SmtpOptions(host!, port, security, from!, hasUser ? user!.Trim() : null, hasPassword ? password : null);
    }

    private static int ReadInt(IConfiguration c, string key, int fallback, int min, int max, List<string> errors)
    {
        var text = c[key];
        if (string.IsNullOrWhiteSpace(text)) return fallback;
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            errors.Add($"{Env(key)} is '{text}': expected an integer from {min} to {max}.");
            return fallback;
        }
        return value;
    }

    private static bool ReadBool(IConfiguration c, string key, bool fallback, List<string> errors)
    {
        var text = c[key];
        if (string.IsNullOrWhiteSpace(text)) return fallback;
        if (bool.TryParse(text, out var value)) return value;
        errors.Add($"{Env(key)} is '{text}': expected true or false.");
        return fallback;
    }

    private static TimeSpan ReadTimeSpan(IConfiguration c, string key, TimeSpan fallback, List<string> errors)
    {
        var text = c[key];
        if (string.IsNullOrWhiteSpace(text)) return fallback;
        if (TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var value) && value > TimeSpan.Zero) return value;
        errors.Add($"{Env(key)} is '{text}': expected a positive time span such as 00:10:00.");
        return fallback;
    }
}

/// <summary>One or more settings are missing or wrong; the message names each.</summary>
public sealed class InvalidSettingsException(IReadOnlyList<string> problems)
    : Exception("The app's settings are incomplete or wrong:" + Environment.NewLine + string.Join(Environment.NewLine, problems.Select(p => " - " + p)))
{
    /// <summary>Each problem, one per setting.</summary>
    public IReadOnlyList<string> Problems { get; } = problems;
}
