using AlliancePipeline.Core.Links;

namespace AlliancePipeline.Functions.Infrastructure.Settings;

/// <summary>
/// The name of every setting the app reads, as configuration keys (<c>:</c> between sections). In Azure they are app
/// settings (environment variables, where <c>__</c> separates sections: <see cref="Env"/>); locally they come from
/// <c>local.settings.json</c>, which the host (func start, or our local host) passes to the worker as environment
/// variables. Each section is bound to its options class and checked at start (<see cref="SettingsRegistration"/>).
/// </summary>
public static class SettingNames
{
    /// <summary>The storage connection setting (as the Functions host names it; see <see cref="StorageConnectionOptions"/>).</summary>
    public const string StorageKey = StorageConnectionOptions.Section;
    /// <summary>The link signing keys: <c>id=BASE64;id2=BASE64</c>, each at least 32 bytes (Core's <see cref="LinkSigningKeys"/>).</summary>
    public const string SigningKeysKey = LinkSigningKeys.KeysSetting;
    /// <summary>The id of the key that signs new links.</summary>
    public const string CurrentSigningKeyIdKey = LinkSigningKeys.CurrentKeyIdSetting;
    /// <summary>How long an issued link stays valid (TimeSpan, e.g. <c>30.00:00:00</c>).</summary>
    public const string LinkLifetimeKey = LinkOptions.Section + ":" + nameof(LinkOptions.Lifetime);
    /// <summary>The app's public address, which links in emails start with (e.g. <c>https://alliance.example.org</c>).</summary>
    public const string PublicBaseUrlKey = PublicAddressOptions.Section + ":" + nameof(PublicAddressOptions.PublicBaseUrl);
    /// <summary>The host name Azure sets for a Function App; the public address when <see cref="PublicBaseUrlKey"/> is not set.</summary>
    public const string WebsiteHostNameKey = PublicAddressOptions.WebsiteHostNameSetting;
    /// <summary>Whether the app creates its tables, queues and container at start.</summary>
    public const string CreateResourcesKey = StorageCreationOptions.Section + ":" + nameof(StorageCreationOptions.CreateResources);
    /// <summary>Whether an admin may move the app's clock (local demos and trials only; never in Azure).</summary>
    public const string ClockAdjustableKey = ClockOptions.Section + ":" + nameof(ClockOptions.Adjustable);
    /// <summary>How many seconds a <c>Reminders</c> run decides forms before it hands the rest to a continuation (0 to 600; default 20).</summary>
    public const string ReminderRunSecondsKey = ReminderRunOptions.Section + ":" + nameof(ReminderRunOptions.RunSeconds);
    /// <summary>The SMTP server's host name (locally MailDev: <c>127.0.0.1</c>).</summary>
    public const string SmtpHostKey = SmtpOptions.Section + ":" + nameof(SmtpOptions.Host);
    /// <summary>The SMTP server's port (default: 25 for <c>none</c>, 587 for <c>starttls</c>, 465 for <c>tls</c>).</summary>
    public const string SmtpPortKey = SmtpOptions.Section + ":" + nameof(SmtpOptions.Port);
    /// <summary>The SMTP user name, if the server asks for one.</summary>
    public const string SmtpUserKey = SmtpOptions.Section + ":" + nameof(SmtpOptions.User);
    /// <summary>The SMTP password (with <see cref="SmtpUserKey"/>); never logged.</summary>
    public const string SmtpPasswordKey = SmtpOptions.Section + ":" + nameof(SmtpOptions.Password);
    /// <summary>The sender: an address with an optional display name, e.g. <c>Alliance Pipeline &lt;noreply@example.org&gt;</c>.</summary>
    public const string SmtpFromKey = SmtpOptions.Section + ":" + nameof(SmtpOptions.From);
    /// <summary>How the connection is protected: <c>none</c> (loopback hosts only), <c>starttls</c> (default) or <c>tls</c>.</summary>
    public const string SmtpSecurityKey = SmtpOptions.Section + ":" + nameof(SmtpOptions.Security);

    /// <summary>The environment-variable spelling of a configuration key (<c>:</c> becomes <c>__</c>).</summary>
    public static string Env(string key) => key.Replace(":", "__", StringComparison.Ordinal);
}
