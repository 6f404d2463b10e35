using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace AlliancePipeline.Core.Links;

/// <summary>
/// Issues and verifies the token in an assessment link (<c>/api/q/{token}</c>).
/// </summary>
/// <remarks>
/// <para>Token = base64url without padding (RFC 4648 §5) of <c>payload ‖ HMAC-SHA256(key, payload)</c> (RFC 2104), where
/// payload (format version 1) is:</para>
/// <code>
/// 1 byte   format version (1)
/// 8 bytes  expiry, Unix seconds, big-endian
/// 4 bytes  link version, big-endian (the assessment's stored link version when issued)
/// 16 bytes random nonce
/// 1 byte   key id length L, then L ASCII bytes of key id
/// 1 byte   assessment id length M, then M ASCII bytes of assessment id
/// </code>
/// <para>Properties: <b>unguessable</b> — forging needs the 256-bit key, and the nonce makes every token unique;
/// <b>tamper-evident</b> — any change to payload or MAC fails the constant-time MAC comparison, and the text must be the
/// canonical encoding of its bytes, so no two strings verify as the same token (every single-character change is refused);
/// <b>expiring</b> — refused from <c>expiresAt</c> on (the caller passes the time: no clock reads);
/// <b>bound to one assessment</b> — its id is inside the signed payload;
/// <b>revocable</b> — the payload carries the link version; the caller compares it with the stored assessment
/// (<see cref="LinkVerification.Valid.IsCurrent"/>) and reissuing increments that version;
/// <b>no personal data</b> — only the opaque assessment id, times, numbers and the key id;
/// <b>rotating keys</b> — the token names its key id; any key in <see cref="LinkSigningKeys"/> verifies.</para>
/// </remarks>
public sealed partial class LinkTokens
{
    /// <summary>Payload format version.</summary>
    public const byte FormatVersion = 1;

    /// <summary>Maximum assessment id length.</summary>
    public const int MaxAssessmentIdLength = 128;

    private const int NonceBytes = 16;
    private const int MacBytes = 32;
    private const int FixedHeaderBytes = 1 + 8 + 4 + NonceBytes;

    [GeneratedRegex(@"^[A-Za-z0-9._~:-]{1,128}\z")]
    private static partial Regex AssessmentIdPattern();

    private readonly LinkSigningKeys _keys;

    /// <summary>Creates the token service over a key set.</summary>
    public LinkTokens(LinkSigningKeys keys) => _keys = keys ?? throw new ArgumentNullException(nameof(keys));

    /// <summary>Issues a token for one assessment, signed with the current key, with a fresh random nonce.</summary>
    /// <param name="assessmentId">Opaque assessment id: 1–128 of letters, digits, '.', '_', '~', ':', '-' (no e-mail addresses, no names).</param>
    /// <param name="linkVersion">The assessment's stored link version (≥ 0).</param>
    /// <param name="expiresAt">When the link stops working (truncated to whole seconds).</param>
    /// <exception cref="ArgumentException">The assessment id or link version breaks a rule.</exception>
    public string Issue(string assessmentId, int linkVersion, DateTimeOffset expiresAt)
    {
        Span<byte> nonce = stackalloc byte[NonceBytes];
        RandomNumberGenerator.Fill(nonce);
        return Issue(assessmentId, linkVersion, expiresAt, nonce);
    }

    /// <summary>Issues a token with a given 16-byte nonce (for reproducible tests; production uses the overload without).</summary>
    public string Issue(string assessmentId, int linkVersion, DateTimeOffset expiresAt, ReadOnlySpan<byte> nonce)
    {
        ArgumentNullException.ThrowIfNull(assessmentId);
        if (!AssessmentIdPattern().IsMatch(assessmentId))
        {
            throw new ArgumentException($"Assessment id is not allowed in a link: use 1–{MaxAssessmentIdLength} letters, digits, '.', '_', '~', ':' or '-'.", nameof(assessmentId));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(linkVersion);
        if (nonce.Length != NonceBytes)
        {
            throw new ArgumentException($"The nonce must be {NonceBytes} bytes.", nameof(nonce));
        }

        var key = _keys.Current;
        var keyId = Encoding.ASCII.GetBytes(key.Id);
        var id = Encoding.ASCII.GetBytes(assessmentId);
        var payloadLength = FixedHeaderBytes + 1 + keyId.Length + 1 + id.Length;
        var token = new byte[payloadLength + MacBytes];
        var span = token.AsSpan();
        span[0] = FormatVersion;
        BinaryPrimitives.WriteInt64BigEndian(span[1..], expiresAt.ToUnixTimeSeconds());
        BinaryPrimitives.WriteInt32BigEndian(span[9..], linkVersion);
        nonce.CopyTo(span[13..]);
        var at = FixedHeaderBytes;
        span[at++] = (byte)keyId.Length;
        keyId.CopyTo(span[at..]);
        at += keyId.Length;
        span[at++] = (byte)id.Length;
        id.CopyTo(span[at..]);
        HMACSHA256.HashData(key.Secret, span[..payloadLength], span[payloadLength..]);
        return Base64Url.Encode(token);
    }

    /// <summary>
    /// Verifies a token at <paramref name="now"/>: format, then key, then signature (constant-time), then expiry
    /// (valid while now &lt; expiresAt). Never throws for bad input.
    /// </summary>
    public LinkVerification Verify(string? token, DateTimeOffset now)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 512)
        {
            return new LinkVerification.Malformed("empty or too long");
        }

        var bytes = Base64Url.Decode(token);
        if (bytes is null)
        {
            return new LinkVerification.Malformed("not canonical base64url");
        }

        if (bytes.Length < FixedHeaderBytes + 2 + MacBytes || bytes[0] != FormatVersion)
        {
            return new LinkVerification.Malformed("unknown format or too short");
        }

        var at = FixedHeaderBytes;
        int keyIdLength = bytes[at++];
        if (keyIdLength == 0 || at + keyIdLength + 1 > bytes.Length - MacBytes)
        {
            return new LinkVerification.Malformed("bad key id length");
        }

        var keyId = Encoding.ASCII.GetString(bytes, at, keyIdLength);
        at += keyIdLength;
        int idLength = bytes[at++];
        if (idLength == 0 || at + idLength != bytes.Length - MacBytes)
        {
            return new LinkVerification.Malformed("bad assessment id length");
        }

        var assessmentId = Encoding.ASCII.GetString(bytes, at, idLength);
        if (!LinkSigningKey.IdPattern().IsMatch(keyId) || !AssessmentIdPattern().IsMatch(assessmentId))
        {
            return new LinkVerification.Malformed("bad characters in an id");
        }

        if (!_keys.TryGet(keyId, out var key))
        {
            return new LinkVerification.UnknownKey(keyId);
        }

        var payloadLength = bytes.Length - MacBytes;
        Span<byte> expected = stackalloc byte[MacBytes];
        HMACSHA256.HashData(key.Secret, bytes.AsSpan(0, payloadLength), expected);
        if (!CryptographicOperations.FixedTimeEquals(expected, bytes.AsSpan(payloadLength)))
        {
            return new LinkVerification.BadSignature();
        }

        var seconds = BinaryPrimitives.ReadInt64BigEndian(bytes.AsSpan(1));
        var linkVersion = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(9));
        if (seconds < DateTimeOffset.MinValue.ToUnixTimeSeconds() || seconds > DateTimeOffset.MaxValue.ToUnixTimeSeconds() || linkVersion < 0)
        {
            return new LinkVerification.Malformed("expiry or link version out of range");
        }

        var expiresAt = DateTimeOffset.FromUnixTimeSeconds(seconds);
        return now >= expiresAt
            ? new LinkVerification.Expired(assessmentId, expiresAt)
            : new LinkVerification.Valid(assessmentId, linkVersion, expiresAt, keyId);
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
