using System.Text.Json;
using AlliancePipeline.Contracts.Storage;
using AlliancePipeline.Core.Access;
using AlliancePipeline.Core.Studies;
using AlliancePipeline.Functions.Dashboards;
using AlliancePipeline.Functions.Infrastructure.Outcomes;
using AlliancePipeline.Functions.Studies;
using Azure.Data.Tables;

namespace AlliancePipeline.Functions.Dyads;

/// <summary>
/// A dyad's schedule and mail state (<see cref="DyadSchedule"/>), read from its <c>Participants</c> row and its
/// <c>Assessments</c> rows, for a coordinator of its site (admin, the study key, the dyad's site key; not a researcher
/// key: the schedule is the coordinators' working view, not study data). Another site's dyad is, to a site key, a dyad
/// the study does not have: the same 404, word for word, naming only the dyad asked for. No rater's address is read
/// into it: raters appear by their pseudonymous id, so the page and the CLI show no personal data.
/// </summary>
public sealed class DyadSchedules(StudyStore store, TableServiceClient tables, TimeProvider clock)
{
    /// <summary>
    /// The schedule of <paramref name="dyadId"/>, or why the caller gets none (404); the study named in
    /// <paramref name="language"/> when the study file names it per language.
    /// </summary>
    public async Task<Outcome<DyadSchedule>> ReadAsync(string studyId, string dyadId, Caller caller, CancellationToken ct, string? language = null)
    {
        ArgumentNullException.ThrowIfNull(caller);
        var study = StudyIds.IsValid(studyId) ? await store.FindEntityAsync(studyId, ct).ConfigureAwait(false) : null;
        if (study is null) return Refusal.NotFound("No such study", $"There is no study '{studyId}'.");
        var dyad = DashboardService.IsAssessmentId(dyadId)
            ? await store.FindParticipantAsync(studyId, ParticipantEntity.Kinds.Dyad, dyadId, ct).ConfigureAwait(false)
            : null;
        if (dyad is null || !caller.Scope.CanCoordinateSite(studyId, dyad.SiteId)) return NoDyad(studyId, dyadId);

        var siteId = dyad.SiteId ?? "";
        var site = siteId.Length > 0 ? await store.FindParticipantAsync(studyId, ParticipantEntity.Kinds.Site, siteId, ct).ConfigureAwait(false) : null;
        var rows = new List<AssessmentEntity>();
        await foreach (var a in tables.GetTableClient(StorageNames.AssessmentsTable)
            .QueryAsync<AssessmentEntity>(a => a.PartitionKey == studyId && a.DyadId == dyadId, cancellationToken: ct).ConfigureAwait(false))
        {
            rows.Add(a);
        }
        var now = clock.GetUtcNow();
        var meetings = rows.GroupBy(a => a.Meeting).OrderBy(g => g.Key).Select(g =>
        {
            var dated = g.FirstOrDefault(a => a.MeetingDateRecorded && a.MeetingDate is not null) ?? g.FirstOrDefault(a => a.MeetingDate is not null);
            var forms = g.OrderBy(a => a.RaterRole == RaterRoles.Practitioner ? 0 : 1).ThenBy(a => a.RaterRole, StringComparer.Ordinal).Select(a => Form(a, now)).ToList();
            return new DyadMeeting(g.Key, dated?.MeetingDate is { } d ? StudyCalendar.Day(d) : null, dated?.MeetingDateRecorded ?? false, forms);
        }).ToList();
        return new DyadSchedule(studyId, study.NameIn(language), dyadId, siteId,
            string.IsNullOrWhiteSpace(site?.Name) ? siteId : site.Name, dyad.Arm, dyad.EnrolledOn is { } e ? StudyCalendar.Day(e) : null,
            dyad.Withdrawn, dyad.WithdrawnAt, dyad.Withdrawn ? dyad.WithdrawnBy : null, meetings);
    }

    /// <summary>The study's name in <paramref name="language"/> (its one name when the file gives one), or null when there is no such study.</summary>
    public async Task<string?> StudyNameAsync(string studyId, string language, CancellationToken ct) =>
        StudyIds.IsValid(studyId) && await store.FindEntityAsync(studyId, ct).ConfigureAwait(false) is { } study ? study.NameIn(language) : null;

    /// <summary>
    /// The language of the coordinators of <paramref name="siteId"/> (the first listed in the study file, as its
    /// <c>Participants</c> row keeps them), or null when the site names none.
    /// </summary>
    public async Task<string?> SiteLanguageAsync(string studyId, string siteId, CancellationToken ct)
    {
        var site = await store.FindParticipantAsync(studyId, ParticipantEntity.Kinds.Site, siteId, ct).ConfigureAwait(false);
        if (string.IsNullOrEmpty(site?.Coordinators)) return null;
        try
        {
            using var json = JsonDocument.Parse(site.Coordinators);
            return json.RootElement.ValueKind == JsonValueKind.Array
                ? json.RootElement.EnumerateArray()
                    .Select(c => c.ValueKind == JsonValueKind.Object && c.TryGetProperty("language", out var l) && l.ValueKind == JsonValueKind.String ? l.GetString() : null)
                    .FirstOrDefault(l => !string.IsNullOrEmpty(l))
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static DyadForm Form(AssessmentEntity a, DateTimeOffset now)
    {
        var assessment = a.ToAssessment();
        return new DyadForm(a.RowKey, a.RaterRole, a.RaterId, assessment.Status.ToString().ToLowerInvariant(), a.InviteOn, StudyCalendar.Day(a.DueDate),
            assessment.IsOverdue(now), a.InvitationSentAt, a.RemindersSent, a.LastReminderAt, a.RemindersPaused, a.LinkVersion, a.LinkExpiresAt,
            a.IsHandedOver(), a.SubmittedAt ?? a.CompletedAt);
    }

    /// <summary>A 404 for a dyad the study does not have, or the caller may not see (the same words).</summary>
    private static Refusal NoDyad(string studyId, string dyadId) =>
        Refusal.NotFound("No such dyad", $"Study '{studyId}' has no dyad '{dyadId}'.");
}
