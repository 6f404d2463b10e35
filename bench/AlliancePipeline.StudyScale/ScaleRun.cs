using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using AlliancePipeline.Contracts.Api;
using AlliancePipeline.Contracts.Storage;
using AlliancePipeline.Core.Instruments;
using AlliancePipeline.Emulators;
using AlliancePipeline.Functions.Questionnaires;
using AlliancePipeline.Load;
using Azure.Data.Tables;
using Azure.Storage.Queues;

namespace AlliancePipeline.StudyScale;

/// <summary>One timed operation: wall time, storage requests, the worker's peak resident set, bytes answered.</summary>
/// <param name="Seconds">Wall time of the HTTP call (or of the phase).</param>
/// <param name="Storage">Storage requests the app made meanwhile (the local host's queue polling included).</param>
/// <param name="WorkerPeakMb">The worker's VmHWM after it was reset at the start (<c>/proc/PID/clear_refs</c>), MiB; NaN when not known.</param>
/// <param name="Bytes">Bytes of the answer's body.</param>
/// <param name="FirstByteSeconds">Time to the answer's headers (an export streamed answers before it has read everything).</param>
/// <param name="Note">What else is worth saying (a count, a failure).</param>
public sealed record Measured(double Seconds, StorageCount Storage, double WorkerPeakMb, long Bytes = 0, double FirstByteSeconds = double.NaN, string Note = "");

/// <summary>Latencies of a series of GETs of one route.</summary>
/// <param name="P50Ms">Median, ms.</param>
/// <param name="P95Ms">95th percentile, ms.</param>
/// <param name="Count">Requests measured (after the warm-up ones).</param>
/// <param name="StoragePerRequest">Storage requests per GET (mean).</param>
/// <param name="Bytes">Bytes of one answer.</param>
public sealed record Series(double P50Ms, double P95Ms, int Count, double StoragePerRequest, long Bytes);

/// <summary>The seed's figures of a size, kept beside its snapshot (<c>--data</c>) so a later run reports them.</summary>
internal sealed record SeedFigures(DateOnly Today, bool KeyedLookups, int Assessments, int Accepted, int Imported, int FormAnswers, double FormSeconds, int Stored, int Alerts, int Outcomes,
    Measured? Apply, Measured? Answers, Measured? OutcomeImport, double SeedSeconds)
{
    /// <summary>NaN is written as "NaN" (a peak not known).</summary>
    public static readonly JsonSerializerOptions Json = new() { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals, WriteIndented = true };

    public static SeedFigures Of(SizeResult r, ScaleStudy study) =>
        new(study.Today, r.SeedKeyedLookups, r.Assessments, r.Accepted, r.Imported, r.FormAnswers, r.FormSeconds, r.Stored, r.Alerts, r.Outcomes, r.Apply, r.Answers, r.OutcomeImport, r.SeedSeconds);

    public void ApplyTo(SizeResult r)
    {
        (r.Assessments, r.Accepted, r.Imported, r.FormAnswers, r.FormSeconds, r.Stored, r.Alerts, r.Outcomes) = (Assessments, Accepted, Imported, FormAnswers, FormSeconds, Stored, Alerts, Outcomes);
        (r.Apply, r.Answers, r.OutcomeImport, r.SeedSeconds, r.SeedKeyedLookups) = (Apply, Answers, OutcomeImport, SeedSeconds, KeyedLookups);
    }
}

/// <summary>Everything measured at one size.</summary>
public sealed class SizeResult
{
    public required int Dyads { get; init; }
    public int Assessments { get; set; }
    public int Accepted { get; set; }
    public int Imported { get; set; }
    public int FormAnswers { get; set; }
    public double FormSeconds { get; set; }
    public int Stored { get; set; }
    public int Alerts { get; set; }
    public int Outcomes { get; set; }
    public Measured? Apply { get; set; }
    /// <summary>The unchanged study file applied again at the start of the measures.</summary>
    public Measured? Reapply { get; set; }
    public Measured? Answers { get; set; }
    public Measured? OutcomeImport { get; set; }
    public double SeedSeconds { get; set; }
    public bool SeedKeyedLookups { get; set; }
    public StorageCount IdlePerHour { get; set; }
    public Dictionary<string, Series> Routes { get; } = new(StringComparer.Ordinal);
    public Measured? RemindersFirst { get; set; }
    public Measured? RemindersHourly { get; set; }
    public int RemindersFirstMails { get; set; }
    /// <summary>Mails the first run queued itself (within its budget), before its continuations.</summary>
    public int RemindersFirstRunMails { get; set; }
    /// <summary>After the first run: its continuations and <c>SendEmail</c>, until every queue is empty.</summary>
    public Measured? RemindersFirstDrain { get; set; }
    public List<(Measured Run, int Mails, Measured Drain)> RemindersCatchUp { get; } = [];
    public Measured? Recluster { get; set; }
    public Dictionary<string, Measured> Exports { get; } = new(StringComparer.Ordinal);
    public string LoadStart { get; set; } = "";
    public string LoadEnd { get; set; } = "";
    public double WorkerHwmMb { get; set; }
    public double AzuriteHwmMb { get; set; }
    public int WorkerRestarts { get; set; }
    public int Warnings { get; set; }
    public double TotalSeconds { get; set; }
}

/// <summary>
/// One size: an Azurite, a MailDev and a counting proxy of its own, the published worker under the local host, the study
/// applied through <c>PUT /api/manage/studies/{id}</c>, its answers posted to <c>/api/q/{token}</c> (scored by the
/// app's <c>ScoreResponse</c>), its outcomes imported; then each figure measured through HTTP.
/// </summary>
internal sealed class ScaleRun(ScaleOptions options, int dyads, TextWriter log)
{
    private const int WarmupRequests = 3;

    /// <summary>Lines per responses file imported while seeding (the route takes up to 8 MiB, about 30,000 lines).</summary>
    private const int ImportLines = 5_000;

    public async Task<SizeResult> RunAsync(CancellationToken ct)
    {
        var total = Stopwatch.StartNew();
        var result = new SizeResult { Dyads = dyads, LoadStart = ProcessMeter.LoadAverage() };
        var location = Path.Combine(EmulatorTools.Locate().RepositoryRoot, ".azurite", "scale-" + Guid.NewGuid().ToString("N"));
        try
        {
            // The seeded study: from a snapshot a former run left (--data), or seeded now (and snapshotted with --data).
            var snapshot = options.DataDirectory is null ? null : Path.Combine(options.DataDirectory, $"scale-{dyads}");
            var marker = snapshot + ".json";
            ScaleStudy study;
            if (snapshot is not null && File.Exists(marker))
            {
                var seeded = JsonSerializer.Deserialize<SeedFigures>(await File.ReadAllTextAsync(marker, ct).ConfigureAwait(false), SeedFigures.Json)
                    ?? throw new InvalidOperationException($"{marker} is empty.");
                seeded.ApplyTo(result);
                study = new ScaleStudy(dyads, seeded.Today);
                CopyDirectory(snapshot, location);
                log.WriteLine($"[{dyads}] The study seeded on {seeded.Today:yyyy-MM-dd} is taken from {snapshot}; its seed figures are that run's.");
            }
            else
            {
                study = new ScaleStudy(dyads, DateOnly.FromDateTime(DateTime.UtcNow));
                result.SeedKeyedLookups = options.KeyedLookups;
                await using (var stack = await ScaleStack.StartAsync(options, location, ct).ConfigureAwait(false))
                {
                    log.WriteLine($"[{dyads}] Seeding: Azurite pid {stack.Azurite.ProcessId}, host {stack.Host.BaseAddress}, worker pid {stack.Host.WorkerProcessId}.");
                    await SeedAsync(stack, study, result, ct).ConfigureAwait(false);
                    result.WorkerRestarts += stack.Host.WorkerRestarts;
                    result.Warnings += stack.Warnings.Count;
                }
                if (snapshot is not null)
                {
                    CopyDirectory(location, snapshot);
                    await File.WriteAllTextAsync(marker, JsonSerializer.Serialize(SeedFigures.Of(result, study), SeedFigures.Json), ct).ConfigureAwait(false);
                    log.WriteLine($"[{dyads}] Seeded study kept in {snapshot} (--data): a later run measures it again without seeding.");
                }
            }
            await MeasureAllAsync(study, result, location, ct).ConfigureAwait(false);
        }
        finally
        {
            if (Directory.Exists(location)) Directory.Delete(location, recursive: true);
        }
        result.TotalSeconds = total.Elapsed.TotalSeconds;
        return result;
    }

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target, overwrite: true);
        }
    }

    /// <summary>The study applied, answered and its outcomes recorded, through the app on <paramref name="stack"/>.</summary>
    private async Task SeedAsync(ScaleStack stack, ScaleStudy study, SizeResult result, CancellationToken ct)
    {
        var (counter, http, forms, tables, azurite, tokens) = (stack.Counter, stack.Http, stack.Forms, stack.Tables, stack.Azurite, stack.Tokens);
        int? Worker() => stack.Worker();
        var now = DateTimeOffset.UtcNow;
        var seed = Stopwatch.StartNew();

        // 1. The study file, applied through the admin API (enrolment: dyads, raters, every assessment planned).
        var text = study.Text();
        log.WriteLine($"[{dyads}] Applying the study ({text.Length / 1024.0 / 1024.0:0.0} MiB of YAML).");
        result.Apply = await ApplyAsync(counter, Worker, http, study, text, ct).ConfigureAwait(false);
        result.Assessments = await CountAsync(tables.GetTableClient(StorageNames.AssessmentsTable), study.StudyId, ct).ConfigureAwait(false);
        log.WriteLine($"[{dyads}] Applied in {result.Apply.Seconds:0.0} s: {result.Assessments} assessments, {result.Apply.Storage.Total} storage requests.");

        // 2. The answers, meeting 1 then meeting 2 (so that a drop compares with a stored earlier form). A sample of
        // meeting 2's goes through the questionnaire route, as raters post them (the rate a post gets at this size);
        // the rest are imported through POST /api/studies/{id}/responses, which scores and stores each with the same
        // ResponseProcessor.StoreAsync as a rater's form (rupture alerts recorded), in files of ImportLines lines.
        var practitioner = InstrumentCatalog.Shipped.Get("wai-s-practitioner");
        var client = InstrumentCatalog.Shipped.Get("wai-s-client");
        var responses = tables.GetTableClient(StorageNames.ResponsesTable);
        var accepted = 0;
        var imported = 0;
        result.Answers = await MeasureAsync(counter, Worker, async () =>
        {
            foreach (var meeting in new[] { 1, 2 })
            {
                var targets = (from n in Enumerable.Range(1, dyads)
                               from r in Enumerable.Range(0, 2)
                               where ScaleStudy.Answered(n, meeting, r)
                               select (n, r)).ToList();
                var posted = meeting == 2 ? targets.Where((_, i) => i % Math.Max(1, targets.Count / Math.Max(1, options.FormAnswers)) == 0).Take(options.FormAnswers).ToHashSet() : [];
                var clock = Stopwatch.StartNew();
                foreach (var file in targets.Where(t => !posted.Contains(t)).Chunk(ImportLines))
                {
                    var csv = new StringBuilder("dyad,meeting,role,date," + string.Join(',', Enumerable.Range(1, practitioner.Items.Length).Select(i => $"item{i}")) + "\n");
                    foreach (var (n, r) in file)
                    {
                        var form = r == 0 ? practitioner : client;
                        var day = study.Enrolled(n).AddDays(ScaleStudy.MeetingDays[meeting - 1]);
                        csv.Append(CultureInfo.InvariantCulture, $"{ScaleStudy.Dyad(n)},{meeting},{ScaleStudy.Roles[r]},{day:yyyy-MM-dd},")
                           .Append(string.Join(',', ScaleStudy.Answers(n, meeting, r, form.Items.Length, form.Scale.Min, form.Scale.Max))).Append('\n');
                    }
                    using var content = new StringContent(csv.ToString(), Encoding.UTF8, "text/csv");
                    using var answer = await http.PostAsync(new Uri($"api/studies/{study.StudyId}/responses", UriKind.Relative), content, ct).ConfigureAwait(false);
                    var body = await answer.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
                    if (!answer.IsSuccessStatusCode) throw new InvalidOperationException($"The responses were refused: {(int)answer.StatusCode} {body[..Math.Min(body.Length, 2000)]}");
                    imported += file.Length;
                }
                if (targets.Count > posted.Count)
                    log.WriteLine($"[{dyads}] Meeting {meeting}: {targets.Count - posted.Count} imported in {clock.Elapsed.TotalSeconds:0} s ({(targets.Count - posted.Count) / clock.Elapsed.TotalSeconds:0}/s).");
                if (posted.Count == 0) continue;
                clock.Restart();
                await Parallel.ForEachAsync(posted, new ParallelOptions { MaxDegreeOfParallelism = options.Concurrency, CancellationToken = ct }, async (t, token) =>
                {
                    var role = ScaleStudy.Roles[t.r];
                    var form = t.r == 0 ? practitioner : client;
                    var link = tokens.Issue(new LinkClaims(study.StudyId, ScaleStudy.AssessmentId(t.n, meeting, role), 1, now.AddDays(100)));
                    var items = ScaleStudy.Answers(t.n, meeting, t.r, form.Items.Length, form.Scale.Min, form.Scale.Max);
                    using var body = new StringContent("{\"items\":[" + string.Join(',', items) + "]}", Encoding.UTF8, "application/json");
                    for (var attempt = 0; attempt < 5; attempt++)
                    {
                        try
                        {
                            using var answer = await forms.PostAsync(new Uri($"api/q/{link}", UriKind.Relative), body, token).ConfigureAwait(false);
                            if (answer.StatusCode == HttpStatusCode.Accepted)
                            {
                                Interlocked.Increment(ref accepted);
                                return;
                            }
                            if ((int)answer.StatusCode < 500) return;
                        }
                        catch (TaskCanceledException) when (!token.IsCancellationRequested)
                        {
                            // A timeout: tried again (a second post of an accepted form is a polite 409).
                        }
                    }
                }).ConfigureAwait(false);
                log.WriteLine($"[{dyads}] Meeting {meeting}: {posted.Count} posted through the form in {clock.Elapsed.TotalSeconds:0} s ({posted.Count / clock.Elapsed.TotalSeconds:0}/s); waiting for scoring.");
                await WaitForAsync(async () => await CountAsync(responses, study.StudyId, ct).ConfigureAwait(false) >= imported + Volatile.Read(ref accepted), TimeSpan.FromMinutes(60), ct).ConfigureAwait(false);
                result.FormAnswers = posted.Count;
                result.FormSeconds = clock.Elapsed.TotalSeconds;
                log.WriteLine($"[{dyads}] Meeting {meeting}: stored after {clock.Elapsed.TotalSeconds:0} s.");
            }
            return (0L, 0.0, "");
        }).ConfigureAwait(false);
        result.Imported = imported;
        result.Accepted = accepted + imported;
        result.Stored = await CountAsync(responses, study.StudyId, ct).ConfigureAwait(false);

        // 3. Outcomes, by CSV import.
        var outcomes = study.OutcomesCsv();
        result.OutcomeImport = await MeasureAsync(counter, Worker, async () =>
        {
            using var content = new StringContent(outcomes, Encoding.UTF8, "text/csv");
            using var answer = await http.PostAsync(new Uri($"api/studies/{study.StudyId}/outcomes", UriKind.Relative), content, ct).ConfigureAwait(false);
            var body = await answer.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
            if (!answer.IsSuccessStatusCode) throw new InvalidOperationException($"The outcomes were refused: {(int)answer.StatusCode} {body[..Math.Min(body.Length, 2000)]}");
            return (body.Length, 0.0, "");
        }).ConfigureAwait(false);
        result.Outcomes = await CountAsync(tables.GetTableClient(StorageNames.OutcomesTable), study.StudyId, ct).ConfigureAwait(false);
        result.Alerts = await CountAsync(tables.GetTableClient(StorageNames.AlertsTable), study.StudyId, ct).ConfigureAwait(false);
        await DrainAsync(azurite, ct).ConfigureAwait(false);
        result.SeedSeconds = seed.Elapsed.TotalSeconds;
        log.WriteLine($"[{dyads}] Seeded in {result.SeedSeconds:0} s: {result.Stored} responses stored of {result.Accepted} accepted, {result.Alerts} alerts, {result.Outcomes} outcomes.");
    }

    /// <summary>Every figure but the seed's, on a stack started on the seeded data.</summary>
    private async Task MeasureAllAsync(ScaleStudy study, SizeResult result, string location, CancellationToken ct)
    {
        await using var stack = await ScaleStack.StartAsync(options, location, ct).ConfigureAwait(false);
        var (counter, http, tables, azurite, host) = (stack.Counter, stack.Http, stack.Tables, stack.Azurite, stack.Host);
        int? Worker() => stack.Worker();
        log.WriteLine($"[{dyads}] Measuring: Azurite pid {azurite.ProcessId}, host {host.BaseAddress}, worker pid {host.WorkerProcessId}.");

        // The app at rest: what the local host's queue polling and timers cost per hour.
        {
            var before = counter.Read();
            await Task.Delay(options.IdleWindow, ct).ConfigureAwait(false);
            var idle = counter.Read() - before;
            var perHour = 3600 / options.IdleWindow.TotalSeconds;
            result.IdlePerHour = new StorageCount((long)(idle.Blob * perHour), (long)(idle.Queue * perHour), (long)(idle.Table * perHour));
        }

        // Exports, read as a client would: the body streamed to nowhere, bytes counted.
        async Task ExportsAsync()
        {
            foreach (var format in new[] { "csv", "json", "fhir" })
            {
                result.Exports[format] = await MeasureAsync(counter, Worker, async () =>
                {
                    var clock = Stopwatch.StartNew();
                    using var answer = await http.GetAsync(new Uri($"api/studies/{study.StudyId}/export?format={format}", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
                    var firstByte = clock.Elapsed.TotalSeconds;
                    await using var body = await answer.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
                    var buffer = new byte[81920];
                    long bytes = 0;
                    int read;
                    try
                    {
                        while ((read = await body.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0) bytes += read;
                    }
                    catch (Exception e) when (e is IOException or HttpRequestException && !ct.IsCancellationRequested)
                    {
                        // The worker broke the connection midway (an export that failed after its headers): a failed export, not the run's end.
                        return (bytes, firstByte, $"the connection broke after {bytes:N0} bytes ({e.GetBaseException().Message})");
                    }
                    return (bytes, firstByte, answer.IsSuccessStatusCode ? "" : $"status {(int)answer.StatusCode}");
                }).ConfigureAwait(false);
                log.WriteLine($"[{dyads}] Export {format}: {result.Exports[format].Seconds:0.0} s, {result.Exports[format].Bytes / 1048576.0:0.0} MiB, worker peak {result.Exports[format].WorkerPeakMb:0} MiB, {result.Exports[format].Storage.Total} requests.{(result.Exports[format].Note is { Length: > 0 } n ? " Failed: " + n + "." : "")}");
            }
        }

        // With --exports-first, the exports on the worker as it started: their peak is theirs, not what Recluster left.
        if (options.ExportsFirst) await ExportsAsync().ConfigureAwait(false);
        if (options.ExportsOnly) return;

        // The study file applied again, unchanged (a coordinator's re-apply): every apply ensures the views are built
        // under the study's reminder policy, so on a study seeded by an earlier build this builds them, which the first
        // Reminders run did before.
        result.Reapply = await ApplyAsync(counter, Worker, http, study, study.Text(), ct).ConfigureAwait(false);
        log.WriteLine($"[{dyads}] The unchanged study file applied again: {result.Reapply.Seconds:0.0} s, {result.Reapply.Storage.Total} storage requests, worker peak {result.Reapply.WorkerPeakMb:0} MiB.");

        // 4. The dashboard (HTML) and its figures as JSON, the whole study and one site.
        foreach (var (name, path) in new[]
        {
            ("dashboard", $"api/studies/{study.StudyId}/dashboard"),
            ("dashboard, one site", $"api/studies/{study.StudyId}/dashboard?site={ScaleStudy.Site(0)}"),
            ("completion JSON", $"api/studies/{study.StudyId}/completion"),
            ("completion JSON, one site", $"api/studies/{study.StudyId}/completion?site={ScaleStudy.Site(0)}"),
        })
        {
            result.Routes[name] = await SeriesAsync(http, counter, path, options.Requests, ct).ConfigureAwait(false);
            log.WriteLine($"[{dyads}] {name}: p50 {result.Routes[name].P50Ms:0} ms, p95 {result.Routes[name].P95Ms:0} ms, {result.Routes[name].StoragePerRequest:0.0} storage requests each.");
        }

        // 5. Recluster with its report set.
        result.Recluster = await InvokeAsync(http, counter, Worker, "Recluster", ct).ConfigureAwait(false);
        log.WriteLine($"[{dyads}] Recluster: {result.Recluster.Seconds:0.0} s, worker peak {result.Recluster.WorkerPeakMb:0} MiB, {result.Recluster.Storage.Total} requests. {result.Recluster.Note}");
        await DrainAsync(azurite, ct).ConfigureAwait(false);

        // 6. Exports (unless measured first).
        if (!options.ExportsFirst) await ExportsAsync().ConfigureAwait(false);

        // 7. Reminders, last (the longest, and what it mails changes nothing the others read): the first run mails the backlog (every overdue form's invitation: what the first run of a day
        // mails in a study of this size); the next runs send the reminders the backlog is due at once; then runs that
        // find nothing to mail, what 23 of a day's 24 hourly runs do. Runs until two in a row queue no mail (at most 7).
        var mailTable = tables.GetTableClient(StorageNames.MailTable);
        var mails = await CountAsync(mailTable, study.StudyId, ct).ConfigureAwait(false);
        for (var run = 1; run <= 7; run++)
        {
            var kinds = counter.Kinds();
            var measured = await InvokeAsync(http, counter, Worker, "Reminders", ct).ConfigureAwait(false);
            var what = StorageCounter.Difference(kinds, counter.Kinds());
            var byRun = await CountAsync(mailTable, study.StudyId, ct).ConfigureAwait(false) - mails;
            // The run's continuations (queue reminders, when its budget ran out) and SendEmail, until every queue is empty.
            var drain = await MeasureAsync(counter, Worker, async () =>
            {
                await DrainAsync(azurite, ct).ConfigureAwait(false);
                return (0L, 0.0, "");
            }).ConfigureAwait(false);
            var now2 = await CountAsync(mailTable, study.StudyId, ct).ConfigureAwait(false);
            var queued = now2 - mails;
            mails = now2;
            log.WriteLine($"[{dyads}] Reminders run {run}: {measured.Seconds:0.0} s, {measured.Storage.Total} requests ({what}), {byRun} mails queued by the run; " +
                $"its continuations and SendEmail until the queues were empty: {drain.Seconds:0.0} s, {drain.Storage.Total} requests; {queued} mails queued in all.");
            // The first run that mails nothing still tidies the due rows the reminders before it moved; the run after
            // it is what an hour without anything due costs.
            if (run == 1) (result.RemindersFirst, result.RemindersFirstMails, result.RemindersFirstRunMails, result.RemindersFirstDrain) = (measured, queued, byRun, drain);
            else if (queued > 0 || result.RemindersCatchUp.LastOrDefault().Mails > 0) result.RemindersCatchUp.Add((measured, queued, drain));
            else
            {
                result.RemindersHourly = measured;
                break;
            }
        }
        await DrainAsync(azurite, ct).ConfigureAwait(false);

        result.LoadEnd = ProcessMeter.LoadAverage();
        result.WorkerHwmMb = host.WorkerProcessId is { } pid ? ProcessMeter.ReadProcess(pid).PeakRssBytes / 1048576.0 : double.NaN;
        result.AzuriteHwmMb = azurite.ProcessId is { } apid ? ProcessMeter.ReadProcess(apid).PeakRssBytes / 1048576.0 : double.NaN;
        result.WorkerRestarts += host.WorkerRestarts;
        result.Warnings += stack.Warnings.Count;
        foreach (var (kind, count) in stack.Warnings.Top(5)) log.WriteLine($"[{dyads}] Warnings while measuring: {count} × {kind}");
        foreach (var (kind, count) in stack.Counter.ServerErrors().OrderByDescending(e => e.Value)) log.WriteLine($"[{dyads}] Storage answered a server error while measuring: {count} × {kind}");
        // Nothing lost: a message the app gave up on (after five tries) lies in a poison queue.
        var queueService = new QueueServiceClient(azurite.ConnectionString);
        foreach (var name in StorageNames.Queues.Select(StorageNames.Poison))
        {
            var poison = queueService.GetQueueClient(name);
            var count = await poison.ExistsAsync(ct).ConfigureAwait(false) ? (await poison.GetPropertiesAsync(ct).ConfigureAwait(false)).Value.ApproximateMessagesCount : 0;
            log.WriteLine($"[{dyads}] {name}: {count} message(s).");
        }
    }

    /// <summary>The study file applied through <c>PUT /api/manage/studies/{id}</c>, measured; a refusal throws.</summary>
    private static async Task<Measured> ApplyAsync(StorageCounter counter, Func<int?> worker, HttpClient http, ScaleStudy study, string text, CancellationToken ct) =>
        await MeasureAsync(counter, worker, async () =>
        {
            using var content = new StringContent(new StudySource { Source = $"{study.StudyId}.yaml", Text = text }.ToJson(), Encoding.UTF8, StudySource.MediaType);
            using var answer = await http.PutAsync(new Uri($"api/manage/studies/{study.StudyId}", UriKind.Relative), content, ct).ConfigureAwait(false);
            var body = await answer.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
            if (!answer.IsSuccessStatusCode) throw new InvalidOperationException($"The study was refused: {(int)answer.StatusCode} {body[..Math.Min(body.Length, 2000)]}");
            return (body.Length, 0.0, "");
        }).ConfigureAwait(false);

    /// <summary>A queue or timer function run now through the local host's admin API, waited for.</summary>
    private static async Task<Measured> InvokeAsync(HttpClient http, StorageCounter counter, Func<int?> worker, string function, CancellationToken ct) =>
        await MeasureAsync(counter, worker, async () =>
        {
            using var content = new StringContent("{\"input\":\"\"}", Encoding.UTF8, "application/json");
            using var answer = await http.PostAsync(new Uri($"admin/functions/{function}?wait=true", UriKind.Relative), content, ct).ConfigureAwait(false);
            var body = await answer.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
            var outcome = answer.IsSuccessStatusCode ? JsonNode.Parse(body) : null;
            var note = outcome?["succeeded"]?.GetValue<bool>() == true ? "" : $"{function} failed: {(int)answer.StatusCode} {outcome?["exceptionMessage"] ?? body}";
            return (0L, 0.0, note);
        }).ConfigureAwait(false);

    /// <summary>
    /// Runs <paramref name="operation"/> with the worker's peak resident set reset before (writing 5 to
    /// <c>/proc/PID/clear_refs</c>) and read after (VmHWM), and the storage requests counted.
    /// </summary>
    private static async Task<Measured> MeasureAsync(StorageCounter counter, Func<int?> worker, Func<Task<(long Bytes, double FirstByte, string Note)>> operation)
    {
        var pid = worker();
        var reset = pid is { } p && ResetPeak(p);
        var before = counter.Read();
        var clock = Stopwatch.StartNew();
        var (bytes, firstByte, note) = await operation().ConfigureAwait(false);
        var seconds = clock.Elapsed.TotalSeconds;
        var storage = counter.Read() - before;
        var peak = reset && worker() == pid ? ProcessMeter.ReadProcess(pid!.Value).PeakRssBytes / 1048576.0 : double.NaN;
        return new Measured(seconds, storage, peak, bytes, firstByte, note);
    }

    private static bool ResetPeak(int pid)
    {
        try
        {
            File.WriteAllText($"/proc/{pid}/clear_refs", "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static async Task<Series> SeriesAsync(HttpClient http, StorageCounter counter, string path, int count, CancellationToken ct)
    {
        long bytes = 0;
        for (var i = 0; i < WarmupRequests; i++) bytes = await GetAsync(http, path, ct).ConfigureAwait(false);
        var latencies = new List<double>(count);
        var before = counter.Read();
        for (var i = 0; i < count; i++)
        {
            var clock = Stopwatch.StartNew();
            bytes = await GetAsync(http, path, ct).ConfigureAwait(false);
            latencies.Add(clock.Elapsed.TotalMilliseconds);
        }
        var storage = counter.Read() - before;
        latencies.Sort();
        return new Series(Quantile(latencies, 0.5), Quantile(latencies, 0.95), count, (storage.Blob + storage.Table) / (double)count, bytes);
    }

    private static async Task<long> GetAsync(HttpClient http, string path, CancellationToken ct)
    {
        using var answer = await http.GetAsync(new Uri(path, UriKind.Relative), ct).ConfigureAwait(false);
        var body = await answer.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);
        if (!answer.IsSuccessStatusCode) throw new InvalidOperationException($"GET {path}: {(int)answer.StatusCode} {Encoding.UTF8.GetString(body)[..Math.Min(body.Length, 500)]}");
        return body.Length;
    }

    /// <summary>The quantile by linear interpolation between closest ranks (R's type 7), of sorted values.</summary>
    public static double Quantile(IReadOnlyList<double> sorted, double q)
    {
        if (sorted.Count == 0) return double.NaN;
        var h = (sorted.Count - 1) * q;
        var lo = (int)Math.Floor(h);
        var hi = Math.Min(lo + 1, sorted.Count - 1);
        return sorted[lo] + ((h - lo) * (sorted[hi] - sorted[lo]));
    }

    private static async Task<int> CountAsync(TableClient table, string partition, CancellationToken ct)
    {
        var n = 0;
        try
        {
            await foreach (var _ in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {partition}"), select: ["RowKey"], cancellationToken: ct).ConfigureAwait(false)) n++;
        }
        catch (Azure.RequestFailedException e) when (e.Status == 404)
        {
            return 0;
        }
        return n;
    }

    /// <summary>
    /// Waits until the app's queues are empty (mails sent, answers scored, runs continued), at most 30 minutes; past that
    /// it throws, so a figure never stands for a drain that did not end (a run of 10,000 dyads once stopped waiting at ten
    /// minutes, and the next run's figures took in the rest).
    /// </summary>
    private static async Task DrainAsync(AzuriteHandle azurite, CancellationToken ct)
    {
        var queues = new QueueServiceClient(azurite.ConnectionString);
        var drained = await WaitForAsync(async () =>
        {
            foreach (var name in StorageNames.Queues)
            {
                var properties = await queues.GetQueueClient(name).GetPropertiesAsync(ct).ConfigureAwait(false);
                if (properties.Value.ApproximateMessagesCount > 0) return false;
            }
            return true;
        }, TimeSpan.FromMinutes(30), ct).ConfigureAwait(false);
        if (!drained) throw new TimeoutException("The app's queues were not empty after 30 minutes.");
    }

    /// <summary>Polls <paramref name="done"/> every 2 s; false when <paramref name="timeout"/> passed first.</summary>
    private static async Task<bool> WaitForAsync(Func<Task<bool>> done, TimeSpan timeout, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        while (!await done().ConfigureAwait(false))
        {
            if (clock.Elapsed > timeout) return false;
            await Task.Delay(TimeSpan.FromSeconds(2), ct).ConfigureAwait(false);
        }
        return true;
    }
}
