using AlliancePipeline.Contracts.Storage;
using AlliancePipeline.Core.Access;
using Azure.Data.Tables;

namespace AlliancePipeline.Functions.Infrastructure.Access;

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
    /// <summary>How much longer an accepted key is valid (until its <c>ExpiresAt</c>); null when refused.</summary>
    public TimeSpan? ValidFor { get; init; }

    /// <summary>Accepted, valid for <paramref name="validFor"/> more.</summary>
    public static KeyCheck Accepted(Caller caller, TimeSpan validFor) => new(caller, null, caller.KeyId) { ValidFor = validFor };

    /// <summary>Refused.</summary>
    public static KeyCheck Refused(KeyRefusal refusal, string? keyId) => new(null, refusal, keyId);
}

/// <summary>
/// Access keys over the <c>AccessKeys</c> table (<see cref="AccessKeyEntity"/>): verify (point read by key id; the
/// secret's hash compared in constant time; then revoked and expired refused) and list here; issue and revoke through
/// <see cref="AccessKeyWriter"/> (Contracts: the one writer of the table, which the <c>alliance</c> tool's
/// <c>keys bootstrap</c> uses too), each recorded in <c>Audit</c> naming the acting key id, never a secret. Times are
/// real time (<see cref="AccessClock"/>), whatever the app clock says.
/// </summary>
public sealed class AccessKeys(TableServiceClient tables, AccessClock clock)
{
    /// <summary>Longest validity of a key, in days.</summary>
    public const int MaxValidDays = 366;

    /// <summary>Validity of a key when none is asked for, in days.</summary>
    public const int DefaultValidDays = 90;

    private TableClient Keys => tables.GetTableClient(StorageNames.AccessKeysTable);

    private TableClient Audit => tables.GetTableClient(StorageNames.AuditTable);

    /// <summary>Issues a key valid for <paramref name="validDays"/> days from now.</summary>
    public Task<IssuedKey> IssueAsync(AccessScope scope, string label, int validDays, string issuedBy, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(validDays, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(validDays, MaxValidDays);
        var now = clock.GetUtcNow();
        return AccessKeyWriter.IssueAsync(Keys, Audit, scope, label, now.AddDays(validDays), issuedBy, now, ct);
    }

    /// <summary>Why a label cannot be used, or null (<see cref="AccessKeyWriter.CheckLabel"/>).</summary>
    public static string? CheckLabel(string? label) => AccessKeyWriter.CheckLabel(label);

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
        return scope is null ? KeyCheck.Refused(KeyRefusal.InvalidRow, key.KeyId) : KeyCheck.Accepted(new Caller(key.KeyId, scope), row.ExpiresAt - now);
    }

    /// <summary>
    /// Revokes a key (from now on it is refused), recording <c>key.revoked</c>; revoking a revoked key changes nothing.
    /// Returns the row as it now is, or null when no key has that id.
    /// </summary>
    public Task<AccessKeyEntity?> RevokeAsync(string keyId, string revokedBy, CancellationToken ct) =>
        AccessKeyWriter.RevokeAsync(Keys, Audit, keyId, revokedBy, clock.Time, ct);

    /// <summary>Every key, newest first (rows hold hashes, never secrets).</summary>
    public async Task<IReadOnlyList<AccessKeyEntity>> ListAsync(CancellationToken ct)
    {
        var list = new List<AccessKeyEntity>();
        await foreach (var e in Keys.QueryAsync<AccessKeyEntity>(e => e.PartitionKey == AccessKeyEntity.Partition, cancellationToken: ct).ConfigureAwait(false))
            list.Add(e);
        return [.. list.OrderByDescending(k => k.IssuedAt).ThenBy(k => k.RowKey, StringComparer.Ordinal)];
    }
}
