using System.Globalization;
using AlliancePipeline.Contracts.Storage;
using AlliancePipeline.Core.Access;
using Azure;
using Azure.Data.Tables;
using Azure.Data.Tables.Models;

namespace AlliancePipeline.Functions.Infrastructure.Access;

/// <summary>A key just issued: its full text, shown once and never stored, and its row.</summary>
/// <param name="Key">The whole key (<c>ak_{keyId}_{secret}</c>): give it to its holder now; it cannot be shown again.</param>
/// <param name="Entity">The stored row (the secret's hash, scope, label, dates).</param>
public sealed record IssuedKey(string Key, AccessKeyEntity Entity)
{
    /// <summary>Never the key: a record printed by accident shows only the id.</summary>
    public override string ToString() => $"IssuedKey {{ KeyId = {Entity.RowKey} }}";
}

/// <summary>Why a presented key was refused.</summary>
public enum KeyRefusal
{
    /// <summary>Not of the key format.</summary>
    Malformed,
    /// <summary>No key has that id.</summary>
    Unknown,
    /// <summary>The id exists but the secret does not match.</summary>
    WrongSecret,
    /// <summary>The key was revoked (the secret matched).</summary>
    Revoked,
    /// <summary>The key has expired (the secret matched).</summary>
    Expired,
    /// <summary>The stored row is not a valid key (bad role or ids): refused rather than guessed at.</summary>
    InvalidRow,
}

/// <summary>The outcome of checking a presented key: the caller, or why not (and the key id when it parsed).</summary>
public sealed record KeyCheck(Caller? Caller, KeyRefusal? Refusal, string? KeyId)
{
    /// <summary>Accepted.</summary>
    public static KeyCheck Accepted(Caller caller) => new(caller, null, caller.KeyId);

    /// <summary>Refused.</summary>
    public static KeyCheck Refused(KeyRefusal refusal, string? keyId) => new(null, refusal, keyId);
}

/// <summary>
/// Access keys over the <c>AccessKeys</c> table (<see cref="AccessKeyEntity"/>): issue (the key is answered once and
/// only the SHA-256 of its secret is stored), verify (point read by key id; the secret's hash compared in constant time;
/// then revoked and expired refused), revoke, list. Issuing and revoking write <c>Audit</c> rows (<c>key.issued</c>,
/// <c>key.revoked</c>, partition <see cref="StorageNames.SystemPartition"/>) naming the acting key id, never a secret.
/// </summary>
/// <remarks>
/// The first admin key is written straight to storage by whoever holds the storage account's table data rights, through
/// <see cref="IssueAsync(TableClient, TableClient, AccessScope, string, DateTimeOffset, string, DateTimeOffset, CancellationToken)"/>,
/// which needs no dependency injection (the CLI's <c>alliance keys bootstrap</c> calls it with actor <c>cli</c>). No app
/// setting holds a key or a hash: whoever can write the table can already do anything a key could.
/// </remarks>
public sealed class AccessKeys(TableServiceClient tables, TimeProvider clock)
{
    /// <summary>Longest validity of a key, in days.</summary>
    public const int MaxValidDays = 366;

    /// <summary>Validity of a key when none is asked for, in days.</summary>
    public const int DefaultValidDays = 90;

    /// <summary>Longest label.</summary>
    public const int MaxLabelLength = 100;

    private TableClient Keys => tables.GetTableClient(StorageNames.AccessKeysTable);

    private TableClient Audit => tables.GetTableClient(StorageNames.AuditTable);

    /// <summary>Issues a key valid for <paramref name="validDays"/> days from now.</summary>
    public Task<IssuedKey> IssueAsync(AccessScope scope, string label, int validDays, string issuedBy, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(validDays, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(validDays, MaxValidDays);
        var now = clock.GetUtcNow();
        return IssueAsync(Keys, Audit, scope, label, now.AddDays(validDays), issuedBy, now, ct);
    }

    /// <summary>
    /// Issues a key straight into <paramref name="keysTable"/> and records <c>key.issued</c> in <paramref name="auditTable"/>:
    /// usable without the app (the CLI's bootstrap of the first admin key). The key id is random; on the (2^-64) chance
    /// that it exists, another is drawn.
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
            await AuditTrail.WriteAsync(auditTable, StorageNames.SystemPartition, issuedBy, "key.issued", entity.RowKey,
                string.Create(CultureInfo.InvariantCulture, $"{scope} key, expires {expiresAt:yyyy-MM-ddTHH:mm:ssZ}"), now, ct).ConfigureAwait(false);
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

    /// <summary>Checks a presented key now: the caller, or why it is refused. Never throws for bad input.</summary>
    public async Task<KeyCheck> VerifyAsync(string? presented, CancellationToken ct)
    {
        if (!AccessKeyFormat.TryParse(presented, out var parsed)) return KeyCheck.Refused(KeyRefusal.Malformed, null);
        var found = await Keys.GetEntityIfExistsAsync<AccessKeyEntity>(AccessKeyEntity.Partition, parsed.KeyId, cancellationToken: ct).ConfigureAwait(false);
        return Check(parsed, found.HasValue ? found.Value : null, clock.GetUtcNow());
    }

    /// <summary>
    /// The decision for a parsed key and its stored row at <paramref name="now"/>, in this order: unknown id, wrong
    /// secret (constant-time), revoked, expired (from <c>ExpiresAt</c> on), a row that is no valid scope. Revoked and
    /// expired are told only to a holder of the right secret.
    /// </summary>
    public static KeyCheck Check(ParsedAccessKey key, AccessKeyEntity? row, DateTimeOffset now)
    {
        if (row is null) return KeyCheck.Refused(KeyRefusal.Unknown, key.KeyId);
        if (!AccessKeyFormat.SecretMatches(key.Secret, row.SecretHash)) return KeyCheck.Refused(KeyRefusal.WrongSecret, key.KeyId);
        if (row.RevokedAt is not null) return KeyCheck.Refused(KeyRefusal.Revoked, key.KeyId);
        if (now >= row.ExpiresAt) return KeyCheck.Refused(KeyRefusal.Expired, key.KeyId);
        var scope = AccessScope.TryCreate(row.Role, row.StudyId, row.SiteId, out _);
        return scope is null ? KeyCheck.Refused(KeyRefusal.InvalidRow, key.KeyId) : KeyCheck.Accepted(new Caller(key.KeyId, scope));
    }

    /// <summary>
    /// Revokes a key (from now on it is refused), recording <c>key.revoked</c>; revoking a revoked key changes nothing.
    /// Returns the row as it now is, or null when no key has that id.
    /// </summary>
    public async Task<AccessKeyEntity?> RevokeAsync(string keyId, string revokedBy, CancellationToken ct)
    {
        if (!AccessKeyFormat.IsKeyId(keyId)) return null;
        for (var attempt = 0; ; attempt++)
        {
            var found = await Keys.GetEntityIfExistsAsync<AccessKeyEntity>(AccessKeyEntity.Partition, keyId, cancellationToken: ct).ConfigureAwait(false);
            if (!found.HasValue) return null;
            var row = found.Value!;
            if (row.RevokedAt is not null) return row;
            var now = clock.GetUtcNow();
            row.RevokedAt = now;
            try
            {
                await Keys.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace, ct).ConfigureAwait(false);
            }
            catch (RequestFailedException e) when (e.Status == 412 && attempt < 5)
            {
                continue;
            }
            await AuditTrail.WriteAsync(Audit, StorageNames.SystemPartition, revokedBy, "key.revoked", keyId,
                $"{row.Role} key{(row.StudyId is null ? "" : " of " + row.StudyId)}{(row.SiteId is null ? "" : "/" + row.SiteId)} revoked", now, ct).ConfigureAwait(false);
            return row;
        }
    }

    /// <summary>Every key, newest first (rows hold hashes, never secrets).</summary>
    public async Task<IReadOnlyList<AccessKeyEntity>> ListAsync(CancellationToken ct)
    {
        var list = new List<AccessKeyEntity>();
        await foreach (var e in Keys.QueryAsync<AccessKeyEntity>(e => e.PartitionKey == AccessKeyEntity.Partition, cancellationToken: ct).ConfigureAwait(false))
            list.Add(e);
        return [.. list.OrderByDescending(k => k.IssuedAt).ThenBy(k => k.RowKey, StringComparer.Ordinal)];
    }
}

/// <summary>Writes <c>Audit</c> rows (<see cref="AuditEntity"/>): when, who (a key id or process, never a secret), what.</summary>
public static class AuditTrail
{
    /// <summary>Adds one row; the row key sorts the partition newest first.</summary>
    public static Task WriteAsync(TableClient audit, string partition, string actor, string action, string subject, string details, DateTimeOffset at, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(audit);
        return audit.AddEntityAsync(new AuditEntity
        {
            PartitionKey = partition,
            RowKey = AuditEntity.NewRowKey(at),
            At = at,
            Actor = actor,
            Action = action,
            Subject = subject,
            Details = details,
        }, ct);
    }
}
