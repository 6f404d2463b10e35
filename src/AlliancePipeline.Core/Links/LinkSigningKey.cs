using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace AlliancePipeline.Core.Links;

/// <summary>
/// One link key: its secret is the input keying material from which <see cref="LinkTokens"/> derives the AES-256-GCM
/// key of each token kind (HKDF-SHA256, RFC 5869); its id is carried in clear in every token so the verifier knows
/// which key to use — choose a neutral id such as a date (<c>2026-11</c>), never one naming a study or a site. The
/// secret never appears in <see cref="ToString"/> or in error messages.
/// </summary>
public sealed partial class LinkSigningKey
{
    /// <summary>Minimum secret length in bytes: 256 bits, the length of the derived AES keys and of the HKDF-SHA256 output (RFC 5869 §3.3).</summary>
    public const int MinSecretBytes = 32;

    /// <summary>Maximum key id length (ASCII characters).</summary>
    public const int MaxIdLength = 32;

    [GeneratedRegex(@"^[A-Za-z0-9_-]{1,32}\z")]
    internal static partial Regex IdPattern();

    private readonly ImmutableArray<byte> _secret;

    /// <summary>Creates a key.</summary>
    /// <param name="id">Key id: 1–32 characters of letters, digits, '_' or '-' (e.g. "2026-11").</param>
    /// <param name="secret">At least <see cref="MinSecretBytes"/> random bytes.</param>
    /// <exception cref="ArgumentException">The id or the secret breaks a rule.</exception>
    public LinkSigningKey(string id, ReadOnlySpan<byte> secret)
    {
        ArgumentNullException.ThrowIfNull(id);
        if (!IdPattern().IsMatch(id))
        {
            throw new ArgumentException($"Key id '{id}' is not allowed: use 1–{MaxIdLength} letters, digits, '_' or '-'.", nameof(id));
        }

        if (secret.Length < MinSecretBytes)
        {
            throw new ArgumentException($"The secret of key '{id}' has {secret.Length} bytes; at least {MinSecretBytes} are required.", nameof(secret));
        }

        Id = id;
        _secret = secret.ToImmutableArray();
    }

    /// <summary>The key id carried, in clear, in tokens.</summary>
    public string Id { get; }

    internal ReadOnlySpan<byte> Secret => _secret.AsSpan();

    /// <summary>
    /// The SHA-256 of the secret, lower-case hex: names a key without revealing it (e.g. to refuse a key known to be
    /// compromised), since a hash of 32 random bytes gives nothing of them away.
    /// </summary>
    public string Fingerprint => Convert.ToHexStringLower(SHA256.HashData(_secret.AsSpan()));

    /// <inheritdoc />
    public override string ToString() => $"LinkSigningKey({Id})";
}
