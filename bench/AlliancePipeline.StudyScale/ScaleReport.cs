using System.Globalization;
using System.Text;

namespace AlliancePipeline.StudyScale;

/// <summary>The results file: each figure a row, each size a column, so the growth shows; and the monthly storage cost.</summary>
internal sealed class ScaleReport(IReadOnlyList<SizeResult> results, ScaleOptions options, MachineState before, MachineState after, string[] args)
{
    // Assumed Azure Storage prices (USD, Standard general-purpose v2, LRS, hot tier; list prices as published for
    // East US in 2025; check the pricing pages before relying on them).
    private const double TablePer10k = 0.00036;
    private const double QueuePer10k = 0.004;
    private const double BlobPer10k = 0.05; // every blob request priced as a write (class 1), which bounds it from above

    /// <summary>How often each operation happens in a month of a 10-site study (assumptions, stated in the file).</summary>
    private static readonly (string Name, string Frequency, Func<SizeResult, double> PerMonth, Func<SizeResult, StorageCount?> Requests)[] Month =
    [
        ("answers (post + scoring)", "each dyad's 8 forms over ~3 months, about half answered: 4/3 × dyads a month", r => 4.0 * r.Dyads / 3, r => PerAnswer(r)),
        ("Reminders, a day's first run", "30 runs (the backlog run above with its continuations and sending: a bound, a day mails fewer)", _ => 30, r => r.RemindersFirst is null || r.RemindersFirstDrain is null ? null : r.RemindersFirst.Storage + r.RemindersFirstDrain.Storage),
        ("Reminders, the other hourly runs", "690 runs (23 × 30)", _ => 690, r => r.RemindersHourly?.Storage),
        ("Recluster", "30 runs (nightly)", _ => 30, r => r.Recluster?.Storage),
        ("dashboard, one site", "10 sites × 5 views a working day × 22 days = 1,100", _ => 1100, r => Route(r, "dashboard, one site")),
        ("dashboard, whole study", "100 views", _ => 100, r => Route(r, "dashboard")),
        ("completion JSON, one site", "1,100 reads", _ => 1100, r => Route(r, "completion JSON, one site")),
        ("exports (CSV, JSON, FHIR)", "4 of each", _ => 4, r => r.Exports.Count == 3 ? r.Exports["csv"].Storage + r.Exports["json"].Storage + r.Exports["fhir"].Storage : null),
        ("app at rest (the local host's queue polling and timers)", "720 hours", _ => 720, r => r.IdlePerHour),
    ];

    private static StorageCount? PerAnswer(SizeResult r) =>
        r.Answers is { } a && r.Accepted > 0 ? new StorageCount(a.Storage.Blob / r.Accepted, a.Storage.Queue / r.Accepted, a.Storage.Table / r.Accepted) : null;

    private static StorageCount? Route(SizeResult r, string name) =>
        r.Routes.TryGetValue(name, out var s) ? new StorageCount(0, 0, (long)Math.Round(s.StoragePerRequest)) : null;

    private static double Cost(StorageCount c) => ((c.Table * TablePer10k) + (c.Queue * QueuePer10k) + (c.Blob * BlobPer10k)) / 10_000;

    private IEnumerable<(string Figure, Func<SizeResult, string> Value)> Rows()
    {
        yield return ("assessments (8 per dyad)", r => N(r.Assessments));
        yield return ("answers accepted (imported + through the form) / stored (scored)", r => $"{N(r.Accepted)} ({N(r.Imported)} + {N(r.FormAnswers)}) / {N(r.Stored)}");
        yield return ("alerts / outcomes", r => $"{N(r.Alerts)} / {N(r.Outcomes)}");
        yield return ("seed: Azurite's lookups while seeding (stock: by partition, then each entity of it; keyed: by RowKey)", r => r.SeedKeyedLookups ? "keyed" : "stock");
        yield return ("seed: study apply, s (storage requests)", r => Op(r.Apply));
        yield return ("seed: answers imported and posted, scored, s (storage requests)", r => Op(r.Answers));
        yield return ("seed: answers per second, all (imported and posted, to stored)", r => r.Answers is { } a ? F(r.Accepted / a.Seconds, "0") : "");
        yield return ("seed: answers through the form per second (post to stored)", r => r.FormSeconds > 0 ? F(r.FormAnswers / r.FormSeconds, "0") : "");
        yield return ("seed: outcome import, s (storage requests)", r => Op(r.OutcomeImport));
        yield return ("seed: whole, s", r => F(r.SeedSeconds, "0"));
        yield return ("the unchanged study file applied again (builds the views under the reminder policy on a study seeded before applies did): s (storage requests), worker peak MiB", r => r.Reapply is { } m ? $"{Op(m)}, {F(m.WorkerPeakMb, "0")}" : "");
        foreach (var route in new[] { "dashboard", "dashboard, one site", "completion JSON", "completion JSON, one site" })
        {
            yield return ($"{route}: p50 / p95 ms", r => r.Routes.TryGetValue(route, out var s) ? $"{F(s.P50Ms, "0")} / {F(s.P95Ms, "0")}" : "");
            yield return ($"{route}: storage requests per GET (table + blob), KiB answered", r => r.Routes.TryGetValue(route, out var s) ? $"{F(s.StoragePerRequest, "0.0")}, {F(s.Bytes / 1024.0, "0")}" : "");
        }
        yield return ("**Reminders, first run** (the backlog of overdue invitations; the run reads and decides its due forms a chunk at a time and reads no further chunk after its 20 s budget): s (storage requests), mails it queued", r => r.RemindersFirst is null ? "" : $"{Op(r.RemindersFirst)}, {N(r.RemindersFirstRunMails)}");
        yield return ("Reminders, the first run's backlog to its end (the run, its continuations on `reminders` and `SendEmail`, until every queue is empty): s (storage requests), mails queued, mails a second", r =>
            r.RemindersFirst is null || r.RemindersFirstDrain is null ? "" : Backlog(r.RemindersFirst, r.RemindersFirstDrain, r.RemindersFirstMails));
        yield return ("Reminders, the next runs to their ends (the backlog's reminders, then the tidying of their due rows): s (storage requests), mails queued, mails a second", r => string.Join("; ", r.RemindersCatchUp.Select(c => Backlog(c.Run, c.Drain, c.Mails))));
        yield return ("**Reminders, hourly run with nothing due**: s (storage requests)", r => Op(r.RemindersHourly));
        yield return ("**Recluster** with the report set: s (storage requests)", r => Op(r.Recluster));
        yield return ("**Recluster**: worker peak RSS, MiB", r => F(r.Recluster?.WorkerPeakMb, "0"));
        foreach (var format in new[] { "csv", "json", "fhir" })
        {
            yield return ($"**export {format}**: s to last byte (storage requests)", r => r.Exports.TryGetValue(format, out var m) ? Op(m) : "");
            yield return ($"export {format}: s to first byte, MiB answered", r => r.Exports.TryGetValue(format, out var m) ? $"{F(m.FirstByteSeconds, "0.00")}, {F(m.Bytes / 1048576.0, "0.0")}" : "");
            yield return ($"**export {format}**: worker peak RSS, MiB", r => r.Exports.TryGetValue(format, out var m) ? F(m.WorkerPeakMb, "0") : "");
        }
        yield return ("app at rest: storage requests per hour (blob / queue / table)", r => $"{N(r.IdlePerHour.Blob)} / {N(r.IdlePerHour.Queue)} / {N(r.IdlePerHour.Table)}");
        yield return ("worker peak RSS over the size's run (VmHWM), MiB", r => F(r.WorkerHwmMb, "0"));
        yield return ("Azurite peak RSS, MiB", r => F(r.AzuriteHwmMb, "0"));
        yield return ("worker restarts; host and worker warnings", r => $"{r.WorkerRestarts}; {r.Warnings}");
        yield return ("load average at start → end of the size", r => $"{r.LoadStart} → {r.LoadEnd}");
        yield return ("whole size, s", r => F(r.TotalSeconds, "0"));
    }

    public string Markdown()
    {
        var sb = new StringBuilder();
        sb.Append("# Study scale benchmark\n\n");
        sb.Append(CultureInfo.InvariantCulture, $"`dotnet run -c Release --project bench/AlliancePipeline.StudyScale -- {string.Join(' ', args)}` (Release build, .NET {Environment.Version}).\n\n");
        sb.Append(CultureInfo.InvariantCulture, $"Machine at the start: {before.Summary}\n\nMachine at the end: {after.Summary}\n\n");
        sb.Append("The machine is shared (2 cores, other engineers' builds and tests ran meanwhile): the load average shows how busy it was; ");
        sb.Append("the figures are of this machine under that load, not of Azure.\n\n");
        sb.Append("**How.** For each size, a fresh Azurite (data on disk), MailDev and the published worker under the local host, on loopback ports. ");
        if (options.KeyedLookups)
        {
            sb.Append("**Azurite finds entities by RowKey first** (`--keyed-lookups`, `bench/AlliancePipeline.StudyScale/keyed-lookups.js`): the pinned Azurite looks an entity up by its partition's index and then reads the whole partition, ");
            sb.Append("so each point operation in a partition of 80,000 assessments costs about a quarter of a second (16,000 inserts into one partition: 47 s, against 1 s by RowKey); the script makes the same lookups lead with RowKey, as Azure Table Storage finds an entity by its keys. Queries are unchanged. ");
        }
        sb.Append("The study is seeded through the app on one host, Azurite stopped (writing its databases) and started again with a fresh host for the measures; with `--data`, a size's seeded data and seed figures are kept and a later run measures them again without seeding (the seed figures are then that run's). ");
        sb.Append("The study (10 sites, a practitioner per 20 dyads, every client rating too, 4 meetings: 8 forms per dyad) is a generated study file applied through `PUT /api/manage/studies/{id}`; ");
        sb.Append("the forms of meetings 1 and 2 (all but one in 20) are answered, meeting 1 stored before meeting 2: most are imported as CSV through `POST /api/studies/{id}/responses` (files of 5,000 lines; ");
        sb.Append("each line scored and stored by the same `ResponseProcessor.StoreAsync` as a rater's form, rupture alerts recorded), ");
        sb.Append(CultureInfo.InvariantCulture, $"and {options.FormAnswers} of meeting 2's are posted as JSON to `POST /api/q/{{token}}` (links issued with the worker's signing key, as mailed; {options.Concurrency} at once) and scored by the app's `ScoreResponse`, ");
        sb.Append("which gives the rate a rater's post gets at this size (one dyad in 20 drops at meeting 2: rupture alerts); ");
        sb.Append("outcomes of four dyads in five are imported by `POST /api/studies/{id}/outcomes`. Meetings 3 and 4 lie in the future. ");
        sb.Append(CultureInfo.InvariantCulture, $"Then, through HTTP: {options.Requests} GETs of each dashboard route after 3 warm-up ones, one after another (admin key; one site is `?site=site-01`); ");
        sb.Append("`Recluster` through the local host's `POST /admin/functions/Recluster?wait=true` (the report set written); the three exports read as a client reads them (streamed to nowhere, bytes counted)");
        sb.Append(options.ExportsFirst ? ", measured first, on the worker as it started (`--exports-first`: their peak is not what Recluster's heap left); " : "; ");
        sb.Append("then `Reminders` the same way, run after run until two in a row queue no mail (the first mails the invitations of every overdue form, what a day's first run mails at this size, within its 20 s budget, the rest by its continuations on `reminders`, whose time and requests are measured until every queue is empty, `SendEmail` included; the next ones the reminders that backlog is due, then one that mails nothing but deletes the due rows those reminders moved; the last finds nothing to do, what most hourly runs do), queues drained between runs.\n\n");
        sb.Append("**Storage requests** are counted by a reverse proxy in front of Azurite (one loopback port per service) that the local host and the worker are given as `AzureWebJobsStorage`: ");
        sb.Append("every request the app makes, wherever it makes it, including the local host's queue polling during the operation; an entity group transaction is one request. The benchmark's own checks go to Azurite directly and are not counted. ");
        sb.Append("**Peak memory** is the worker process's VmHWM after it was reset at the operation's start (`echo 5 > /proc/PID/clear_refs`): the highest resident set during that operation.\n\n");
        sb.Append("| figure | ").Append(string.Join(" | ", results.Select(r => $"{r.Dyads:N0} dyads"))).Append(" |\n");
        sb.Append("| --- |").Append(string.Concat(results.Select(_ => " ---: |"))).Append('\n');
        foreach (var (figure, value) in Rows()) sb.Append("| ").Append(figure).Append(" | ").Append(string.Join(" | ", results.Select(value))).Append(" |\n");

        sb.Append(Targets());
        sb.Append("\n## Monthly storage cost of a 10-site study\n\n");
        sb.Append(CultureInfo.InvariantCulture, $"Assumed prices (USD per 10,000 transactions, Standard GPv2 LRS, hot): tables {TablePer10k}, queues {QueuePer10k}, blobs {BlobPer10k} (every blob request priced as a write, an upper bound). ");
        sb.Append("Transactions per operation are the counts above; the frequencies are assumptions. Capacity (GB stored) and egress are not counted: a study of 10,000 dyads holds tens of MB. ");
        sb.Append("The app-at-rest line is the local host's polling; the Functions host on Azure polls its queues with a back-off up to a minute, so that line is the local host's, not Azure's.\n\n");
        sb.Append("| operation | per month | ").Append(string.Join(" | ", results.Select(r => $"{r.Dyads:N0}: requests each → USD/month"))).Append(" |\n");
        sb.Append("| --- | --- |").Append(string.Concat(results.Select(_ => " ---: |"))).Append('\n');
        var totals = new double[results.Count];
        foreach (var (name, frequency, perMonth, requests) in Month)
        {
            sb.Append("| ").Append(name).Append(" | ").Append(frequency).Append(" | ");
            sb.Append(string.Join(" | ", results.Select((r, i) =>
            {
                if (requests(r) is not { } c) return "";
                var monthly = perMonth(r) * Cost(c);
                totals[i] += monthly;
                return $"{N(c.Total)} → {monthly.ToString("0.0000", CultureInfo.InvariantCulture)}";
            }))).Append(" |\n");
        }
        sb.Append("| **total** | | ").Append(string.Join(" | ", totals.Select(t => $"**{t.ToString("0.00", CultureInfo.InvariantCulture)}**"))).Append(" |\n");
        var failures = results.SelectMany(r => new[] { r.RemindersFirst, r.RemindersHourly, r.Recluster }.Concat(r.Exports.Values)
            .Where(m => m is not null && m.Note.Length > 0).Select(m => $"{r.Dyads:N0}: {m!.Note}")).ToList();
        if (failures.Count > 0) sb.Append("\nNot succeeded: ").Append(string.Join("; ", failures)).Append('\n');
        return sb.ToString();
    }

    /// <summary>Issue 19's targets, each checked at each size (the issue sets them at 10,000 dyads).</summary>
    private string Targets()
    {
        string Met(bool? ok) => ok switch { true => "met", false => "**not met**", null => "not measured" };
        bool? Below(double? value, double bound) => value is { } v && double.IsFinite(v) ? v < bound : null;
        double? P95(SizeResult r, string route) => r.Routes.TryGetValue(route, out var s) ? s.P95Ms : null;
        var smallest = results.MinBy(r => r.Dyads);
        (string Target, Func<SizeResult, string> Value)[] rows =
        [
            ("dashboard, one site: p95 under 300 ms", r => $"{F(P95(r, "dashboard, one site"), "0")} ms: {Met(Below(P95(r, "dashboard, one site"), 300))}"),
            ("completion JSON, one site: p95 under 300 ms", r => $"{F(P95(r, "completion JSON, one site"), "0")} ms: {Met(Below(P95(r, "completion JSON, one site"), 300))}"),
            ("dashboard, whole study: p95 under 1 s", r => $"{F(P95(r, "dashboard"), "0")} ms: {Met(Below(P95(r, "dashboard"), 1000))}"),
            ("completion JSON, whole study: p95 under 1 s", r => $"{F(P95(r, "completion JSON"), "0")} ms: {Met(Below(P95(r, "completion JSON"), 1000))}"),
            ("Reminders: a run under 30 s (the backlog run)", r => $"{F(r.RemindersFirst?.Seconds, "0.0")} s: {Met(Below(r.RemindersFirst?.Seconds, 30))}"),
            ("Reminders: a run under 30 s (nothing due)", r => $"{F(r.RemindersHourly?.Seconds, "0.0")} s: {Met(Below(r.RemindersHourly?.Seconds, 30))}"),
            ("Recluster: under 60 s", r => $"{F(r.Recluster?.Seconds, "0.0")} s: {Met(Below(r.Recluster?.Seconds, 60))}"),
            ("Recluster: worker peak under 1 GB", r => $"{F(r.Recluster?.WorkerPeakMb, "0")} MiB: {Met(Below(r.Recluster?.WorkerPeakMb, 1024))}"),
            ("exports: worker peak flat in the study's size (highest of the three, and its growth over the smallest size)", r =>
            {
                double? Peak(SizeResult x) => x.Exports.Count == 0 ? null : x.Exports.Values.Max(m => m.WorkerPeakMb);
                var failed = r.Exports.Where(e => e.Value.Note.Length > 0).Select(e => $"{e.Key}: {e.Value.Note}").ToList();
                if (failed.Count > 0) return $"**not met**: {string.Join(", ", failed)}";
                return Peak(r) is { } p && smallest is not null && Peak(smallest) is { } p0 ? $"{F(p, "0")} MiB ({(p - p0 >= 0 ? "+" : "")}{F(p - p0, "0")} MiB)" : "not measured";
            }),
        ];
        var sb = new StringBuilder("\n## Issue 19's targets\n\nSet at 10,000 dyads on Azurite on these machines; shown at every size measured.\n\n");
        sb.Append("| target | ").Append(string.Join(" | ", results.Select(r => $"{r.Dyads:N0} dyads"))).Append(" |\n");
        sb.Append("| --- |").Append(string.Concat(results.Select(_ => " --- |"))).Append('\n');
        foreach (var (target, value) in rows) sb.Append("| ").Append(target).Append(" | ").Append(string.Join(" | ", results.Select(value))).Append(" |\n");
        return sb.ToString();
    }

    public string Csv()
    {
        var sb = new StringBuilder("dyads,figure,seconds,storage_blob,storage_queue,storage_table,worker_peak_mib,bytes,first_byte_s,p50_ms,p95_ms\n");
        foreach (var r in results)
        {
            void Op(string figure, Measured? m)
            {
                if (m is null) return;
                sb.Append(CultureInfo.InvariantCulture, $"{r.Dyads},{figure},{m.Seconds:0.###},{m.Storage.Blob},{m.Storage.Queue},{m.Storage.Table},{F(m.WorkerPeakMb, "0")},{m.Bytes},{F(m.FirstByteSeconds, "0.###")},,\n");
            }
            Op("apply", r.Apply);
            Op("answers", r.Answers);
            Op("outcomes", r.OutcomeImport);
            Op("reminders-first", r.RemindersFirst);
            Op("reminders-hourly", r.RemindersHourly);
            Op("recluster", r.Recluster);
            foreach (var (format, m) in r.Exports) Op("export-" + format, m);
            foreach (var (route, s) in r.Routes)
                sb.Append(CultureInfo.InvariantCulture, $"{r.Dyads},\"{route}\",,,,{s.StoragePerRequest:0.#},,{s.Bytes},,{s.P50Ms:0.#},{s.P95Ms:0.#}\n");
        }
        return sb.ToString();
    }

    private static string Op(Measured? m) => m is null ? "" : $"{F(m.Seconds, m.Seconds < 10 ? "0.00" : "0.0")} ({N(m.Storage.Total)})";

    /// <summary>A run and what followed it until the queues were empty: seconds (storage requests), mails, mails a second.</summary>
    private static string Backlog(Measured run, Measured drain, int mails)
    {
        var seconds = run.Seconds + drain.Seconds;
        return $"{F(seconds, seconds < 10 ? "0.00" : "0.0")} ({N((run.Storage + drain.Storage).Total)}), {N(mails)}, {F(mails / seconds, "0.0")}";
    }

    private static string N(long n) => n.ToString("N0", CultureInfo.InvariantCulture);

    private static string F(double? v, string format) => v is { } x && double.IsFinite(x) ? x.ToString(format, CultureInfo.InvariantCulture) : "n/a";
}
