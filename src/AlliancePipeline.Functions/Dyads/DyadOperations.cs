using System.Globalization;
using System.Text.Json;
using AlliancePipeline.Contracts.Storage;
using AlliancePipeline.Core.Access;
using AlliancePipeline.Core.Studies;
using AlliancePipeline.Functions.Infrastructure.Audit;
using AlliancePipeline.Functions.Infrastructure.Http;
using AlliancePipeline.Functions.Infrastructure.Settings;
using AlliancePipeline.Functions.Infrastructure.Storage;
using AlliancePipeline.Functions.Questionnaires;
using AlliancePipeline.Functions.Studies;
using Azure;
using Azure.Data.Tables;

namespace AlliancePipeline.Functions.Dyads;

/// <summary>
/// What coordinators record and change about dyads after the study file: meeting dates (one, or a CSV import), which
/// move the due dates; outcomes (one, or a CSV import); a reissued link (the old one then answers 410); a withdrawn dyad
/// (its links stop, its reminders stop). Every change is written to <c>Audit</c>. Values are checked by Core's
/// <see cref="StudyInputs"/> and <see cref="StudyCsv"/>: a bad one is a 400 naming it (and its line), and a CSV import
/// with any bad line writes nothing.
/// </summary>
public sealed class DyadOperations(StudyStore store, StudyTables studyTables, TableServiceClient tables, ILinkTokens tokens, AppSettings settings, AuditLog audit, TimeProvider clock)
{
    /// <summary>The largest CSV import taken.</summary>
    public const int MaxCsvBytes = 2 * 1024 * 1024;

    /// <summary>The largest JSON body taken (a meeting date, an outcome).</summary>
    public const int MaxJsonBytes = 4096;

    private TableClient Assessments => tables.GetTableClient(StorageNames.AssessmentsTable);

    /// <summary>Records one meeting date (<c>{"date":"2026-02-01"}</c>).</summary>
    public async Task<IResult> RecordMeetingAsync(string studyId, string dyadId, string meetingNumber, HttpRequest request, Caller caller, CancellationToken ct)
    {
        if (!int.TryParse(meetingNumber, NumberStyles.None, CultureInfo.InvariantCulture, out var meeting))
            return HttpResults.Problem(400, "Meeting date refused", $"'{meetingNumber}' is not a meeting number.");
        if (await StudyOrProblemAsync(studyId, ct).ConfigureAwait(false) is not { } study) return NoStudy(studyId);
        var (read, problem) = await ReadDateAsync(request, "date", ct).ConfigureAwait(false);
        if (problem is not null) return problem;
        var date = read!.Value;
        var recorded = new RecordedMeeting(dyadId, meeting, date);
        if (OutOfScope(study.Definition, caller, [dyadId]) is { } hidden) return hidden;
        if (StudyInputs.CheckMeetingDate(study.Definition, recorded) is { } wrong) return HttpResults.Problem(400, "Meeting date refused", wrong);
        var moved = await RecordAsync(study, [recorded], caller.Actor, ct).ConfigureAwait(false);
        return TypedResults.Ok(new { studyId, dyadId, meeting, date = StudyDefinition.Format(date), assessmentsMoved = moved });
    }

    /// <summary>Imports meeting dates from CSV (<c>dyad,meeting,date</c>).</summary>
    public async Task<IResult> ImportMeetingsAsync(string studyId, HttpRequest request, Caller caller, CancellationToken ct)
    {
        if (await StudyOrProblemAsync(studyId, ct).ConfigureAwait(false) is not { } study) return NoStudy(studyId);
        var text = await RequestBody.ReadTextAsync(request, MaxCsvBytes, ct).ConfigureAwait(false);
        if (text is null) return HttpResults.Problem(413, "CSV too large", $"An import is at most {MaxCsvBytes / (1024 * 1024)} MB.");
        var import = StudyCsv.ParseMeetingDates(text, study.Definition);
        if (!import.IsValid) return CsvProblem("Meeting dates refused", import.Errors);
        if (OutOfScope(study.Definition, caller, import.Rows.Select(r => r.DyadId)) is { } hidden) return hidden;
        var moved = await RecordAsync(study, import.Rows, caller.Actor, ct).ConfigureAwait(false);
        return TypedResults.Ok(new { studyId, imported = import.Rows.Length, assessmentsMoved = moved });
    }

    /// <summary>Records one outcome (<c>{"employed":true,"date":"2026-05-01"}</c>).</summary>
    public async Task<IResult> RecordOutcomeAsync(string studyId, string dyadId, HttpRequest request, Caller caller, CancellationToken ct)
    {
        if (await StudyOrProblemAsync(studyId, ct).ConfigureAwait(false) is not { } study) return NoStudy(studyId);
        var text = await RequestBody.ReadTextAsync(request, MaxJsonBytes, ct).ConfigureAwait(false);
        if (text is null) return HttpResults.Problem(413, "Body too large", "An outcome is a small JSON object.");
        using var document = JsonBody.Parse(text);
        if (document is null)
            return HttpResults.Problem(400, "Outcome refused", "The body is not JSON: send {\"employed\": true, \"date\": \"2026-05-01\"} or {\"employed\": false}.");
        var body = document.RootElement;
        if (body.ValueKind != JsonValueKind.Object || !body.TryGetProperty("employed", out var employed) || employed.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
            return HttpResults.Problem(400, "Outcome refused", "\"employed\" (true or false) is required.");
        DateOnly? date = null;
        if (body.TryGetProperty("date", out var d) && d.ValueKind != JsonValueKind.Null)
        {
            if (d.ValueKind != JsonValueKind.String || !DateOnly.TryParseExact(d.GetString(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed))
                return HttpResults.Problem(400, "Outcome refused", "\"date\" must be a date written yyyy-MM-dd.");
            date = parsed;
        }
        var outcome = new DyadOutcome(dyadId, employed.GetBoolean(), date);
        if (OutOfScope(study.Definition, caller, [dyadId]) is { } hidden) return hidden;
        if (StudyInputs.CheckOutcome(study.Definition, outcome) is { } wrong) return HttpResults.Problem(400, "Outcome refused", wrong);
        await SaveOutcomesAsync(studyId, [outcome], "api", caller.Actor, ct).ConfigureAwait(false);
        return TypedResults.Ok(new { studyId, dyadId, employed = outcome.Employed, date = outcome.JobDate is { } j ? StudyDefinition.Format(j) : null });
    }

    /// <summary>Imports outcomes from CSV (<c>dyad,employed,date</c>).</summary>
    public async Task<IResult> ImportOutcomesAsync(string studyId, HttpRequest request, string source, Caller caller, CancellationToken ct)
    {
        if (await StudyOrProblemAsync(studyId, ct).ConfigureAwait(false) is not { } study) return NoStudy(studyId);
        var text = await RequestBody.ReadTextAsync(request, MaxCsvBytes, ct).ConfigureAwait(false);
        if (text is null) return HttpResults.Problem(413, "CSV too large", $"An import is at most {MaxCsvBytes / (1024 * 1024)} MB.");
        var import = StudyCsv.ParseOutcomes(text, study.Definition);
        if (!import.IsValid) return CsvProblem("Outcomes refused", import.Errors);
        if (OutOfScope(study.Definition, caller, import.Rows.Select(r => r.DyadId)) is { } hidden) return hidden;
        await SaveOutcomesAsync(studyId, import.Rows, source, caller.Actor, ct).ConfigureAwait(false);
        return TypedResults.Ok(new { studyId, imported = import.Rows.Length });
    }

    /// <summary>
    /// Reissues an unanswered assessment's link: its link version goes up (every earlier link then answers 410) and its
    /// invitation log starts again, so the next <c>Reminders</c> run sends the new link. Answers the new link too.
    /// </summary>
    public async Task<IResult> ReissueAsync(string studyId, string assessmentId, Caller caller, CancellationToken ct)
    {
        if (await StudyOrProblemAsync(studyId, ct).ConfigureAwait(false) is not { } study) return NoStudy(studyId);
        for (var attempt = 0; ; attempt++)
        {
            var found = await Assessments.GetEntityIfExistsAsync<AssessmentEntity>(studyId, assessmentId, cancellationToken: ct).ConfigureAwait(false);
            if (!found.HasValue) return HttpResults.Problem(404, "No such assessment", $"Study '{studyId}' has no assessment '{assessmentId}'.");
            var a = found.Value!;
            if (!caller.Scope.CanCoordinateSite(studyId, a.SiteId))
                return HttpResults.Problem(404, "No such assessment", $"Study '{studyId}' has no assessment '{assessmentId}'.");
            if (a.Status != nameof(AssessmentStatus.Pending))
                return HttpResults.Problem(409, "Link not reissued", $"Assessment '{assessmentId}' is {a.Status.ToLowerInvariant()}: only an unanswered assessment gets a new link.");
            var version = a.LinkVersion + 1;
            var expires = clock.GetUtcNow() + LinkLifetime(study.Definition);
            var update = new TableEntity(studyId, assessmentId)
            {
                [nameof(AssessmentEntity.LinkVersion)] = version,
                [nameof(AssessmentEntity.LinkExpiresAt)] = expires,
                [nameof(AssessmentEntity.InvitationQueuedAt)] = null,
                [nameof(AssessmentEntity.InvitationSentAt)] = null,
            };
            try
            {
                await Assessments.UpdateEntityAsync(update, a.ETag, TableUpdateMode.Merge, ct).ConfigureAwait(false);
            }
            catch (RequestFailedException e) when (e.Status == 412 && attempt < 3)
            {
                continue;
            }
            await audit.WriteAsync(studyId, caller.Actor, "link.reissued", assessmentId, $"link version {version}; earlier links refused", ct).ConfigureAwait(false);
            var token = tokens.Issue(new LinkClaims(studyId, assessmentId, version, expires));
            return TypedResults.Ok(new { studyId, assessmentId, linkVersion = version, link = new Uri(settings.PublicBaseUrl, $"api/q/{token}").ToString(), expiresAt = expires });
        }
    }

    /// <summary>Withdraws a dyad: its unanswered assessments stop (links 410, no reminders); its data stays.</summary>
    public async Task<IResult> WithdrawAsync(string studyId, string dyadId, Caller caller, CancellationToken ct)
    {
        if (await StudyOrProblemAsync(studyId, ct).ConfigureAwait(false) is null) return NoStudy(studyId);
        var row = await store.FindParticipantAsync(studyId, ParticipantEntity.Kinds.Dyad, dyadId, ct).ConfigureAwait(false);
        if (row is null || !caller.Scope.CanCoordinateSite(studyId, row.SiteId)) return HttpResults.Problem(404, "No such dyad", $"Study '{studyId}' has no dyad '{dyadId}'.");
        var now = clock.GetUtcNow();
        if (!row.Withdrawn)
        {
            row.Withdrawn = true;
            row.WithdrawnAt = now;
            row.WithdrawnBy = "api";
            await tables.GetTableClient(StorageNames.ParticipantsTable).UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace, ct).ConfigureAwait(false);
        }
        var pending = (await studyTables.ListAssessmentEntitiesAsync(studyId, ct).ConfigureAwait(false))
            .Where(a => a.DyadId == dyadId && a.Status == nameof(AssessmentStatus.Pending))
            .Select(a => new TableTransactionAction(TableTransactionActionType.UpdateMerge,
                new TableEntity(studyId, a.RowKey) { [nameof(AssessmentEntity.Status)] = nameof(AssessmentStatus.Withdrawn), ["WithdrawnAt"] = now }, a.ETag))
            .ToList();
        await StudyApplier.SubmitAsync(Assessments, pending, ct).ConfigureAwait(false);
        await audit.WriteAsync(studyId, caller.Actor, "dyad.withdrawn", dyadId, $"{pending.Count} unanswered assessment(s) withdrawn; their links and reminders stop", ct).ConfigureAwait(false);
        return TypedResults.Ok(new { studyId, dyadId, withdrawn = true, assessmentsWithdrawn = pending.Count });
    }

    /// <summary>The link lifetime: the study's, else the app's setting.</summary>
    public TimeSpan LinkLifetime(StudyDefinition study) =>
        study.LinkLifetimeDays is { } days ? TimeSpan.FromDays(days) : settings.LinkLifetime;

    private async Task<int> RecordAsync(AppliedStudy study, IReadOnlyList<RecordedMeeting> meetings, string actor, CancellationToken ct)
    {
        var studyId = study.Definition.Id;
        var existing = (await studyTables.ListAssessmentEntitiesAsync(studyId, ct).ConfigureAwait(false)).ToDictionary(a => a.RowKey, StringComparer.Ordinal);
        var recorded = existing.Values
            .Where(a => a.MeetingDateRecorded && a.MeetingDate is not null)
            .Select(a => new RecordedMeeting(a.DyadId, a.Meeting, StudyCalendar.Day(a.MeetingDate!.Value)))
            .Concat(meetings)
            .ToList();
        var dyads = meetings.Select(m => m.DyadId).ToHashSet(StringComparer.Ordinal);
        var plan = EnrolmentPlan.For(study.Definition, recorded).Where(p => dyads.Contains(p.DyadId)).ToList();
        var writes = AssessmentWrites.Plan(studyId, study.Definition with { Dyads = [.. study.Definition.Dyads.Where(d => dyads.Contains(d.Id))] },
            plan, existing.Values.Where(a => dyads.Contains(a.DyadId)).ToDictionary(a => a.RowKey, StringComparer.Ordinal));
        var actions = writes.Updated.Select(u => new TableTransactionAction(TableTransactionActionType.UpdateMerge, u)).ToList();
        // An answered assessment keeps its dates, but learns when its meeting really was (time from meeting to answer).
        foreach (var m in meetings)
        {
            foreach (var a in existing.Values.Where(a => a.DyadId == m.DyadId && a.Meeting == m.Meeting && a.Status is nameof(AssessmentStatus.Submitted) or nameof(AssessmentStatus.Completed)))
            {
                actions.Add(new TableTransactionAction(TableTransactionActionType.UpdateMerge, new TableEntity(studyId, a.RowKey)
                {
                    [nameof(AssessmentEntity.MeetingDate)] = StudyCalendar.StartOf(m.Date),
                    [nameof(AssessmentEntity.MeetingDateRecorded)] = true,
                }));
            }
        }
        var distinct = actions.GroupBy(a => a.Entity.RowKey, StringComparer.Ordinal).Select(g => g.First()).ToList();
        await StudyApplier.SubmitAsync(Assessments, distinct, ct).ConfigureAwait(false);
        foreach (var m in meetings)
            await audit.WriteAsync(studyId, actor, "meeting.recorded", $"{m.DyadId}/m{m.Meeting}", $"meeting date {StudyDefinition.Format(m.Date)}", ct).ConfigureAwait(false);
        return writes.Updated.Count;
    }

    private async Task SaveOutcomesAsync(string studyId, IReadOnlyList<DyadOutcome> outcomes, string source, string actor, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var actions = outcomes.GroupBy(o => o.DyadId, StringComparer.Ordinal).Select(g => g.Last()).Select(o => new TableTransactionAction(TableTransactionActionType.UpsertReplace, new OutcomeEntity
        {
            PartitionKey = studyId,
            RowKey = o.DyadId,
            Employed = o.Employed,
            JobDate = o.JobDate is { } d ? StudyCalendar.StartOf(d) : null,
            RecordedAt = now,
            Source = source,
        }));
        await StudyApplier.SubmitAsync(tables.GetTableClient(StorageNames.OutcomesTable), actions, ct).ConfigureAwait(false);
        await audit.WriteAsync(studyId, actor, "outcome.recorded", outcomes.Count == 1 ? outcomes[0].DyadId : $"{outcomes.Count} dyads", $"source {source}", ct).ConfigureAwait(false);
    }

    /// <summary>
    /// A 404 when <paramref name="caller"/> may not act for one of the dyads (a site key, another site's dyad): the same
    /// answer as for a dyad that does not exist, so a site key learns nothing about other sites.
    /// </summary>
    private static IResult? OutOfScope(StudyDefinition study, Caller caller, IEnumerable<string> dyadIds)
    {
        foreach (var id in dyadIds)
        {
            if (study.FindDyad(id) is { } dyad && !caller.Scope.CanCoordinateSite(study.Id, dyad.SiteId))
                return HttpResults.Problem(404, "No such dyad", $"dyad '{id}' is not in study '{study.Id}'");
        }
        return null;
    }

    private Task<AppliedStudy?> StudyOrProblemAsync(string studyId, CancellationToken ct) =>
        StudyIds.IsValid(studyId) ? store.LoadAsync(studyId, ct) : Task.FromResult<AppliedStudy?>(null);

    private static IResult NoStudy(string studyId) =>
        HttpResults.Problem(404, "No such study", $"No study file was applied for study '{studyId}'.");

    private static IResult CsvProblem(string title, IReadOnlyList<CsvLineError> errors) =>
        TypedResults.Problem(title: title, statusCode: 400,
            detail: $"{errors.Count} line(s) refused; nothing was recorded. The first: line {errors[0].Line}: {errors[0].Message}",
            extensions: new Dictionary<string, object?> { ["errors"] = errors.Select(e => new { line = e.Line, message = e.Message }).ToArray() });

    private static async Task<(DateOnly? Date, IResult? Problem)> ReadDateAsync(HttpRequest request, string name, CancellationToken ct)
    {
        var text = await RequestBody.ReadTextAsync(request, MaxJsonBytes, ct).ConfigureAwait(false);
        if (text is null) return (null, HttpResults.Problem(413, "Body too large", $"Send {{\"{name}\": \"yyyy-MM-dd\"}}: a small JSON object."));
        using var doc = JsonBody.Parse(text);
        if (doc is not null && doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty(name, out var value)
            && value.ValueKind == JsonValueKind.String
            && DateOnly.TryParseExact(value.GetString(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
            return (date, null);
        return (null, HttpResults.Problem(400, "Date refused", $"Send {{\"{name}\": \"yyyy-MM-dd\"}}."));
    }
}
