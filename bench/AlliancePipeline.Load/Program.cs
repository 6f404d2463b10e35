using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using AlliancePipeline.Emulators;
using AlliancePipeline.Functions.Services;
using AlliancePipeline.Functions.Settings;
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
var started = DateTimeOffset.UtcNow;
Console.WriteLine($"Load runner: {options}. Load average {ProcessMeter.LoadAverage()}.");

var ports = EmulatorProcess.FreePorts(3);
await using var azurite = await Azurite.EnsureRunningAsync(AzuriteOptions.Isolated(), ct);
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
var warnings = new WarningCounter();
var hostOptions = new LocalHostOptions
{
    ScriptRoot = Path.Combine(AppContext.BaseDirectory, "worker"),
    HttpPort = ports[0],
    StartEmulators = false,
    LoggerFactory = LoggerFactory.Create(b => b.AddProvider(warnings).SetMinimumLevel(LogLevel.Warning)),
};
foreach (var (key, value) in settings) hostOptions.SettingOverrides[key] = value;
await using var host = await FunctionsLocalHost.StartAsync(hostOptions, ct);
if (!host.BaseAddress.IsLoopback) throw new InvalidOperationException($"The host listens on {host.BaseAddress}, not a loopback address.");
Console.WriteLine($"Azurite pid {azurite.ProcessId} (ports {azurite.BlobPort}-{azurite.TablePort}), MailDev pid {mailDev.ProcessId}, host {host.BaseAddress} (this process, {Environment.ProcessId}), worker pid {host.WorkerProcessId}.");

var configuration = new ConfigurationBuilder()
    .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key.Replace("__", ":", StringComparison.Ordinal), s.Value)))
    .Build();
await using var services = new ServiceCollection().AddLogging().AddAlliancePipeline(AppSettings.Read(configuration)).BuildServiceProvider();
var tables = services.GetRequiredService<TableServiceClient>();
var queues = services.GetRequiredService<QueueServiceClient>();
var seeder = new LoadSeeder(services.GetRequiredService<StudyTables>(), tables, services.GetRequiredService<ILinkTokens>());
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
var steadyCount = (int)(options.Rate * options.DurationSeconds);
Console.WriteLine($"Seeding: warm-up {LoadOptions.WarmupCount}, steady {steadyCount}, burst {options.Burst} assessments.");
var warmupTargets = await seeder.SeedAsync("load-warmup", LoadOptions.WarmupCount, ct);
var steadyTargets = options.RunSteady ? await seeder.SeedAsync("load-steady", steadyCount, ct) : [];
var burstTargets = options.RunBurst ? await seeder.SeedAsync("load-burst", options.Burst, ct) : [];

// Warm-up: JIT and connections, not reported.
Console.WriteLine("Warm-up: 50 per second.");
await RunPhaseAsync("warm-up", "", warmupTargets, i => TimeSpan.FromSeconds(i / 50.0), report: false);

// Azurite alone: raw table inserts of response-sized entities, nothing else running.
{
    meter.ResetPhasePeaks();
    var before = meter.Read();
    var loadStart = ProcessMeter.LoadAverage();
    var (count, elapsed) = await LoadStorage.RawInsertAsync(tables, options.RawInserts, options.RawConcurrency, ct);
    var after = meter.Read();
    var perSecond = count / elapsed.TotalSeconds;
    Console.WriteLine($"Azurite raw insert: {count} entities in {elapsed.TotalSeconds:0.0} s = {perSecond:0} per second ({options.RawConcurrency} in flight); Azurite CPU {Cpu(before, after, "Azurite", elapsed):0} %.");
    phases.Add(new PhaseResult
    {
        Name = "Azurite raw insert",
        Description = $"{count:N0} response-sized AddEntityAsync, {options.RawConcurrency} in flight",
        Sent = count,
        Accepted = count,
        Statuses = new Dictionary<int, int> { [204] = count },
        AcceptedPerSecond = perSecond,
        Stored = count,
        ScoredPerSecond = perSecond,
        WallSeconds = elapsed.TotalSeconds,
        CpuPercent = meter.Names.ToDictionary(n => n, n => Cpu(before, after, n, elapsed)),
        CpuMsPerItem = meter.Names.ToDictionary(n => n, n => CpuMs(before, after, n, count)),
        PeakRssMb = meter.PhasePeaks().ToDictionary(p => p.Key, p => p.Value / 1048576.0),
        LoadAverageStart = loadStart,
        LoadAverageEnd = ProcessMeter.LoadAverage(),
    });
}

if (options.RunSteady)
{
    Console.WriteLine($"Steady: {options.Rate} per second for {options.DurationSeconds} s.");
    await RunPhaseAsync($"steady {options.Rate}/s × {options.DurationSeconds} s", $"open loop, {options.Rate} per second for {options.DurationSeconds} s", steadyTargets, i => TimeSpan.FromSeconds(i / options.Rate));
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
Console.WriteLine($"Host warnings: {warnings.Count} ({string.Join(" | ", warnings.First)}).");

Directory.CreateDirectory(options.OutputDirectory);
var name = options.Label is null ? "load-benchmark" : $"load-benchmark-{options.Label}";
await File.WriteAllTextAsync(Path.Combine(options.OutputDirectory, name + ".csv"), PhaseResult.Csv(phases, processes), CancellationToken.None);
await File.WriteAllTextAsync(Path.Combine(options.OutputDirectory, name + ".md"), Markdown(), CancellationToken.None);
Console.WriteLine($"Written: {Path.Combine(options.OutputDirectory, name)}.md and .csv");
return 0;

async Task RunPhaseAsync(string phaseName, string description, IReadOnlyList<Target> targets, Func<int, TimeSpan> offset, bool report = true)
{
    meter.ResetPhasePeaks();
    var before = meter.Read();
    var loadStart = ProcessMeter.LoadAverage();
    var clock = Stopwatch.StartNew();
    var sent = await driver.RunAsync(targets, offset, LoadSeeder.Body, ct);
    var answered = clock.Elapsed;
    var accepted = sent.Where(s => s.Status == 202).ToList();
    var studyId = targets.Count > 0 ? StudyOf(phaseName) : "";
    var stored = await LoadStorage.WaitForStoredAsync(tables, queues, studyId, accepted.Count, options.StoreTimeout, ct);
    var wall = clock.Elapsed;
    var after = meter.Read();
    if (!report) return;

    var latencies = accepted.Select(s => s.Latency!.Value.TotalMilliseconds).Order().ToList();
    var acceptedIds = accepted.Select(s => s.AssessmentId).ToHashSet(StringComparer.Ordinal);
    var storedAfter = accepted.Where(s => stored.ContainsKey(s.AssessmentId)).Select(s => (stored[s.AssessmentId] - s.ScheduledAt).TotalSeconds).Order().ToList();
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
}

static string StudyOf(string phaseName) => phaseName.StartsWith("steady", StringComparison.Ordinal) ? "load-steady" : phaseName.StartsWith("burst", StringComparison.Ordinal) ? "load-burst" : "load-warmup";

static double Cpu(Dictionary<string, ProcessSample> before, Dictionary<string, ProcessSample> after, string name, TimeSpan wall) =>
    100 * (after[name].CpuSeconds - before[name].CpuSeconds) / Math.Max(0.001, wall.TotalSeconds);

static double CpuMs(Dictionary<string, ProcessSample> before, Dictionary<string, ProcessSample> after, string name, int items) =>
    1000 * (after[name].CpuSeconds - before[name].CpuSeconds) / Math.Max(1, items);

string Markdown()
{
    var sb = new StringBuilder();
    sb.Append(CultureInfo.InvariantCulture, $"# Load benchmark{(options.Label is null ? "" : $" ({options.Label})")}\n\n");
    sb.Append(CultureInfo.InvariantCulture, $"Run {started:yyyy-MM-dd HH:mm} UTC on {Environment.ProcessorCount} cores (shared with other engineers' builds and tests), .NET {Environment.Version}, Release build; ");
    sb.Append(CultureInfo.InvariantCulture, $"`dotnet run -c Release --project bench/AlliancePipeline.Load -- {string.Join(' ', args)}`.\n\n");
    sb.Append("The published worker under the local host (`FunctionsLocalHost.StartAsync`, in the runner's process), on an Azurite 3.35.0 and a MailDev of the run's own (free loopback ports, fresh data folder). ");
    sb.Append("Submissions are JSON posts to `POST /api/q/{token}` (twelve answers), one per pending assessment of a study seeded for the phase, sent open-loop: each is due at a fixed time whatever became of the earlier ones, and its latency is measured from that due time. ");
    sb.Append("`stored after` is the time from the due time to the `Responses` entity's server `Timestamp` (Azurite stamps it on insert, on this machine's clock). `scored/s` is stored entities per second between the first and the last stored. ");
    sb.Append("CPU is process time over the phase's wall time in % of one core (200 % = both cores); `host+client` is the runner's process, which holds the local host *and* the load client. Peak RSS is the highest resident set sampled every 250 ms during the phase.\n\n");
    foreach (var p in phases) sb.Append(CultureInfo.InvariantCulture, $"- **{p.Name}**: {p.Description}.\n");
    sb.Append('\n').Append(table).Append('\n');
    sb.Append(CultureInfo.InvariantCulture, $"Peak RSS over the whole run (VmHWM): {string.Join(", ", hwm.Select(h => $"{h.Key} {h.Value.PeakRssBytes / 1048576.0:0} MB"))}. Host warnings logged: {warnings.Count}.\n");
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

    public double Rate { get; init; } = 200;
    public int DurationSeconds { get; init; } = 60;
    public int Burst { get; init; } = 10_000;
    public int Connections { get; init; } = 256;
    public int RawInserts { get; init; } = 10_000;
    public int RawConcurrency { get; init; } = 32;
    public bool RunSteady { get; init; } = true;
    public bool RunBurst { get; init; } = true;
    public TimeSpan StoreTimeout { get; init; } = TimeSpan.FromMinutes(4);
    public string? Label { get; init; }
    public string OutputDirectory { get; init; } = DefaultOutput();

    public override string ToString() =>
        $"rate {Rate}/s for {DurationSeconds} s, burst {Burst}, {Connections} connections, raw inserts {RawInserts} ({RawConcurrency} in flight)";

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
                    "--rate" => o with { Rate = Bounded(double.Parse(Next(), CultureInfo.InvariantCulture), 1, MaxRate, "--rate") },
                    "--duration" => o with { DurationSeconds = (int)Bounded(int.Parse(Next(), CultureInfo.InvariantCulture), 1, MaxDurationSeconds, "--duration") },
                    "--burst" => o with { Burst = (int)Bounded(int.Parse(Next(), CultureInfo.InvariantCulture), 1, MaxBurst, "--burst") },
                    "--connections" => o with { Connections = (int)Bounded(int.Parse(Next(), CultureInfo.InvariantCulture), 1, 4096, "--connections") },
                    "--raw-inserts" => o with { RawInserts = (int)Bounded(int.Parse(Next(), CultureInfo.InvariantCulture), 100, MaxRawInserts, "--raw-inserts") },
                    "--raw-concurrency" => o with { RawConcurrency = (int)Bounded(int.Parse(Next(), CultureInfo.InvariantCulture), 1, 512, "--raw-concurrency") },
                    "--only" => Next() switch
                    {
                        "steady" => o with { RunBurst = false },
                        "burst" => o with { RunSteady = false },
                        var other => throw new ArgumentException($"--only takes steady or burst, not {other}."),
                    },
                    "--label" => o with { Label = Next() },
                    "--out" => o with { OutputDirectory = Path.GetFullPath(Next()) },
                    _ => throw new ArgumentException($"Unknown option {args[i]}."),
                };
            }
            catch (Exception e) when (e is ArgumentException or FormatException or OverflowException)
            {
                Console.Error.WriteLine(e.Message);
                Console.Error.WriteLine("Options: --rate N (≤ 500/s) --duration S (≤ 120) --burst N (≤ 20000) --connections N --raw-inserts N --raw-concurrency N --only steady|burst --label NAME --out DIR");
                return null;
            }
        }

        if (o.Rate * o.DurationSeconds > MaxBurst * 2)
        {
            Console.Error.WriteLine($"rate × duration is at most {MaxBurst * 2} submissions.");
            return null;
        }

        return o;
    }

    private static double Bounded(double value, double min, double max, string name) =>
        value >= min && value <= max ? value : throw new ArgumentException($"{name} is between {min} and {max}.");
}

/// <summary>Counts the host's warnings and errors; keeps the first few (the run's console stays readable).</summary>
internal sealed class WarningCounter : ILoggerProvider
{
    private int _count;

    public ConcurrentQueue<string> First { get; } = new();

    public int Count => Volatile.Read(ref _count);

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose() { }

    private sealed class Logger(WarningCounter owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (Interlocked.Increment(ref owner._count) <= 5) owner.First.Enqueue($"{category}: {formatter(state, exception).Split('\n')[0]}");
        }
    }
}
