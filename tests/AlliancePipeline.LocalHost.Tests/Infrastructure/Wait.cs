namespace AlliancePipeline.LocalHost.Tests.Infrastructure;

/// <summary>Polling for what happens in other processes.</summary>
public static class Wait
{
    /// <summary>Polls <paramref name="condition"/> every 100 ms until it holds; false after <paramref name="timeout"/>.</summary>
    public static async Task<bool> UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, TimeSpan? every = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (await condition()) return true;
            if (DateTime.UtcNow > deadline) return false;
            await Task.Delay(every ?? TimeSpan.FromMilliseconds(100));
        }
    }

    /// <summary>Polls a synchronous condition.</summary>
    public static Task<bool> UntilAsync(Func<bool> condition, TimeSpan timeout) => UntilAsync(() => Task.FromResult(condition()), timeout);
}
