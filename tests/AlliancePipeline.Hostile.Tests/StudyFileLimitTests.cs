using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace AlliancePipeline.Hostile.Tests;

/// <summary>
/// Security finding 5, "a study file can kill or stall the worker", end to end: each hostile study file (a recursive
/// alias, nesting 100,000 deep, an alias bomb that would expand to over 10^7 values, a mapping used as a field name) put to the
/// apply route, with and without <c>?dryRun=true</c>, through the local host to the published worker. Each is answered
/// 400 problem details naming its line, and the worker is alive afterwards: the same process, never restarted, and a
/// valid file is applied (dry run) after them. The parser's limits themselves are tested in Core
/// (<c>StudySchemaValidationTests</c>); this proves them in the running app. No duration is asserted: each answer's time
/// is printed, and a client timeout of 30 s ends a hang as a failure.
/// </summary>
[Collection(HostileCollection.Name)]
public sealed class StudyFileLimitTests(HostileFixture app, ITestOutputHelper output)
{
    /// <summary>A study id of these tests' own: nothing they send may touch the hostile study the other tests use.</summary>
    private const string StudyId = "hostile-limits";

    private static readonly TimeSpan ClientTimeout = TimeSpan.FromSeconds(30);

    /// <summary>A hostile file: what it is, its text, the line its refusal names, and words of the message.</summary>
    private sealed record Hostile(string Name, string Text, int Line, string Words);

    private static int LineOf(string text, string fragment) => text[..text.IndexOf(fragment, StringComparison.Ordinal)].Count(c => c == '\n') + 1;

    /// <summary>The start of a plausible study file, so that each hostile part sits at a line of its own.</summary>
    private static string Head(string name) => $"""
        id: {StudyId}
        name: {name}
        instruments:
          practitioner: wai-s-practitioner
        reminders:
          firstAfterDays: 3
          everyDays: 7
          maxCount: 2

        """;

    private static IEnumerable<Hostile> Files()
    {
        // A recursive alias (about 1 KB): the list that the alias repeats contains it, so expanding it never ends.
        var recursive = Head("Recursive alias")
            + string.Concat(Enumerable.Range(1, 6).Select(i => $"# filler line {i} of a file of ordinary size, {new string('.', 100)}\n"))
            + "meetings:\n  - &meeting\n    number: 1\n    expectedDay: 0\n    windowDays: 7\n    again: [ *meeting ]\n"
            + "arms:\n  - { id: usual, name: Usual support }\n";
        yield return new("recursive alias", recursive, LineOf(recursive, "*meeting"), "repeats a list or mapping that contains it");

        // Nesting 100,000 lists deep (200 KB): refused at the 65th.
        var deep = Head("Deep nesting") + "meetings: " + new string('[', 100_000) + new string(']', 100_000) + "\n";
        yield return new("100,000-deep nesting", deep, LineOf(deep, "meetings: ["), "nests lists and mappings more than 64 deep");

        // An alias bomb: seven lists of ten, each of the ten before: about 1.6 KB that would expand to over 12 million values.
        var bomb = new StringBuilder(Head("Alias bomb"));
        bomb.Append("bomb_of_level_0: &bomb_of_level_0 [").Append(string.Join(", ", Enumerable.Repeat("a-value", 10))).Append("]\n");
        for (var level = 1; level <= 6; level++)
            bomb.Append(CultureInfo.InvariantCulture, $"bomb_of_level_{level}: &bomb_of_level_{level} [").Append(string.Join(", ", Enumerable.Repeat($"*bomb_of_level_{level - 1}", 10))).Append("]\n");
        var bombText = bomb.ToString();
        // Level k holds 1 + 10 × level k−1 values (11 at level 0): level 5 alone is 1,111,111, over the limit of 1,000,000.
        yield return new("alias bomb", bombText, LineOf(bombText, "bomb_of_level_5:"), "holds more than 1,000,000 values");

        // A field name that is a mapping: a key YAML allows and a study file does not.
        var key = Head("Mapping as a key") + "? { odd: key }\n: value\n";
        yield return new("non-scalar mapping key", key, LineOf(key, "? {"), "a field name must be a single word, not a list or a mapping");
    }

    [Fact]
    public async Task Each_hostile_study_file_is_answered_400_naming_its_line_and_the_worker_lives_on()
    {
        var worker = app.Host.WorkerProcessId ?? throw new InvalidOperationException("The host has no worker.");
        var restarts = app.Host.WorkerRestarts;
        using var admin = app.Client(app.Keys["admin"]);
        admin.Timeout = ClientTimeout;

        foreach (var file in Files())
        {
            foreach (var dryRun in new[] { true, false })
            {
                var clock = Stopwatch.StartNew();
                using var answer = await admin.PutAsync($"api/manage/studies/{StudyId}{(dryRun ? "?dryRun=true" : "")}", new StringContent(file.Text, Encoding.UTF8, "application/yaml"));
                var elapsed = clock.Elapsed;
                var text = await answer.Content.ReadAsStringAsync();
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{file.Name} ({Encoding.UTF8.GetByteCount(file.Text):N0} bytes){(dryRun ? ", dry run" : "")}: {(int)answer.StatusCode} in {elapsed.TotalMilliseconds:0} ms"));

                Assert.True(answer.StatusCode == HttpStatusCode.BadRequest, $"{file.Name}: {(int)answer.StatusCode} {text}");
                Assert.Equal("application/problem+json", answer.Content.Headers.ContentType?.MediaType);
                var problem = JsonNode.Parse(text)!;
                Assert.Equal(400, problem["status"]!.GetValue<int>());
                var errors = problem["errors"]!.AsArray();
                var named = errors.FirstOrDefault(e => e!["message"]!.GetValue<string>().Contains(file.Words, StringComparison.Ordinal));
                Assert.True(named is not null, $"{file.Name}: no error says '{file.Words}': {text}");
                Assert.Equal(file.Line, named!["line"]!.GetValue<int>());
                Assert.Contains($":{file.Line}:", named["text"]!.GetValue<string>(), StringComparison.Ordinal);
                AssertAlive(worker, restarts, file.Name);
            }
        }

        // Nothing was applied, and a valid file still is (a dry run: nothing is written).
        using (var missing = await admin.GetAsync($"api/studies/{StudyId}/completion")) Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        var valid = HostileFixture.StudyFile(app.Enrolled, StudyId, "Limits");
        var after = Stopwatch.StartNew();
        using var applied = await admin.PutAsync($"api/manage/studies/{StudyId}?dryRun=true", new StringContent(valid, Encoding.UTF8, "application/json"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"a valid file afterwards, dry run: {(int)applied.StatusCode} in {after.Elapsed.TotalMilliseconds:0} ms"));
        var report = await applied.Content.ReadAsStringAsync();
        Assert.True(applied.StatusCode == HttpStatusCode.OK, report);
        Assert.True(JsonNode.Parse(report)!["dryRun"]!.GetValue<bool>());
        AssertAlive(worker, restarts, "the valid file");
    }

    /// <summary>The worker that was running before is running still: the same process, not exited, not restarted.</summary>
    private void AssertAlive(int worker, int restarts, string after)
    {
        Assert.True(app.Host.WorkerProcessId == worker, $"after {after}: the worker is now process {app.Host.WorkerProcessId}, was {worker}");
        Assert.True(app.Host.WorkerRestarts == restarts, $"after {after}: the worker was restarted");
        using var process = Process.GetProcessById(worker);
        Assert.False(process.HasExited, $"after {after}: the worker process exited");
    }
}
