using AlliancePipeline.Contracts.Storage;

namespace AlliancePipeline.Contracts.Api;

/// <summary>
/// A key as listed: everything but the secret (and its hash). <c>State</c> is <c>active</c>, <c>expired</c> or
/// <c>revoked</c> at the time of the answer; the other fields are those of <see cref="AccessKeyEntity"/>.
/// </summary>
public sealed record KeyInfo(string KeyId, string Role, string? StudyId, string? SiteId, string Label, DateTimeOffset IssuedAt,
    DateTimeOffset ExpiresAt, DateTimeOffset? RevokedAt, string IssuedBy, string State)
{
    /// <summary>The listing of a row at <paramref name="now"/>.</summary>
    public static KeyInfo Of(AccessKeyEntity e, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(e);
        return new(e.RowKey, e.Role, e.StudyId, e.SiteId, e.Label, e.IssuedAt, e.ExpiresAt, e.RevokedAt, e.IssuedBy,
            e.RevokedAt is not null ? "revoked" : now >= e.ExpiresAt ? "expired" : "active");
    }
}
