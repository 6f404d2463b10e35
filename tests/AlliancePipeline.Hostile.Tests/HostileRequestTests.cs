using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using AlliancePipeline.Contracts.Storage;
using AlliancePipeline.EndToEnd.Tests;
using AlliancePipeline.Hostile.Tests.Generator;
using AlliancePipeline.Hostile.Tests.Infrastructure;
using Azure.Data.Tables;
using Xunit.Abstractions;

namespace AlliancePipeline.Hostile.Tests;

/// <summary>
/// Ten thousand generated hostile requests (seeded: <c>HOSTILE_SEED</c> overrides the default, <c>HOSTILE_REQUESTS</c> the
/// count) to every public route of the app, through the local host to the published worker: none answered 5xx; each
/// refusal the right 4xx with problem details (or a page, on the routes browsers open); a declared body over a route's
/// limit refused with 413 before it is sent; nothing queued; the worker's and the host's resident memory back near rest.
/// The summary (requests by route and status) goes to the test output and to <c>hostile-summary.md</c> beside the tests
/// (or <c>HOSTILE_SUMMARY</c>).
/// </summary>
[Collection(HostileCollection.Name)]
public sealed class HostileRequestTests(HostileFixture app, ITestOutputHelper output)
{
    private const int DefaultSeed = 20261127;
    private const int Connections = 8;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <summary>How far the worker's resident memory may stay above its resting size after the run.</summary>
    private const double WorkerSlackMiB = 150;

    /// <summary>How far the host's (this test process's, with the client) may stay above.</summary>
    private const double HostSlackMiB = 200;

    [Fact]
    public async Task Ten_thousand_hostile_requests_get_no_5xx_each_refused_with_the_right_4xx_and_memory_returns_near_rest()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("HOSTILE_SEED"), CultureInfo.InvariantCulture, out var s) ? s : DefaultSeed;
        var count = int.TryParse(Environment.GetEnvironmentVariable("HOSTILE_REQUESTS"), CultureInfo.InvariantCulture, out var n) ? n : 10_000;
        var targets = await TargetsAsync();
        output.WriteLine($"seed {seed}; {count} requests over {targets.Routes.Count} routes: {string.Join(", ", targets.Routes.Select(r => r.Function))}");

        // Warm up (JIT, pools, caches) with other requests of the same kinds, then take the resting size.
        await RunAsync(new HostileGenerator(targets, seed + 1).Cases(400));
        await Task.Delay(TimeSpan.FromSeconds(3));
        var worker = app.Host.WorkerProcessId!.Value;
        var host = Environment.ProcessId;
        var (workerBefore, hostBefore) = (ResidentMemory.MiB(worker), ResidentMemory.MiB(host));

        double workerPeak = workerBefore, hostPeak = hostBefore;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                workerPeak = Math.Max(workerPeak, ResidentMemory.MiB(worker));
                hostPeak = Math.Max(hostPeak, ResidentMemory.MiB(host));
                await Task.Delay(250);
            }
        });
        var clock = Stopwatch.StartNew();
        var results = await RunAsync(new HostileGenerator(targets, seed).Cases(count));
        var elapsed = clock.Elapsed;
        await sampling.CancelAsync();
        await sampler;
        await Task.Delay(TimeSpan.FromSeconds(5));
        var (workerAfter, hostAfter) = (ResidentMemory.MiB(worker), ResidentMemory.MiB(host));

        var violations = results.Where(r => r.Problem is not null).ToList();
        var summary = Summary(seed, results, elapsed, (workerBefore, workerPeak, workerAfter), (hostBefore, hostPeak, hostAfter), violations.Count);
        output.WriteLine(summary);
        await File.WriteAllTextAsync(Environment.GetEnvironmentVariable("HOSTILE_SUMMARY") ?? Path.Combine(AppContext.BaseDirectory, "hostile-summary.md"), summary);
        foreach (var v in violations.OrderBy(v => v.Status < 500).ThenBy(v => v.Index).Take(40)) output.WriteLine(v.ToString());

        Assert.Equal(app.Host.WorkerProcessId, worker);
        Assert.Equal(0, app.Host.WorkerRestarts);
        Assert.Equal(0, results.Count(r => r.Status >= 500));
        Assert.True(violations.Count == 0, $"{violations.Count} answers were not right; the first: " + string.Join(" | ", violations.Take(5)));
        Assert.True(workerAfter <= workerBefore + WorkerSlackMiB, $"the worker's resident memory went from {workerBefore:0} MiB to {workerAfter:0} MiB and stayed");
        Assert.True(hostAfter <= hostBefore + HostSlackMiB, $"the host's resident memory went from {hostBefore:0} MiB to {hostAfter:0} MiB and stayed");

        // None of it reached the queue: the links it posted to are still unanswered, and no response was stored for them.
        var responses = app.Tables.GetTableClient(StorageNames.ResponsesTable);
        foreach (var dyad in new[] { "d-a1", "d-a2" })
        {
            for (var m = 1; m <= 3; m++)
            {
                var id = $"{dyad}-m{m}-practitioner";
                Assert.Equal("Pending", (await app.AssessmentAsync(id)).Status);
                Assert.False((await responses.GetEntityIfExistsAsync<TableEntity>(HostileFixture.StudyId, id)).HasValue);
            }
        }
    }

    private async Task<HostileTargets> TargetsAsync()
    {
        var assessments = new List<string>();
        await foreach (var a in app.Tables.GetTableClient(StorageNames.AssessmentsTable).QueryAsync<TableEntity>(e => e.PartitionKey == HostileFixture.StudyId, select: ["RowKey"]))
            assessments.Add(a.RowKey);
        var links = new List<string>();
        foreach (var dyad in new[] { "d-a1", "d-a2" })
            for (var m = 1; m <= 3; m++) links.Add((await app.LinkAsync($"{dyad}-m{m}-practitioner"))["/api/q/".Length..]);
        var pauses = Enumerable.Range(1, 3).Select(m => app.PauseLink($"d-b4-m{m}-practitioner")["/api/reminders/pause/".Length..]).ToList();
        return new HostileTargets(PublicRoute.Load(PipelineFixture.WorkerFolder), $"127.0.0.1:{app.Endpoint.Port}", app.Keys["admin"], HostileFixture.GoodAddress,
            HostileFixture.StudyId, ["site-a", "site-b"], [.. HostileFixture.SiteADyads, .. HostileFixture.SiteBDyads], assessments, links, pauses);
    }

    /// <summary>One request's outcome, kept small (the request and the answer's body are dropped once checked).</summary>
    private sealed record Outcome(int Index, string Route, string Kind, string Method, string Target, int Status, TimeSpan Elapsed, long BodyBytesSent, bool EarlyRefusal, string? Problem)
    {
        public override string ToString() => $"#{Index} {Route} [{Kind}] {Method} {Target}: {Problem}";
    }

    /// <summary>Sends the cases over <see cref="Connections"/> keep-alive connections as they are generated, and checks each answer.</summary>
    private async Task<List<Outcome>> RunAsync(IEnumerable<HostileCase> cases)
    {
        var queue = Channel.CreateBounded<HostileCase>(64);
        var producer = Task.Run(async () =>
        {
            foreach (var c in cases) await queue.Writer.WriteAsync(c);
            queue.Writer.Complete();
        });
        var results = new ConcurrentBag<Outcome>();
        await Parallel.ForEachAsync(Enumerable.Range(0, Connections), new ParallelOptions { MaxDegreeOfParallelism = Connections }, async (_, _) =>
        {
            using var connection = new RawHttpConnection(app.Endpoint);
            await foreach (var c in queue.Reader.ReadAllAsync())
            {
                var r = await connection.SendAsync(c.Request, Timeout);
                results.Add(new Outcome(c.Index, c.Route, c.Kind, c.Request.Method, Shorten(c.Request.TargetText), r.Status, r.Elapsed, r.BodyBytesSent, c.EarlyRefusal,
                    Check(c, r) is { } problem ? problem + (r.Status >= 500 || r.Status == 0 ? "" : $" ({Shorten(r.Text)})") : null));
            }
        });
        await producer;
        return [.. results.OrderBy(r => r.Index)];
    }

    /// <summary>What is wrong with the answer to <paramref name="c"/>, or null.</summary>
    public static string? Check(HostileCase c, RawResponse r)
    {
        if (r.Status == 0) return $"no answer ({r.Error}) after {r.Elapsed.TotalMilliseconds:0} ms";
        if (r.Status >= 500) return $"{r.Status} {Shorten(r.Text)}";
        if (!c.Allowed.Contains(r.Status)) return $"{r.Status}, expected {string.Join("/", c.Allowed.Order())}";
        if (c.EarlyRefusal && r.Elapsed > TimeSpan.FromSeconds(3)) return $"413 after {r.Elapsed.TotalMilliseconds:0} ms";
        if (r.Status is < 400 or >= 500) return null;
        if (c.Request.Method == "HEAD") return r.Body.Length == 0 ? null : "a body in the answer to HEAD";
        switch (r.MediaType)
        {
            case "application/problem+json":
                try
                {
                    using var doc = JsonDocument.Parse(r.Body);
                    if (!doc.RootElement.TryGetProperty("status", out var status) || status.GetInt32() != r.Status) return $"problem details without status {r.Status}";
                    if (!doc.RootElement.TryGetProperty("title", out var title) || string.IsNullOrWhiteSpace(title.GetString())) return "problem details without a title";
                    return null;
                }
                catch (JsonException e)
                {
                    return $"problem details that are not JSON: {e.Message}";
                }
            case "text/html":
                if (!HostileGenerator.PageRoutes.Contains(c.Route) && !c.HttpLevel) return $"an HTML page from {c.Route}, which answers problem details";
                return r.Text.StartsWith("<!doctype html>", StringComparison.OrdinalIgnoreCase) ? null : "an HTML answer that is not a page";
            case "":
                // The server's own refusals of a malformed request (before any routing) carry no body.
                return r.Body.Length == 0 && c.HttpLevel && r.Status is 400 or 414 or 431 ? null : $"{r.Status} without problem details";
            default:
                return $"{r.Status} as {r.MediaType}";
        }
    }

    private static string Summary(int seed, IReadOnlyList<Outcome> results, TimeSpan elapsed,
        (double Before, double Peak, double After) worker, (double Before, double Peak, double After) host, int violations)
    {
        var statuses = results.Select(r => r.Status).Distinct().Order().ToList();
        var early = results.Where(r => r.EarlyRefusal).ToList();
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"# Hostile requests: seed {seed}, {results.Count} requests in {elapsed.TotalSeconds:0.0} s ({results.Count / elapsed.TotalSeconds:0} per second, {Connections} connections)");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"5xx: {results.Count(r => r.Status >= 500)}; no answer: {results.Count(r => r.Status == 0)}; answers not as expected: {violations}.");
        text.AppendLine(CultureInfo.InvariantCulture, $"Declared bodies over a route's limit: {early.Count(r => r.Status == 413)} of {early.Count} answered 413, the slowest in {early.Select(r => r.Elapsed.TotalMilliseconds).DefaultIfEmpty().Max():0} ms; {results.Sum(r => r.BodyBytesSent) / (1024.0 * 1024):0} MiB of bodies sent in all.");
        text.AppendLine(CultureInfo.InvariantCulture, $"Resident memory (VmRSS), at rest after a warm-up / peak during the run / 5 s after: worker {worker.Before:0} / {worker.Peak:0} / {worker.After:0} MiB; host (the test process: local host and client) {host.Before:0} / {host.Peak:0} / {host.After:0} MiB.");
        Table(text, "route", results.GroupBy(r => r.Route), statuses);
        Table(text, "kind of request", results.GroupBy(r => r.Kind), statuses);
        return text.ToString();
    }

    private static void Table(StringBuilder text, string what, IEnumerable<IGrouping<string, Outcome>> groups, IReadOnlyList<int> statuses)
    {
        string Cell(IEnumerable<Outcome> rows, int status) => rows.Count(r => r.Status == status) is var k && k > 0 ? k.ToString(CultureInfo.InvariantCulture) : "";
        var all = groups.OrderBy(g => g.Key, StringComparer.Ordinal).ToList();
        text.AppendLine();
        text.AppendLine($"| {what} | " + string.Join(" | ", statuses) + " | all |");
        text.AppendLine("| --- | " + string.Join(" | ", statuses.Select(_ => "---:")) + " | ---: |");
        foreach (var g in all) text.AppendLine($"| {g.Key} | " + string.Join(" | ", statuses.Select(s => Cell(g, s))) + $" | {g.Count()} |");
        text.AppendLine("| all | " + string.Join(" | ", statuses.Select(s => Cell(all.SelectMany(g => g), s))) + $" | {all.Sum(g => g.Count())} |");
    }

    private static string Shorten(string text) => text.Length <= 160 ? text : text[..160] + "…";
}
