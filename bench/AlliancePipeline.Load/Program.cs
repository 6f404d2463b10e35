using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using AlliancePipeline.Emulators;
using AlliancePipeline.Functions;
using AlliancePipeline.Functions.Infrastructure.Settings;
using AlliancePipeline.Functions.Questionnaires;
using AlliancePipeline.Functions.Studies;
using AlliancePipeline.Load;
using AlliancePipeline.LocalHost;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

// The load runner of issue #12 (part 1). Starts an Azurite and a MailDev of its own on free loopback ports, the published
// worker (worker/ beside this program) under the local host, seeds a study per phase, measures Azurite's raw insert rate,
// then drives submissions open-loop through POST /api/q/{token}: a steady rate for a duration, and a burst. Writes
// markdown and CSV to bench/results/. Bounded: caps on rate, duration, counts and the whole run's time; loopback only.
var options = LoadOptions.Parse(args);
if (options is null) return 64;
using var deadline = new CancellationTokenSource(LoadOptions.RunDeadline);
var ct = deadline.Token;
// Ctrl+C or SIGTERM ends the run as the deadline does: everything started here is stopped on the way out.
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    deadline.Cancel();
};
using var terminate = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, c =>
{
    c.Cancel = true;
    deadline.Cancel();
});
var started = DateTimeOffset.UtcNow;
Console.WriteLine($"Load runner: {options}. Load average {ProcessMeter.LoadAverage()}.");

var ports = EmulatorProcess.FreePorts(3);
await using var azurite = await Azurite.EnsureRunningAsync(AzuriteOptions.Isolated() with { InMemoryPersistence = options.AzuriteInMemory }, ct);
await using var mailDev = await MailDev.EnsureRunningAsync(ports[1], ports[2], cancellationToken: ct);
var settings = new Dictionary<string, string?>
{
    ["AzureWebJobsStorage"] = azurite.ConnectionString,
    ["LinkSigning__Keys"] = "load=" + Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)),
    ["LinkSigning__CurrentKeyId"] = "load",
    ["AlliancePipeline__PublicBaseUrl"] = $"http://127.0.0.1:{ports[0]}",
    ["AlliancePipeline__Storage__CreateResources"] = "true",
    ["AlliancePipeline__Smtp__Host"] = "127.0.0.1",
    ["AlliancePipeline__Smtp__Port"] = mailDev.SmtpPort.ToString(CultureInfo.InvariantCulture),
    ["AlliancePipeline__Smtp__Security"] = "none",
    ["AlliancePipeline__Smtp__From"] = "Alliance Pipeline load <noreply@example.org>",
};
var warnings = new WarningCounter(options.LogFile);
var hostOptions = new LocalHostOptions
{
    ScriptRoot = options.WorkerFolder ?? Path.Combine(AppContext.BaseDirectory, "worker"),
    HttpPort = ports[0],
    StartEmulators = false,
    LoggerFactory = LoggerFactory.Create(b => b.AddProvider(warnings).SetMinimumLevel(options.LogFile is null ? LogLevel.Warning : LogLevel.Information)),
};
foreach (var (key, value) in settings) hostOptions.SettingOverrides[key] = value;
await using var host = await FunctionsLocalHost.StartAsync(hostOptions, ct);
if (!host.BaseAddress.IsLoopback) throw new InvalidOperationException($"The host listens on {host.BaseAddress}, not a loopback address.");
Console.WriteLine($"Azurite pid {azurite.ProcessId} (ports {azurite.BlobPort}-{azurite.TablePort}), MailDev pid {mailDev.ProcessId}, host {host.BaseAddress} (this process, {Environment.ProcessId}), worker pid {host.WorkerProcessId}.");

var configuration = new ConfigurationBuilder()
    .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key.Replace("__", ":", StringComparison.Ordinal), s.Value)))
    .Build();
await using var services = new ServiceCollection().AddLogging().AddSingleton<IConfiguration>(configuration).AddAlliancePipeline().BuildServiceProvider();
SettingsRegistration.ThrowIfInvalid(services);
var tables = services.GetRequiredService<TableServiceClient>();
var queues = services.GetRequiredService<QueueServiceClient>();
var seeder = new LoadSeeder(services.GetRequiredService<StudyStore>(), tables, services.GetRequiredService<ILinkTokens>());
using var http = OpenLoopDriver.CreateClient(host.BaseAddress, options.Connections);
var driver = new OpenLoopDriver(http);

await using var meter = new ProcessMeter(new Dictionary<string, Func<int?>>
{
    ["worker"] = () => host.WorkerProcessId,
    ["host+client"] = () => Environment.ProcessId,
    ["Azurite"] = () => azurite.ProcessId,
});

var phases = new List<PhaseResult>();

// Seed every phase's study first, so that seeding is not measured.
var steadyCount = options.Rates.Sum(r => (int)(r * options.DurationSeconds));
Console.WriteLine($"Seeding: warm-up {LoadOptions.WarmupCount}, steady {steadyCount}, burst {options.Burst} assessments.");
var warmupTargets = await seeder.SeedAsync("load-warmup", LoadOptions.WarmupCount, options.StudySize, ct);
var steadyTargets = new List<IReadOnlyList<Target>>();
foreach (var (rate, i) in options.Rates.Select((r, i) => (r, i)))
    steadyTargets.Add(options.RunSteady ? await seeder.SeedAsync(options.Rates.Count == 1 ? "load-steady" : $"load-steady{i + 1}", (int)(rate * options.DurationSeconds), options.StudySize, ct) : []);
var burstTargets = options.RunBurst ? await seeder.SeedAsync("load-burst", options.Burst, options.StudySize, ct) : [];

// Warm-up: JIT and connections, not reported.
Console.WriteLine("Warm-up: 50 per second.");
await RunPhaseAsync("warm-up", "", warmupTargets, i => TimeSpan.FromSeconds(i / 50.0), report: false);

// Azurite alone: raw table inserts of response-sized entities, nothing else running.
{
    meter.ResetPhasePeaks();
    var before = meter.Read();
    var loadStart = ProcessMeter.LoadAverage();
    var (count, elapsed) = await LoadStorage.RawInsertAsync(tables, options.RawInserts, options.RawConcurrency, options.StudySize, ct);
    var after = meter.Read();
    var perSecond = count / elapsed.TotalSeconds;
    Console.WriteLine($"Azurite raw insert: {count} entities in {elapsed.TotalSeconds:0.0} s = {perSecond:0} per second ({options.RawConcurrency} in flight); Azurite CPU {Cpu(before, after, "Azurite", elapsed):0} %.");
    phases.Add(RawPhase("Azurite raw insert", $"{count:N0} response-sized AddEntityAsync, {options.RawConcurrency} in flight, partitions of {options.StudySize:N0}",
        count, 204, perSecond, perSecond, elapsed, before, after, loadStart));
}

// Azurite alone: the queue as a submission uses it (send; receive 16 at a time and delete).
{
    meter.ResetPhasePeaks();
    var before = meter.Read();
    var loadStart = ProcessMeter.LoadAverage();
    var count = Math.Min(options.RawInserts, 5000);
    var (send, receive) = await LoadStorage.RawQueueAsync(queues, count, options.RawConcurrency, ct);
    var after = meter.Read();
    var elapsed = send + receive;
    Console.WriteLine($"Azurite raw queue: {count} sends in {send.TotalSeconds:0.0} s = {count / send.TotalSeconds:0} per second, receive+delete {count / receive.TotalSeconds:0} per second; Azurite CPU {CpuMs(before, after, "Azurite", 2 * count):0.00} ms per operation.");
    phases.Add(RawPhase("Azurite raw queue",
        $"{count:N0} submission-sized messages sent ({options.RawConcurrency} in flight: {count / send.TotalSeconds:0} per second), then received 16 at a time and deleted ({count / receive.TotalSeconds:0} per second); figures per message, both halves together",
        count, 201, count / send.TotalSeconds, count / receive.TotalSeconds, elapsed, before, after, loadStart));
}

if (options.RunSteady)
{
    foreach (var (rate, i) in options.Rates.Select((r, i) => (r, i)))
    {
        Console.WriteLine($"Steady: {rate} per second for {options.DurationSeconds} s.");
        var result = await RunPhaseAsync($"steady {rate}/s × {options.DurationSeconds} s", $"open loop, {rate} per second for {options.DurationSeconds} s", steadyTargets[i], n => TimeSpan.FromSeconds(n / rate));
        if (options.Rates.Count > 1 && i < options.Rates.Count - 1 && result is not null && result.Accepted < 0.99 * result.Sent)
        {
            Console.WriteLine($"  over capacity at {rate} per second: the higher rates of the sweep are not run.");
            phases.Add(result with { Name = result.Name + " (sweep stopped)" });
            phases.Remove(result);
            break;
        }
    }
}

if (options.RunBurst)
{
    Console.WriteLine($"Burst: {options.Burst} at once.");
    await RunPhaseAsync($"burst {options.Burst:N0}", $"{options.Burst:N0} due at the same instant, {options.Connections} connections", burstTargets, _ => TimeSpan.Zero);
}

var processes = meter.Names;
var hwm = meter.Read();
var table = PhaseResult.Markdown(phases, processes);
Console.WriteLine();
Console.WriteLine(table);
Console.WriteLine($"Peak RSS over the whole run (VmHWM): {string.Join(", ", hwm.Select(h => $"{h.Key} {h.Value.PeakRssBytes / 1048576.0:0} MB"))}.");
Console.WriteLine($"Host and worker warnings: {warnings.Count}.");
foreach (var kind in warnings.Top(10)) Console.WriteLine($"  {kind}");

Directory.CreateDirectory(options.OutputDirectory);
var name = options.Label is null ? "load-benchmark" : $"load-benchmark-{options.Label}";
await File.WriteAllTextAsync(Path.Combine(options.OutputDirectory, name + ".csv"), PhaseResult.Csv(phases, processes), CancellationToken.None);
await File.WriteAllTextAsync(Path.Combine(options.OutputDirectory, name + ".md"), Markdown(), CancellationToken.None);
Console.WriteLine($"Written: {Path.Combine(options.OutputDirectory, name)}.md and .csv");
return 0;

async Task<PhaseResult?> RunPhaseAsync(string phaseName, string description, IReadOnlyList<Target> targets, Func<int, TimeSpan> offset, bool report = true)
{
    meter.ResetPhasePeaks();
    var before = meter.Read();
    var restartsBefore = host.WorkerRestarts;
    var loadStart = ProcessMeter.LoadAverage();
    var clock = Stopwatch.StartNew();
    var sent = await driver.RunAsync(targets, offset, LoadSeeder.Body, ct);
    var answered = clock.Elapsed;
    var accepted = sent.Where(s => s.Status == 202).ToList();
    var studyIds = targets.Select(t => t.StudyId).Distinct(StringComparer.Ordinal).ToList();
    var stored = await LoadStorage.WaitForStoredAsync(tables, queues, studyIds, accepted.Count, options.StoreTimeout, ct);
    var wall = clock.Elapsed;
    var after = meter.Read();
    if (!report) return null;
    var restarts = host.WorkerRestarts - restartsBefore;
    if (restarts > 0)
    {
        // A new worker process: its CPU counter started again, so the phase's worker CPU is not known.
        after["worker"] = after["worker"] with { CpuSeconds = double.NaN };
        description += $" (the worker died and was restarted {restarts} time(s) during the phase)";
    }

    var latencies = accepted.Select(s => s.Latency!.Value.TotalMilliseconds).Order().ToList();
    var acceptedIds = accepted.Select(s => s.Key).ToHashSet(StringComparer.Ordinal);
    var storedAfter = accepted.Where(s => stored.ContainsKey(s.Key)).Select(s => (stored[s.Key] - s.ScheduledAt).TotalSeconds).Order().ToList();
    var times = stored.Values.Order().ToList();
    var firstDue = sent.Count > 0 ? sent.Min(s => s.ScheduledAt) : DateTimeOffset.UtcNow;
    var lastAnswer = accepted.Count > 0 ? accepted.Max(s => s.ScheduledAt + s.Latency!.Value) : firstDue;
    var result = new PhaseResult
    {
        Name = phaseName,
        Description = description,
        Sent = sent.Count,
        Accepted = accepted.Count,
        Statuses = sent.Where(s => s.Status != 0).GroupBy(s => s.Status).ToDictionary(g => g.Key, g => g.Count()),
        Unanswered = sent.Count(s => s.Status == 0),
        AcceptP50Ms = PhaseResult.Quantile(latencies, 0.50),
        AcceptP95Ms = PhaseResult.Quantile(latencies, 0.95),
        AcceptP99Ms = PhaseResult.Quantile(latencies, 0.99),
        AcceptMaxMs = latencies.Count > 0 ? latencies[^1] : null,
        AcceptedPerSecond = accepted.Count / Math.Max(0.001, (lastAnswer - firstDue).TotalSeconds),
        Stored = stored.Count,
        StoredTwiceOrUnasked = stored.Keys.Count(k => !acceptedIds.Contains(k)),
        StoredP50S = PhaseResult.Quantile(storedAfter, 0.50),
        StoredP95S = PhaseResult.Quantile(storedAfter, 0.95),
        StoredP99S = PhaseResult.Quantile(storedAfter, 0.99),
        StoredMaxS = storedAfter.Count > 0 ? storedAfter[^1] : null,
        ScoredPerSecond = times.Count > 1 ? (times.Count - 1) / Math.Max(0.001, (times[^1] - times[0]).TotalSeconds) : 0,
        WallSeconds = wall.TotalSeconds,
        CpuPercent = meter.Names.ToDictionary(n => n, n => Cpu(before, after, n, wall)),
        CpuMsPerItem = meter.Names.ToDictionary(n => n, n => CpuMs(before, after, n, accepted.Count)),
        PeakRssMb = meter.PhasePeaks().ToDictionary(p => p.Key, p => p.Value / 1048576.0),
        LoadAverageStart = loadStart,
        LoadAverageEnd = ProcessMeter.LoadAverage(),
    };
    phases.Add(result);
    Console.WriteLine($"  answers: {result.StatusText}; 202 p50 {result.AcceptP50Ms:0.0} ms, p99 {result.AcceptP99Ms:0.0} ms; all answered after {answered.TotalSeconds:0.0} s; stored {result.Stored}/{result.Accepted} ({result.StoredTwiceOrUnasked} not accepted), p99 {result.StoredP99S:0.00} s; scored {result.ScoredPerSecond:0}/s.");
    foreach (var failure in sent.Where(s => s.Status is not 202).GroupBy(s => s.Error ?? s.Status.ToString(CultureInfo.InvariantCulture)).Take(5))
        Console.WriteLine($"  not accepted: {failure.Count()} × {failure.Key}");
    return result;
}

// A phase of Azurite alone: everything it did counted as accepted and stored.
PhaseResult RawPhase(string name, string description, int count, int status, double acceptedPerSecond, double storedPerSecond, TimeSpan elapsed,
    Dictionary<string, ProcessSample> before, Dictionary<string, ProcessSample> after, string loadStart) => new()
    {
        Name = name,
        Description = description,
        Sent = count,
        Accepted = count,
        Statuses = new Dictionary<int, int> { [status] = count },
        AcceptedPerSecond = acceptedPerSecond,
        Stored = count,
        ScoredPerSecond = storedPerSecond,
        WallSeconds = elapsed.TotalSeconds,
        CpuPercent = meter.Names.ToDictionary(n => n, n => Cpu(before, after, n, elapsed)),
        CpuMsPerItem = meter.Names.ToDictionary(n => n, n => CpuMs(before, after, n, count)),
        PeakRssMb = meter.PhasePeaks().ToDictionary(p => p.Key, p => p.Value / 1048576.0),
        LoadAverageStart = loadStart,
        LoadAverageEnd = ProcessMeter.LoadAverage(),
    };

static double Cpu(Dictionary<string, ProcessSample> before, Dictionary<string, ProcessSample> after, string name, TimeSpan wall) =>
    100 * (after[name].CpuSeconds - before[name].CpuSeconds) / Math.Max(0.001, wall.TotalSeconds);

static double CpuMs(Dictionary<string, ProcessSample> before, Dictionary<string, ProcessSample> after, string name, int items) =>
    1000 * (after[name].CpuSeconds - before[name].CpuSeconds) / Math.Max(1, items);

string Markdown()
{
    var sb = new StringBuilder();
    sb.Append(CultureInfo.InvariantCulture, $"# Load benchmark{(options.Label is null ? "" : $" ({options.Label})")}\n\n");
    sb.Append(CultureInfo.InvariantCulture, $"Run {started:yyyy-MM-dd HH:mm} UTC on {Environment.ProcessorCount} cores (whatever else ran shows in the load average, last column), .NET {Environment.Version}, Release build; ");
    sb.Append(CultureInfo.InvariantCulture, $"`dotnet run -c Release --project bench/AlliancePipeline.Load -- {string.Join(' ', args)}`.\n\n");
    sb.Append(CultureInfo.InvariantCulture, $"The published worker under the local host (`FunctionsLocalHost.StartAsync`, in the runner's process), on an Azurite 3.35.0 ({(options.AzuriteInMemory ? "`--inMemoryPersistence`" : "data on disk, its default")}) and a MailDev of the run's own (free loopback ports, fresh data folder). ");
    sb.Append(CultureInfo.InvariantCulture, $"Submissions are JSON posts to `POST /api/q/{{token}}` (twelve answers), one per pending assessment of the studies seeded for the phase (studies of {options.StudySize:N0} assessments, taking turns), sent open-loop: each is due at a fixed time whatever became of the earlier ones, and its latency is measured from that due time. ");
    sb.Append("`stored after` is the time from the due time to the `Responses` entity's server `Timestamp` (Azurite stamps it on insert, on this machine's clock). `scored/s` is stored entities per second between the first and the last stored. ");
    sb.Append("CPU is process time over the phase's wall time in % of one core (200 % = both cores); `host+client` is the runner's process, which holds the local host *and* the load client. Peak RSS is the highest resident set sampled every 250 ms during the phase.\n\n");
    foreach (var p in phases) sb.Append(CultureInfo.InvariantCulture, $"- **{p.Name}**: {p.Description}.\n");
    sb.Append('\n').Append(table).Append('\n');
    sb.Append(CultureInfo.InvariantCulture, $"Peak RSS over the whole run (VmHWM): {string.Join(", ", hwm.Select(h => $"{h.Key} {h.Value.PeakRssBytes / 1048576.0:0} MB"))}. Host and worker warnings logged: {warnings.Count}{(warnings.Count > 0 ? ", most frequent: " + string.Join("; ", warnings.Top(5).Select(k => $"`{k}`")) : "")}.\n");
    return sb.ToString();
}

/// <summary>The runner's options, bounded.</summary>
internal sealed record LoadOptions
{
    public const int WarmupCount = 300;
    public const double MaxRate = 500;
    public const int MaxDurationSeconds = 120;
    public const int MaxBurst = 20_000;
    public const int MaxRawInserts = 20_000;
    public static readonly TimeSpan RunDeadline = TimeSpan.FromMinutes(20);

    public IReadOnlyList<double> Rates { get; init; } = [200];
    public int DurationSeconds { get; init; } = 60;
    public int Burst { get; init; } = 10_000;
    public int Connections { get; init; } = 256;
    public int RawInserts { get; init; } = 10_000;
    public int RawConcurrency { get; init; } = 32;
    public int StudySize { get; init; } = 1000;
    public string? WorkerFolder { get; init; }
    public bool AzuriteInMemory { get; init; }
    public bool RunSteady { get; init; } = true;
    public bool RunBurst { get; init; } = true;
    public TimeSpan StoreTimeout { get; init; } = TimeSpan.FromMinutes(4);
    public string? Label { get; init; }
    public string? LogFile { get; init; }
    public string OutputDirectory { get; init; } = DefaultOutput();

    public override string ToString() =>
        $"rate {string.Join(", ", Rates)}/s for {DurationSeconds} s, burst {Burst}, studies of {StudySize} assessments, Azurite {(AzuriteInMemory ? "in memory" : "on disk")}, {Connections} connections, raw inserts {RawInserts} ({RawConcurrency} in flight)";

    private static string DefaultOutput() => Path.Combine(EmulatorTools.Locate().RepositoryRoot, "bench", "results");

    public static LoadOptions? Parse(string[] args)
    {
        var o = new LoadOptions();
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            try
            {
                o = args[i] switch
                {
                    "--rate" => o with { Rates = [.. Next().Split(',').Select(r => Bounded(double.Parse(r, CultureInfo.InvariantCulture), 1, MaxRate, "--rate"))] },
                    "--duration" => o with { DurationSeconds = (int)Bounded(int.Parse(Next(), CultureInfo.InvariantCulture), 1, MaxDurationSeconds, "--duration") },
                    "--burst" => o with { Burst = (int)Bounded(int.Parse(Next(), CultureInfo.InvariantCulture), 1, MaxBurst, "--burst") },
                    "--connections" => o with { Connections = (int)Bounded(int.Parse(Next(), CultureInfo.InvariantCulture), 1, 4096, "--connections") },
                    "--raw-inserts" => o with { RawInserts = (int)Bounded(int.Parse(Next(), CultureInfo.InvariantCulture), 100, MaxRawInserts, "--raw-inserts") },
                    "--study-size" => o with { StudySize = (int)Bounded(int.Parse(Next(), CultureInfo.InvariantCulture), 10, MaxBurst, "--study-size") },
                    "--raw-concurrency" => o with { RawConcurrency = (int)Bounded(int.Parse(Next(), CultureInfo.InvariantCulture), 1, 512, "--raw-concurrency") },
                    "--only" => Next() switch
                    {
                        "steady" => o with { RunBurst = false },
                        "burst" => o with { RunSteady = false },
                        var other => throw new ArgumentException($"--only takes steady or burst, not {other}."),
                    },
                    "--label" => o with { Label = Next() },
                    "--log" => o with { LogFile = Path.GetFullPath(Next()) },
                    "--worker" => o with { WorkerFolder = Path.GetFullPath(Next()) },
                    "--azurite-in-memory" => o with { AzuriteInMemory = true },
                    "--out" => o with { OutputDirectory = Path.GetFullPath(Next()) },
                    _ => throw new ArgumentException($"Unknown option {args[i]}."),
                };
            }
            catch (Exception e) when (e is ArgumentException or FormatException or OverflowException)
            {
                Console.Error.WriteLine(e.Message);
                Console.Error.WriteLine("Options: --rate N[,N…] (≤ 500/s; several: a sweep, stopped at the first rate over capacity) --duration S (≤ 120) --burst N (≤ 20000) --connections N --raw-inserts N --raw-concurrency N --study-size N --only steady|burst --label NAME --out DIR --worker DIR (another published worker, e.g. an older build to compare) --azurite-in-memory");
                return null;
            }
        }

        if (o.Rates.Sum() * o.DurationSeconds > MaxBurst * 2)
        {
            Console.Error.WriteLine($"rate × duration is at most {MaxBurst * 2} submissions.");
            return null;
        }

        return o;
    }

    private static double Bounded(double value, double min, double max, string name) =>
        value >= min && value <= max ? value : throw new ArgumentException($"{name} is between {min} and {max}.");
}

/// <summary>
/// Counts the host's (and the worker's forwarded) warnings and errors by kind: the first line with ids and numbers
/// blanked out, so the run's console shows what went wrong and how often, not thousands of lines.
/// </summary>
internal sealed partial class WarningCounter(string? logFile) : ILoggerProvider
{
    private readonly ConcurrentDictionary<string, int> _kinds = new(StringComparer.Ordinal);
    private readonly StreamWriter? _log = logFile is null ? null : new StreamWriter(logFile, append: false) { AutoFlush = true };
    private readonly Lock _logLock = new();
    private int _count;

    public int Count => Volatile.Read(ref _count);

    /// <summary>The most frequent kinds, most frequent first.</summary>
    public IEnumerable<string> Top(int n) => _kinds.OrderByDescending(k => k.Value).Take(n).Select(k => $"{k.Value} × {k.Key}");

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose() => _log?.Dispose();

    /// <summary>With <c>--log FILE</c>: every line of the host and the worker, Information and up, whole.</summary>
    private void Write(LogLevel level, string category, string text)
    {
        if (_log is null) return;
        lock (_logLock) _log.WriteLine($"{DateTimeOffset.UtcNow:HH:mm:ss.fff} {level} {category}: {text}");
    }

    [System.Text.RegularExpressions.GeneratedRegex("[0-9a-fA-F]{8}-[0-9a-fA-F-]{27}|[0-9]+(\\.[0-9]+)?")]
    private static partial System.Text.RegularExpressions.Regex Variable();

    private sealed class Logger(WarningCounter owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= (owner._log is null ? LogLevel.Warning : LogLevel.Information);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            owner.Write(logLevel, category, formatter(state, exception) + (exception is null ? "" : Environment.NewLine + exception));
            if (logLevel < LogLevel.Warning) return;
            Interlocked.Increment(ref owner._count);
            var line = formatter(state, exception).Split('\n')[0];
            var kind = $"{category}: {Variable().Replace(line.Length > 160 ? line[..160] : line, "#")}";
            owner._kinds.AddOrUpdate(kind, 1, (_, n) => n + 1);
        }
    }
}
