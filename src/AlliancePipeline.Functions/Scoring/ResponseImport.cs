using AlliancePipeline.Contracts.Storage;
using AlliancePipeline.Core.Access;
using AlliancePipeline.Core.Studies;
using AlliancePipeline.Functions.Dyads;
using AlliancePipeline.Functions.Infrastructure.Audit;
using AlliancePipeline.Functions.Infrastructure.Outcomes;
using AlliancePipeline.Functions.Infrastructure.Storage;
using AlliancePipeline.Functions.Studies;
using Azure.Data.Tables;

namespace AlliancePipeline.Functions.Scoring;

/// <summary>Responses imported.</summary>
/// <param name="StudyId">The study.</param>
/// <param name="Lines">The file's responses (its lines after the header, empty ones aside).</param>
/// <param name="Imported">Responses stored now, scored and marked <c>imported</c>.</param>
/// <param name="Unchanged">Responses already stored as given (the same answers, the same day): not written again.</param>
/// <param name="Message">What was done, in words: an import that changed nothing says so.</param>
public sealed record ResponsesImported(string StudyId, int Lines, int Imported, int Unchanged, string Message)
{
    /// <summary>Meetings whose date was not recorded and now is: the day they were rated (the earliest of their lines).</summary>
    public int MeetingDatesRecorded { get; init; }
}

/// <summary>
/// Brings ratings a study already has into it (<c>alliance responses import</c>): a CSV in the app's own export form or the
/// minimal form (<see cref="ResponseCsv"/>), checked whole against the study, its instruments and what is stored before
/// anything is written. A file with any bad line writes nothing and lists the first <see cref="StudyCsv.MaxListedErrors"/>
/// problems by line (400; 404 when a line names a dyad or a form the study does not have). A form already answered with
/// the same answers on the same day is left as it is (importing a file again changes nothing and says so); with other
/// answers, or one a rater's answer is being scored for, the import is refused (409) naming the line, and the stored
/// answer is kept. The good lines are then stored the one way every response is (<see cref="ResponseProcessor.StoreAsync"/>:
/// the same scorer, the assessment completed, the rupture check), with <c>Provenance</c> <c>imported</c>, a
/// <c>response.stored</c> <c>Audit</c> row each by the caller's key, then one <c>response.imported</c> row for the file.
/// A rater who answers a form while its import runs keeps the answer: that line is refused (409) after the others are
/// stored, and importing the same file again completes it.
/// A withdrawn dyad's rating is imported only when it was given before the withdrawal (<see cref="ParticipantEntity.WithdrawnAt"/>):
/// its form is then completed, as it would be had the rating come in before the withdrawal, and the dyad stays withdrawn
/// (no link, no reminder); a rating dated at or after the withdrawal is refused (409) naming the line and the day.
/// A meeting rated in the file whose date is not recorded gets the day of its rating as its date
/// (<see cref="DyadOperations.RecordRatedMeetingsAsync"/>: the path and audit rows of a date a coordinator records).
/// </summary>
public sealed class ResponseImport(StudyStore store, StudyTables studyTables, TableServiceClient tables, ResponseProcessor processor, IResponseScorer scorer,
    DyadOperations dyads, AuditLog audit, TimeProvider clock)
{
    /// <summary>The largest file taken: 8 MiB, about 30,000 lines of the export of a WAI study.</summary>
    public const int MaxCsvBytes = 8 * 1024 * 1024;

    /// <summary>A file over <see cref="MaxCsvBytes"/>.</summary>
    public static Refusal TooLarge { get; } = Refusal.TooLarge("CSV too large", $"A responses import is at most {MaxCsvBytes / (1024 * 1024)} MB.");

    /// <summary>Imports the responses of <paramref name="csv"/> into study <paramref name="studyId"/>.</summary>
    public async Task<Outcome<ResponsesImported>> ImportAsync(string studyId, Outcome<string> csv, Caller caller, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(csv);
        ArgumentNullException.ThrowIfNull(caller);
        var applied = StudyIds.IsValid(studyId) ? await store.LoadAsync(studyId, ct).ConfigureAwait(false) : null;
        var context = applied is null ? null : await store.FindContextAsync(studyId, ct).ConfigureAwait(false);
        if (applied is null || context is null) return Refusal.NotFound("No such study", $"No study file was applied for study '{studyId}'.");
        if (csv.IsRefused) return csv.Refusal;
        var study = applied.Definition;
        var instruments = study.Instruments.Keys
            .Select(role => (Role: role, Instrument: context.InstrumentFor(role)))
            .Where(p => p.Instrument is not null)
            .ToDictionary(p => p.Role, p => p.Instrument!, StringComparer.Ordinal);
        var import = ResponseCsv.Parse(csv.Value, study, instruments, StudyCalendar.Day(clock.GetUtcNow()));
        if (!import.IsValid) return Refusal.OfImport("Responses refused", import);

        // Against what is stored: every form must exist; one answered keeps its answer.
        var assessments = (await studyTables.ListAssessmentEntitiesAsync(studyId, ct).ConfigureAwait(false)).ToDictionary(a => a.RowKey, StringComparer.Ordinal);
        var stored = new Dictionary<string, ResponseEntity>(StringComparer.Ordinal);
        await foreach (var r in Responses.QueryAsync<ResponseEntity>(e => e.PartitionKey == studyId, cancellationToken: ct).ConfigureAwait(false))
            stored[r.RowKey] = r;
        var withdrawnAt = (await store.ParticipantsAsync(studyId, ct).ConfigureAwait(false))
            .Where(p => p.Kind == ParticipantEntity.Kinds.Dyad && p.Withdrawn)
            .ToDictionary(p => p.Id, p => p.WithdrawnAt ?? DateTimeOffset.MinValue, StringComparer.Ordinal);
        var (missing, conflicts, writing, unchanged) = (new List<CsvLineError>(), new List<CsvLineError>(), new List<(ImportedResponse Row, AssessmentEntity Form)>(), 0);
        var afterWithdrawal = 0;
        foreach (var row in import.Rows)
        {
            if (!assessments.TryGetValue(row.AssessmentId, out var form))
                missing.Add(new CsvLineError(row.Line, $"{row.Form} is not a form of study '{studyId}' (no assessment {row.AssessmentId}): apply the study file that plans it first"));
            else if (withdrawnAt.TryGetValue(row.DyadId, out var withdrawn) && row.SubmittedAt >= withdrawn && !stored.ContainsKey(row.AssessmentId))
            {
                afterWithdrawal++;
                conflicts.Add(new CsvLineError(row.Line, $"{row.Form}: dyad '{row.DyadId}' was withdrawn on {StudyDefinition.Format(StudyCalendar.Day(withdrawn))}, "
                    + $"and this rating is dated {StudyDefinition.Format(StudyCalendar.Day(row.SubmittedAt))}, after it: only its ratings given before the withdrawal are imported (reinstate the dyad first if it was withdrawn by mistake)"));
            }
            else if (stored.TryGetValue(row.AssessmentId, out var answer))
            {
                if (answer.Items.SequenceEqual(row.Items) && StudyCalendar.Day(answer.SubmittedAt) == StudyCalendar.Day(row.SubmittedAt)) unchanged++;
                else conflicts.Add(new CsvLineError(row.Line, Conflict(row, answer)));
            }
            else if (form.Status == nameof(AssessmentStatus.Submitted))
                conflicts.Add(new CsvLineError(row.Line, $"{row.Form} was just answered by its rater and is being scored: the rater's answer is kept"));
            else
                writing.Add((row, form));
        }
        if (missing.Count > 0) return Refused(RefusalKind.NotFound, "No such form", missing);
        if (conflicts.Count > 0)
        {
            var title = afterWithdrawal == 0 ? "Responses already answered" : afterWithdrawal == conflicts.Count ? "Dyad withdrawn" : "Responses refused";
            return Refused(RefusalKind.Conflict, title, [.. conflicts.OrderBy(e => e.Line)]);
        }

        // The same scoring and storing as a rater's submission, a few at a time.
        var raced = new System.Collections.Concurrent.ConcurrentBag<CsvLineError>();
        await Parallel.ForEachAsync(writing, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct }, async (w, token) =>
        {
            var scores = scorer.Score(instruments[w.Row.RaterRole], w.Row.Items);
            var outcome = await processor.StoreAsync(studyId, w.Form, scores, w.Row.Items, w.Row.SubmittedAt, ResponseProvenance.Imported, caller.Actor, token).ConfigureAwait(false);
            if (outcome == ProcessingOutcome.Poisoned)
                raced.Add(new CsvLineError(w.Row.Line, $"{w.Row.Form} was answered by its rater while the file was imported: the rater's answer is kept"));
        }).ConfigureAwait(false);
        var imported = writing.Count - raced.Count;
        // The meetings rated, on the days of their ratings, where no date is recorded: as a coordinator records one.
        var dates = await dyads.RecordRatedMeetingsAsync(applied, [.. import.Rows.Select(r => new RecordedMeeting(r.DyadId, r.Meeting, StudyCalendar.Day(r.SubmittedAt)))],
            caller.Actor, ct).ConfigureAwait(false);
        await audit.WriteAsync(studyId, caller.Actor, "response.imported", studyId,
            $"{import.Rows.Length} line(s): {imported} stored as imported, {unchanged} already stored as given" + (raced.IsEmpty ? "" : $", {raced.Count} answered meanwhile by their raters")
            + (dates == 0 ? "" : $"; {dates} meeting date(s) recorded from the ratings' days"), ct).ConfigureAwait(false);
        if (!raced.IsEmpty)
        {
            var lines = raced.OrderBy(e => e.Line).ToList();
            return Refusal.OfLines(RefusalKind.Conflict, "Responses already answered", lines, lines.Count, lines.Count) with
            {
                Detail = $"{lines.Count} line(s) were answered by their raters meanwhile and keep the raters' answers; the other {imported} response(s) were stored. The first: line {lines[0].Line}: {lines[0].Message}.",
            };
        }
        var message = imported == 0 && dates == 0
            ? $"Nothing changed: all {unchanged} response(s) of the file were already stored as given."
            : $"{imported} response(s) stored and scored as imported" + (unchanged == 0 ? "." : $"; {unchanged} already stored as given.")
              + (dates == 0 ? "" : $" {dates} meeting date(s) recorded from the days of their ratings.");
        return new ResponsesImported(studyId, import.Rows.Length, imported, unchanged, message) { MeetingDatesRecorded = dates };
    }

    private TableClient Responses => tables.GetTableClient(StorageNames.ResponsesTable);

    private static string Conflict(ImportedResponse row, ResponseEntity answer)
    {
        var day = StudyDefinition.Format(StudyCalendar.Day(answer.SubmittedAt));
        var what = answer.Items.SequenceEqual(row.Items) ? $"on another day ({day})" : $"with other answers (on {day}, {answer.Provenance})";
        return $"{row.Form} is already answered {what}: the stored answer is kept, never overwritten";
    }

    private static Refusal Refused(RefusalKind kind, string title, List<CsvLineError> errors) =>
        Refusal.OfLines(kind, title, [.. errors.Take(StudyCsv.MaxListedErrors)], errors.Count, errors.Count);
}
