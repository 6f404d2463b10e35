using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace AlliancePipeline.Core.Links;

/// <summary>
/// Issues and verifies the token in an assessment link (<c>/api/q/{token}</c>) or a pause link
/// (<c>/api/reminders/pause/{token}</c>): one instance per <see cref="LinkTokenKind"/>.
/// </summary>
/// <remarks>
/// <para>Token = base64url without padding (RFC 4648 §5) of <c>header ‖ nonce ‖ ciphertext ‖ tag</c>, sealed with
/// AES-256-GCM (NIST SP 800-38D; AEAD_AES_256_GCM of RFC 5116 §5.2) — format version 2:</para>
/// <code>
/// header, in clear, the associated data of the AEAD:
///   1 byte   format version (2)
///   1 byte   key id length L (1–32), then L ASCII bytes of key id
/// 12 bytes   nonce, random (96 bits: the RBG-based IV construction of SP 800-38D §8.2.2)
/// ciphertext, 141 bytes, of:
///   8 bytes  expiry, Unix seconds, big-endian
///   4 bytes  link version, big-endian (the assessment's stored link version when issued)
///   1 byte   assessment id length M (1–128), then the M ASCII bytes of the assessment id, then 128 − M zero bytes
/// 16 bytes   authentication tag
/// </code>
/// <para>The encryption key of each link signing key and kind is HKDF-SHA256 (RFC 5869) of the key's secret, no salt,
/// info <c>"AlliancePipeline link token v2 questionnaire"</c> or <c>"… pause"</c>, 32 bytes: operators configure the
/// same secrets as before (<see cref="LinkSigningKeys"/>), and the secret itself never keys a cipher.</para>
/// <para>Properties: <b>opaque</b> — only the format version and the key id are readable; the assessment id (which
/// names the study, dyad, meeting and rater role), the link version and the expiry are encrypted, and the id is padded
/// to its maximum, so every token of one key has the same length whatever it is for;
/// <b>unguessable</b> — forging needs the 256-bit key, and the random nonce makes every token unique;
/// <b>tamper-evident</b> — any change to header, nonce, ciphertext or tag fails the GCM tag check, and the text must be
/// the canonical encoding of its bytes, so no two strings verify as the same token (every single-character change is
/// refused);
/// <b>expiring</b> — refused from <c>expiresAt</c> on (the caller passes the time: no clock reads);
/// <b>bound to one assessment</b> — its id is inside the authenticated ciphertext;
/// <b>bound to one kind</b> — each <see cref="LinkTokenKind"/> has its own derived key, so a pause token never verifies
/// as a questionnaire token nor the reverse;
/// <b>revocable</b> — the ciphertext carries the link version; the caller compares it with the stored assessment
/// (<see cref="LinkVerification.Valid.IsCurrent"/>) and reissuing increments that version;
/// <b>no personal data</b> — only the opaque assessment id, times, numbers and the key id, and only the key id in clear
/// (so name keys neutrally, e.g. <c>2026-11</c>);
/// <b>rotating keys</b> — the token names its key id; any key in <see cref="LinkSigningKeys"/> verifies, and a token
/// whose key was removed is <see cref="LinkVerification.UnknownKey"/>;
/// <b>short</b> — 171 + L bytes, at most 271 characters (<see cref="MaxTokenLength"/> is 512).</para>
/// <para>Random 96-bit nonces bound the tokens one key may seal to 2³² (SP 800-38D §8.3); rotate keys long before.
/// Format-1 tokens (readable payload ‖ HMAC-SHA256, before security finding 9) are refused as
/// <see cref="LinkVerification.Malformed"/>, like any bad link.</para>
/// </remarks>
public sealed partial class LinkTokens
{
    /// <summary>Token format version.</summary>
    public const byte FormatVersion = 2;

    /// <summary>Maximum assessment id length.</summary>
    public const int MaxAssessmentIdLength = 128;

    /// <summary>The longest text <see cref="Verify"/> reads; longer is <see cref="LinkVerification.Malformed"/>.</summary>
    public const int MaxTokenLength = 512;

    private const int NonceBytes = 12;
    private const int TagBytes = 16;
    private const int KeyBytes = 32;
    private const int PlaintextBytes = 8 + 4 + 1 + MaxAssessmentIdLength;

    [GeneratedRegex(@"^[A-Za-z0-9._~:-]{1,128}\z")]
    private static partial Regex AssessmentIdPattern();

    private readonly LinkSigningKeys _keys;
    private readonly ImmutableDictionary<string, byte[]> _encryptionKeys;

    /// <summary>Creates the token service of one kind over a key set.</summary>
    /// <param name="keys">The link signing keys: the current one seals new tokens, every one opens.</param>
    /// <param name="kind">What the tokens open; a token of another kind is refused.</param>
    public LinkTokens(LinkSigningKeys keys, LinkTokenKind kind)
    {
        _keys = keys ?? throw new ArgumentNullException(nameof(keys));
        var info = kind switch
        {
            LinkTokenKind.Questionnaire => "AlliancePipeline link token v2 questionnaire"u8.ToArray(),
            LinkTokenKind.Pause => "AlliancePipeline link token v2 pause"u8.ToArray(),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown link token kind."),
        };
        _encryptionKeys = keys.All.ToImmutableDictionary(key => key.Id, key => DeriveKey(key, info), StringComparer.Ordinal);
    }

    /// <summary>Issues a token for one assessment, sealed with the current key under a fresh random nonce.</summary>
    /// <param name="assessmentId">Opaque assessment id: 1–128 of letters, digits, '.', '_', '~', ':', '-' (no e-mail addresses, no names).</param>
    /// <param name="linkVersion">The assessment's stored link version (≥ 0).</param>
    /// <param name="expiresAt">When the link stops working (truncated to whole seconds).</param>
    /// <exception cref="ArgumentException">The assessment id or link version breaks a rule.</exception>
    public string Issue(string assessmentId, int linkVersion, DateTimeOffset expiresAt)
    {
        ArgumentNullException.ThrowIfNull(assessmentId);
        if (!AssessmentIdPattern().IsMatch(assessmentId))
        {
            throw new ArgumentException($"Assessment id is not allowed in a link: use 1–{MaxAssessmentIdLength} letters, digits, '.', '_', '~', ':' or '-'.", nameof(assessmentId));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(linkVersion);

        var key = _keys.Current;
        var headerLength = 2 + key.Id.Length;
        var token = new byte[headerLength + NonceBytes + PlaintextBytes + TagBytes];
        var span = token.AsSpan();
        span[0] = FormatVersion;
        span[1] = (byte)key.Id.Length;
        Encoding.ASCII.GetBytes(key.Id, span[2..headerLength]);
        var nonce = span.Slice(headerLength, NonceBytes);
        RandomNumberGenerator.Fill(nonce);

        Span<byte> plaintext = stackalloc byte[PlaintextBytes];
        plaintext.Clear();
        BinaryPrimitives.WriteInt64BigEndian(plaintext, expiresAt.ToUnixTimeSeconds());
        BinaryPrimitives.WriteInt32BigEndian(plaintext[8..], linkVersion);
        plaintext[12] = (byte)assessmentId.Length;
        Encoding.ASCII.GetBytes(assessmentId, plaintext[13..]);

        var sealedAt = headerLength + NonceBytes;
        using var aes = new AesGcm(_encryptionKeys[key.Id], TagBytes);
        aes.Encrypt(nonce, plaintext, span.Slice(sealedAt, PlaintextBytes), span[(sealedAt + PlaintextBytes)..], span[..headerLength]);
        return Base64Url.Encode(token);
    }

    /// <summary>
    /// Verifies a token at <paramref name="now"/>: format, then key, then the AEAD tag (which fails for any change and
    /// for a token of another kind), then the fields, then expiry (valid while now &lt; expiresAt). Never throws for bad input.
    /// </summary>
    public LinkVerification Verify(string? token, DateTimeOffset now)
    {
        if (string.IsNullOrEmpty(token) || token.Length > MaxTokenLength)
        {
            return new LinkVerification.Malformed("empty or too long");
        }

        var bytes = Base64Url.Decode(token);
        if (bytes is null)
        {
            return new LinkVerification.Malformed("not canonical base64url");
        }

        if (bytes.Length < 2 || bytes[0] != FormatVersion)
        {
            return new LinkVerification.Malformed("unknown format or too short");
        }

        int keyIdLength = bytes[1];
        var headerLength = 2 + keyIdLength;
        if (keyIdLength is 0 or > LinkSigningKey.MaxIdLength || bytes.Length != headerLength + NonceBytes + PlaintextBytes + TagBytes)
        {
            return new LinkVerification.Malformed("bad key id length or token length");
        }

        var keyId = Encoding.ASCII.GetString(bytes, 2, keyIdLength);
        if (!LinkSigningKey.IdPattern().IsMatch(keyId))
        {
            return new LinkVerification.Malformed("bad characters in the key id");
        }

        if (!_encryptionKeys.TryGetValue(keyId, out var encryptionKey))
        {
            return new LinkVerification.UnknownKey(keyId);
        }

        var span = bytes.AsSpan();
        var sealedAt = headerLength + NonceBytes;
        Span<byte> plaintext = stackalloc byte[PlaintextBytes];
        try
        {
            using var aes = new AesGcm(encryptionKey, TagBytes);
            aes.Decrypt(span.Slice(headerLength, NonceBytes), span.Slice(sealedAt, PlaintextBytes), span[(sealedAt + PlaintextBytes)..], plaintext, span[..headerLength]);
        }
        catch (CryptographicException)
        {
            return new LinkVerification.BadSignature();
        }

        var seconds = BinaryPrimitives.ReadInt64BigEndian(plaintext);
        var linkVersion = BinaryPrimitives.ReadInt32BigEndian(plaintext[8..]);
        int idLength = plaintext[12];
        if (idLength is 0 or > MaxAssessmentIdLength || plaintext[(13 + idLength)..].ContainsAnyExcept((byte)0))
        {
            return new LinkVerification.Malformed("bad assessment id length or padding");
        }

        var assessmentId = Encoding.ASCII.GetString(plaintext.Slice(13, idLength));
        if (!AssessmentIdPattern().IsMatch(assessmentId))
        {
            return new LinkVerification.Malformed("bad characters in the assessment id");
        }

        if (seconds < DateTimeOffset.MinValue.ToUnixTimeSeconds() || seconds > DateTimeOffset.MaxValue.ToUnixTimeSeconds() || linkVersion < 0)
        {
            return new LinkVerification.Malformed("expiry or link version out of range");
        }

        var expiresAt = DateTimeOffset.FromUnixTimeSeconds(seconds);
        return now >= expiresAt
            ? new LinkVerification.Expired(assessmentId, expiresAt)
            : new LinkVerification.Valid(assessmentId, linkVersion, expiresAt, keyId);
    }

    /// <summary>HKDF-SHA256 (RFC 5869) of the key's secret, no salt, with the kind's info label: a 256-bit AES key.</summary>
    private static byte[] DeriveKey(LinkSigningKey key, ReadOnlySpan<byte> info)
    {
        var derived = new byte[KeyBytes];
        HKDF.DeriveKey(HashAlgorithmName.SHA256, key.Secret, derived, salt: [], info);
        return derived;
    }

    /// <summary>Strict base64url without padding: decoding refuses any text that is not the canonical encoding of its bytes.</summary>
    private static class Base64Url
    {
        public static string Encode(byte[] bytes) =>
            Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

        public static byte[]? Decode(string text)
        {
            if (text.Length % 4 == 1)
            {
                return null;
            }

            foreach (var c in text)
            {
                if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
                {
                    return null;
                }
            }

            var standard = text.Replace('-', '+').Replace('_', '/') + new string('=', (4 - (text.Length % 4)) % 4);
            byte[] bytes;
            try
            {
                bytes = Convert.FromBase64String(standard);
            }
            catch (FormatException)
            {
                return null;
            }

            // The last character may carry unused low bits; only the canonical encoding (unused bits zero) is accepted.
            return string.Equals(Encode(bytes), text, StringComparison.Ordinal) ? bytes : null;
        }
    }
}
