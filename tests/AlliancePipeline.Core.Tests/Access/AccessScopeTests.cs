using AlliancePipeline.Core.Access;

namespace AlliancePipeline.Core.Tests.Access;

/// <summary>Every permission of every role, against its own study and site, another site, another study, and bent ids.</summary>
public sealed class AccessScopeTests
{
    private const string S = "study-a";
    private const string X = "site-a";

    private static readonly AccessScope Admin = AccessScope.Admin;
    private static readonly AccessScope Study = AccessScope.ForStudy(S);
    private static readonly AccessScope Site = AccessScope.ForSite(S, X);
    private static readonly AccessScope Researcher = AccessScope.ForResearcher(S);

    public static IEnumerable<object?[]> Table()
    {
        // scope, study asked, site asked → CanAdminister, CanSeeStudy, CanReadStudy, CanReadSite, CanCoordinate,
        // CanCoordinateSite, CanReadCompletion, CanReadReports, SiteFilter throws, SiteFilter
        object?[][] data =
        [
            //  scope        study       site       adm    see    rStudy rSite  coord  coordS compl  rep    throws filter
            ["admin",      S,          X,          true,  true,  true,  true,  true,  true,  true,  true,  false, null],
            ["admin",      "study-b",  "site-b",   true,  true,  true,  true,  true,  true,  true,  true,  false, null],
            ["study",      S,          X,          false, true,  true,  true,  true,  true,  true,  true,  false, null],
            ["study",      S,          "site-b",   false, true,  true,  true,  true,  true,  true,  true,  false, null],
            ["study",      "study-b",  X,          false, false, false, false, false, false, false, false, true, null],
            ["site",       S,          X,          false, true,  false, true,  true,  true,  true,  false, false, X],
            ["site",       S,          "site-b",   false, true,  false, false, true,  false, true,  false, false, X],
            ["site",       "study-b",  X,          false, false, false, false, false, false, false, false, true, null],
            ["site",       S,          "SITE-A",   false, true,  false, false, true,  false, true,  false, false, X],
            ["site",       "STUDY-A",  X,          false, false, false, false, false, false, false, false, true, null],
            ["site",       S,          "site-a ",  false, true,  false, false, true,  false, true,  false, false, X],
            ["site",       S,          "site-a%2F..", false, true, false, false, true, false, true,  false, false, X],
            ["researcher", S,          X,          false, true,  true,  true,  false, false, true,  true,  false, null],
            ["researcher", S,          "site-b",   false, true,  true,  true,  false, false, true,  true,  false, null],
            ["researcher", "study-b",  X,          false, false, false, false, false, false, false, false, true, null],
            ["study",      "study-a ", X,          false, false, false, false, false, false, false, false, true, null],
        ];
        return data;
    }

    private static AccessScope Scope(string name) => name switch
    {
        "admin" => Admin,
        "study" => Study,
        "site" => Site,
        "researcher" => Researcher,
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    [Theory]
    [MemberData(nameof(Table))]
    public void Every_permission_of_every_role(string scopeName, string study, string site, bool administer, bool see, bool readStudy,
        bool readSite, bool coordinate, bool coordinateSite, bool completion, bool reports, bool filterThrows, string? filter)
    {
        var scope = Scope(scopeName);
        Assert.Equal(administer, scope.CanAdminister);
        Assert.Equal(see, scope.CanSeeStudy(study));
        Assert.Equal(readStudy, scope.CanReadStudy(study));
        Assert.Equal(readSite, scope.CanReadSite(study, site));
        Assert.Equal(coordinate, scope.CanCoordinate(study));
        Assert.Equal(coordinateSite, scope.CanCoordinateSite(study, site));
        Assert.Equal(completion, scope.CanReadCompletion(study));
        Assert.Equal(reports, scope.CanReadReports(study));
        if (filterThrows)
            Assert.Throws<UnauthorizedAccessException>(() => scope.SiteFilter(study));
        else
            Assert.Equal(filter, scope.SiteFilter(study));
    }

    [Fact]
    public void Null_ids_are_never_in_scope_except_for_admin()
    {
        foreach (var scope in new[] { Study, Site, Researcher })
        {
            Assert.False(scope.CanSeeStudy(null));
            Assert.False(scope.CanReadSite(S, null));
            Assert.False(scope.CanCoordinateSite(S, null));
        }
        Assert.True(Admin.CanSeeStudy(null));
        Assert.False(Admin.CanReadSite(S, null));
    }

    [Theory]
    [InlineData("admin", null, null, "admin")]
    [InlineData("admin", "", "", "admin")]
    [InlineData("study", S, null, "study study-a")]
    [InlineData("site", S, X, "site study-a/site-a")]
    [InlineData("researcher", S, null, "researcher study-a")]
    public void Valid_combinations_make_a_scope(string role, string? study, string? site, string expected)
    {
        var scope = AccessScope.TryCreate(role, study, site, out var error);
        Assert.Null(error);
        Assert.Equal(expected, scope!.ToString());
    }

    [Theory]
    [InlineData(null, null, null, "role must be one of: admin, study, site, researcher.")]
    [InlineData("Admin", null, null, "role must be one of: admin, study, site, researcher.")]
    [InlineData("owner", S, null, "role must be one of: admin, study, site, researcher.")]
    [InlineData("admin", S, null, "an admin key takes no studyId or siteId.")]
    [InlineData("admin", null, X, "an admin key takes no studyId or siteId.")]
    [InlineData("study", null, null, "a study key needs a studyId.")]
    [InlineData("study", S, X, "a study key takes no siteId.")]
    [InlineData("researcher", S, X, "a researcher key takes no siteId.")]
    [InlineData("researcher", null, null, "a researcher key needs a studyId.")]
    [InlineData("site", S, null, "a site key needs a siteId.")]
    [InlineData("site", null, X, "a site key needs a studyId.")]
    [InlineData("site", "Study-A", X, "studyId 'Study-A' is not a valid id (lower-case letters, digits and hyphens, at most 63).")]
    [InlineData("site", S, "../x", "siteId '../x' is not a valid id (lower-case letters, digits and hyphens, at most 63).")]
    public void Invalid_combinations_are_refused_with_a_reason(string? role, string? study, string? site, string error)
    {
        Assert.Null(AccessScope.TryCreate(role, study, site, out var actual));
        Assert.Equal(error, actual);
    }

    [Fact]
    public void Role_names_round_trip_and_factories_refuse_bad_ids()
    {
        foreach (var role in Enum.GetValues<AccessRole>())
        {
            Assert.True(AccessScope.TryParseRole(AccessScope.RoleName(role), out var back));
            Assert.Equal(role, back);
        }
        Assert.Throws<ArgumentException>(() => AccessScope.ForSite(S, "Site-A"));
        Assert.Throws<ArgumentException>(() => AccessScope.ForStudy(""));
        Assert.Equal("key:0123456789abcdef", new Caller("0123456789abcdef", Site).Actor);
    }
}
