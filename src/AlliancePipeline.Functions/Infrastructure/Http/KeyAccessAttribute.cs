using AlliancePipeline.Core.Access;

namespace AlliancePipeline.Functions.Infrastructure.Http;

/// <summary>What a key must be allowed for a function with <see cref="KeyAccessAttribute"/> to run.</summary>
public enum KeyPermission
{
    /// <summary>Admin keys only (<see cref="AccessScope.CanAdminister"/>).</summary>
    Administer,
    /// <summary>A coordinator of the route's study: admin, its study key, a site key of it (<see cref="AccessScope.CanCoordinate"/>).</summary>
    Coordinate,
    /// <summary>A coordinator of every site of the route's study: admin, its study key (<see cref="AccessScope.CanReadStudy"/> and <see cref="AccessScope.CanCoordinate"/>).</summary>
    CoordinateStudy,
    /// <summary>The route's study's reports and exports: admin, its study key, its researcher key (<see cref="AccessScope.CanReadReports"/>).</summary>
    ReadReports,
    /// <summary>The route's study's completion figures: any key of it (<see cref="AccessScope.CanReadCompletion"/>).</summary>
    ReadCompletion,
}

/// <summary>How a function with <see cref="KeyAccessAttribute"/> answers the refusals of its key.</summary>
public enum RefuseAs
{
    /// <summary>Problem details.</summary>
    Problem,
    /// <summary>A page (the function serves a page).</summary>
    Page,
    /// <summary>Problem details for a client that asks for JSON (<see cref="HttpRequestExtensions.WantsJson"/>), a page otherwise.</summary>
    Asked,
    /// <summary>A page when the route's <c>{file}</c> is an HTML file, problem details otherwise.</summary>
    File,
    /// <summary>
    /// A page when a browser opens the route itself (<see cref="HttpRequestExtensions.IsBrowserNavigation"/>: a JSON
    /// route a page links to), problem details otherwise.
    /// </summary>
    Navigation,
}

/// <summary>
/// Declares that a function answers only a caller with an access key allowed <see cref="Permission"/> on the route's
/// <c>{studyId}</c>. <see cref="KeyAccessMiddleware"/> checks it before the function runs and hands the function its
/// <see cref="Caller"/> (<see cref="CallerExtensions.GetCaller"/>); the function itself checks no key.
/// </summary>
/// <param name="permission">What the key must be allowed.</param>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class KeyAccessAttribute(KeyPermission permission) : Attribute
{
    /// <summary>The route value naming the study a key must reach.</summary>
    public const string StudyRouteValue = "studyId";

    /// <summary>The route value naming the file, for <see cref="RefuseAs.File"/>.</summary>
    public const string FileRouteValue = "file";

    /// <summary>What the key must be allowed.</summary>
    public KeyPermission Permission { get; } = permission;

    /// <summary>How refusals are answered; problem details unless said.</summary>
    public RefuseAs RefuseAs { get; init; } = RefuseAs.Problem;

    /// <summary>Whether <paramref name="scope"/> is allowed <see cref="Permission"/> on <paramref name="studyId"/>.</summary>
    public bool Allows(AccessScope scope, string? studyId)
    {
        ArgumentNullException.ThrowIfNull(scope);
        return Permission switch
        {
            KeyPermission.Administer => scope.CanAdminister,
            KeyPermission.Coordinate => scope.CanCoordinate(studyId),
            KeyPermission.CoordinateStudy => scope.CanReadStudy(studyId) && scope.CanCoordinate(studyId),
            KeyPermission.ReadReports => scope.CanReadReports(studyId),
            KeyPermission.ReadCompletion => scope.CanReadCompletion(studyId),
            _ => false,
        };
    }

    /// <summary>How a refusal of <paramref name="request"/> is answered, <paramref name="file"/> being the route's <c>{file}</c>.</summary>
    public AnswerAs AnswerFor(HttpRequest request, string? file) => RefuseAs switch
    {
        RefuseAs.Page => AnswerAs.Page,
        RefuseAs.Asked => request.WantsJson() ? AnswerAs.Json : AnswerAs.Page,
        RefuseAs.File => file?.EndsWith(".html", StringComparison.Ordinal) == true ? AnswerAs.Page : AnswerAs.Json,
        RefuseAs.Navigation => request.IsBrowserNavigation() ? AnswerAs.Page : AnswerAs.Json,
        _ => AnswerAs.Json,
    };
}
