using AlliancePipeline.Core.Access;
using AlliancePipeline.Functions.Dashboards;
using AlliancePipeline.Functions.Infrastructure.Access;
using AlliancePipeline.Functions.Infrastructure.Outcomes;

namespace AlliancePipeline.Functions.Keys;

/// <summary>A key to issue, as asked for: <c>{"role","studyId","siteId","label","validDays"}</c> (checked by <see cref="KeyAdministration.IssueAsync"/>).</summary>
/// <param name="Role">admin, study, site or researcher.</param>
/// <param name="StudyId">The study of a study, site or researcher key.</param>
/// <param name="SiteId">The site of a site key.</param>
/// <param name="Label">Who holds it (required).</param>
/// <param name="ValidDays">Days it is valid (default <see cref="AccessKeys.DefaultValidDays"/>).</param>
public sealed record KeyRequest(string? Role, string? StudyId, string? SiteId, string? Label, int? ValidDays)
{
    /// <summary>The fields, as they are written.</summary>
    public static readonly IReadOnlyList<string> Fields = ["role", "studyId", "siteId", "label", "validDays"];
}

/// <summary>
/// The access keys as an admin manages them: issue (the key answered once, never again), list (no secrets, no hashes;
/// one study's when asked), revoke (revoking twice changes nothing). A request that cannot be done is refused with what
/// is wrong: a field (400), an unknown key (404). The routes check the admin key (<c>[KeyAccess]</c>).
/// </summary>
/// <remarks>
/// The routes are <c>keys</c>, not <c>admin/keys</c>: the Functions host reserves every route that starts with
/// <c>admin</c> (its own admin API), even under the <c>api</c> prefix, and refuses to load a function that claims one.
/// </remarks>
public sealed class KeyAdministration(AccessKeys keys, DashboardReader studies, AccessClock clock, ILogger<KeyAdministration> log)
{
    /// <summary>The largest body taken.</summary>
    public const int MaxBodyBytes = 4096;

    /// <summary>Issues the key <paramref name="asked"/> for, by <paramref name="issuer"/>.</summary>
    public async Task<Outcome<IssuedKeyAnswer>> IssueAsync(KeyRequest asked, Caller issuer, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(asked);
        ArgumentNullException.ThrowIfNull(issuer);
        var scope = AccessScope.TryCreate(asked.Role, asked.StudyId, asked.SiteId, out var scopeError);
        if (scope is null) return Invalid(scopeError!);
        if (AccessKeys.CheckLabel(asked.Label) is { } labelError) return Invalid(labelError);
        var days = asked.ValidDays ?? AccessKeys.DefaultValidDays;
        if (days is < 1 or > AccessKeys.MaxValidDays) return Invalid($"validDays is 1 to {AccessKeys.MaxValidDays} (default {AccessKeys.DefaultValidDays}).");
        if (scope.StudyId is not null)
        {
            var study = await studies.FindStudyAsync(scope.StudyId, ct).ConfigureAwait(false);
            if (study is null) return Invalid($"studyId '{scope.StudyId}' is not a study.");
            if (scope.SiteId is not null && !(await studies.SiteNamesAsync(study, scope.SiteId, ct).ConfigureAwait(false)).ContainsKey(scope.SiteId))
                return Invalid($"siteId '{scope.SiteId}' is not a site of study '{scope.StudyId}'.");
        }

        var issued = await keys.IssueAsync(scope, asked.Label!, days, issuer.Actor, ct).ConfigureAwait(false);
        log.LogInformation("Key {KeyId} ({Scope}) issued by key {Issuer}.", issued.Entity.RowKey, scope.ToString(), issuer.KeyId);
        return new IssuedKeyAnswer(issued.Key, KeyInfo.Of(issued.Entity, clock.GetUtcNow()));
    }

    /// <summary>The keys, newest first; <paramref name="studyId"/>'s only when given.</summary>
    public async Task<KeyList> ListAsync(string? studyId, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var rows = await keys.ListAsync(ct).ConfigureAwait(false);
        return new KeyList([.. rows.Where(k => studyId is null || k.StudyId == studyId).Select(k => KeyInfo.Of(k, now))]);
    }

    /// <summary>Revokes a key, by <paramref name="revoker"/>.</summary>
    public async Task<Outcome<KeyInfo>> RevokeAsync(string keyId, Caller revoker, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(revoker);
        if (!AccessKeyFormat.IsKeyId(keyId)) return Invalid("A key id is 16 lower-case hex characters (the part after ak_).");
        var row = await keys.RevokeAsync(keyId, revoker.Actor, ct).ConfigureAwait(false);
        if (row is null) return Refusal.NotFound("Not found", "No key has that id.");
        log.LogInformation("Key {KeyId} revoked by key {Revoker}.", keyId, revoker.KeyId);
        return KeyInfo.Of(row, clock.GetUtcNow());
    }

    /// <summary>A key request refused for <paramref name="detail"/> (400).</summary>
    public static Refusal Invalid(string detail) => Refusal.Invalid("Invalid key request", detail);
}
