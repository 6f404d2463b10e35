using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;

namespace AlliancePipeline.Core.Access;

/// <summary>A key split into its public id and its secret (<see cref="AccessKeyFormat.TryParse"/>).</summary>
/// <param name="KeyId">The public half: the <c>AccessKeys</c> row key.</param>
/// <param name="Secret">The secret half, as written in the key (canonical base64url of the random bytes).</param>
public readonly record struct ParsedAccessKey(string KeyId, string Secret)
{
    /// <summary>Never the secret: a parsed key printed by accident shows only its id.</summary>
    public override string ToString() => $"ak_{KeyId}_…";
}

/// <summary>
/// The text of an access key: <c>ak_{keyId}_{secret}</c>, e.g. <c>ak_3f9a0c2e7b14d685_q2Xv…</c> (63 characters).
/// </summary>
/// <remarks>
/// <para><b>keyId</b>: 16 lower-case hex characters (8 random bytes). Public: it is the row key in <c>AccessKeys</c>,
/// it is listed by the admin API and written to <c>Audit</c>. Its randomness only keeps ids from being enumerated.</para>
/// <para><b>secret</b>: <see cref="SecretBytes"/> random bytes from the operating system's CSPRNG, as canonical base64url
/// without padding (43 characters of <c>A–Z a–z 0–9 - _</c>). The secret may contain <c>_</c>: the key id has a fixed
/// length, so the key splits without ambiguity.</para>
/// <para><b>Stored</b>: only <see cref="HashSecret"/> = SHA-256 of the secret's text (its UTF-8 bytes), lower-case hex
/// (<c>printf '%s' "$secret" | sha256sum</c> gives the same). A random 256-bit secret needs no slow password hash
/// (PBKDF2, bcrypt, Argon2): those slow down guessing of secrets people choose, and a 2^256 search cannot be sped up
/// enough by a fast hash to matter. A stolen table therefore yields no usable key.</para>
/// <para><b>Compared</b> in constant time (<see cref="CryptographicOperations.FixedTimeEquals"/>).</para>
/// <para><b>Parsing</b> refuses anything else: another prefix, upper-case or short ids, a secret of another length or
/// not the canonical encoding of its bytes (so no two texts are the same key), whitespace, more than
/// <see cref="KeyLength"/> characters.</para>
/// </remarks>
public static class AccessKeyFormat
{
    /// <summary>Every key starts with this (secret scanners can find keys pasted where they should not be).</summary>
    public const string Prefix = "ak_";

    /// <summary>Length of a key id in hex characters.</summary>
    public const int KeyIdLength = 16;

    /// <summary>Random bytes in a secret.</summary>
    public const int SecretBytes = 32;

    /// <summary>Length of the secret's text: 32 bytes in base64url without padding.</summary>
    public const int SecretLength = 43;

    /// <summary>Length of a whole key.</summary>
    public const int KeyLength = 3 + KeyIdLength + 1 + SecretLength;

    /// <summary>A new random key id.</summary>
    public static string NewKeyId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(KeyIdLength / 2));

    /// <summary>A new random secret (<see cref="SecretBytes"/> bytes, base64url).</summary>
    public static string NewSecret() => EncodeBase64Url(RandomNumberGenerator.GetBytes(SecretBytes));

    /// <summary>The key's text from its parts (both as made by <see cref="NewKeyId"/> and <see cref="NewSecret"/>).</summary>
    /// <exception cref="ArgumentException">A part is not of the format.</exception>
    public static string Compose(string keyId, string secret)
    {
        if (!IsKeyId(keyId)) throw new ArgumentException("A key id is 16 lower-case hex characters.", nameof(keyId));
        if (!IsSecret(secret)) throw new ArgumentException("A secret is 32 bytes in canonical base64url (43 characters).", nameof(secret));
        return $"{Prefix}{keyId}_{secret}";
    }

    /// <summary>Whether <paramref name="keyId"/> is a key id: 16 characters of 0–9 a–f.</summary>
    public static bool IsKeyId([NotNullWhen(true)] string? keyId)
    {
        if (keyId is not { Length: KeyIdLength }) return false;
        foreach (var c in keyId)
        {
            if (c is not ((>= '0' and <= '9') or (>= 'a' and <= 'f'))) return false;
        }
        return true;
    }

    /// <summary>Splits a key into id and secret, or returns false for anything not exactly of the format.</summary>
    public static bool TryParse(string? text, out ParsedAccessKey key)
    {
        key = default;
        if (text is not { Length: KeyLength } || !text.StartsWith(Prefix, StringComparison.Ordinal) || text[3 + KeyIdLength] != '_')
            return false;
        var keyId = text.Substring(Prefix.Length, KeyIdLength);
        var secret = text[(Prefix.Length + KeyIdLength + 1)..];
        if (!IsKeyId(keyId) || !IsSecret(secret)) return false;
        key = new ParsedAccessKey(keyId, secret);
        return true;
    }

    /// <summary>SHA-256 of the secret's UTF-8 text, lower-case hex: what <c>AccessKeys.SecretHash</c> holds.</summary>
    public static string HashSecret(string secret)
    {
        ArgumentNullException.ThrowIfNull(secret);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));
    }

    /// <summary>
    /// Whether <paramref name="secret"/> hashes to <paramref name="storedHash"/> (64 hex characters), compared in constant
    /// time. A stored value that is not 64 hex characters never matches.
    /// </summary>
    public static bool SecretMatches(string secret, string? storedHash)
    {
        ArgumentNullException.ThrowIfNull(secret);
        if (storedHash is not { Length: 64 }) return false;
        Span<byte> stored = stackalloc byte[32];
        if (Convert.FromHexString(storedHash, stored, out _, out var written) != System.Buffers.OperationStatus.Done || written != 32)
            return false;
        Span<byte> actual = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(secret), actual);
        return CryptographicOperations.FixedTimeEquals(actual, stored);
    }

    private static bool IsSecret(string secret)
    {
        if (secret.Length != SecretLength) return false;
        foreach (var c in secret)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_')) return false;
        }
        // 43 characters carry 258 bits: the last character's 2 unused low bits must be zero (canonical encoding).
        Span<byte> bytes = stackalloc byte[SecretBytes + 3];
        var standard = secret.Replace('-', '+').Replace('_', '/') + "=";
        return Convert.TryFromBase64String(standard, bytes, out var written) && written == SecretBytes
            && string.Equals(EncodeBase64Url(bytes[..SecretBytes].ToArray()), secret, StringComparison.Ordinal);
    }

    private static string EncodeBase64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
