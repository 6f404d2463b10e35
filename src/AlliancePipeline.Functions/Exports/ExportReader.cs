using System.Runtime.CompilerServices;
using AlliancePipeline.Analytics.Reports;
using AlliancePipeline.Contracts.Storage;
using AlliancePipeline.Core.Instruments;
using AlliancePipeline.Core.Studies;
using AlliancePipeline.Functions.Reports;
using AlliancePipeline.Functions.Studies;
using Azure.Data.Tables;

namespace AlliancePipeline.Functions.Exports;

/// <summary>
/// A study's responses read for a streamed export: what the rows are written with (<see cref="Lookups"/>, small) and the
/// rows themselves, read from storage in order as they are enumerated (<see cref="Rows"/>).
/// </summary>
/// <param name="Lookups">The study, instruments, columns, arms and outcomes.</param>
/// <param name="Rows">The rows in <see cref="ResponseRowLookups.Order"/>, read page by page each time they are enumerated.</param>
public sealed record ExportedResponses(ResponseRowLookups Lookups, IAsyncEnumerable<ResponseRow> Rows);

/// <summary>
/// Reads a study's responses for the exports without holding them (issue #19): memory flat in the study's size. Two reads
/// of the <c>Responses</c> partition, page by page (the SDK's <see cref="Azure.AsyncPageable{T}"/>, the request's
/// cancellation passed through):
/// <list type="number">
/// <item>before the first byte (<see cref="OpenAsync"/>), a count: the roles that rated, the most answers and the score
/// columns stored (the header's columns, as <see cref="ResponseLayout"/> makes them), each dyad's last row in table order
/// and the latest row's time; with one read of six columns of the <c>Assessments</c> partition (each dyad's arm, the roles
/// to rate, the raters: <see cref="RaterIndex"/>), the dyads' arms and enrolment dates from <c>Participants</c> and the
/// <c>Outcomes</c>, the <see cref="ResponseRowLookups"/>: a few records per dyad, each dyad id, arm, role and rater kept
/// once; the study's name and instruments by role come from its <c>Studies</c> row (the applied study file, which lists
/// every dyad, is not read);</item>
/// <item>while the file is written (<see cref="ExportedResponses.Rows"/>), the rows again, each with its rater, put in the
/// export's order by <see cref="ExportOrder"/>.</item>
/// </list>
/// A row stored after the count began (a response is only ever added: its <c>Timestamp</c> later than the count's latest
/// row) is left out, as a response stored after the export began, so the header's columns hold every row written. When
/// the count finds the keys not in ascending ordinal order (a table service that sorted otherwise), <see cref="ExportOrder"/>
/// sorts the rows whole: correct, not flat.
/// </summary>
public sealed class ExportReader(StudyStore store, TableServiceClient tables)
{
    private static readonly string[] AssessmentCountColumns =
        [nameof(AssessmentEntity.RowKey), nameof(AssessmentEntity.DyadId), nameof(AssessmentEntity.Meeting), nameof(AssessmentEntity.RaterRole), nameof(AssessmentEntity.RaterId), nameof(AssessmentEntity.Arm)];
    private static readonly string[] DyadColumns = [nameof(ParticipantEntity.Arm), nameof(ParticipantEntity.EnrolledOn)];

    /// <summary>The study's responses ready to be written, or null when there is no such study.</summary>
    public async Task<ExportedResponses?> OpenAsync(string studyId, DateTimeOffset generatedAt, CancellationToken ct)
    {
        // The study's name and its instruments by role come from its Studies row, as the apply wrote them from the file: the
        // applied file itself (every dyad and rater listed, 2 MB at 10,000 dyads) is neither read nor parsed.
        var context = await store.FindContextAsync(studyId, ct).ConfigureAwait(false);
        if (context is null) return null;
        var instrumentOf = ReportSource.InstrumentLookup(context, definition: null);

        // Each dyad id, arm, role and rater is kept once however many rows name it (each row read is a new string).
        var pool = new HashSet<string>(StringComparer.Ordinal);
        string Pooled(string value)
        {
            if (pool.TryGetValue(value, out var kept)) return kept;
            pool.Add(value);
            return value;
        }

        // The count of the responses.
        var roles = new List<string>();
        var lastKeys = new Dictionary<string, string>(StringComparer.Ordinal);
        DateTimeOffset? latest = null;
        var scoreColumns = new HashSet<string>(StringComparer.Ordinal);
        var items = 0;
        var ordered = true;
        string? last = null;
        await foreach (var e in Responses(studyId, ct).ConfigureAwait(false))
        {
            var r = ReportSource.Stored(e, instrumentOf(e.RaterRole));
            if (!roles.Contains(r.RaterRole, StringComparer.Ordinal)) roles.Add(r.RaterRole);
            lastKeys[Pooled(r.DyadId)] = e.RowKey;
            if (e.Timestamp is { } at && (latest is null || at > latest)) latest = at;
            scoreColumns.UnionWith(r.Scores.Keys);
            items = Math.Max(items, r.Items.Count);
            ordered &= last is null || string.CompareOrdinal(last, e.RowKey) < 0;
            last = e.RowKey;
        }

        // Each dyad's arm: its dyad record's; without dyad records (a study seeded without a file), its first assessment's;
        // for responses.csv, else its first assessment's that names one.
        var recordedArms = new Dictionary<string, string?>(StringComparer.Ordinal);
        var enrolled = new Dictionary<string, DateOnly>(StringComparer.Ordinal);
        var dyadRows = false;
        await foreach (var p in store.DyadRowsAsync(studyId, DyadColumns, ct).ConfigureAwait(false))
        {
            dyadRows = true;
            if (p.Arm is not null) recordedArms.Add(Pooled(p.Id), Pooled(p.Arm));
            if (p.EnrolledOn is { } on) enrolled.Add(Pooled(p.Id), DateOnly.FromDateTime(on.UtcDateTime));
        }

        // The assessments' few columns: the roles to rate, the raters, and the arms of dyads their records leave without.
        var firstArm = new Dictionary<string, string?>(StringComparer.Ordinal);
        var assessmentArm = new Dictionary<string, string>(StringComparer.Ordinal);
        var assessmentRoles = new List<string>();
        var raters = new RaterIndex();
        await foreach (var a in tables.GetTableClient(StorageNames.AssessmentsTable).QueryAsync<AssessmentEntity>(e => e.PartitionKey == studyId, select: AssessmentCountColumns, cancellationToken: ct).ConfigureAwait(false))
        {
            var dyad = Pooled(a.DyadId);
            if (!dyadRows) firstArm.TryAdd(dyad, a.Arm is null ? null : Pooled(a.Arm));
            if (a.Arm is not null && !recordedArms.ContainsKey(dyad)) assessmentArm.TryAdd(dyad, Pooled(a.Arm));
            if (!assessmentRoles.Contains(a.RaterRole, StringComparer.Ordinal)) assessmentRoles.Add(a.RaterRole);
            raters.Add(a.RowKey, dyad, a.Meeting, Pooled(a.RaterRole), Pooled(a.RaterId));
        }
        pool.Clear();
        var dyadArms = dyadRows ? recordedArms : firstArm.Where(p => p.Value is not null).ToDictionary(StringComparer.Ordinal);
        var arms = dyadArms.ToDictionary(p => p.Key, p => p.Value!, StringComparer.Ordinal);
        foreach (var (dyad, arm) in assessmentArm) arms.TryAdd(dyad, arm);
        var outcomes = new List<ReportOutcome>();
        await foreach (var o in tables.GetTableClient(StorageNames.OutcomesTable).QueryAsync<OutcomeEntity>(e => e.PartitionKey == studyId, cancellationToken: ct).ConfigureAwait(false))
            outcomes.Add(ReportSource.Outcome(o, enrolled.TryGetValue(o.RowKey, out var on) ? on : null));

        var studyRoles = context.Study.InstrumentIdsByRole?.Keys ?? [];
        var instruments = ReportSource.InstrumentsOf(context, definition: null, roles.Concat(assessmentRoles).Concat(studyRoles));
        var lookups = new ResponseRowLookups
        {
            StudyId = studyId,
            StudyName = context.Study.Name,
            GeneratedAt = generatedAt,
            Instruments = instruments,
            Layout = ResponseLayout.Of(instruments, items, scoreColumns),
            DyadArms = dyadArms,
            Arms = arms,
            Outcomes = outcomes,
        };
        return new ExportedResponses(lookups, RowsAsync(studyId, instrumentOf, raters, lastKeys, latest, ordered));
    }

    /// <summary>The <c>Responses</c> partition of the study, page by page.</summary>
    private IAsyncEnumerable<ResponseEntity> Responses(string studyId, CancellationToken ct) =>
        tables.GetTableClient(StorageNames.ResponsesTable).QueryAsync<ResponseEntity>(e => e.PartitionKey == studyId, cancellationToken: ct);

    /// <summary>
    /// The rows counted, with their raters, in the export's order; read when enumerated, the enumerator's cancellation
    /// (<c>WithCancellation</c>) passed to each page's request.
    /// </summary>
    private IAsyncEnumerable<ResponseRow> RowsAsync(string studyId, Func<string, InstrumentDefinition?> instrumentOf, RaterIndex raters, IReadOnlyDictionary<string, string> lastKeys,
        DateTimeOffset? latest, bool ordered)
    {
        return ExportOrder.InTurnAsync(ScanAsync(), lastKeys, ordered);

        async IAsyncEnumerable<(string Key, ResponseRow Row)> ScanAsync([EnumeratorCancellation] CancellationToken ct = default)
        {
            await foreach (var e in Responses(studyId, ct).ConfigureAwait(false))
            {
                if (latest is null || e.Timestamp > latest) continue;
                var r = ReportSource.Stored(e, instrumentOf(e.RaterRole));
                yield return (e.RowKey, new ResponseRow(r, raters.RaterOf(e.RowKey, r.DyadId, r.Meeting, r.RaterRole)));
            }
        }
    }
}

/// <summary>
/// The rater of each assessment, kept small: a study's assessments of one dyad and role (<c>{dyad}-m{meeting}-{role}</c>)
/// nearly always share their rater, so each dyad and role keeps its rater once and the meetings it has assessments for
/// (a bit each, meetings 1 to 64); an assessment whose rater is not its dyad and role's first, or whose key or meeting is
/// out of that pattern, is kept by its key. A response's rater is its assessment's (the same key), none when it has none.
/// </summary>
public sealed class RaterIndex
{
    private readonly Dictionary<(string Dyad, string Role), (ulong Meetings, string Rater)> _usual = [];
    private readonly Dictionary<string, string> _others = new(StringComparer.Ordinal);

    /// <summary>An assessment: its key (<c>RowKey</c>), dyad, meeting, role and rater.</summary>
    public void Add(string key, string dyad, int meeting, string role, string rater)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (meeting is >= 1 and <= 64 && key == EnrolmentPlan.AssessmentId(dyad, meeting, role))
        {
            var bit = 1UL << (meeting - 1);
            if (!_usual.TryGetValue((dyad, role), out var usual))
            {
                _usual[(dyad, role)] = (bit, rater);
                return;
            }
            if (usual.Rater == rater)
            {
                _usual[(dyad, role)] = (usual.Meetings | bit, rater);
                return;
            }
        }
        _others[key] = rater;
    }

    /// <summary>The rater of the assessment under <paramref name="key"/> (a response's key, dyad, meeting and role), null when there is none.</summary>
    public string? RaterOf(string key, string dyad, int meeting, string role)
    {
        if (_others.TryGetValue(key, out var rater)) return rater;
        return meeting is >= 1 and <= 64 && _usual.TryGetValue((dyad, role), out var usual) && (usual.Meetings & (1UL << (meeting - 1))) != 0
            && key == EnrolmentPlan.AssessmentId(dyad, meeting, role)
            ? usual.Rater
            : null;
    }
}
