using AlliancePipeline.Core.Studies;

namespace AlliancePipeline.Core.Access;

/// <summary>What an access key is for. Stored in <c>AccessKeys.Role</c> by <see cref="AccessScope.RoleName"/>.</summary>
public enum AccessRole
{
    /// <summary><c>admin</c>: everything, every study; issues and revokes keys.</summary>
    Admin,
    /// <summary><c>study</c>: the coordinator of one study (every site of it).</summary>
    Study,
    /// <summary><c>site</c>: the coordinator of one site of one study; sees nothing of the other sites.</summary>
    Site,
    /// <summary><c>researcher</c>: one study's reports, exports and completion figures, read-only.</summary>
    Researcher,
}

/// <summary>
/// What a key may reach: its role and, except for <see cref="AccessRole.Admin"/>, its study, and for
/// <see cref="AccessRole.Site"/> its site. Ids are compared ordinally (exactly, case included): study and site ids are
/// lower-case by rule (<see cref="StudyIds.IsValid"/>), so <c>Site-A</c> or <c>site-a%20</c> is another site, which a site
/// key of <c>site-a</c> is refused.
/// </summary>
/// <remarks>
/// <para>The permissions, exactly:</para>
/// <list type="table">
/// <listheader><term>method</term><description>admin · study(S) · site(S, X) · researcher(S)</description></listheader>
/// <item><term><see cref="CanAdminister"/></term><description>yes · no · no · no</description></item>
/// <item><term><see cref="CanSeeStudy"/>(S)</term><description>yes · yes · yes · yes (another study: only admin)</description></item>
/// <item><term><see cref="CanReadStudy"/>(S): every site</term><description>yes · yes · no · yes</description></item>
/// <item><term><see cref="CanReadSite"/>(S, X)</term><description>yes · yes · X only · yes</description></item>
/// <item><term><see cref="CanCoordinate"/>(S): dashboard</term><description>yes · yes · yes · no</description></item>
/// <item><term><see cref="CanCoordinateSite"/>(S, X): close an alert</term><description>yes · yes · X only · no</description></item>
/// <item><term><see cref="CanReadCompletion"/>(S): completion JSON</term><description>yes · yes · yes · yes</description></item>
/// <item><term><see cref="CanReadReports"/>(S): reports, exports</term><description>yes · yes · no · yes</description></item>
/// <item><term><see cref="SiteFilter"/>(S)</term><description>null (all) · null · X · null</description></item>
/// </list>
/// </remarks>
public sealed record AccessScope
{
    private AccessScope(AccessRole role, string? studyId, string? siteId) => (Role, StudyId, SiteId) = (role, studyId, siteId);

    /// <summary>The role.</summary>
    public AccessRole Role { get; }

    /// <summary>The study of a study, site or researcher key; null for admin.</summary>
    public string? StudyId { get; }

    /// <summary>The site of a site key; null otherwise.</summary>
    public string? SiteId { get; }

    /// <summary>An admin scope.</summary>
    public static AccessScope Admin { get; } = new(AccessRole.Admin, null, null);

    /// <summary>A study coordinator's scope.</summary>
    public static AccessScope ForStudy(string studyId) => new(AccessRole.Study, CheckId(studyId, nameof(studyId)), null);

    /// <summary>A site coordinator's scope.</summary>
    public static AccessScope ForSite(string studyId, string siteId) =>
        new(AccessRole.Site, CheckId(studyId, nameof(studyId)), CheckId(siteId, nameof(siteId)));

    /// <summary>A researcher's scope.</summary>
    public static AccessScope ForResearcher(string studyId) => new(AccessRole.Researcher, CheckId(studyId, nameof(studyId)), null);

    /// <summary>The stored name of a role: <c>admin</c>, <c>study</c>, <c>site</c>, <c>researcher</c>.</summary>
    public static string RoleName(AccessRole role) => role switch
    {
        AccessRole.Admin => "admin",
        AccessRole.Study => "study",
        AccessRole.Site => "site",
        AccessRole.Researcher => "researcher",
        _ => throw new ArgumentOutOfRangeException(nameof(role), role, null),
    };

    /// <summary>The role of a stored name (exact, lower-case), or false.</summary>
    public static bool TryParseRole(string? name, out AccessRole role)
    {
        (var ok, role) = name switch
        {
            "admin" => (true, AccessRole.Admin),
            "study" => (true, AccessRole.Study),
            "site" => (true, AccessRole.Site),
            "researcher" => (true, AccessRole.Researcher),
            _ => (false, default),
        };
        return ok;
    }

    /// <summary>
    /// The scope of a role name with its study and site, or null and why not: admin takes neither, study and
    /// researcher a study only, site both; ids follow <see cref="StudyIds.IsValid"/>. Empty strings count as absent.
    /// </summary>
    public static AccessScope? TryCreate(string? role, string? studyId, string? siteId, out string? error)
    {
        studyId = string.IsNullOrEmpty(studyId) ? null : studyId;
        siteId = string.IsNullOrEmpty(siteId) ? null : siteId;
        error = null;
        if (!TryParseRole(role, out var parsed))
        {
            error = "role must be one of: admin, study, site, researcher.";
            return null;
        }
        if (studyId is not null && !StudyIds.IsValid(studyId)) error = $"studyId '{studyId}' is not a valid id (lower-case letters, digits and hyphens, at most 63).";
        else if (siteId is not null && !StudyIds.IsValid(siteId)) error = $"siteId '{siteId}' is not a valid id (lower-case letters, digits and hyphens, at most 63).";
        else if (parsed == AccessRole.Admin && (studyId is not null || siteId is not null)) error = "an admin key takes no studyId or siteId.";
        else if (parsed != AccessRole.Admin && studyId is null) error = $"a {role} key needs a studyId.";
        else if (parsed == AccessRole.Site && siteId is null) error = "a site key needs a siteId.";
        else if (parsed != AccessRole.Site && siteId is not null) error = $"a {role} key takes no siteId.";
        if (error is not null) return null;
        return new AccessScope(parsed, studyId, siteId);
    }

    /// <summary>Issues and revokes keys, and everything else.</summary>
    public bool CanAdminister => Role == AccessRole.Admin;

    /// <summary>Whether the key reaches <paramref name="studyId"/> at all (possibly one site of it).</summary>
    public bool CanSeeStudy(string? studyId) => Role == AccessRole.Admin || (studyId is not null && string.Equals(StudyId, studyId, StringComparison.Ordinal));

    /// <summary>Whether the key reads every site of <paramref name="studyId"/>.</summary>
    public bool CanReadStudy(string? studyId) => CanSeeStudy(studyId) && Role != AccessRole.Site;

    /// <summary>Whether the key reads site <paramref name="siteId"/> of <paramref name="studyId"/>.</summary>
    public bool CanReadSite(string? studyId, string? siteId) =>
        siteId is not null && (CanReadStudy(studyId) || (Role == AccessRole.Site && CanSeeStudy(studyId) && string.Equals(SiteId, siteId, StringComparison.Ordinal)));

    /// <summary>Whether the key opens the coordinator dashboard of <paramref name="studyId"/> (a site key: its site's).</summary>
    public bool CanCoordinate(string? studyId) => CanSeeStudy(studyId) && Role != AccessRole.Researcher;

    /// <summary>Whether the key acts for site <paramref name="siteId"/> of <paramref name="studyId"/> (closes its alerts).</summary>
    public bool CanCoordinateSite(string? studyId, string? siteId) => CanCoordinate(studyId) && CanReadSite(studyId, siteId);

    /// <summary>Whether the key reads the completion figures of <paramref name="studyId"/> (a site key: its site's).</summary>
    public bool CanReadCompletion(string? studyId) => CanSeeStudy(studyId);

    /// <summary>Whether the key reads the study's reports and exports (all sites' responses): not a site key.</summary>
    public bool CanReadReports(string? studyId) => CanReadStudy(studyId);

    /// <summary>
    /// The only site the key may see in <paramref name="studyId"/>: the site of a site key, null for keys that see every
    /// site. Callers filter rows by it <em>before</em> computing anything.
    /// </summary>
    /// <exception cref="UnauthorizedAccessException">The key does not reach the study (check <see cref="CanSeeStudy"/> first).</exception>
    public string? SiteFilter(string? studyId)
    {
        if (!CanSeeStudy(studyId)) throw new UnauthorizedAccessException("This key does not reach that study.");
        return Role == AccessRole.Site ? SiteId : null;
    }

    /// <summary>E.g. <c>site study-a/site-b</c>, <c>admin</c>.</summary>
    public override string ToString() => RoleName(Role) + (StudyId is null ? "" : " " + StudyId) + (SiteId is null ? "" : "/" + SiteId);

    private static string CheckId(string? id, string name) =>
        StudyIds.IsValid(id) ? id! : throw new ArgumentException($"'{id}' is not a valid id.", name);
}

/// <summary>Who calls: the key (by its public id) and its scope. Never holds the secret.</summary>
/// <param name="KeyId">The key id.</param>
/// <param name="Scope">What the key may reach.</param>
public sealed record Caller(string KeyId, AccessScope Scope)
{
    /// <summary>The <c>Audit.Actor</c> of this caller: <c>key:{keyId}</c>.</summary>
    public string Actor => "key:" + KeyId;
}
