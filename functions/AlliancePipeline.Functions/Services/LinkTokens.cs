using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using AlliancePipeline.Core.Studies;

namespace AlliancePipeline.Functions.Services;

/// <summary>What a valid link names.</summary>
/// <param name="StudyId">The study.</param>
/// <param name="AssessmentId">The assessment.</param>
/// <param name="LinkVersion">The link version it was issued for (revocation: the assessment's version moved on).</param>
/// <param name="ExpiresAt">When it stops opening.</param>
public sealed record LinkClaims(string StudyId, string AssessmentId, int LinkVersion, DateTimeOffset ExpiresAt);

/// <summary>Issues and checks questionnaire link tokens.</summary>
public interface ILinkTokens
{
    /// <summary>A token for the claims.</summary>
    string Issue(LinkClaims claims);

    /// <summary>The claims of a well-formed, untampered, unexpired token; otherwise null and why.</summary>
    LinkClaims? Validate(string token, DateTimeOffset now, out string? problem);
}

/// <summary>
/// A minimal tamper-evident token until Core's link tokens are merged: <c>base64url(payload).base64url(HMAC-SHA256(key,
/// payload))</c> with payload <c>v1|studyId|assessmentId|linkVersion|expiresUnixSeconds</c> (HMAC: RFC 2104;
/// base64url: RFC 4648 §5). Unguessable because the MAC needs the key; comparison is constant-time.
/// </summary>
public sealed class HmacLinkTokens(byte[] key) : ILinkTokens
{
    /// <inheritdoc />
    public string Issue(LinkClaims claims)
    {
        var payload = string.Join('|', "v1", claims.StudyId, claims.AssessmentId,
            claims.LinkVersion.ToString(CultureInfo.InvariantCulture), claims.ExpiresAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
        var bytes = Encoding.UTF8.GetBytes(payload);
        return Base64Url(bytes) + "." + Base64Url(HMACSHA256.HashData(key, bytes));
    }

    /// <inheritdoc />
    public LinkClaims? Validate(string token, DateTimeOffset now, out string? problem)
    {
        problem = "The link is not valid.";
        var dot = token.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0 || dot == token.Length - 1) return null;
        byte[] payload, mac;
        try
        {
            payload = FromBase64Url(token[..dot]);
            mac = FromBase64Url(token[(dot + 1)..]);
        }
        catch (FormatException)
        {
            return null;
        }
        if (!CryptographicOperations.FixedTimeEquals(mac, HMACSHA256.HashData(key, payload))) return null;
        // One token per claims: a spelling that decodes to the same bytes (unused trailing bits) is refused.
        if (!string.Equals(Base64Url(payload) + "." + Base64Url(mac), token, StringComparison.Ordinal)) return null;
        var parts = Encoding.UTF8.GetString(payload).Split('|');
        if (parts.Length != 5 || parts[0] != "v1" || !StudyIds.IsValid(parts[1]) || !StudyIds.IsValid(parts[2])
            || !int.TryParse(parts[3], NumberStyles.Integer, CultureInfo.InvariantCulture, out var version)
            || !long.TryParse(parts[4], NumberStyles.Integer, CultureInfo.InvariantCulture, out var expires)) return null;
        var claims = new LinkClaims(parts[1], parts[2], version, DateTimeOffset.FromUnixTimeSeconds(expires));
        if (now >= claims.ExpiresAt)
        {
            problem = "The link has expired.";
            return null;
        }
        problem = null;
        return claims;
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[] FromBase64Url(string text)
    {
        var s = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(s.PadRight(s.Length + (4 - s.Length % 4) % 4, '='));
    }
}
