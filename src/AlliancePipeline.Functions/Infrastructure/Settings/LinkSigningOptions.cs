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

/// <summary>Names missing keys or key id, and keys that do not read (Core's message, with the settings' environment-variable names).</summary>
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
        try
        {
            options.ToKeys();
        }
        catch (FormatException e)
        {
            problems.Add(e.Message.Replace(SettingNames.SigningKeysKey, keys, StringComparison.Ordinal).Replace(SettingNames.CurrentSigningKeyIdKey, currentKeyId, StringComparison.Ordinal));
        }
    }
}
