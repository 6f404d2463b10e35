using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Azure;
using Azure.Storage.Blobs;

namespace AlliancePipeline.LocalHost.Triggers;

/// <summary>
/// Keeps timer schedule status where the host keeps it (<c>StorageScheduleMonitor</c> of the timer extension): blob
/// <c>azure-webjobs-hosts/timers/{hostId}/{timerName}/status</c> holding <c>{"Last","Next","LastUpdated"}</c>. The
/// script host's timer name is <c>Host.Functions.{FunctionName}</c>.
/// </summary>
internal sealed class ScheduleMonitor(BlobServiceClient blobs, string hostId, ILogger logger)
{
    /// <summary>The container of the host's own state.</summary>
    public const string Container = "azure-webjobs-hosts";

    private static readonly JsonSerializerOptions Json = new() { PropertyNameCaseInsensitive = true };

    /// <summary>The host id in the blob path.</summary>
    public string HostId { get; } = hostId;

    /// <summary>The timer name of a function, as the script host names its generated method.</summary>
    public static string TimerName(string functionName) => "Host.Functions." + functionName;

    /// <summary>The status blob of a function.</summary>
    public string BlobName(string functionName) => $"timers/{HostId}/{TimerName(functionName)}/status";

    /// <summary>The recorded status, or null when none was written yet.</summary>
    public async Task<ScheduleStatus?> ReadAsync(string functionName, CancellationToken cancellationToken)
    {
        try
        {
            var content = (await blobs.GetBlobContainerClient(Container).GetBlobClient(BlobName(functionName)).DownloadContentAsync(cancellationToken).ConfigureAwait(false)).Value.Content;
            var stored = JsonSerializer.Deserialize<StoredStatus>(content.ToString(), Json);
            return stored is null ? null : new ScheduleStatus(Utc(stored.Last), Utc(stored.Next), Utc(stored.LastUpdated));
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
        catch (JsonException e)
        {
            logger.LogWarning("The schedule status of {Function} is not readable ({Reason}); starting afresh.", functionName, e.Message);
            return null;
        }
        catch (Exception e) when (e is RequestFailedException or HttpRequestException or IOException)
        {
            logger.LogWarning("The schedule status of {Function} could not be read ({Reason}); past-due detection is skipped this time.", functionName, e.Message.Split('\n')[0]);
            return null;
        }
    }

    /// <summary>Writes the status (best effort, as the host does: a failure is logged).</summary>
    public async Task WriteAsync(string functionName, ScheduleStatus status, CancellationToken cancellationToken)
    {
        try
        {
            var container = blobs.GetBlobContainerClient(Container);
            await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            var json = JsonSerializer.Serialize(new StoredStatus(status.Last, status.Next, status.LastUpdated));
            await container.GetBlobClient(BlobName(functionName)).UploadAsync(BinaryData.FromBytes(Encoding.UTF8.GetBytes(json)), overwrite: true, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is RequestFailedException or HttpRequestException or IOException)
        {
            logger.LogWarning("Function '{Function}' failed to update the timer trigger status: {Reason}", functionName, e.Message.Split('\n')[0]);
        }
    }

    private static DateTime Utc(DateTimeOffset value) => value.Year <= 1 ? DateTime.MinValue : value.UtcDateTime;

    private sealed class StoredStatus
    {
        public StoredStatus()
        {
        }

        public StoredStatus(DateTime last, DateTime next, DateTime lastUpdated)
        {
            Last = ToOffset(last);
            Next = ToOffset(next);
            LastUpdated = ToOffset(lastUpdated);
        }

        [JsonPropertyName("Last")]
        public DateTimeOffset Last { get; set; }

        [JsonPropertyName("Next")]
        public DateTimeOffset Next { get; set; }

        [JsonPropertyName("LastUpdated")]
        public DateTimeOffset LastUpdated { get; set; }

        private static DateTimeOffset ToOffset(DateTime value) =>
            value.Year <= 1 ? new DateTimeOffset(DateTime.MinValue, TimeSpan.Zero) : new DateTimeOffset(DateTime.SpecifyKind(value, DateTimeKind.Utc));
    }
}
