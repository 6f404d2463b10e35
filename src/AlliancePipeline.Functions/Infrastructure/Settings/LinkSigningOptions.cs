using AlliancePipeline.Core.Links;

namespace AlliancePipeline.Functions.Infrastructure.Settings;

/// <summary>
/// The link signing keys (<c>LinkSigning:Keys</c>, <c>LinkSigning:CurrentKeyId</c>; Core's <see cref="LinkSigningKeys"/>
/// describes them), checked at start by <see cref="LinkSigningOptionsValidator"/>. The services take the key set
/// (<see cref="ToKeys"/>), registered once from these options.
/// </summary>
public sealed class LinkSigningOptions
{
    /// <summary>The section.</summary>
    public const string Section = "LinkSigning";

    /// <summary>The keys: <c>id=BASE64;id2=BASE64</c>, each at least 32 random bytes (in Azure a Key Vault reference).</summary>
    public string? Keys { get; set; }

    /// <summary>The id of the key in <see cref="Keys"/> that signs new links.</summary>
    public string? CurrentKeyId { get; set; }

    /// <summary>The key set (once the options are validated: otherwise a <see cref="FormatException"/> naming the problem).</summary>
    public LinkSigningKeys ToKeys() => LinkSigningKeys.FromSettings(Keys, CurrentKeyId);
}

/// <summary>
/// Link signing keys that were published and must never sign or verify a link: the SHA-256 fingerprint of each secret
/// (<see cref="LinkSigningKey.Fingerprint"/>), never the secret, and where it was published.
/// </summary>
public static class CompromisedSigningKeys
{
    /// <summary>Fingerprint → where the key was published.</summary>
    public static IReadOnlyDictionary<string, string> Known { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        // local.settings.sample.json as committed in 7f8c686 (AlliancePipeline__Links__SigningKey), later
        // LinkSigning__Keys=local1=… until d3dd35f replaced it with a placeholder: it stays in the repository's history.
        ["35b3756f199eb1dd61fa21c1ff62d1209572c15bac94a9a5de6fb8a0182e4280"] = "the repository's history (commit 7f8c686, local.settings.sample.json)",
    };

    /// <summary>Where the key was published, when it is a known compromised key; else null.</summary>
    public static string? PublishedIn(LinkSigningKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Known.GetValueOrDefault(key.Fingerprint);
    }
}

/// <summary>
/// Names missing keys or key id, keys that do not read (Core's message, with the settings' environment-variable names),
/// and keys known to be compromised (<see cref="CompromisedSigningKeys"/>).
/// </summary>
public sealed class LinkSigningOptionsValidator : SettingsValidator<LinkSigningOptions>
{
    /// <inheritdoc />
    protected override void Check(LinkSigningOptions options, List<string> problems)
    {
        var keys = SettingNames.Env(SettingNames.SigningKeysKey);
        var currentKeyId = SettingNames.Env(SettingNames.CurrentSigningKeyIdKey);
        if (IsUnset(options.Keys))
            problems.Add($"{keys} is missing: link signing keys as id=BASE64 (at least 32 random bytes each), separated by ';'.");
        if (IsUnset(options.CurrentKeyId))
            problems.Add($"{currentKeyId} is missing: the id of the key in {keys} that signs new links.");
        if (IsUnset(options.Keys) || IsUnset(options.CurrentKeyId)) return;
        LinkSigningKeys set;
        try
        {
            set = options.ToKeys();
        }
        catch (FormatException e)
        {
            problems.Add(e.Message.Replace(SettingNames.SigningKeysKey, keys, StringComparison.Ordinal).Replace(SettingNames.CurrentSigningKeyIdKey, currentKeyId, StringComparison.Ordinal));
            return;
        }
        foreach (var id in set.KeyIds)
        {
            if (set.TryGet(id, out var key) && CompromisedSigningKeys.PublishedIn(key) is { } where)
                problems.Add($"{keys}: key '{id}' is known to be compromised (published in {where}); anyone could sign links with it. Remove it and sign with a new random key (openssl rand -base64 32).");
        }
    }
}
