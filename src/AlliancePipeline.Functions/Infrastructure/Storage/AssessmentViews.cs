using System.Globalization;
using AlliancePipeline.Contracts.Storage;
using AlliancePipeline.Core.Studies;
using Azure;
using Azure.Data.Tables;

namespace AlliancePipeline.Functions.Infrastructure.Storage;

/// <summary>
/// The <c>AssessmentViews</c> table: the study's <c>Assessments</c> rows kept again per site, and an index of them by the
/// day the <c>Reminders</c> run may next have to act on them, so a site's dashboard reads that site's rows and a run
/// reads what is due (docs/architecture.md, "Assessment views"; layout in docs/functions.md). Partitions of a study:
/// <list type="bullet">
/// <item><c>{study}|site|{site}</c>: a copy of each assessment of the site (RowKey the assessment id);</item>
/// <item><c>{study}|loc</c>: where each assessment's copy is (<c>Site</c>) and its due key (<c>DueKey</c>); the row every
/// update of the views is conditioned on (its ETag);</item>
/// <item><c>{study}|due</c>: RowKey <c>{yyyyMMdd}|{assessment}</c>, the day from which the run may have to invite or
/// remind (stale rows are harmless: the run checks <c>Assessments</c> and deletes them);</item>
/// <item><c>{study}|mark</c>: RowKey <c>{assessment}|{write id}</c>, written before each write to the assessment and
/// deleted once the views show it: while one exists, readers take that assessment from <c>Assessments</c>;</item>
/// <item><c>{study}|state</c>: whether the views were built, and the reminder policy the due keys follow;</item>
/// <item><c>{study}|sum</c>: per site a <c>ver|{site}</c> row (a random version, new after every sync that touches the
/// site) and a <c>sum|{site}</c> row (the site's completion summary as JSON, the version it was computed under, the UTC
/// day it is for), so a whole-study read recomputes only the sites changed since (<see cref="SummariesAsync"/>).</item>
/// </list>
/// Every write to <c>Assessments</c> through the app's table client goes through <see cref="AssessmentWriteWatch"/>,
/// which marks, writes, then calls <see cref="SyncAsync"/>; a study without views is built from <c>Assessments</c> on
/// first read (<see cref="EnsureBuiltAsync"/>).
/// </summary>
public sealed class AssessmentViews(TableServiceClient tables)
{
    /// <summary>A marker older than this belongs to a write that stopped: a reader brings the views in line and removes it.</summary>
    public static readonly TimeSpan StaleMark = TimeSpan.FromMinutes(10);

    private const int Parallelism = 16;
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, Task> Builds = new(StringComparer.Ordinal);
    private const string StateKey = "state";

    private volatile bool _exists;

    private TableClient Views => tables.GetTableClient(StorageNames.AssessmentViewsTable);

    /// <summary>
    /// Creates the table once per instance when it is missing (an app updated before its storage was: the views are
    /// then built on first read rather than every write to <c>Assessments</c> failing).
    /// </summary>
    private async Task EnsureTableAsync(CancellationToken ct)
    {
        if (_exists) return;
        await Views.CreateIfNotExistsAsync(ct).ConfigureAwait(false);
        _exists = true;
    }
    private TableClient Source => tables.GetTableClient(StorageNames.AssessmentsTable);

    /// <summary>The partition of a site's copies.</summary>
    public static string SitePartition(string studyId, string siteId) => $"{studyId}|site|{siteId}";

    private static string Loc(string studyId) => $"{studyId}|loc";
    private static string Due(string studyId) => $"{studyId}|due";

    /// <summary>The due row of assessment <paramref name="id"/> on the day <paramref name="key"/> (<c>yyyyMMdd</c>).</summary>
    private static TableEntity DueRow(string studyId, string key, string id) => new(Due(studyId), $"{key}|{id}");

    /// <summary>A due row's day (<c>yyyyMMdd</c>) and assessment id.</summary>
    private static (string Key, string Id) DueParts(TableEntity row)
    {
        var bar = row.RowKey.IndexOf('|');
        return (row.RowKey[..bar], row.RowKey[(bar + 1)..]);
    }
    private static string Mark(string studyId) => $"{studyId}|mark";
    private static string State(string studyId) => $"{studyId}|state";
    private static string Sums(string studyId) => $"{studyId}|sum";
    private static string VersionKey(string siteId) => $"ver|{siteId}";
    private static string SummaryKey(string siteId) => $"sum|{siteId}";

    /// <summary>A summary's JSON is kept in parts of this many characters (a string property holds 32K), at most <see cref="MaxParts"/>.</summary>
    private const int PartLength = 30_000;
    private const int MaxParts = 15;

    /// <summary>The reminder policy as kept on the state row.</summary>
    public static string PolicyText(ReminderPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return string.Create(CultureInfo.InvariantCulture, $"{policy.FirstAfterDays},{policy.EveryDays},{policy.MaxCount}");
    }

    private static ReminderPolicy? ParsePolicy(string? text) =>
        text?.Split(',') is [var f, var e, var m] ? new ReminderPolicy(int.Parse(f, CultureInfo.InvariantCulture), int.Parse(e, CultureInfo.InvariantCulture), int.Parse(m, CultureInfo.InvariantCulture)) : null;

    /// <summary>
    /// The day from which the <c>Reminders</c> run may have to act on <paramref name="a"/> under <paramref name="policy"/>
    /// (<c>yyyyMMdd</c>), or null when it never will as the row stands: not pending, handed over, no meeting day yet, or no
    /// reminder left before its link expires. A run at a moment of that day or later decides exactly, as before.
    /// </summary>
    public static string? DueKey(AssessmentEntity a, ReminderPolicy? policy)
    {
        ArgumentNullException.ThrowIfNull(a);
        if (a.Status != nameof(AssessmentStatus.Pending) || a.IsHandedOver()) return null;
        if (a.InvitationQueuedAt is null) return a.InviteOn is { } on ? Key(StudyCalendar.Day(on)) : null;
        if (policy is null) return Key(StudyCalendar.Day(a.DueDate));
        var state = new ReminderState(StudyCalendar.Day(a.DueDate), AssessmentStatus.Pending, a.RemindersSent, a.LastReminderAt, null, a.RemindersPaused, a.InvitationQueuedAt);
        return ReminderSchedule.Decide(policy, state, DateTimeOffset.MinValue) switch
        {
            ReminderDecision.Wait wait when a.LinkExpiresAt is not { } expires || expires > wait.NotBefore => Key(StudyCalendar.Day(wait.NotBefore)),
            _ => null,
        };
    }

    private static string Key(DateOnly day) => day.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    /// <summary>The state row: <paramref name="Sums"/> once every site with copies has a <c>ver</c> row (views built before the summaries had none).</summary>
    private sealed record StateRow(bool Built, ReminderPolicy? Policy, bool Sums = false);

    private async Task<StateRow?> ReadStateAsync(string studyId, CancellationToken ct)
    {
        var found = await Views.GetEntityIfExistsAsync<TableEntity>(State(studyId), StateKey, cancellationToken: ct).ConfigureAwait(false);
        return found.HasValue ? new StateRow(found.Value!.GetBoolean("Built") ?? false, ParsePolicy(found.Value.GetString("Policy")), found.Value.GetBoolean("Sums") ?? false) : null;
    }

    /// <summary>
    /// Builds the study's views from <c>Assessments</c> when they were never built, or (with <paramref name="policy"/>)
    /// when their due keys follow another reminder policy. Answers whether it built them now.
    /// </summary>
    public async Task<bool> EnsureBuiltAsync(string studyId, ReminderPolicy? policy, CancellationToken ct) =>
        await EnsureBuiltStateAsync(studyId, policy, ct).ConfigureAwait(false) is null;

    /// <summary><see cref="EnsureBuiltAsync"/>, answering the state row read when the views were built already (else null).</summary>
    private async Task<StateRow?> EnsureBuiltStateAsync(string studyId, ReminderPolicy? policy, CancellationToken ct)
    {
        await EnsureTableAsync(ct).ConfigureAwait(false);
        var state = await ReadStateAsync(studyId, ct).ConfigureAwait(false);
        if (state is { Built: true } && (policy is null || state.Policy == policy)) return state;
        // Requests arriving while a build runs in this process wait for it rather than building again.
        policy ??= state?.Policy;
        var key = $"{tables.Uri}|{studyId}|{(policy is null ? "" : PolicyText(policy))}";
        var build = Builds.GetOrAdd(key, _ => BuildAsync(studyId, policy, CancellationToken.None));
        try
        {
            await build.WaitAsync(ct).ConfigureAwait(false);
        }
        finally
        {
            if (build.IsCompleted) Builds.TryRemove(new KeyValuePair<string, Task>(key, build));
        }
        return null;
    }

    /// <summary>
    /// Writes the state row first (so writes from now on keep the views), then reads every <c>loc</c> row and every
    /// assessment, writes each copy, due row and <c>loc</c> row (a <c>loc</c> row written meanwhile by a sync is
    /// synced again instead), deletes copies left in another site, and marks the views built.
    /// </summary>
    private async Task BuildAsync(string studyId, ReminderPolicy? policy, CancellationToken ct)
    {
        var state = new TableEntity(State(studyId), StateKey) { ["Built"] = false, ["Policy"] = policy is null ? null : PolicyText(policy) };
        await Views.UpsertEntityAsync(state, TableUpdateMode.Replace, ct).ConfigureAwait(false);
        var locs = new Dictionary<string, TableEntity>(StringComparer.Ordinal);
        await foreach (var l in Views.QueryAsync<TableEntity>(e => e.PartitionKey == Loc(studyId), cancellationToken: ct).ConfigureAwait(false)) locs[l.RowKey] = l;
        var rows = new List<AssessmentEntity>();
        await foreach (var a in Source.QueryAsync<AssessmentEntity>(e => e.PartitionKey == studyId, cancellationToken: ct).ConfigureAwait(false)) rows.Add(a);

        var present = rows.Select(a => a.RowKey).ToHashSet(StringComparer.Ordinal);
        var resync = await WriteAsync(studyId, policy, rows, locs, ct).ConfigureAwait(false);
        // Assessments gone since (none are deleted by the app, but a copy must never outlive its row).
        resync.AddRange(locs.Keys.Where(id => !present.Contains(id)));
        if (resync.Count > 0) await SyncAsync(studyId, resync, ct).ConfigureAwait(false);
        state["Built"] = true;
        state["Sums"] = true;
        await Views.UpsertEntityAsync(state, TableUpdateMode.Replace, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Writes the views of <paramref name="rows"/> (read after <paramref name="locs"/>): copies and due rows, copies left in
    /// another site deleted, then the <c>loc</c> rows under the ETags read, 100 to a transaction. Answers the assessments
    /// of transactions that failed (a sync wrote one of them meanwhile): they are synced one by one.
    /// </summary>
    private async Task<List<string>> WriteAsync(string studyId, ReminderPolicy? policy, IReadOnlyList<AssessmentEntity> rows, IReadOnlyDictionary<string, TableEntity> locs, CancellationToken ct)
    {
        var locRows = rows.Select(a => locs.TryGetValue(a.RowKey, out var l)
            ? (Row: LocRow(studyId, a, policy, l.GetString("Site")), ETag: l.ETag)
            : (Row: LocRow(studyId, a, policy, null), ETag: (ETag?)null)).ToList();
        var dueRows = rows.Select(a => (a, Key: DueKey(a, policy))).Where(x => x.Key is not null)
            .Select(x => DueRow(studyId, x.Key!, x.a.RowKey)).ToList();
        var stale = rows.Where(a => locs.TryGetValue(a.RowKey, out var l) && l.GetString("Site") is { Length: > 0 } s && s != a.SiteId)
            .Select(a => new TableEntity(SitePartition(studyId, locs[a.RowKey].GetString("Site")!), a.RowKey)).ToList();
        var touched = rows.Select(a => a.SiteId).Concat(stale.Select(c => c.PartitionKey[SitePartition(studyId, "").Length..])).ToList();
        var oldDue = OldDueRows(studyId, rows.Select(a => (a.RowKey, locs.GetValueOrDefault(a.RowKey), DueKey(a, policy)))).ToList();
        await UpsertAllAsync(rows.Select(a => Copy(studyId, a)).Cast<ITableEntity>().Concat(dueRows), ct).ConfigureAwait(false);
        await DeleteAllAsync(stale, ct).ConfigureAwait(false);
        await DeleteAllAsync(oldDue, ct).ConfigureAwait(false);
        // The copies changed: their sites get a new version before the loc rows say so (and before the markers go).
        await BumpAsync(studyId, touched, ct).ConfigureAwait(false);
        var resync = new List<string>();
        foreach (var chunk in locRows.Chunk(100))
        {
            var actions = chunk.Select(l => l.ETag is { } etag
                ? new TableTransactionAction(TableTransactionActionType.UpdateReplace, l.Row, etag)
                : new TableTransactionAction(TableTransactionActionType.Add, l.Row)).ToList();
            try
            {
                await Views.SubmitTransactionAsync(actions, ct).ConfigureAwait(false);
            }
            catch (TableTransactionFailedException)
            {
                resync.AddRange(chunk.Select(l => l.Row.RowKey));
            }
        }
        return resync;
    }

    /// <summary>
    /// The due rows the <c>loc</c> rows read name when the assessment's key is now another (or none): the index's rows
    /// left behind by a change of the assessment. Computed before the entities are turned into copies.
    /// </summary>
    private static IEnumerable<TableEntity> OldDueRows(string studyId, IEnumerable<(string Id, TableEntity? Loc, string? Key)> rows)
    {
        foreach (var (id, loc, key) in rows)
        {
            if (loc?.GetString("DueKey") is { Length: > 0 } old && old != key) yield return DueRow(studyId, old, id);
        }
    }

    /// <summary>The row as its site's copy: the same entity, moved to the site's partition (it is not used as a source row again).</summary>
    private static AssessmentEntity Copy(string studyId, AssessmentEntity a)
    {
        a.PartitionKey = SitePartition(studyId, a.SiteId);
        a.ETag = default;
        a.Timestamp = null;
        return a;
    }

    /// <summary>The loc row of <paramref name="a"/>; <c>Left</c> is the site its copy was in before (<paramref name="left"/>).</summary>
    private static TableEntity LocRow(string studyId, AssessmentEntity a, ReminderPolicy? policy, string? left) =>
        new(Loc(studyId), a.RowKey) { ["Site"] = a.SiteId, ["Left"] = left ?? "", ["DueKey"] = DueKey(a, policy) ?? "" };

    private async Task UpsertAllAsync(IEnumerable<ITableEntity> rows, CancellationToken ct)
    {
        foreach (var partition in rows.GroupBy(r => r.PartitionKey, StringComparer.Ordinal))
        {
            foreach (var chunk in partition.DistinctBy(r => r.RowKey, StringComparer.Ordinal).Chunk(100))
                await Views.SubmitTransactionAsync(chunk.Select(r => new TableTransactionAction(TableTransactionActionType.UpsertReplace, r)), ct).ConfigureAwait(false);
        }
    }

    /// <summary>Deletes <paramref name="rows"/>, <see cref="Parallelism"/> at once; one gone already or written again since it was read is left.</summary>
    private async Task DeleteAllAsync(IEnumerable<ITableEntity> rows, CancellationToken ct) =>
        await Parallel.ForEachAsync(rows, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = ct }, async (row, token) =>
        {
            try
            {
                await Views.DeleteEntityAsync(row.PartitionKey, row.RowKey, row.ETag == default ? ETag.All : row.ETag, token).ConfigureAwait(false);
            }
            catch (RequestFailedException e) when (e.Status is 404 or 412)
            {
                // Gone already, or written again since it was read: left as it is.
            }
        }).ConfigureAwait(false);

    /// <summary>Marks assessments as being written (before the write): readers take them from <c>Assessments</c> until unmarked.</summary>
    public async Task<IReadOnlyList<TableEntity>> MarkAsync(string studyId, IReadOnlyCollection<string> assessmentIds, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(assessmentIds);
        await EnsureTableAsync(ct).ConfigureAwait(false);
        var write = Guid.NewGuid().ToString("N");
        var marks = assessmentIds.Distinct(StringComparer.Ordinal)
            // Real time, not the app's adjustable clock: the age of a marker says whether its writer is still at work.
            .Select(id => new TableEntity(Mark(studyId), $"{id}|{write}") { ["At"] = DateTimeOffset.UtcNow }).ToList();
        await UpsertAllAsync(marks, ct).ConfigureAwait(false);
        return marks;
    }

    /// <summary>Removes markers (after <see cref="SyncAsync"/>); one a reader removed already is skipped.</summary>
    public async Task UnmarkAsync(IEnumerable<TableEntity> marks, CancellationToken ct)
    {
        foreach (var chunk in marks.Chunk(100))
        {
            try
            {
                await Views.SubmitTransactionAsync(chunk.Select(m => new TableTransactionAction(TableTransactionActionType.Delete, m, ETag.All)), ct).ConfigureAwait(false);
            }
            catch (TableTransactionFailedException)
            {
                await DeleteAllAsync(chunk, ct).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Brings the views of <paramref name="assessmentIds"/> in line with <c>Assessments</c>: per assessment, reads its
    /// <c>loc</c> row, then the assessment, writes its copy (deleting one left in another site) and due row, then the
    /// <c>loc</c> row under the ETag read; when another sync wrote it first, all again. Nothing to do for a study whose
    /// views were never built (its first reader builds them).
    /// </summary>
    public async Task SyncAsync(string studyId, IReadOnlyCollection<string> assessmentIds, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(assessmentIds);
        var ids = assessmentIds.Distinct(StringComparer.Ordinal).ToList();
        if (ids.Count > 8)
        {
            // Many at once (an apply's transaction): every loc row, then every assessment, then the writes in transactions.
            if (await ReadStateAsync(studyId, ct).ConfigureAwait(false) is not { } state) return;
            var locs = await ReadAllAsync(ids, id => Views.GetEntityIfExistsAsync<TableEntity>(Loc(studyId), id, cancellationToken: ct), ct).ConfigureAwait(false);
            var rows = await ReadSourceAsync(studyId, ids, ct).ConfigureAwait(false);
            var gone = ids.Where(id => rows[id] is null && locs[id] is not null).ToList();
            ids = [.. await WriteAsync(studyId, state.Policy, [.. rows.Values.OfType<AssessmentEntity>()],
                locs.Where(l => l.Value is not null).ToDictionary(l => l.Key, l => l.Value!, StringComparer.Ordinal), ct).ConfigureAwait(false), .. gone];
        }
        await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = ct },
            async (id, token) => await SyncOneAsync(studyId, id, token).ConfigureAwait(false)).ConfigureAwait(false);
    }

    private static async Task<Dictionary<string, T?>> ReadAllAsync<T>(IEnumerable<string> ids, Func<string, Task<NullableResponse<T>>> read, CancellationToken ct)
        where T : class
    {
        var rows = new System.Collections.Concurrent.ConcurrentDictionary<string, T?>(StringComparer.Ordinal);
        await Parallel.ForEachAsync(ids.Distinct(StringComparer.Ordinal), new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = ct }, async (id, _) =>
        {
            var found = await read(id).ConfigureAwait(false);
            rows[id] = found.HasValue ? found.Value : null;
        }).ConfigureAwait(false);
        return new Dictionary<string, T?>(rows, StringComparer.Ordinal);
    }

    private async Task SyncOneAsync(string studyId, string id, CancellationToken ct)
    {
        // Sites given a copy by an attempt that lost to another sync: the copy is removed when the assessment is elsewhere.
        var written = new HashSet<string>(StringComparer.Ordinal);
        for (var attempt = 0; ; attempt++)
        {
            var state = await ReadStateAsync(studyId, ct).ConfigureAwait(false);
            if (state is null) return;
            var locFound = await Views.GetEntityIfExistsAsync<TableEntity>(Loc(studyId), id, cancellationToken: ct).ConfigureAwait(false);
            var loc = locFound.HasValue ? locFound.Value : null;
            var found = await Source.GetEntityIfExistsAsync<AssessmentEntity>(studyId, id, cancellationToken: ct).ConfigureAwait(false);
            var a = found.HasValue ? found.Value : null;
            var oldSite = loc?.GetString("Site");
            var left = written.Append(oldSite ?? "").Where(s => s.Length > 0 && s != a?.SiteId).Distinct(StringComparer.Ordinal).ToList();
            var dueKey = a is null ? null : DueKey(a, state.Policy);
            if (a is not null)
            {
                written.Add(a.SiteId);
                await Views.UpsertEntityAsync(Copy(studyId, a), TableUpdateMode.Replace, ct).ConfigureAwait(false);
                if (dueKey is not null)
                    await Views.UpsertEntityAsync(DueRow(studyId, dueKey, id), TableUpdateMode.Replace, ct).ConfigureAwait(false);
            }
            // The due row the loc row names, when the key moved (answered, invited, reminded): deleted now rather than
            // read and deleted by the run on its day (an imported history would leave one per answer for the first run).
            await DeleteAllAsync(OldDueRows(studyId, [(id, loc, dueKey)]), ct).ConfigureAwait(false);
            await DeleteAllAsync(left.Select(site => new TableEntity(SitePartition(studyId, site), id)), ct).ConfigureAwait(false);
            // The copies changed: the sites the assessment is in and left get a new version, before the loc row says
            // so (a reader that finds its marker recomputes the sites of the loc row and of the assessment).
            await BumpAsync(studyId, left.Append(a?.SiteId ?? ""), ct).ConfigureAwait(false);
            try
            {
                if (a is null)
                {
                    if (loc is not null) await Views.DeleteEntityAsync(loc.PartitionKey, loc.RowKey, loc.ETag, ct).ConfigureAwait(false);
                }
                else if (loc is null)
                {
                    await Views.AddEntityAsync(LocRow(studyId, a, state.Policy, null), ct).ConfigureAwait(false);
                }
                else
                {
                    await Views.UpdateEntityAsync(LocRow(studyId, a, state.Policy, oldSite), loc.ETag, TableUpdateMode.Replace, ct).ConfigureAwait(false);
                }
                return;
            }
            catch (RequestFailedException e) when (e.Status is 409 or 412 or 404 && attempt < 10)
            {
                // Another sync wrote the views of this assessment since its loc row was read: read everything again.
            }
        }
    }

    /// <summary>The markers of the study: assessments being written now (or whose write stopped).</summary>
    private async Task<IReadOnlyList<TableEntity>> MarksAsync(string studyId, CancellationToken ct)
    {
        var marks = new List<TableEntity>();
        await foreach (var m in Views.QueryAsync<TableEntity>(e => e.PartitionKey == Mark(studyId), cancellationToken: ct).ConfigureAwait(false)) marks.Add(m);
        var stale = marks.Where(m => m.GetDateTimeOffset("At") is not { } at || at < DateTimeOffset.UtcNow - StaleMark).ToList();
        if (stale.Count > 0)
        {
            // Their writes stopped between marking and syncing: sync now, then drop those markers (not newer ones).
            await SyncAsync(studyId, [.. stale.Select(MarkedId)], ct).ConfigureAwait(false);
            await DeleteAllAsync(stale, ct).ConfigureAwait(false);
        }
        return marks;
    }

    private static string MarkedId(TableEntity mark) => mark.RowKey[..mark.RowKey.LastIndexOf('|')];

    private Task<Dictionary<string, AssessmentEntity?>> ReadSourceAsync(string studyId, IEnumerable<string> ids, CancellationToken ct) =>
        ReadAllAsync(ids, id => Source.GetEntityIfExistsAsync<AssessmentEntity>(studyId, id, cancellationToken: ct), ct);

    /// <summary>
    /// The study's sites as a completion read needs them (of <paramref name="siteId"/> only, when given): per site, its
    /// version and its kept summary when that may be taken — computed under the same version, for
    /// <paramref name="today"/>, and no marker names an assessment that is, or whose copy is, in the site — and the
    /// assessments being written, read from <c>Assessments</c> (null: gone). Sites are those with a version or a kept
    /// summary (every site that has or had copies has a version), those of marked assessments, and the one asked for.
    /// Builds the views first when needed, and gives every site with copies a version once in views built before the
    /// summaries were kept.
    /// </summary>
    public async Task<KeptSummaries> SummariesAsync(string studyId, string? siteId, DateOnly today, CancellationToken ct)
    {
        var state = await EnsureBuiltStateAsync(studyId, null, ct).ConfigureAwait(false) ?? await ReadStateAsync(studyId, ct).ConfigureAwait(false);
        if (state is not { Sums: true }) await VersionEverySiteAsync(studyId, ct).ConfigureAwait(false);
        // The sites a marker touches: the marked assessment's, its copy's, and the one its copy left last (a sync
        // moves the copy, gives both sites a new version, then updates the loc row, so while the marker stays a reader
        // recomputes both whether it reads the loc row before or after).
        var markedIds = (await MarksAsync(studyId, ct).ConfigureAwait(false)).Select(MarkedId).Distinct(StringComparer.Ordinal).ToList();
        var marked = markedIds.Count == 0 ? [] : await ReadSourceAsync(studyId, markedIds, ct).ConfigureAwait(false);
        var markedLocs = markedIds.Count == 0 ? [] : await ReadAllAsync(markedIds, id => Views.GetEntityIfExistsAsync<TableEntity>(Loc(studyId), id, cancellationToken: ct), ct).ConfigureAwait(false);
        var touched = marked.Values.Select(a => a?.SiteId).Concat(markedLocs.Values.SelectMany(l => new[] { l?.GetString("Site"), l?.GetString("Left") }))
            .OfType<string>().Where(s => s.Length > 0).ToHashSet(StringComparer.Ordinal);
        // Versions after the markers (a reader's own sync of a stopped write bumps first); before the copies are read.
        var versions = new Dictionary<string, string>(StringComparer.Ordinal);
        var kept = new Dictionary<string, TableEntity>(StringComparer.Ordinal);
        var query = siteId is null
            ? Views.QueryAsync<TableEntity>(e => e.PartitionKey == Sums(studyId), cancellationToken: ct)
            : Views.QueryAsync<TableEntity>(e => e.PartitionKey == Sums(studyId) && (e.RowKey == VersionKey(siteId) || e.RowKey == SummaryKey(siteId)), cancellationToken: ct);
        await foreach (var row in query.ConfigureAwait(false))
        {
            if (row.RowKey.StartsWith("ver|", StringComparison.Ordinal)) versions[row.RowKey[4..]] = row.GetString("Version") ?? "";
            else if (row.RowKey.StartsWith("sum|", StringComparison.Ordinal)) kept[row.RowKey[4..]] = row;
        }
        var day = Key(today);
        var sites = versions.Keys.Concat(kept.Keys).Concat(touched).Concat(siteId is null ? [] : [siteId])
            .Where(s => siteId is null || s == siteId).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
        return new KeptSummaries([.. sites.Select(site =>
        {
            var version = versions.GetValueOrDefault(site) ?? "";
            var take = kept.TryGetValue(site, out var row) && row.GetString("Version") == version && row.GetString("Day") == day && !touched.Contains(site);
            // A site a marker touches is recomputed and not kept: its summary would hold a row read from Assessments.
            return new KeptSummary(site, touched.Contains(site) ? null : version, take ? Joined(row!) : null);
        })], marked);
    }

    /// <summary>The JSON of a <c>sum</c> row (kept in parts), or null when a part is missing.</summary>
    private static string? Joined(TableEntity row)
    {
        var parts = row.GetInt32("Parts") ?? 0;
        var text = new System.Text.StringBuilder();
        for (var i = 0; i < parts; i++)
        {
            if (row.GetString($"J{i}") is not { } part) return null;
            text.Append(part);
        }
        return parts == 0 ? null : text.ToString();
    }

    /// <summary>
    /// Keeps a site's summary (<paramref name="json"/>), computed for <paramref name="today"/> from rows read after
    /// <paramref name="version"/> was: a sync in between left a newer version, so this summary will not be taken. One
    /// too large for a row is not kept (the site is then recomputed on every read).
    /// </summary>
    public async Task KeepSummaryAsync(string studyId, string siteId, string version, DateOnly today, string json, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(json);
        if (json.Length > PartLength * MaxParts) return;
        var parts = json.Chunk(PartLength).Select(c => new string(c)).ToList();
        var row = new TableEntity(Sums(studyId), SummaryKey(siteId)) { ["Version"] = version, ["Day"] = Key(today), ["Parts"] = parts.Count };
        for (var i = 0; i < parts.Count; i++) row[$"J{i}"] = parts[i];
        await Views.UpsertEntityAsync(row, TableUpdateMode.Replace, ct).ConfigureAwait(false);
    }

    /// <summary>Gives each of <paramref name="siteIds"/> a new version: any summary kept for it before is not taken again.</summary>
    private Task BumpAsync(string studyId, IEnumerable<string> siteIds, CancellationToken ct) =>
        UpsertAllAsync(siteIds.Where(s => s.Length > 0).Distinct(StringComparer.Ordinal)
            .Select(s => new TableEntity(Sums(studyId), VersionKey(s)) { ["Version"] = Guid.NewGuid().ToString("N") }), ct);

    /// <summary>
    /// Views built before summaries were kept have no versions: gives every site with copies one (from one read of the
    /// copies' keys), then notes it on the state row. A sync meanwhile gives its sites a version of its own.
    /// </summary>
    private async Task VersionEverySiteAsync(string studyId, CancellationToken ct)
    {
        var prefix = SitePartition(studyId, "");
        var sites = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var copy in Views.QueryAsync<TableEntity>(e => e.PartitionKey.CompareTo(prefix) > 0 && e.PartitionKey.CompareTo($"{studyId}|site}}") < 0,
            select: ["PartitionKey"], cancellationToken: ct).ConfigureAwait(false))
        {
            sites.Add(copy.PartitionKey[prefix.Length..]);
        }
        await BumpAsync(studyId, sites, ct).ConfigureAwait(false);
        await Views.UpsertEntityAsync(new TableEntity(State(studyId), StateKey) { ["Sums"] = true }, TableUpdateMode.Merge, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// The assessments of one site as <c>Assessments</c> holds them (PartitionKey the study id): the site's copies, with
    /// those of <paramref name="marked"/> (being written, as <see cref="SummariesAsync"/> read them) taken from there.
    /// </summary>
    public async Task<IReadOnlyList<AssessmentEntity>> ReadSiteAsync(string studyId, string siteId, IReadOnlyDictionary<string, AssessmentEntity?> marked, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(marked);
        var rows = new Dictionary<string, AssessmentEntity>(StringComparer.Ordinal);
        await foreach (var a in Views.QueryAsync<AssessmentEntity>(e => e.PartitionKey == SitePartition(studyId, siteId), cancellationToken: ct).ConfigureAwait(false))
        {
            a.PartitionKey = studyId;
            rows[a.RowKey] = a;
        }
        foreach (var (id, a) in marked)
        {
            rows.Remove(id);
            if (a is not null && a.SiteId == siteId) rows[id] = a;
        }
        return [.. rows.Values.OrderBy(a => a.RowKey, StringComparer.Ordinal)];
    }

    /// <summary>
    /// The pending, overdue assessments of one site at <paramref name="now"/> (for the weekly digest), read as
    /// <see cref="ReadSiteAsync"/> reads (its markers read here), but asking storage for pending rows due before today only.
    /// </summary>
    public async Task<IReadOnlyList<AssessmentEntity>> OverdueAsync(string studyId, string siteId, DateTimeOffset now, CancellationToken ct)
    {
        await EnsureBuiltAsync(studyId, null, ct).ConfigureAwait(false);
        var today = StudyCalendar.StartOf(StudyCalendar.Day(now));
        var rows = new Dictionary<string, AssessmentEntity>(StringComparer.Ordinal);
        await foreach (var a in Views.QueryAsync<AssessmentEntity>(e => e.PartitionKey == SitePartition(studyId, siteId)
            && e.Status == nameof(AssessmentStatus.Pending) && e.DueDate < today, cancellationToken: ct).ConfigureAwait(false))
        {
            a.PartitionKey = studyId;
            rows[a.RowKey] = a;
        }
        var marked = (await MarksAsync(studyId, ct).ConfigureAwait(false)).Select(MarkedId).ToList();
        foreach (var (id, a) in marked.Count == 0 ? [] : await ReadSourceAsync(studyId, marked, ct).ConfigureAwait(false))
        {
            rows.Remove(id);
            if (a is not null && a.SiteId == siteId && a.Status == nameof(AssessmentStatus.Pending) && a.DueDate < today) rows[id] = a;
        }
        return [.. rows.Values.OrderBy(a => a.RowKey, StringComparer.Ordinal)];
    }

    /// <summary>Most due rows a <c>Reminders</c> run reads (<see cref="DueBatchAsync"/>): the oldest first; a run that finds more hands the rest to a continuation.</summary>
    public const int DueRowsPerRun = 4000;

    /// <summary>
    /// The assessments the <c>Reminders</c> run may have to act on at <paramref name="now"/>, read from
    /// <c>Assessments</c> (with their ETags): those whose due row is for today or earlier, and those being written. Due
    /// rows that no longer match their assessment are deleted (under the ETag read, so one written again stays).
    /// Builds the views first when needed, or rebuilds them when <paramref name="policy"/> is not the one their due
    /// keys follow. <see cref="DueBatchAsync"/> and <see cref="ReadDueAsync"/> over every due row.
    /// </summary>
    public async Task<IReadOnlyList<AssessmentEntity>> DueAsync(string studyId, ReminderPolicy policy, DateTimeOffset now, CancellationToken ct)
    {
        var batch = await DueBatchAsync(studyId, policy, now, int.MaxValue, ct).ConfigureAwait(false);
        return (await ReadDueAsync(studyId, policy, batch.Ids, ct).ConfigureAwait(false)).Rows;
    }

    /// <summary>
    /// What a <c>Reminders</c> run may have to act on at <paramref name="now"/>, without reading one assessment: the ids
    /// of at most <paramref name="maxRows"/> due rows for today or earlier, the oldest keys first (so a run's reads are
    /// bounded however many rows are due: a backlog, or rows left behind by an older build), with those rows' ETags, and
    /// the assessments being written; and whether due rows were left unread. A run reads them a few at a time
    /// (<see cref="ReadDueAsync"/>), as far as its budget goes. Builds the views first when needed, or rebuilds them when
    /// <paramref name="policy"/> is not the one their due keys follow.
    /// </summary>
    public async Task<DueBatch> DueBatchAsync(string studyId, ReminderPolicy policy, DateTimeOffset now, int maxRows, CancellationToken ct)
    {
        await EnsureBuiltAsync(studyId, policy, ct).ConfigureAwait(false);
        var bound = $"{Key(StudyCalendar.Day(now).AddDays(1))}|";
        var due = new List<TableEntity>();
        var more = false;
        await foreach (var d in Views.QueryAsync<TableEntity>(e => e.PartitionKey == Due(studyId) && e.RowKey.CompareTo(bound) < 0, cancellationToken: ct).ConfigureAwait(false))
        {
            if (due.Count == maxRows)
            {
                more = true;
                break;
            }
            due.Add(d);
        }
        var marked = (await MarksAsync(studyId, ct).ConfigureAwait(false)).Select(MarkedId);
        // One entry per assessment, with every due row read for it (an older build may have left more than one).
        var read = due.Select(d => (Parts: DueParts(d), d.ETag)).ToList();
        var rows = read.ToLookup(d => d.Parts.Id, d => new DueRowRead(d.Parts.Key, d.ETag), StringComparer.Ordinal);
        var ids = read.Select(d => d.Parts.Id).Concat(marked).Distinct(StringComparer.Ordinal);
        return new DueBatch([.. ids.Select(id => new DueId(id, [.. rows[id]]))], more);
    }

    /// <summary>
    /// Reads the assessments of <paramref name="ids"/> (from <see cref="DueBatchAsync"/>) from <c>Assessments</c>, with
    /// their ETags, and heals their due rows: one that no longer matches its assessment is deleted under the ETag read (so
    /// one written again stays), after being written again under the day its assessment is due on now, if any (a sync
    /// that never ran, or due keys made by an older rule): the index never loses a form.
    /// </summary>
    public async Task<DueForms> ReadDueAsync(string studyId, ReminderPolicy policy, IReadOnlyCollection<DueId> ids, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var rows = await ReadSourceAsync(studyId, ids.Select(d => d.Id), ct).ConfigureAwait(false);
        // Each due row with the day its assessment is due on now (null: none, or the assessment is gone); stale when they differ.
        var stale = ids.SelectMany(d => d.Rows.Select(r => (d.Id, r.Key, r.ETag)))
            .Select(d => (d.Id, d.Key, d.ETag, Now: rows.GetValueOrDefault(d.Id) is { } a ? DueKey(a, policy) : null))
            .Where(d => d.Now != d.Key).ToList();
        await UpsertAllAsync(stale.Where(d => d.Now is not null).Select(d => DueRow(studyId, d.Now!, d.Id)), ct).ConfigureAwait(false);
        await DeleteAllAsync(stale.Select(d =>
        {
            var row = DueRow(studyId, d.Key, d.Id);
            row.ETag = d.ETag;
            return row;
        }), ct).ConfigureAwait(false);
        return new DueForms([.. rows.Values.OfType<AssessmentEntity>().OrderBy(a => a.RowKey, StringComparer.Ordinal)], rows.Count, stale.Count);
    }
}

/// <summary>What <see cref="AssessmentViews.DueBatchAsync"/> found: no assessment read yet.</summary>
/// <param name="Ids">The assessments to read and decide, each once, in the order of their oldest due row, then those being written.</param>
/// <param name="More">Due rows were left unread (more than the most asked for).</param>
public sealed record DueBatch(IReadOnlyList<DueId> Ids, bool More);

/// <summary>An assessment a <c>Reminders</c> run may have to act on.</summary>
/// <param name="Id">The assessment.</param>
/// <param name="Rows">Its due rows as read (none when it is only being written).</param>
public sealed record DueId(string Id, IReadOnlyList<DueRowRead> Rows);

/// <summary>A due row as <see cref="AssessmentViews.DueBatchAsync"/> read it.</summary>
/// <param name="Key">Its day (<c>yyyyMMdd</c>).</param>
/// <param name="ETag">Its ETag: it is deleted only as read.</param>
public sealed record DueRowRead(string Key, ETag ETag);

/// <summary>What <see cref="AssessmentViews.ReadDueAsync"/> read.</summary>
/// <param name="Rows">The assessments to decide, from <c>Assessments</c> (those gone left out).</param>
/// <param name="Read">Assessments read (point reads of <c>Assessments</c>).</param>
/// <param name="StaleDeleted">Due rows deleted because they no longer matched their assessment.</param>
public sealed record DueForms(IReadOnlyList<AssessmentEntity> Rows, int Read, int StaleDeleted);

/// <summary>A site's kept completion summary as <see cref="AssessmentViews.SummariesAsync"/> found it.</summary>
/// <param name="SiteId">The site.</param>
/// <param name="Version">Its version when read ("" when it has none): a summary computed from rows read now is kept
/// under it; null when a marker touches the site (its summary is not kept).</param>
/// <param name="Summary">The kept summary's JSON when it may be taken, else null (to be recomputed).</param>
public sealed record KeptSummary(string SiteId, string? Version, string? Summary);

/// <summary>What <see cref="AssessmentViews.SummariesAsync"/> found.</summary>
/// <param name="Sites">The sites, in order.</param>
/// <param name="Marked">The assessments being written, read from <c>Assessments</c> (null: gone).</param>
public sealed record KeptSummaries(IReadOnlyList<KeptSummary> Sites, IReadOnlyDictionary<string, AssessmentEntity?> Marked);
