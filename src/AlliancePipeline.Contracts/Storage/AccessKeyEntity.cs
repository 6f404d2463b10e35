using Azure;
using Azure.Data.Tables;

namespace AlliancePipeline.Contracts.Storage;

/// <summary>
/// A row of <c>AccessKeys</c>: an access key for the dashboards, reports and admin API, stored only as the SHA-256 of
/// its secret. PartitionKey <see cref="Partition"/>, RowKey the key id (the public half of the key).
/// </summary>
public sealed class AccessKeyEntity : ITableEntity
{
    /// <summary>The one partition of keys.</summary>
    public const string Partition = "key";

    /// <inheritdoc />
    public string PartitionKey { get; set; } = Partition;
    /// <inheritdoc />
    public string RowKey { get; set; } = "";
    /// <inheritdoc />
    public DateTimeOffset? Timestamp { get; set; }
    /// <inheritdoc />
    public ETag ETag { get; set; }

    /// <summary>SHA-256 of the secret, lower-case hex.</summary>
    public string SecretHash { get; set; } = "";
    /// <summary><c>admin</c>, <c>study</c> (a study's coordinator), <c>site</c> (a site's coordinator) or <c>researcher</c>.</summary>
    public string Role { get; set; } = "";
    /// <summary>The study it is scoped to (not for admin).</summary>
    public string? StudyId { get; set; }
    /// <summary>The site it is scoped to (site keys only).</summary>
    public string? SiteId { get; set; }
    /// <summary>Who or what it is for, in words (no personal data needed).</summary>
    public string Label { get; set; } = "";
    /// <summary>When it was issued.</summary>
    public DateTimeOffset IssuedAt { get; set; }
    /// <summary>When it stops working.</summary>
    public DateTimeOffset ExpiresAt { get; set; }
    /// <summary>When it was revoked, if it was.</summary>
    public DateTimeOffset? RevokedAt { get; set; }
    /// <summary>The key id (or process) that issued it.</summary>
    public string IssuedBy { get; set; } = "";
}
