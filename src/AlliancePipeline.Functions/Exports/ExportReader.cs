using System.Runtime.CompilerServices;
using AlliancePipeline.Analytics.Reports;
using AlliancePipeline.Contracts.Storage;
using AlliancePipeline.Core.Instruments;
using AlliancePipeline.Functions.Reports;
using AlliancePipeline.Functions.Studies;
using Azure.Data.Tables;

namespace AlliancePipeline.Functions.Exports;

/// <summary>
/// A study's responses read for a streamed export: what the rows are written with (<see cref="Lookups"/>, small), the rows
/// and the outcomes, both read from storage as they are enumerated.
/// </summary>
/// <param name="Lookups">The study, instruments and columns.</param>
/// <param name="Rows">The rows in <see cref="ResponseRowLookups.Order"/>, each with its rater and its dyad's arm and outcome.</param>
/// <param name="Outcomes">The study's outcomes in dyad order (the JSON export's <c>outcomes</c>).</param>
/// <param name="ReadWhole">The study was read whole (keys the merged reading cannot take), not as the file is written.</param>
public sealed record ExportedResponses(ResponseRowLookups Lookups, IAsyncEnumerable<ResponseRow> Rows, IAsyncEnumerable<ReportOutcome> Outcomes, bool ReadWhole = false);

/// <summary>
/// Reads a study's responses for the exports holding nothing per dyad of the study (issue #19): memory flat in the study's
/// size. Every read is page by page (the SDK's <see cref="Azure.AsyncPageable{T}"/>, the request's cancellation passed
/// through), in pages small enough to stay off the large object heap (<see cref="PageRows"/>), and every table is read in
/// its key order, which Azure Table storage guarantees:
/// <list type="number">
/// <item>before the first byte (<see cref="OpenAsync"/>), a count of two tables at once: of the <c>Responses</c> partition (the roles that rated,
/// the most answers, the score columns stored: the header's columns, as <see cref="ResponseLayout"/> makes them; the latest
/// row's time) and of four columns of <c>Assessments</c> (the roles to rate, whether any names an arm); the study's name and
/// instruments by role come from its <c>Studies</c> row (the applied study file, which lists every dyad, is not read);</item>
/// <item>while the file is written (<see cref="ExportedResponses.Rows"/>), the responses again, merged in key order with
/// the assessments (a response's rater is its assessment's: the same key), put in the export's order by
/// <see cref="ExportOrder"/>, and each dyad as it is handed on merged with its dyad record (<c>Participants</c>, keyed
/// <c>dyad:{id}</c>: its arm and enrolment date) and its outcome (<c>Outcomes</c>, keyed by dyad id), both read in dyad
/// order as the export goes. A dyad whose record names no arm while assessments do (a study seeded without a file) has
/// its arm from its own assessments, one range query.</item>
/// </list>
/// A row stored after the count began (a response is only ever added: its <c>Timestamp</c> later than the count's latest
/// row) is left out, as a response stored after the export began, so the header's columns hold every row written. A study
/// where the count finds a key out of the assessment id's pattern, or keys not in ascending ordinal order (a table
/// service that sorted otherwise), is read whole (<see cref="ReportSource"/>) and sorted: correct, not flat.
/// </summary>
public sealed class ExportReader(StudyStore store, ReportSource source, TableServiceClient tables, ILogger<ExportReader> log)
{
    private static readonly string[] ResponseKeyColumns = [nameof(ResponseEntity.RowKey)];
    private static readonly string[] AssessmentCountColumns =
        [nameof(AssessmentEntity.RowKey), nameof(AssessmentEntity.DyadId), nameof(AssessmentEntity.RaterRole), nameof(AssessmentEntity.Arm)];
    private static readonly string[] RaterColumns = [nameof(AssessmentEntity.RowKey), nameof(AssessmentEntity.RaterId)];
    private static readonly string[] ArmColumns = [nameof(AssessmentEntity.Arm)];
    private static readonly string[] DyadColumns = [nameof(ParticipantEntity.Arm), nameof(ParticipantEntity.EnrolledOn)];

    /// <summary>
    /// Rows per page of each table read, so that a page's body stays under 64 KiB with the rows a study stores (measured
    /// on Azurite: a response of 12 items about 540 bytes, an assessment's four count columns about 150, its rater about
    /// 120, a dyad record about 190, an outcome about 380). A larger body goes to the large object heap, which only a full
    /// collection frees: the SDK's buffer of the body, grown by doubling, and the JSON parser's rented arrays (heap
    /// snapshots showed 1 MiB arrays, counters 10 to 16 MB of large objects). With the service's 1,000 rows a page, the
    /// exports of 10,000 dyads failed under a 32 MiB heap, and with these pages all complete under 24 MiB. Small pages
    /// cost requests: about 1,300 for an export of 10,000 dyads against 285 (at 0.036 USD a million).
    /// </summary>
    public static class PageRows
    {
        /// <summary>Responses, every column (about 540 bytes each with 12 items).</summary>
        public const int Responses = 100;

        /// <summary>Assessments, the count's four columns (about 150 bytes each).</summary>
        public const int AssessmentCounts = 350;

        /// <summary>Assessments, key and rater (about 120 bytes each).</summary>
        public const int Raters = 450;

        /// <summary>Dyad records, id, arm and enrolment date (about 190 bytes each).</summary>
        public const int Dyads = 300;

        /// <summary>Outcomes, every column (about 380 bytes each).</summary>
        public const int Outcomes = 150;
    }

    /// <summary>The study's responses ready to be written, or null when there is no such study.</summary>
    public async Task<ExportedResponses?> OpenAsync(string studyId, DateTimeOffset generatedAt, CancellationToken ct)
    {
        var context = await store.FindContextAsync(studyId, ct).ConfigureAwait(false);
        if (context is null) return null;
        var instrumentOf = ReportSource.InstrumentLookup(context, definition: null);

        // The two counts at once (each holds one page): the responses', and the assessments' roles and whether any names an arm.
        var responsesCounted = CountResponsesAsync(studyId, instrumentOf, ct);
        var assessmentsCounted = CountAssessmentsAsync(studyId, ct);
        await Task.WhenAll(responsesCounted, assessmentsCounted).ConfigureAwait(false);
        var (roles, latest, scoreColumns, items, responsesInOrder) = await responsesCounted.ConfigureAwait(false);
        var (assessmentRoles, assessmentArms, assessmentsInOrder) = await assessmentsCounted.ConfigureAwait(false);
        if (!responsesInOrder || !assessmentsInOrder)
        {
            log.LogWarning("The export of {StudyId} reads the study whole: a response or assessment is stored under a key out of the assessment id's pattern, or the table gave its keys out of order.", studyId);
            return await WholeAsync(studyId, generatedAt, ct).ConfigureAwait(false);
        }

        var dyadRecords = false;
        await foreach (var _ in store.DyadRowsAsync(studyId, [], maxPerPage: 1, ct).ConfigureAwait(false))
        {
            dyadRecords = true;
            break;
        }
        var studyRoles = context.Study.InstrumentIdsByRole?.Keys ?? [];
        var instruments = ReportSource.InstrumentsOf(context, definition: null, roles.Concat(assessmentRoles).Concat(studyRoles));
        var lookups = new ResponseRowLookups
        {
            StudyId = studyId,
            StudyName = context.Study.Name,
            GeneratedAt = generatedAt,
            Instruments = instruments,
            Layout = ResponseLayout.Of(instruments, items, scoreColumns),
        };
        var read = new Reading(studyId, instrumentOf, latest, dyadRecords, assessmentArms);
        return new ExportedResponses(lookups, RowsAsync(read), OutcomesAsync(studyId));
    }

    /// <summary>
    /// The count of the responses: the roles that rated (in the order met), the latest row's time, the score columns
    /// stored, the most answers, and whether every key came in order and in its dyad's range.
    /// </summary>
    private async Task<(List<string> Roles, DateTimeOffset? Latest, HashSet<string> ScoreColumns, int Items, bool InOrder)> CountResponsesAsync(
        string studyId, Func<string, InstrumentDefinition?> instrumentOf, CancellationToken ct)
    {
        var roles = new List<string>();
        DateTimeOffset? latest = null;
        var scoreColumns = new HashSet<string>(StringComparer.Ordinal);
        var items = 0;
        var inOrder = new KeyOrder();
        await foreach (var e in Responses(studyId, ct).ConfigureAwait(false))
        {
            var r = ReportSource.Stored(e, instrumentOf(e.RaterRole));
            if (!roles.Contains(r.RaterRole, StringComparer.Ordinal)) roles.Add(r.RaterRole);
            if (e.Timestamp is { } at && (latest is null || at > latest)) latest = at;
            scoreColumns.UnionWith(r.Scores.Keys);
            items = Math.Max(items, r.Items.Count);
            inOrder.Add(e.RowKey, e.DyadId);
        }
        return (roles, latest, scoreColumns, items, inOrder.Holds);
    }

    /// <summary>The count of the assessments: the roles to rate (in the order met), whether any names an arm, and whether every key came in order and in its dyad's range.</summary>
    private async Task<(List<string> Roles, bool Arms, bool InOrder)> CountAssessmentsAsync(string studyId, CancellationToken ct)
    {
        var roles = new List<string>();
        var arms = false;
        var inOrder = new KeyOrder();
        await foreach (var a in Assessments(studyId, AssessmentCountColumns, PageRows.AssessmentCounts, ct).ConfigureAwait(false))
        {
            if (!roles.Contains(a.RaterRole, StringComparer.Ordinal)) roles.Add(a.RaterRole);
            arms |= a.Arm is not null;
            inOrder.Add(a.RowKey, a.DyadId);
        }
        return (roles, arms, inOrder.Holds);
    }

    /// <summary>The study read whole, for a table whose keys the merged reading cannot take.</summary>
    private async Task<ExportedResponses?> WholeAsync(string studyId, DateTimeOffset generatedAt, CancellationToken ct)
    {
        var data = await source.ReadAsync(studyId, "export", generatedAt, null, ct).ConfigureAwait(false);
        if (data is null) return null;
        var input = data.Input;
        return new ExportedResponses(ResponseRowLookups.Of(input), ResponseRowLookups.Rows(input).ToAsyncEnumerable(), ResponseRowLookups.Outcomes(input).ToAsyncEnumerable(), ReadWhole: true);
    }

    /// <summary>What the count found that the rows are read with.</summary>
    private sealed record Reading(string StudyId, Func<string, InstrumentDefinition?> InstrumentOf, DateTimeOffset? Latest, bool DyadRecords, bool AssessmentArms);

    /// <summary>
    /// The rows counted, each with its rater and its dyad's arm and outcome, in the export's order; read when enumerated,
    /// the enumerator's cancellation (<c>WithCancellation</c>) passed to each page's request.
    /// </summary>
    private async IAsyncEnumerable<ResponseRow> RowsAsync(Reading read, [EnumeratorCancellation] CancellationToken ct = default)
    {
        var studyId = read.StudyId;
        var raters = new KeyCursor<AssessmentEntity>(Assessments(studyId, RaterColumns, PageRows.Raters, ct), a => a.RowKey);
        await using var _ = raters.ConfigureAwait(false);
        var dyads = new KeyCursor<ParticipantEntity>(store.DyadRowsAsync(studyId, DyadColumns, PageRows.Dyads, ct), p => p.Id);
        await using var __ = dyads.ConfigureAwait(false);
        var outcomes = new KeyCursor<OutcomeEntity>(Outcomes(studyId, ct), o => o.RowKey);
        await using var ___ = outcomes.ConfigureAwait(false);

        async IAsyncEnumerable<(string Key, ResponseRow Row)> ScanAsync()
        {
            await foreach (var e in Responses(studyId, ct).ConfigureAwait(false))
            {
                if (read.Latest is null || e.Timestamp > read.Latest) continue;
                var r = ReportSource.Stored(e, read.InstrumentOf(e.RaterRole));
                var assessment = await raters.SeekAsync(e.RowKey, ct).ConfigureAwait(false);
                yield return (e.RowKey, new ResponseRow(r, assessment?.RaterId, RowDyad.None));
            }
        }

        await foreach (var group in ExportOrder.InTurnAsync(ScanAsync(), (dyad, t) => HasResponsesAsync(studyId, dyad, t), ct).ConfigureAwait(false))
        {
            var record = await dyads.SeekAsync(group.DyadId, ct).ConfigureAwait(false);
            var outcome = await outcomes.SeekAsync(group.DyadId, ct).ConfigureAwait(false);
            var (first, named) = read.AssessmentArms && record?.Arm is null ? await AssessmentArmsAsync(studyId, group.DyadId, ct).ConfigureAwait(false) : (null, null);
            var dyad = new RowDyad(read.DyadRecords ? record?.Arm : first, record?.Arm ?? named, outcome is null ? null : ReportSource.Outcome(outcome, Enrolled(record)));
            foreach (var row in ResponseRowLookups.Order(group.Rows)) yield return row with { Dyad = dyad };
        }
    }

    /// <summary>The study's outcomes in dyad order, each with its dyad's enrolment date; read when enumerated.</summary>
    private async IAsyncEnumerable<ReportOutcome> OutcomesAsync(string studyId, [EnumeratorCancellation] CancellationToken ct = default)
    {
        var dyads = new KeyCursor<ParticipantEntity>(store.DyadRowsAsync(studyId, DyadColumns, PageRows.Dyads, ct), p => p.Id);
        await using var _ = dyads.ConfigureAwait(false);
        await foreach (var o in Outcomes(studyId, ct).ConfigureAwait(false))
            yield return ReportSource.Outcome(o, Enrolled(await dyads.SeekAsync(o.RowKey, ct).ConfigureAwait(false)));
    }

    private static DateOnly? Enrolled(ParticipantEntity? record) => record?.EnrolledOn is { } on ? DateOnly.FromDateTime(on.UtcDateTime) : null;

    /// <summary>Whether a dyad has responses: one query of its range (<see cref="ExportOrder.RangeOf"/>).</summary>
    private async ValueTask<bool> HasResponsesAsync(string studyId, string dyad, CancellationToken ct)
    {
        await foreach (var _ in tables.GetTableClient(StorageNames.ResponsesTable).QueryAsync<TableEntity>(InRange(studyId, dyad), maxPerPage: 1, select: ResponseKeyColumns, cancellationToken: ct).ConfigureAwait(false))
            return true;
        return false;
    }

    /// <summary>A dyad's first assessment's arm and its first assessment's that names one: one query of its range.</summary>
    private async Task<(string? First, string? Named)> AssessmentArmsAsync(string studyId, string dyad, CancellationToken ct)
    {
        var (first, read) = ((string?)null, false);
        await foreach (var a in tables.GetTableClient(StorageNames.AssessmentsTable).QueryAsync<AssessmentEntity>(InRange(studyId, dyad), select: ArmColumns, cancellationToken: ct).ConfigureAwait(false))
        {
            if (!read) (first, read) = (a.Arm, true);
            if (a.Arm is not null) return (first, a.Arm);
        }
        return (first, null);
    }

    /// <summary>The rows of a dyad in its range of keys (<see cref="ExportOrder.RangeOf"/>; a dyad whose id begins with its own followed by <c>-m</c> has rows there too).</summary>
    private static string InRange(string studyId, string dyad) =>
        TableClient.CreateQueryFilter($"PartitionKey eq {studyId} and RowKey ge {ExportOrder.RangeOf(dyad)} and RowKey lt {dyad + "-n"} and DyadId eq {dyad}");

    /// <summary>The <c>Responses</c> partition of the study, page by page.</summary>
    private IAsyncEnumerable<ResponseEntity> Responses(string studyId, CancellationToken ct) =>
        tables.GetTableClient(StorageNames.ResponsesTable).QueryAsync<ResponseEntity>(e => e.PartitionKey == studyId, maxPerPage: PageRows.Responses, cancellationToken: ct);

    /// <summary>Columns of the <c>Assessments</c> partition of the study, page by page.</summary>
    private IAsyncEnumerable<AssessmentEntity> Assessments(string studyId, IEnumerable<string> columns, int pageRows, CancellationToken ct) =>
        tables.GetTableClient(StorageNames.AssessmentsTable).QueryAsync<AssessmentEntity>(e => e.PartitionKey == studyId, maxPerPage: pageRows, select: columns, cancellationToken: ct);

    /// <summary>The <c>Outcomes</c> partition of the study (keyed by dyad id), page by page.</summary>
    private IAsyncEnumerable<OutcomeEntity> Outcomes(string studyId, CancellationToken ct) =>
        tables.GetTableClient(StorageNames.OutcomesTable).QueryAsync<OutcomeEntity>(e => e.PartitionKey == studyId, maxPerPage: PageRows.Outcomes, cancellationToken: ct);

    /// <summary>Whether rows read so far came in ascending ordinal key order, each key in its dyad's range.</summary>
    private sealed class KeyOrder
    {
        private string? _last;

        /// <summary>True while every key added was greater than the one before and in its dyad's range.</summary>
        public bool Holds { get; private set; } = true;

        public void Add(string key, string dyad)
        {
            Holds &= (_last is null || string.CompareOrdinal(_last, key) < 0) && ExportOrder.InRange(key, dyad);
            _last = key;
        }
    }
}

/// <summary>
/// A table's rows read once, in ascending ordinal key order, and sought by keys that only ever grow: a merge join of two
/// tables in key order, holding one row.
/// </summary>
/// <typeparam name="T">The row.</typeparam>
internal sealed class KeyCursor<T>(IAsyncEnumerable<T> rows, Func<T, string> keyOf) : IAsyncDisposable
    where T : class
{
    private IAsyncEnumerator<T>? _rows;
    private T? _current;
    private bool _done;

    /// <summary>The row under <paramref name="key"/>, null when there is none; each key sought no smaller than the one before.</summary>
    /// <exception cref="InvalidOperationException">The table gave its rows out of key order.</exception>
    public async ValueTask<T?> SeekAsync(string key, CancellationToken ct)
    {
        _rows ??= rows.GetAsyncEnumerator(ct);
        while (!_done && (_current is null || string.CompareOrdinal(keyOf(_current), key) < 0))
        {
            var before = _current;
            if (!await _rows.MoveNextAsync().ConfigureAwait(false))
            {
                (_done, _current) = (true, null);
                break;
            }
            _current = _rows.Current;
            if (before is not null && string.CompareOrdinal(keyOf(before), keyOf(_current)) >= 0)
                throw new InvalidOperationException("The table gave its rows out of key order.");
        }
        return _current is not null && keyOf(_current) == key ? _current : null;
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _rows?.DisposeAsync() ?? ValueTask.CompletedTask;
}
