using Azure;

namespace AlliancePipeline.Functions.Infrastructure.Storage;

/// <summary>
/// Recognises a storage failure that is the service's, not the request's (unreachable, timed out, throttled, 5xx, after
/// the SDK's own retries): HTTP functions answer it 503 with a Retry-After (the edge's StorageUnavailableMiddleware), queue
/// and timer functions throw and are retried.
/// </summary>
public static class StorageUnavailable
{
    /// <summary>Seconds a client is asked to wait before trying again.</summary>
    public const int RetryAfterSeconds = 30;

    /// <summary>Whether <paramref name="exception"/> means storage could not be reached or could not serve.</summary>
    public static bool Is(Exception exception) => exception switch
    {
        RequestFailedException r => r.Status is 0 or 408 or 429 or >= 500,
        AggregateException a => a.InnerExceptions.Count > 0 && a.InnerExceptions.All(Is),
        HttpRequestException or TimeoutException or IOException => true,
        _ => false,
    };

    /// <summary>A short description without the SDK's request dump (no URLs with keys, no bodies).</summary>
    public static string Describe(Exception exception) => exception switch
    {
        RequestFailedException r => r.Status == 0 ? "no answer" : $"status {r.Status} {r.ErrorCode}",
        AggregateException a => a.InnerExceptions.Count > 0 ? Describe(a.InnerExceptions[^1]) : a.GetType().Name,
        _ => exception.GetType().Name,
    };
}
