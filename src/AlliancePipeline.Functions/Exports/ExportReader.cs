using System.Runtime.CompilerServices;
using AlliancePipeline.Analytics.Reports;
using AlliancePipeline.Contracts.Storage;
using AlliancePipeline.Core.Instruments;
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
/// and the latest row's time; with one read of the <c>Assessments</c> partition's few columns (each dyad's arm, the roles
/// to rate), the dyads' arms and enrolment dates from <c>Participants</c> and <c>Outcomes</c>, the <see cref="ResponseRowLookups"/>: a few records per dyad;</item>
/// <item>while the file is written (<see cref="ExportedResponses.Rows"/>), the rows again, each joined to its assessment's
/// rater by a merge with a read of <c>Assessments</c> (<c>RowKey</c>, <c>RaterId</c>) in the same order, and put in the
/// export's order by <see cref="ExportOrder"/>.</item>
/// </list>
/// A row stored after the count began (a response is only ever added: its <c>Timestamp</c> later than the count's latest
/// row) is left out, as a response stored after the export began, so the header's columns hold every row written. The
/// rater merge needs both partitions in ordinal <c>RowKey</c> order, as the table service returns them; when the count
/// finds them otherwise, the raters are read whole first (an id per assessment: correct, less flat) and the rows are sorted
/// whole (<see cref="ExportOrder"/>).
/// </summary>
public sealed class ExportReader(StudyStore store, TableServiceClient tables)
{
    private static readonly string[] AssessmentCountColumns = [nameof(AssessmentEntity.RowKey), nameof(AssessmentEntity.DyadId), nameof(AssessmentEntity.RaterRole), nameof(AssessmentEntity.Arm)];
    private static readonly string[] DyadColumns = [nameof(ParticipantEntity.Arm), nameof(ParticipantEntity.EnrolledOn)];
    private static readonly string[] RaterColumns = [nameof(AssessmentEntity.RowKey), nameof(AssessmentEntity.RaterId)];

    /// <summary>The study's responses ready to be written, or null when there is no such study.</summary>
    public async Task<ExportedResponses?> OpenAsync(string studyId, DateTimeOffset generatedAt, CancellationToken ct)
    {
        var context = await store.FindContextAsync(studyId, ct).ConfigureAwait(false);
        if (context is null) return null;
        var definition = (await store.LoadAsync(studyId, ct).ConfigureAwait(false))?.Definition;
        var instrumentOf = ReportSource.InstrumentLookup(context, definition);

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
            lastKeys[r.DyadId] = e.RowKey;
            if (e.Timestamp is { } at && (latest is null || at > latest)) latest = at;
            scoreColumns.UnionWith(r.Scores.Keys);
            items = Math.Max(items, r.Items.Count);
            ordered &= last is null || string.CompareOrdinal(last, e.RowKey) < 0;
            last = e.RowKey;
        }

        // Each dyad's arm: its dyad record's; without dyad records (a study seeded without a file), its first assessment's.
        var firstArm = new Dictionary<string, string?>(StringComparer.Ordinal);
        var assessmentArm = new Dictionary<string, string>(StringComparer.Ordinal);
        var assessmentRoles = new List<string>();
        last = null;
        await foreach (var a in tables.GetTableClient(StorageNames.AssessmentsTable).QueryAsync<AssessmentEntity>(e => e.PartitionKey == studyId, select: AssessmentCountColumns, cancellationToken: ct).ConfigureAwait(false))
        {
            firstArm.TryAdd(a.DyadId, a.Arm);
            if (a.Arm is not null) assessmentArm.TryAdd(a.DyadId, a.Arm);
            if (!assessmentRoles.Contains(a.RaterRole, StringComparer.Ordinal)) assessmentRoles.Add(a.RaterRole);
            ordered &= last is null || string.CompareOrdinal(last, a.RowKey) < 0;
            last = a.RowKey;
        }
        var recordedArms = new Dictionary<string, string?>(StringComparer.Ordinal);
        var enrolled = new Dictionary<string, DateOnly>(StringComparer.Ordinal);
        var dyadRows = false;
        await foreach (var p in store.DyadRowsAsync(studyId, DyadColumns, ct).ConfigureAwait(false))
        {
            dyadRows = true;
            if (p.Arm is not null) recordedArms.Add(p.Id, p.Arm);
            if (p.EnrolledOn is { } on) enrolled.Add(p.Id, DateOnly.FromDateTime(on.UtcDateTime));
        }
        var dyadArms = dyadRows ? recordedArms : firstArm.Where(p => p.Value is not null).ToDictionary(StringComparer.Ordinal);
        var arms = dyadArms.ToDictionary(p => p.Key, p => p.Value!, StringComparer.Ordinal);
        foreach (var (dyad, arm) in assessmentArm) arms.TryAdd(dyad, arm);
        var outcomes = new List<ReportOutcome>();
        await foreach (var o in tables.GetTableClient(StorageNames.OutcomesTable).QueryAsync<OutcomeEntity>(e => e.PartitionKey == studyId, cancellationToken: ct).ConfigureAwait(false))
            outcomes.Add(ReportSource.Outcome(o, enrolled.TryGetValue(o.RowKey, out var on) ? on : null));

        var instruments = ReportSource.InstrumentsOf(context, definition, roles.Concat(assessmentRoles));
        var lookups = new ResponseRowLookups
        {
            StudyId = studyId,
            StudyName = definition?.Name ?? context.Study.Name,
            GeneratedAt = generatedAt,
            Instruments = instruments,
            Layout = ResponseLayout.Of(instruments, items, scoreColumns),
            DyadArms = dyadArms,
            Arms = arms,
            Outcomes = outcomes,
        };
        return new ExportedResponses(lookups, RowsAsync(studyId, instrumentOf, lastKeys, latest, ordered, CancellationToken.None));
    }

    /// <summary>The <c>Responses</c> partition of the study, page by page.</summary>
    private IAsyncEnumerable<ResponseEntity> Responses(string studyId, CancellationToken ct) =>
        tables.GetTableClient(StorageNames.ResponsesTable).QueryAsync<ResponseEntity>(e => e.PartitionKey == studyId, cancellationToken: ct);

    /// <summary>The rows counted, with their raters, in the export's order.</summary>
    private async IAsyncEnumerable<ResponseRow> RowsAsync(string studyId, Func<string, InstrumentDefinition?> instrumentOf, IReadOnlyDictionary<string, string> lastKeys,
        DateTimeOffset? latest, bool ordered, [EnumeratorCancellation] CancellationToken ct)
    {
        var raters = await RatersAsync(studyId, ordered, ct).ConfigureAwait(false);
        try
        {
            await foreach (var row in ExportOrder.InTurnAsync(ScanAsync(), lastKeys, ordered, ct).ConfigureAwait(false)) yield return row;
        }
        finally
        {
            await raters.DisposeAsync().ConfigureAwait(false);
        }

        async IAsyncEnumerable<(string Key, ResponseRow Row)> ScanAsync()
        {
            await foreach (var e in Responses(studyId, ct).ConfigureAwait(false))
            {
                var rater = await raters.RaterAsync(e.RowKey).ConfigureAwait(false);
                if (latest is null || e.Timestamp > latest) continue;
                yield return (e.RowKey, new ResponseRow(ReportSource.Stored(e, instrumentOf(e.RaterRole)), rater));
            }
        }
    }

    /// <summary>The rater of each response: a merge with the assessments in the same order, or (<paramref name="ordered"/> false) all read first.</summary>
    private async Task<RaterJoin> RatersAsync(string studyId, bool ordered, CancellationToken ct)
    {
        var query = tables.GetTableClient(StorageNames.AssessmentsTable).QueryAsync<AssessmentEntity>(e => e.PartitionKey == studyId, select: RaterColumns, cancellationToken: ct);
        if (ordered) return new RaterJoin(query.GetAsyncEnumerator(ct), null);
        var all = new Dictionary<string, string>(StringComparer.Ordinal);
        await foreach (var a in query.ConfigureAwait(false)) all[a.RowKey] = a.RaterId;
        return new RaterJoin(null, all);
    }

    /// <summary>Finds the rater of an assessment id, asked in ascending ordinal order: a merge, or a lookup in all the raters.</summary>
    private sealed class RaterJoin(IAsyncEnumerator<AssessmentEntity>? assessments, Dictionary<string, string>? all) : IAsyncDisposable
    {
        private AssessmentEntity? _current;
        private bool _started;

        public async ValueTask<string?> RaterAsync(string assessmentId)
        {
            if (all is not null) return all.GetValueOrDefault(assessmentId);
            if (!_started)
            {
                _started = true;
                _current = await assessments!.MoveNextAsync().ConfigureAwait(false) ? assessments.Current : null;
            }
            while (_current is not null && string.CompareOrdinal(_current.RowKey, assessmentId) < 0)
                _current = await assessments!.MoveNextAsync().ConfigureAwait(false) ? assessments.Current : null;
            return _current is not null && _current.RowKey == assessmentId ? _current.RaterId : null;
        }

        public ValueTask DisposeAsync() => assessments?.DisposeAsync() ?? ValueTask.CompletedTask;
    }
}
