using System.Text;
using System.Text.Json;
using AlliancePipeline.Functions.LocalDriver;
using AlliancePipeline.Functions.Tests.Infrastructure;
using AlliancePipeline.Storage.Blobs;
using Microsoft.Extensions.Logging.Abstractions;

namespace AlliancePipeline.Functions.Tests;

/// <summary>The driver's timers: six-field schedules, runOnStartup, and the past-due check from the stored status (Azurite).</summary>
[Collection(AzuriteCollection.Name)]
public sealed class TimerSchedulerTests(AzuriteFixture azurite)
{
    private static FunctionDefinition Timer(string schedule, bool runOnStartup = false) =>
        new() { Name = "Tick", TriggerType = "timerTrigger", TriggerName = "timer", Schedule = schedule, RunOnStartup = runOnStartup };

    private static bool PastDue(ReceivedInvocation r) => r.Payload["Data"]!["timer"]!["IsPastDue"]!.GetValue<bool>();

    [Theory]
    [InlineData("0 0 2 * * *", "2026-11-23T12:00:00Z", "2026-11-24T02:00:00Z")]
    [InlineData("0 0 2 * * *", "2026-11-23T01:59:59Z", "2026-11-23T02:00:00Z")]
    [InlineData("30 */5 * * * *", "2026-11-23T12:00:31Z", "2026-11-23T12:05:30Z")]
    [InlineData("0 0 9 * * Mon", "2026-11-23T09:00:00Z", "2026-11-30T09:00:00Z")]
    public void Next_occurrence_follows_the_six_field_schedule_in_UTC(string schedule, string after, string expected)
    {
        var scheduler = new TimerScheduler(Timer(schedule), azurite.Blobs, new HandlerClient(new HttpClient()), NullLogger.Instance, "h");
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), scheduler.NextAfter(DateTimeOffset.Parse(after, System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact]
    public async Task RunOnStartup_runs_once_at_start_not_past_due_and_the_schedule_goes_on()
    {
        await using var stub = await StubHandler.StartAsync(_ => Task.FromResult(200));
        using var http = new HttpClient { BaseAddress = stub.Address };
        var scheduler = new TimerScheduler(Timer("0 0 0 1 1 *", runOnStartup: true), azurite.Blobs, new HandlerClient(http), NullLogger.Instance, AzuriteFixture.UniqueName("host"));
        scheduler.Start();
        await Eventually.TrueAsync(() => Task.FromResult(stub.Received.Count == 1), TimeSpan.FromSeconds(10), "the start-up run");
        await Task.Delay(500);
        await scheduler.StopAsync();

        var run = Assert.Single(stub.Received);
        Assert.Equal("Tick", run.Function);
        Assert.False(PastDue(run));
        Assert.Equal("Tick", run.Payload["Metadata"]!["sys"]!["MethodName"]!.GetValue<string>());
        Assert.True(run.Payload["Data"]!["timer"]!["Schedule"]!["AdjustForDST"]!.GetValue<bool>());
    }

    [Fact]
    public async Task A_stored_next_occurrence_in_the_past_runs_at_start_as_past_due_and_the_status_moves_on()
    {
        var hostId = AzuriteFixture.UniqueName("host");
        var container = azurite.Blobs.GetBlobContainerClient(TimerScheduler.StatusContainer);
        await container.CreateIfNotExistsAsync();
        var last = DateTimeOffset.UtcNow.AddDays(-2);
        var missed = DateTimeOffset.UtcNow.AddDays(-1);
        await container.UploadAsync($"timers/{hostId}/Tick/status", new MemoryStream(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new ScheduleStatus(last, missed, last)))));

        await using var stub = await StubHandler.StartAsync(_ => Task.FromResult(200));
        using var http = new HttpClient { BaseAddress = stub.Address };
        var scheduler = new TimerScheduler(Timer("0 0 0 1 1 *"), azurite.Blobs, new HandlerClient(http), NullLogger.Instance, hostId);
        var started = DateTimeOffset.UtcNow;
        scheduler.Start();
        await Eventually.TrueAsync(() => Task.FromResult(stub.Received.Count == 1), TimeSpan.FromSeconds(10), "the past-due run");
        await Task.Delay(500);
        await scheduler.StopAsync();

        var run = Assert.Single(stub.Received);
        Assert.True(PastDue(run));
        Assert.Equal(last, DateTimeOffset.Parse(run.Payload["Data"]!["timer"]!["ScheduleStatus"]!["Last"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture));
        var status = JsonSerializer.Deserialize<ScheduleStatus>((await container.DownloadContentAsync($"timers/{hostId}/Tick/status")).Value.Content.ToString())!;
        Assert.InRange(status.Last, started.AddSeconds(-1), DateTimeOffset.UtcNow);
        Assert.Equal(new DateTimeOffset(started.Year + 1, 1, 1, 0, 0, 0, TimeSpan.Zero), status.Next);
    }

    [Fact]
    public async Task A_second_schedule_fires_every_second_and_a_failing_run_does_not_stop_it()
    {
        await using var stub = await StubHandler.StartAsync(_ => Task.FromResult(500));
        using var http = new HttpClient { BaseAddress = stub.Address };
        var scheduler = new TimerScheduler(Timer("* * * * * *"), azurite.Blobs, new HandlerClient(http), NullLogger.Instance, AzuriteFixture.UniqueName("host"));
        scheduler.Start();
        await Eventually.TrueAsync(() => Task.FromResult(stub.Received.Count >= 3), TimeSpan.FromSeconds(10), "three runs");
        await scheduler.StopAsync();
        Assert.All(stub.Received, r => Assert.False(PastDue(r)));
        // The driver's invocation times (sys.UtcNow, taken when the occurrence is reached): never two for one occurrence.
        var times = stub.Received.Select(r => DateTimeOffset.Parse(r.Payload["Metadata"]!["sys"]!["UtcNow"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(times.Count, times.Select(t => t.ToUnixTimeSeconds()).Distinct().Count());
        Assert.All(times.Zip(times.Skip(1)), p => Assert.InRange((p.Second - p.First).TotalMilliseconds, 0, 2500));
    }
}
