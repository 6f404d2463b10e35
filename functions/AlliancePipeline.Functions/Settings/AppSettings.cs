using System.Globalization;
using AlliancePipeline.Core.Links;
using AlliancePipeline.Storage.Common;

namespace AlliancePipeline.Functions.Settings;

/// <summary>
/// Every setting the app reads, checked together at start: <see cref="Read"/> names each one that is missing or wrong.
/// In Azure they are app settings (environment variables; <c>__</c> separates sections); locally they come from
/// <c>local.settings.json</c> (or <c>local.settings.sample.json</c>) when the local driver is on.
/// </summary>
public sealed record AppSettings
{
    /// <summary>The storage connection setting (as the Functions host names it; see <see cref="StorageConnectionSetting"/>).</summary>
    public const string StorageKey = StorageConnectionSetting.Name;
    /// <summary>The port the host tells a custom handler to listen on.</summary>
    public const string PortKey = "FUNCTIONS_CUSTOMHANDLER_PORT";
    /// <summary>The link signing keys: <c>id=BASE64;id2=BASE64</c>, each at least 32 bytes (Core's <see cref="LinkSigningKeys"/>).</summary>
    public const string SigningKeysKey = LinkSigningKeys.KeysSetting;
    /// <summary>The id of the key that signs new links.</summary>
    public const string CurrentSigningKeyIdKey = LinkSigningKeys.CurrentKeyIdSetting;
    /// <summary>How long an issued link stays valid (TimeSpan, e.g. <c>30.00:00:00</c>).</summary>
    public const string LinkLifetimeKey = "AlliancePipeline:Links:Lifetime";
    /// <summary>Whether the app creates its tables, queues and container at start.</summary>
    public const string CreateResourcesKey = "AlliancePipeline:Storage:CreateResources";
    /// <summary>Whether the local trigger driver runs (never in Azure).</summary>
    public const string DriverEnabledKey = "AlliancePipeline:LocalDriver:Enabled";
    /// <summary>The driver's port (the host's 7071).</summary>
    public const string DriverPortKey = "AlliancePipeline:LocalDriver:Port";
    /// <summary>Whether the driver starts Azurite when nothing answers at the storage endpoints.</summary>
    public const string DriverStartAzuriteKey = "AlliancePipeline:LocalDriver:StartAzurite";
    /// <summary>How long a received message stays hidden while it runs; renewed at half of it (the host: 10 minutes).</summary>
    public const string DriverMessageLeaseKey = "AlliancePipeline:LocalDriver:MessageLease";
    /// <summary>Where host.json and the function folders are (empty: beside the executable).</summary>
    public const string DriverScriptRootKey = "AlliancePipeline:LocalDriver:ScriptRoot";

    /// <summary>Whether the demo study runs when the local driver is on (seeded, answered through its links, reported).</summary>
    public const string DemoEnabledKey = "AlliancePipeline:Demo:Enabled";
    /// <summary>How many dyads the demo study has.</summary>
    public const string DemoDyadsKey = "AlliancePipeline:Demo:Dyads";

    /// <summary>The storage account: Shared Key from a connection string, or a token credential (managed identity).</summary>
    public required StorageAccount StorageAccount { get; init; }
    /// <summary>The handler's port.</summary>
    public required int HandlerPort { get; init; }
    /// <summary>The link signing keys.</summary>
    public required LinkSigningKeys SigningKeys { get; init; }
    /// <summary>How long an issued link stays valid.</summary>
    public TimeSpan LinkLifetime { get; init; } = TimeSpan.FromDays(30);
    /// <summary>Whether to create tables, queues and the container at start.</summary>
    public bool CreateResources { get; init; }
    /// <summary>The local driver's settings.</summary>
    public LocalDriverSettings LocalDriver { get; init; } = new();
    /// <summary>The demo study's settings (local only).</summary>
    public DemoSettings Demo { get; init; } = new();

    /// <summary>Reads and checks every setting; throws <see cref="InvalidSettingsException"/> naming each problem.</summary>
    public static AppSettings Read(IConfiguration configuration)
    {
        var errors = new List<string>();
        var storage = StorageConnectionSetting.Read(configuration, errors);

        var port = ReadInt(configuration, PortKey, null, 1, 65535, errors);
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
        var driver = new LocalDriverSettings
        {
            Enabled = ReadBool(configuration, DriverEnabledKey, false, errors),
            Port = ReadInt(configuration, DriverPortKey, 7071, 1, 65535, errors),
            StartAzurite = ReadBool(configuration, DriverStartAzuriteKey, true, errors),
            MessageLease = ReadTimeSpan(configuration, DriverMessageLeaseKey, TimeSpan.FromMinutes(10), errors),
        };
        var demo = new DemoSettings
        {
            Enabled = ReadBool(configuration, DemoEnabledKey, false, errors),
            Dyads = ReadInt(configuration, DemoDyadsKey, 40, 4, 1000, errors),
        };
        if (demo.Enabled && !driver.Enabled)
            errors.Add($"{Env(DemoEnabledKey)} is true but {Env(DriverEnabledKey)} is not: the demo runs on the local driver only.");
        if (driver.Enabled && driver.Port == port)
            errors.Add($"{Env(DriverPortKey)} and {PortKey} are both {port}: the driver and the handler need different ports.");
        if (errors.Count > 0) throw new InvalidSettingsException(errors);
        return new AppSettings
        {
            StorageAccount = storage!,
            HandlerPort = port,
            SigningKeys = keys!,
            LinkLifetime = lifetime,
            CreateResources = create,
            LocalDriver = driver,
            Demo = demo,
        };
    }

    /// <summary>The environment-variable spelling of a configuration key (<c>:</c> becomes <c>__</c>).</summary>
    public static string Env(string key) => key.Replace(":", "__", StringComparison.Ordinal);

    private static int ReadInt(IConfiguration c, string key, int? fallback, int min, int max, List<string> errors)
    {
        var text = c[key];
        if (string.IsNullOrWhiteSpace(text))
        {
            if (fallback is { } f) return f;
            errors.Add($"{Env(key)} is missing: an integer from {min} to {max}.");
            return 0;
        }
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            errors.Add($"{Env(key)} is '{text}': expected an integer from {min} to {max}.");
            return 0;
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

/// <summary>The local trigger driver's settings.</summary>
public sealed record LocalDriverSettings
{
    /// <summary>Whether the driver runs.</summary>
    public bool Enabled { get; init; }
    /// <summary>Its port.</summary>
    public int Port { get; init; } = 7071;
    /// <summary>Whether it starts Azurite when storage does not answer.</summary>
    public bool StartAzurite { get; init; } = true;
    /// <summary>How long a running message stays hidden (renewed at half).</summary>
    public TimeSpan MessageLease { get; init; } = TimeSpan.FromMinutes(10);
}

/// <summary>The demo study's settings.</summary>
public sealed record DemoSettings
{
    /// <summary>Whether the demo runs.</summary>
    public bool Enabled { get; init; }
    /// <summary>How many dyads it has (each rated after 3 meetings).</summary>
    public int Dyads { get; init; } = 40;
}

/// <summary>One or more settings are missing or wrong; the message names each.</summary>
public sealed class InvalidSettingsException(IReadOnlyList<string> problems)
    : Exception("The app's settings are incomplete or wrong:" + Environment.NewLine + string.Join(Environment.NewLine, problems.Select(p => " - " + p)))
{
    /// <summary>Each problem, one per setting.</summary>
    public IReadOnlyList<string> Problems { get; } = problems;
}
