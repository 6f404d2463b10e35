using System.Collections.Immutable;

namespace AlliancePipeline.Core.Links;

/// <summary>
/// The set of link signing keys: the current key signs new links; every key in the set verifies. Rotation: add a new
/// key and make it current; links signed with the old key keep verifying until the old key is removed from the
/// settings, after which they are refused as <see cref="LinkVerification.UnknownKey"/>.
/// </summary>
/// <remarks>
/// Settings (Functions app settings; <c>__</c> for <c>:</c> in environment variables):
/// <list type="bullet">
/// <item><c>LinkSigning:Keys</c> = <c>id1=BASE64;id2=BASE64</c> — each secret base64 (standard or URL alphabet), ≥ 32 bytes.</item>
/// <item><c>LinkSigning:CurrentKeyId</c> = the id of the key that signs new links.</item>
/// </list>
/// Generate a secret with e.g. <c>openssl rand -base64 32</c>.
/// </remarks>
public sealed class LinkSigningKeys
{
    /// <summary>Setting name of the key list.</summary>
    public const string KeysSetting = "LinkSigning:Keys";

    /// <summary>Setting name of the current key id.</summary>
    public const string CurrentKeyIdSetting = "LinkSigning:CurrentKeyId";

    private readonly ImmutableDictionary<string, LinkSigningKey> _byId;

    /// <summary>Creates a key set.</summary>
    /// <param name="current">The key that signs new links.</param>
    /// <param name="others">Older keys that still verify.</param>
    /// <exception cref="ArgumentException">Two keys share an id.</exception>
    public LinkSigningKeys(LinkSigningKey current, IEnumerable<LinkSigningKey> others)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(others);
        var builder = ImmutableDictionary.CreateBuilder<string, LinkSigningKey>(StringComparer.Ordinal);
        foreach (var key in others.Prepend(current))
        {
            if (!builder.TryAdd(key.Id, key))
            {
                throw new ArgumentException($"Key id '{key.Id}' appears twice.", nameof(others));
            }
        }

        Current = current;
        _byId = builder.ToImmutable();
    }

    /// <summary>The key that signs new links.</summary>
    public LinkSigningKey Current { get; }

    /// <summary>Ids of every key that verifies (current and older).</summary>
    public IEnumerable<string> KeyIds => _byId.Keys.Order(StringComparer.Ordinal);

    /// <summary>Every key that verifies (current and older).</summary>
    internal IEnumerable<LinkSigningKey> All => _byId.Values;

    /// <summary>Finds a verifying key by id.</summary>
    public bool TryGet(string keyId, out LinkSigningKey key) => _byId.TryGetValue(keyId, out key!);

    /// <summary>
    /// Builds the key set from the two settings described on the class.
    /// </summary>
    /// <param name="keys">Value of <see cref="KeysSetting"/>: <c>id=BASE64</c> entries separated by ';'.</param>
    /// <param name="currentKeyId">Value of <see cref="CurrentKeyIdSetting"/>.</param>
    /// <exception cref="FormatException">A setting is missing or wrong; the message names the setting and the entry (never the secret).</exception>
    public static LinkSigningKeys FromSettings(string? keys, string? currentKeyId)
    {
        if (string.IsNullOrWhiteSpace(keys))
        {
            throw new FormatException($"Setting {KeysSetting} is empty: give at least one key as id=BASE64.");
        }

        if (string.IsNullOrWhiteSpace(currentKeyId))
        {
            throw new FormatException($"Setting {CurrentKeyIdSetting} is empty: name the key that signs new links.");
        }

        var parsed = new List<LinkSigningKey>();
        var entries = keys.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        for (var i = 0; i < entries.Length; i++)
        {
            var cut = entries[i].IndexOf('=', StringComparison.Ordinal);
            if (cut <= 0)
            {
                throw new FormatException($"Setting {KeysSetting}, entry {i + 1}: expected id=BASE64.");
            }

            var id = entries[i][..cut].Trim();
            byte[] secret;
            try
            {
                secret = Convert.FromBase64String(ToStandardBase64(entries[i][(cut + 1)..].Trim()));
            }
            catch (FormatException)
            {
                throw new FormatException($"Setting {KeysSetting}, entry {i + 1} (key '{id}'): the secret is not base64.");
            }

            try
            {
                parsed.Add(new LinkSigningKey(id, secret));
            }
            catch (ArgumentException ex)
            {
                throw new FormatException($"Setting {KeysSetting}, entry {i + 1}: {ex.Message.Split(" (Parameter", 2)[0]}");
            }
        }

        var current = parsed.FirstOrDefault(k => k.Id == currentKeyId.Trim())
            ?? throw new FormatException($"Setting {CurrentKeyIdSetting} names key '{currentKeyId.Trim()}', which is not in {KeysSetting} (keys: {string.Join(", ", parsed.Select(k => k.Id))}).");
        try
        {
            return new LinkSigningKeys(current, parsed.Where(k => !ReferenceEquals(k, current)));
        }
        catch (ArgumentException ex)
        {
            throw new FormatException($"Setting {KeysSetting}: {ex.Message.Split(" (Parameter", 2)[0]}");
        }
    }

    private static string ToStandardBase64(string text)
    {
        var standard = text.Replace('-', '+').Replace('_', '/');
        return (standard.Length % 4) switch
        {
            2 => standard + "==",
            3 => standard + "=",
            _ => standard,
        };
    }
}
