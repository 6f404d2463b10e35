using System.Globalization;
using AlliancePipeline.Emulators;
using AlliancePipeline.StudyScale;

// The scale benchmark of issue #19. For each size: an Azurite, a MailDev and a counting storage proxy of its own, the
// published worker (worker/ beside this program) under the local host; a study of N dyads applied through the admin API,
// answered through the questionnaire route and scored by the app, outcomes imported; then the dashboard and completion
// JSON, one hourly Reminders run, Recluster, and the exports, each through HTTP. Writes bench/results/study-scale.md
// and .csv. Bounded: at most 10,000 dyads a size and a deadline for the whole run; loopback only.
var options = ScaleOptions.Parse(args);
if (options is null) return 64;
using var deadline = new CancellationTokenSource(options.Deadline);
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
var machine = MachineState.Read();
Console.WriteLine($"Scale benchmark: sizes {string.Join(", ", options.Sizes)}. {machine.Summary}");
var results = new List<SizeResult>();
var name = options.Label is null ? "study-scale" : $"study-scale-{options.Label}";
Directory.CreateDirectory(options.OutputDirectory);
foreach (var size in options.Sizes)
{
    Console.WriteLine($"Size {size:N0} dyads.");
    results.Add(await new ScaleRun(options, size, Console.Out).RunAsync(deadline.Token));
    var r = results[^1];
    Console.WriteLine($"Size {size:N0}: seeded in {r.SeedSeconds:0} s, all in {r.TotalSeconds:0} s.");
    // Written after each size, so a long run that is stopped keeps the sizes it finished.
    var report = new ScaleReport(results, options, machine, MachineState.Read(), args);
    await File.WriteAllTextAsync(Path.Combine(options.OutputDirectory, name + ".md"), report.Markdown(), CancellationToken.None);
    await File.WriteAllTextAsync(Path.Combine(options.OutputDirectory, name + ".csv"), report.Csv(), CancellationToken.None);
    Console.WriteLine($"Written: {Path.Combine(options.OutputDirectory, name)}.md and .csv");
}

return 0;

/// <summary>The benchmark's options, bounded.</summary>
internal sealed record ScaleOptions
{
    public const int MaxDyads = 10_000;

    public IReadOnlyList<int> Sizes { get; init; } = [400, 2000, 10_000];
    public TimeSpan Deadline { get; init; } = TimeSpan.FromHours(3);
    public int Requests { get; init; } = 20;
    public int Concurrency { get; init; } = 16;
    public int FormAnswers { get; init; } = 400;
    public TimeSpan IdleWindow { get; init; } = TimeSpan.FromSeconds(30);
    public string? WorkerFolder { get; init; }
    public string? Label { get; init; }
    public string? DataDirectory { get; init; }
    public string? LogFile { get; init; }
    public bool KeyedLookups { get; init; }
    public bool ExportsFirst { get; init; }
    public bool ExportsOnly { get; init; }
    public IReadOnlyDictionary<string, string> WorkerEnvironment { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);
    public string OutputDirectory { get; init; } = Path.Combine(EmulatorTools.Locate().RepositoryRoot, "bench", "results");

    public static ScaleOptions? Parse(string[] args)
    {
        var o = new ScaleOptions();
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            try
            {
                o = args[i] switch
                {
                    "--sizes" => o with { Sizes = [.. Next().Split(',').Select(s => Bounded(int.Parse(s, CultureInfo.InvariantCulture), 20, MaxDyads, "--sizes"))] },
                    "--requests" => o with { Requests = Bounded(int.Parse(Next(), CultureInfo.InvariantCulture), 5, 200, "--requests") },
                    "--concurrency" => o with { Concurrency = Bounded(int.Parse(Next(), CultureInfo.InvariantCulture), 1, 64, "--concurrency") },
                    "--form-answers" => o with { FormAnswers = Bounded(int.Parse(Next(), CultureInfo.InvariantCulture), 0, 100_000, "--form-answers") },
                    "--idle" => o with { IdleWindow = TimeSpan.FromSeconds(Bounded(int.Parse(Next(), CultureInfo.InvariantCulture), 5, 300, "--idle")) },
                    "--hours" => o with { Deadline = TimeSpan.FromHours(Bounded(int.Parse(Next(), CultureInfo.InvariantCulture), 1, 12, "--hours")) },
                    "--worker" => o with { WorkerFolder = Path.GetFullPath(Next()) },
                    "--keyed-lookups" => o with { KeyedLookups = true },
                    "--exports-first" => o with { ExportsFirst = true },
                    "--exports-only" => o with { ExportsFirst = true, ExportsOnly = true },
                    "--worker-env" => o with { WorkerEnvironment = WithSetting(o.WorkerEnvironment, Next()) },
                    "--data" => o with { DataDirectory = Path.GetFullPath(Next()) },
                    "--log" => o with { LogFile = Path.GetFullPath(Next()) },
                    "--label" => o with { Label = Next() },
                    "--out" => o with { OutputDirectory = Path.GetFullPath(Next()) },
                    _ => throw new ArgumentException($"Unknown option {args[i]}."),
                };
            }
            catch (Exception e) when (e is ArgumentException or FormatException or OverflowException)
            {
                Console.Error.WriteLine(e.Message);
                Console.Error.WriteLine("Options: --sizes N[,N…] (dyads, 20 to 10000) --requests N (GETs per route, after 3 warm-up ones) --concurrency N (answers posted at once while seeding) --form-answers N (meeting 2's answers posted through the form, 400 unless given; the rest imported) --idle S (seconds at rest measured) --hours H (the whole run's deadline, 3 unless given) --worker DIR (another published worker) --keyed-lookups (Azurite finds an entity by RowKey first: keyed-lookups.js) --exports-first (the exports measured first, on the worker as it started, so their peak is not what Recluster's heap left) --exports-only (the exports, measured first, and nothing after them) --worker-env NAME=VALUE (a setting of the worker's process, for instance DOTNET_GCHeapHardLimit=0x4000000; repeatable) --data DIR (keep each size's seeded study there, and measure a kept one again without seeding) --log FILE (every line the host and the worker log, appended) --label NAME --out DIR");
                return null;
            }
        }
        return o;
    }

    private static Dictionary<string, string> WithSetting(IReadOnlyDictionary<string, string> settings, string pair)
    {
        var at = pair.IndexOf('=', StringComparison.Ordinal);
        if (at <= 0) throw new ArgumentException($"--worker-env takes NAME=VALUE, not {pair}.");
        return new Dictionary<string, string>(settings, StringComparer.Ordinal) { [pair[..at]] = pair[(at + 1)..] };
    }

    private static int Bounded(int value, int min, int max, string name) =>
        value >= min && value <= max ? value : throw new ArgumentException($"{name} is between {min} and {max}.");
}
