using System.Diagnostics;
using Microsoft.Azure.Functions.Worker;

namespace AlliancePipeline.LocalHost.TestWorker;

/// <summary>How <see cref="QueueFunctions.Work"/> behaves for one message.</summary>
/// <param name="Key">The test's key: records are written under it.</param>
/// <param name="Mode"><c>ok</c>; <c>fail</c> (throw on the first <paramref name="FailTimes"/> dequeues); <c>always</c> (throw);
/// <c>die</c> (kill the worker process on the first dequeue); <c>exit2</c> (exit with code 2, as on wrong settings);
/// <c>slow</c> (take <paramref name="DelayMs"/>).</param>
/// <param name="FailTimes">How many dequeues fail in mode <c>fail</c>.</param>
/// <param name="DelayMs">The time taken in mode <c>slow</c>.</param>
public sealed record WorkItem(string Key, string Mode, int FailTimes = 0, int DelayMs = 0);

/// <summary>Queue-triggered functions that record every attempt.</summary>
public sealed class QueueFunctions(Records records)
{
    /// <summary>A JSON message bound to a record; <c>id</c> and <c>dequeueCount</c> bound from the trigger metadata.</summary>
    [Function("Work")]
    public async Task Work([QueueTrigger("%WorkQueue%")] WorkItem item, string id, long dequeueCount, FunctionContext context)
    {
        await records.AddAsync(item.Key, "Attempt", new Dictionary<string, object?>
        {
            ["MessageId"] = id,
            ["DequeueCount"] = dequeueCount,
            ["InvocationId"] = context.InvocationId,
            ["WorkerPid"] = Environment.ProcessId,
        });
        switch (item.Mode)
        {
            case "fail" when dequeueCount <= item.FailTimes:
                throw new InvalidOperationException($"Failing on purpose on dequeue {dequeueCount}");
            case "always":
                throw new InvalidOperationException("Always failing");
            case "die" when dequeueCount == 1:
                Process.GetCurrentProcess().Kill();
                break;
            case "exit2":
                await Console.Error.WriteLineAsync("Settings went wrong while running.");
                Environment.Exit(2);
                break;
            case "slow":
                await Task.Delay(item.DelayMs);
                break;
        }

        await records.AddAsync(item.Key, "Done", new Dictionary<string, object?> { ["DequeueCount"] = dequeueCount, ["WorkerPid"] = Environment.ProcessId });
    }

    /// <summary>A plain-text message; fails when the text starts with <c>fail</c>.</summary>
    [Function("Text")]
    public async Task Text([QueueTrigger("%TextQueue%")] string message, long dequeueCount, DateTimeOffset insertionTime)
    {
        var key = message.Split(':')[^1];
        await records.AddAsync(key, "Text", new Dictionary<string, object?>
        {
            ["Message"] = message,
            ["DequeueCount"] = dequeueCount,
            ["InsertionTime"] = insertionTime,
        });
        if (message.StartsWith("fail", StringComparison.Ordinal)) throw new InvalidOperationException("Text asked to fail");
    }
}
