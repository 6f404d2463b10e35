using Microsoft.Azure.Functions.Worker;

namespace AlliancePipeline.LocalHost.TestWorker;

/// <summary>Timer-triggered functions that record each run, and timers with output bindings.</summary>
public sealed class TimerFunctions(Records records)
{
    /// <summary>Schedule from the <c>TickSchedule</c> setting; runs at start.</summary>
    [Function("Tick")]
    public Task Tick([TimerTrigger("%TickSchedule%", RunOnStartup = true)] TimerInfo timer) => RecordAsync("Tick", timer);

    /// <summary>Once an hour, with the schedule monitor (past-due detection).</summary>
    [Function("Hourly")]
    public Task Hourly([TimerTrigger("0 0 * * * *")] TimerInfo timer) => RecordAsync("Hourly", timer);

    /// <summary>A <c>$return</c> blob output.</summary>
    [Function("Report")]
    [BlobOutput("test-reports/latest.json")]
    public static string Report([TimerTrigger("0 30 2 * * *")] TimerInfo timer)
        => $$"""{"pastDue":{{(timer.IsPastDue ? "true" : "false")}},"at":"{{DateTime.UtcNow:O}}"}""";

    /// <summary>Named outputs: several queue messages and a binary blob at a path with a binding expression.</summary>
    [Function("Fanout")]
    public static FanoutOutput Fanout([TimerTrigger("0 0 3 * * *")] TimerInfo timer) => new()
    {
        Messages = ["one", "two", "three"],
        Blob = [0, 1, 2, 250, 251, 255],
    };

    private Task RecordAsync(string name, TimerInfo timer) => records.AddAsync(name, "Timer", new Dictionary<string, object?>
    {
        ["IsPastDue"] = timer.IsPastDue,
        ["Last"] = timer.ScheduleStatus?.Last is { } last ? DateTime.SpecifyKind(last, DateTimeKind.Utc) : null,
        ["Next"] = timer.ScheduleStatus?.Next is { } next ? DateTime.SpecifyKind(next, DateTimeKind.Utc) : null,
    });
}

/// <summary>The outputs of <see cref="TimerFunctions.Fanout"/>.</summary>
public sealed class FanoutOutput
{
    /// <summary>One message each.</summary>
    [QueueOutput("%FanoutQueue%")]
    public string[]? Messages { get; set; }

    /// <summary>Written to a new blob.</summary>
    [BlobOutput("test-fanout/{rand-guid}.bin")]
    public byte[]? Blob { get; set; }
}
