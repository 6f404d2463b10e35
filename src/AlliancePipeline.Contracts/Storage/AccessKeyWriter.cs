using System.Globalization;
using AlliancePipeline.Core.Access;
using Azure;
using Azure.Data.Tables;
using Azure.Data.Tables.Models;

namespace AlliancePipeline.Contracts.Storage;

/// <summary>
/// The one writer of <c>AccessKeys</c> rows (<see cref="AccessKeyEntity"/>), for the worker and the <c>alliance</c> tool
/// alike: issue (only the SHA-256 of the secret is stored; the key is answered once) and revoke, each recorded in
/// <c>Audit</c> through <see cref="AuditTrail"/> (<c>key.issued</c>, <c>key.revoked</c>, partition
/// <see cref="StorageNames.SystemPartition"/>) naming the acting key id or process, with the key row's fields before and
/// after (<see cref="AuditChange"/>: the label and the secret's hash named, never written), never a secret.
/// </summary>
/// <remarks>
/// The first admin key is written straight to storage by whoever holds the storage account's table data rights (the
/// tool's <c>alliance keys bootstrap</c> calls <see cref="IssueAsync"/> with actor <c>cli</c>). No app setting holds a
/// key or a hash: whoever can write the table can already do anything a key could.
/// </remarks>
public static class AccessKeyWriter
{
    /// <summary>Longest label.</summary>
    public const int MaxLabelLength = 100;

    /// <summary>
    /// Issues a key into <paramref name="keysTable"/> and records <c>key.issued</c> in <paramref name="auditTable"/>. The
    /// key id is random; on the (2^-64) chance that it exists, another is drawn.
    /// </summary>
    /// <param name="keysTable">The <c>AccessKeys</c> table.</param>
    /// <param name="auditTable">The <c>Audit</c> table.</param>
    /// <param name="scope">What the key reaches.</param>
    /// <param name="label">Who or what it is for (1–100 characters, no control characters).</param>
    /// <param name="expiresAt">When it stops working (after <paramref name="now"/>).</param>
    /// <param name="issuedBy">The actor: <c>key:{keyId}</c> of the issuing key, or <c>cli</c>.</param>
    /// <param name="now">The time of issue.</param>
    /// <param name="ct">Cancellation.</param>
    /// <exception cref="ArgumentException">The label or expiry is not acceptable (<see cref="CheckLabel"/>).</exception>
    public static async Task<IssuedKey> IssueAsync(TableClient keysTable, TableClient auditTable, AccessScope scope, string label,
        DateTimeOffset expiresAt, string issuedBy, DateTimeOffset now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(keysTable);
        ArgumentNullException.ThrowIfNull(auditTable);
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentException.ThrowIfNullOrWhiteSpace(issuedBy);
        if (CheckLabel(label) is { } problem) throw new ArgumentException(problem, nameof(label));
        if (expiresAt <= now) throw new ArgumentException("A key must expire after it is issued.", nameof(expiresAt));
        for (var attempt = 0; ; attempt++)
        {
            var secret = AccessKeyFormat.NewSecret();
            var entity = new AccessKeyEntity
            {
                RowKey = AccessKeyFormat.NewKeyId(),
                SecretHash = AccessKeyFormat.HashSecret(secret),
                Role = AccessScope.RoleName(scope.Role),
                StudyId = scope.StudyId,
                SiteId = scope.SiteId,
                Label = label.Trim(),
                IssuedAt = now,
                ExpiresAt = expiresAt,
                IssuedBy = issuedBy,
            };
            try
            {
                await keysTable.AddEntityAsync(entity, ct).ConfigureAwait(false);
            }
            catch (RequestFailedException e) when (e.ErrorCode == TableErrorCode.EntityAlreadyExists && attempt < 3)
            {
                continue;
            }
            await AuditTrail.WriteAsync(auditTable, AuditTrail.Row(StorageNames.SystemPartition, issuedBy, "key.issued", entity.RowKey,
                string.Create(CultureInfo.InvariantCulture, $"{scope} key, expires {expiresAt:yyyy-MM-ddTHH:mm:ssZ}"), now,
                AuditChange.Between(StorageNames.AccessKeysTable, null, entity)), ct).ConfigureAwait(false);
            return new IssuedKey(AccessKeyFormat.Compose(entity.RowKey, secret), entity);
        }
    }

    /// <summary>Why a label cannot be used, or null: 1–100 characters after trimming, no control characters.</summary>
    public static string? CheckLabel(string? label)
    {
        var trimmed = label?.Trim() ?? "";
        if (trimmed.Length == 0) return "label is required: say who or what the key is for (no personal data needed).";
        if (trimmed.Length > MaxLabelLength) return $"label is at most {MaxLabelLength} characters.";
        if (trimmed.Any(char.IsControl)) return "label may not contain control characters.";
        return null;
    }

    /// <summary>
    /// Revokes key <paramref name="keyId"/> in <paramref name="keysTable"/> (from now on it is refused), recording
    /// <c>key.revoked</c> in <paramref name="auditTable"/>; revoking a revoked key changes nothing. Returns the row as it
    /// now is, or null when no key has that id.
    /// </summary>
    public static async Task<AccessKeyEntity?> RevokeAsync(TableClient keysTable, TableClient auditTable, string keyId, string revokedBy,
        TimeProvider clock, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(keysTable);
        ArgumentNullException.ThrowIfNull(auditTable);
        ArgumentNullException.ThrowIfNull(clock);
        if (!AccessKeyFormat.IsKeyId(keyId)) return null;
        for (var attempt = 0; ; attempt++)
        {
            var found = await keysTable.GetEntityIfExistsAsync<AccessKeyEntity>(AccessKeyEntity.Partition, keyId, cancellationToken: ct).ConfigureAwait(false);
            if (!found.HasValue) return null;
            var row = found.Value!;
            if (row.RevokedAt is not null) return row;
            var now = clock.GetUtcNow();
            var before = AuditChange.Fields(row);
            row.RevokedAt = now;
            try
            {
                await keysTable.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace, ct).ConfigureAwait(false);
            }
            catch (RequestFailedException e) when (e.Status == 412 && attempt < 5)
            {
                continue;
            }
            await AuditTrail.WriteAsync(auditTable, AuditTrail.Row(StorageNames.SystemPartition, revokedBy, "key.revoked", keyId,
                $"{row.Role} key{(row.StudyId is null ? "" : " of " + row.StudyId)}{(row.SiteId is null ? "" : "/" + row.SiteId)} revoked", now,
                AuditChange.Of(AuditChange.RecordOf(StorageNames.AccessKeysTable, keyId), before, AuditChange.Fields(row))), ct).ConfigureAwait(false);
            return row;
        }
    }
}
