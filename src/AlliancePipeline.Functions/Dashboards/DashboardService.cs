using AlliancePipeline.Contracts.Storage;
using AlliancePipeline.Core.Access;
using AlliancePipeline.Core.Studies;
using AlliancePipeline.Functions.Infrastructure.Outcomes;
using Azure.Data.Tables;

namespace AlliancePipeline.Functions.Dashboards;

/// <summary>
/// The completion figures behind the coordinator dashboard (<c>GET /api/studies/{studyId}/dashboard</c>, HTML) and the
/// completion JSON (<c>GET /api/studies/{studyId}/completion</c>), and closing an alert
/// (<c>POST /api/studies/{studyId}/alerts/{assessmentId}/close</c>), for a caller whose key the edge has checked.
/// </summary>
/// <remarks>
/// <para>Who sees what: admin every study; a study key its study; a site key its site only: the site is fixed by the key,
/// storage is asked for that site's rows, and the report drops any other row again before computing. A site asked for
/// (<c>?site=</c>) narrows the view of an admin or study key to one site; a site key asking for another site is refused
/// (403), never given an empty page. A researcher key reads the completion JSON of its study (read-only).</para>
/// <para>Order of checks, after the key and its scope (401, 403): the site asked for (403 another site for a site key,
/// 400 not a site id), then existence (404 unknown study for an admin or a key of a deleted study; 404 unknown site).</para>
/// </remarks>
public sealed class DashboardService(DashboardReader reader, TableServiceClient tables, TimeProvider clock, ILogger<DashboardService> log)
{
    /// <summary>The query parameter that narrows the view to one site.</summary>
    public const string SiteParameter = "site";

    private static readonly Refusal NotAllowed = Refusal.Forbidden("Not allowed", "This access key does not allow this request.");

    /// <summary>The completion figures of <paramref name="studyId"/> as <paramref name="caller"/> may see them, of <paramref name="site"/> when asked.</summary>
    public async Task<Outcome<CompletionReport>> CompletionAsync(string studyId, Caller caller, string? site, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(caller);
        var keySite = caller.Scope.SiteFilter(studyId);
        if (site is not null && keySite is not null && !string.Equals(site, keySite, StringComparison.Ordinal))
        {
            log.LogInformation("Access refused: site key {KeyId} asked for another site (403).", caller.KeyId);
            return NotAllowed;
        }
        if (site is not null && !StudyIds.IsValid(site))
            return Refusal.Invalid("Invalid site", "?site= takes a site id: lower-case letters, digits and hyphens.");

        var study = StudyIds.IsValid(studyId) ? await reader.FindStudyAsync(studyId, ct).ConfigureAwait(false) : null;
        if (study is null) return Refusal.NotFound("Not found", "There is no such study.");
        var shown = keySite ?? site;
        if (keySite is null && shown is not null && !(await reader.SiteNamesAsync(study, shown, ct).ConfigureAwait(false)).ContainsKey(shown))
            return Refusal.NotFound("Not found", "The study has no such site.");
        return await reader.ReportAsync(study, shown, clock.GetUtcNow(), ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Closes an open alert: a coordinator of the study, or of the alert's site. An alert of a site the key does not reach
    /// is answered as not found (no existence oracle). Closing a closed alert changes nothing. Answers the alert's state.
    /// </summary>
    public async Task<Outcome<AlertState>> CloseAlertAsync(string studyId, string assessmentId, Caller caller, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(caller);
        var alert = StudyIds.IsValid(studyId) && IsAssessmentId(assessmentId)
            ? await reader.FindAlertAsync(studyId, assessmentId, ct).ConfigureAwait(false)
            : null;
        if (alert is null || !caller.Scope.CanCoordinateSite(studyId, alert.SiteId))
            return Refusal.NotFound("Not found", "No alert with that id is visible to this key.");

        var now = clock.GetUtcNow();
        if (await reader.CloseAlertAsync(alert, caller.Actor, now, ct).ConfigureAwait(false))
        {
            var change = AuditChange.Of(AuditChange.RecordOf(StorageNames.AlertsTable, assessmentId),
                new Dictionary<string, object?> { [nameof(AlertEntity.Status)] = DashboardReader.OpenStatus, [nameof(AlertEntity.ClosedAt)] = null, [nameof(AlertEntity.ClosedBy)] = null },
                new Dictionary<string, object?> { [nameof(AlertEntity.Status)] = DashboardReader.ClosedStatus, [nameof(AlertEntity.ClosedAt)] = now, [nameof(AlertEntity.ClosedBy)] = caller.Actor });
            await AuditTrail.WriteAsync(tables.GetTableClient(StorageNames.AuditTable), AuditTrail.Row(studyId, caller.Actor, "alert.closed", assessmentId,
                $"rupture alert of dyad {alert.DyadId}, meeting {alert.Meeting}, {alert.RaterRole} closed", now, change), ct).ConfigureAwait(false);
            log.LogInformation("Alert {StudyId}/{AssessmentId} closed by key {KeyId}.", studyId, assessmentId, caller.KeyId);
        }
        var current = await reader.FindAlertAsync(studyId, assessmentId, ct).ConfigureAwait(false) ?? alert;
        return new AlertState(assessmentId, current.Status, current.ClosedAt, current.ClosedBy);
    }

    /// <summary>Whether <paramref name="id"/> can be an assessment id (a table key): 1–128 of a–z, A–Z, 0–9, '-', '_', '.', ':'.</summary>
    public static bool IsAssessmentId(string? id) =>
        id is { Length: > 0 and <= 128 } && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':');
}

/// <summary>The JSON answer to closing an alert.</summary>
public sealed record AlertState(string AssessmentId, string Status, DateTimeOffset? ClosedAt, string? ClosedBy);
