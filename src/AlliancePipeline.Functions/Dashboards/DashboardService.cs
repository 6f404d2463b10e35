using AlliancePipeline.Contracts.Storage;
using AlliancePipeline.Core.Access;
using AlliancePipeline.Core.Studies;
using AlliancePipeline.Functions.Infrastructure.Access;
using AlliancePipeline.Functions.Infrastructure.Http;
using AlliancePipeline.Functions.Infrastructure.Storage;
using AlliancePipeline.Functions.Questionnaires;
using Azure.Data.Tables;

namespace AlliancePipeline.Functions.Dashboards;

/// <summary>
/// The coordinator dashboard (<c>GET /api/studies/{studyId}/dashboard</c>, HTML), the completion figures
/// (<c>GET /api/studies/{studyId}/completion</c>, JSON) and closing an alert
/// (<c>POST /api/studies/{studyId}/alerts/{assessmentId}/close</c>), each behind an access key.
/// </summary>
/// <remarks>
/// <para>Who sees what: admin every study; a study key its study; a site key its site only: the site is fixed by the key,
/// storage is asked for that site's rows, and the report drops any other row again before computing. <c>?site=</c>
/// narrows the view of an admin or study key to one site; a site key asking for another site gets 403, never an empty
/// page. A researcher key reads the completion JSON of its study (read-only): not the dashboard, and closes nothing.</para>
/// <para>Order of checks: key (401/429), then the study id against the key's scope (403 for another study, whether it
/// exists or not, so a key learns nothing of other studies), then the permission (403), then <c>?site=</c> (400 given
/// twice, 403 another site for a site key), then existence (404 unknown study for an admin or a key of a deleted study; 404
/// unknown site). Storage unreachable → 503.</para>
/// </remarks>
public sealed class DashboardService(KeyAuthentication authentication, DashboardReader reader, TableServiceClient tables, TimeProvider clock, ILogger<DashboardService> log)
{
    /// <summary>The query parameter that narrows the view to one site.</summary>
    public const string SiteParameter = "site";

    /// <summary>The dashboard page.</summary>
    public Task<IResult> DashboardAsync(string studyId, HttpRequest request, CancellationToken ct) =>
        GuardAsync(request, AnswerAs.Page, async () =>
        {
            var opened = await OpenAsync(studyId, request, AnswerAs.Page, (scope, id) => scope.CanCoordinate(id), ct).ConfigureAwait(false);
            if (opened.Refusal is { } refusal) return refusal;
            var report = CompletionReport.Build(opened.Input!, clock.GetUtcNow());
            var view = new DashboardView(
                report,
                KeyAuthentication.KeyInQuery(request) ? request.Query[KeyAuthentication.QueryParameter].ToString() : null,
                AllSitesVisible: opened.Caller!.Scope.CanReadStudy(studyId),
                CanCloseAlerts: opened.Caller.Scope.CanCoordinate(studyId),
                ClosedAlert: request.Query["closed"] is { Count: 1 } closed && IsAssessmentId(closed[0]) && report.OpenAlerts.All(a => a.AssessmentId != closed[0]) ? closed[0] : null);
            NoStore(request);
            return HttpResults.Page(StatusCodes.Status200OK, DashboardPage.Render(view));
        });

    /// <summary>The completion figures as JSON.</summary>
    public Task<IResult> CompletionAsync(string studyId, HttpRequest request, CancellationToken ct) =>
        GuardAsync(request, AnswerAs.Json, async () =>
        {
            var opened = await OpenAsync(studyId, request, AnswerAs.Json, (scope, id) => scope.CanReadCompletion(id), ct).ConfigureAwait(false);
            if (opened.Refusal is { } refusal) return refusal;
            NoStore(request);
            return TypedResults.Ok(CompletionReport.Build(opened.Input!, clock.GetUtcNow()));
        });

    /// <summary>
    /// Closes an open alert: a coordinator of the study, or of the alert's site. An alert of a site the key does not reach
    /// is answered as not found (no existence oracle). Closing a closed alert changes nothing. A form post is answered with
    /// 303 to the dashboard; a client that asks for JSON gets 200 with the alert's state.
    /// </summary>
    public Task<IResult> CloseAlertAsync(string studyId, string assessmentId, HttpRequest request, CancellationToken ct)
    {
        var answerAs = QuestionnaireService.WantsJson(request) ? AnswerAs.Json : AnswerAs.Page;
        return GuardAsync(request, answerAs, async () =>
        {
            var auth = await authentication.AuthorizeAsync(request, scope => scope.CanCoordinate(studyId), answerAs, ct).ConfigureAwait(false);
            if (!auth.Succeeded) return auth.Refusal;
            var caller = auth.Caller;
            var alert = StudyIds.IsValid(studyId) && IsAssessmentId(assessmentId)
                ? await reader.FindAlertAsync(studyId, assessmentId, ct).ConfigureAwait(false)
                : null;
            if (alert is null || !caller.Scope.CanCoordinateSite(studyId, alert.SiteId))
                return AccessResults.NotFound(answerAs, "No alert with that id is visible to this key.");

            var now = clock.GetUtcNow();
            if (await reader.CloseAlertAsync(alert, caller.Actor, now, ct).ConfigureAwait(false))
            {
                await AuditTrail.WriteAsync(tables.GetTableClient(StorageNames.AuditTable), studyId, caller.Actor, "alert.closed", assessmentId,
                    $"rupture alert of dyad {alert.DyadId}, meeting {alert.Meeting}, {alert.RaterRole} closed", now, ct).ConfigureAwait(false);
                log.LogInformation("Alert {StudyId}/{AssessmentId} closed by key {KeyId}.", studyId, assessmentId, caller.KeyId);
            }
            NoStore(request);
            if (answerAs == AnswerAs.Json)
            {
                var current = await reader.FindAlertAsync(studyId, assessmentId, ct).ConfigureAwait(false) ?? alert;
                return TypedResults.Ok(new AlertState(assessmentId, current.Status, current.ClosedAt, current.ClosedBy));
            }
            var key = KeyAuthentication.KeyInQuery(request) ? "&key=" + Uri.EscapeDataString(request.Query[KeyAuthentication.QueryParameter].ToString()) : "";
            return HttpResults.SeeOther($"../../dashboard?closed={Uri.EscapeDataString(assessmentId)}{key}#alerts");
        });
    }

    /// <summary>Whether <paramref name="id"/> can be an assessment id (a table key): 1–128 of a–z, A–Z, 0–9, '-', '_', '.', ':'.</summary>
    public static bool IsAssessmentId(string? id) =>
        id is { Length: > 0 and <= 128 } && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':');

    private async Task<Opened> OpenAsync(string studyId, HttpRequest request, AnswerAs answerAs, Func<AccessScope, string, bool> allowed, CancellationToken ct)
    {
        var auth = await authentication.AuthenticateAsync(request, answerAs, ct).ConfigureAwait(false);
        if (!auth.Succeeded) return new(auth.Refusal);
        var caller = auth.Caller;
        var scope = caller.Scope;
        if (!scope.CanSeeStudy(studyId) || !allowed(scope, studyId))
        {
            log.LogInformation("Access refused: key {KeyId} ({Role}) asked for a study it does not reach or may not read this way (403).", caller.KeyId, scope.Role);
            return new(AccessResults.Forbidden(answerAs));
        }

        var asked = request.Query[SiteParameter];
        if (asked.Count > 1) return new(AccessResults.BadRequest(answerAs, "Site given twice", "Give ?site= once."));
        var askedSite = asked.Count == 1 && !string.IsNullOrEmpty(asked[0]) ? asked[0] : null;
        var keySite = scope.SiteFilter(studyId);
        if (askedSite is not null && keySite is not null && !string.Equals(askedSite, keySite, StringComparison.Ordinal))
        {
            log.LogInformation("Access refused: site key {KeyId} asked for another site (403).", caller.KeyId);
            return new(AccessResults.Forbidden(answerAs));
        }
        if (askedSite is not null && !StudyIds.IsValid(askedSite))
            return new(AccessResults.BadRequest(answerAs, "Invalid site", "?site= takes a site id: lower-case letters, digits and hyphens."));

        var study = StudyIds.IsValid(studyId) ? await reader.FindStudyAsync(studyId, ct).ConfigureAwait(false) : null;
        if (study is null) return new(AccessResults.NotFound(answerAs, "There is no such study."));
        var site = keySite ?? askedSite;
        if (keySite is null && site is not null)
        {
            var sites = await reader.SiteNamesAsync(study, site, ct).ConfigureAwait(false);
            if (!sites.ContainsKey(site)) return new(AccessResults.NotFound(answerAs, "The study has no such site."));
        }
        return new(caller, await reader.ReadAsync(study, site, ct).ConfigureAwait(false));
    }

    private async Task<IResult> GuardAsync(HttpRequest request, AnswerAs answerAs, Func<Task<IResult>> work)
    {
        try
        {
            return await work().ConfigureAwait(false);
        }
        catch (Exception e) when (StorageUnavailable.Is(e))
        {
            log.LogWarning("A dashboard request could not be served (storage unavailable: {Reason}); answered 503.", StorageUnavailable.Describe(e));
            return AccessResults.Unavailable(request, answerAs);
        }
    }

    private static void NoStore(HttpRequest request) => request.HttpContext.Response.Headers.CacheControl = "no-store";

    private sealed record Opened(Caller? Caller, CompletionInput? Input, IResult? Refusal)
    {
        public Opened(IResult refusal) : this(null, null, refusal) { }

        public Opened(Caller caller, CompletionInput input) : this(caller, input, null) { }
    }
}

/// <summary>The JSON answer to closing an alert.</summary>
public sealed record AlertState(string AssessmentId, string Status, DateTimeOffset? ClosedAt, string? ClosedBy);
