using System.Globalization;
using AlliancePipeline.Benchmarks;

// Ward clustering benchmark on Likert-grid data of issue #11's kind (four trajectory shapes over 4 meetings, noise SD
// 0.4, means of 12 items: multiples of 1/12 clipped to 1..7), n = 1,000, 5,000, 20,000, 100,000, raw and deviation
// scores. Per size, in the same run and each in its own process: our WardClustering.Cluster (time in-process, peak RSS of
// the process), `alliance cluster` as a whole process (read CSV, cluster, choose k, silhouettes, name, write JSON),
// fastcluster::hclust.vector(X, "ward"), and R's hclust(dist(X), "ward.D2") where it fits in memory (n <= 20,000), whose
// merge, order, cutree and heights ours is compared with.
// Usage: dotnet run -c Release --project bench/AlliancePipeline.Benchmarks -- [--sizes 1000,5000] [--kinds raw,deviation]
//        [--out bench/results] [--r-max 20000]
// Internal: --worker data.csv [--deviation] [--tree out.csv] runs and times one clustering (the in-process figure).
var inv = CultureInfo.InvariantCulture;
if (args.Length > 0 && args[0] == "--worker") return Worker.Run(args);

var sizes = new[] { 1_000, 5_000, 20_000, 100_000 };
var kinds = new[] { "raw", "deviation" };
string outDir = Path.Combine("bench", "results");
int rMax = 20_000;
for (int i = 0; i < args.Length - 1; i++)
{
    if (args[i] == "--sizes") sizes = args[i + 1].Split(',').Select(s => int.Parse(s, inv)).ToArray();
    if (args[i] == "--kinds") kinds = args[i + 1].Split(',');
    if (args[i] == "--out") outDir = args[i + 1];
    if (args[i] == "--r-max") rMax = int.Parse(args[i + 1], inv);
}
Directory.CreateDirectory(outDir);
var tools = Tools.Find();
Console.WriteLine(tools.Describe());

string loadAtStart = Tools.LoadAverage();
var work = Directory.CreateTempSubdirectory("ward-bench-").FullName;
var rows = new List<Measurement>();
try
{
    foreach (var kind in kinds)
        foreach (int n in sizes)
        {
            bool deviation = kind == "deviation";
            var x = IssueGrid.Generate(n, seed: 20261127 + n);
            string data = Path.Combine(work, $"x{n}.csv"), withIds = Path.Combine(work, $"ids{n}.csv");
            File.WriteAllLines(data, x.Select(r => string.Join(",", r.Select(v => v.ToString("R", inv)))));
            File.WriteAllLines(withIds, x.Select((r, i) => $"D{i + 1}," + string.Join(",", r.Select(v => v.ToString("R", inv))))
                .Prepend("dyad,meeting1,meeting2,meeting3,meeting4"));
            var m = new Measurement(kind, n);

            string ourTree = Path.Combine(work, "ours.csv");
            var worker = tools.Timed(tools.Dotnet, [Path.Combine(AppContext.BaseDirectory, "AlliancePipeline.Benchmarks.dll"), "--worker", data,
            .. deviation ? new[] { "--deviation" } : [], "--tree", ourTree]);
            m.OursSeconds = worker.Seconds;
            m.OursRssMb = worker.PeakRssMb;
            m.Distinct = worker.Value("distinct");
            m.Path = worker.Value("path");
            m.Certified = worker.Value("certified");

            var cli = tools.Timed(tools.Dotnet, [Path.Combine(AppContext.BaseDirectory, "alliance.dll"), "cluster", "--json", "--input", withIds,
            .. deviation ? new[] { "--deviation" } : []]);
            m.CliWall = cli.WallSeconds;
            m.CliRssMb = cli.PeakRssMb;
            m.CliOk = cli.ExitCode == 0;

            if (tools.HaveFastcluster)
            {
                var fc = tools.Timed(tools.Rscript!, [Path.Combine(AppContext.BaseDirectory, "time_r.R"), "fastcluster", data, deviation ? "deviation" : "raw"]);
                m.FastclusterSeconds = fc.Seconds;
                m.FastclusterWall = fc.WallSeconds;
                m.FastclusterRssMb = fc.PeakRssMb;
            }
            if (tools.Rscript != null && n <= rMax)
            {
                string rTree = Path.Combine(work, "r.csv");
                var r = tools.Timed(tools.Rscript, [Path.Combine(AppContext.BaseDirectory, "time_r.R"), "stats", data, deviation ? "deviation" : "raw", rTree]);
                m.RSeconds = r.Seconds;
                m.RWall = r.WallSeconds;
                m.RRssMb = r.PeakRssMb;
                if (r.ExitCode == 0) m.EqualToR = TreeFiles.Compare(ourTree, rTree, n);
            }
            Console.WriteLine(m.Line(inv));
            rows.Add(m);
        }
}
finally
{
    Directory.Delete(work, recursive: true);
}

string stamp = DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm 'UTC'", inv);
File.WriteAllText(Path.Combine(outDir, "ward-benchmark.csv"),
    $"# {stamp}\n{Measurement.CsvHeader}\n" + string.Join("\n", rows.Select(r => r.Line(inv))) + "\n");
File.WriteAllText(Path.Combine(outDir, "ward-benchmark.md"), Report.Markdown(rows, stamp, tools, $"{loadAtStart} at the start, {Tools.LoadAverage()} at the end", inv));
Console.WriteLine($"Written to {Path.GetFullPath(outDir)}");
return 0;
