using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Storage.Queues;

namespace AlliancePipeline.LocalHost.Configuration;

/// <summary>
/// <c>extensions.queues</c> of host.json, with the defaults of the WebJobs storage extension
/// (Microsoft.Azure.WebJobs.Extensions.Storage.Queues, <c>QueuesOptions</c>) for what it leaves out.
/// </summary>
internal sealed record QueueSettings
{
    /// <summary>The shortest wait between polls of an empty queue (the extension's <c>QueuePollingIntervals.Minimum</c>).</summary>
    public static readonly TimeSpan MinimumPollingInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>Messages fetched per poll, 1-32 (default 16).</summary>
    public int BatchSize { get; init; } = 16;

    /// <summary>
    /// A new batch is fetched when the messages still running are this many or fewer. Unset, the extension computes
    /// <c>(batchSize / 2) * processorCount</c> (processor count 1 only on the Consumption plan, <c>WEBSITE_SKU=Dynamic</c>).
    /// </summary>
    public int NewBatchThreshold { get; init; } = 8;

    /// <summary>The longest wait between polls of an empty queue (default 1 minute).</summary>
    public TimeSpan MaxPollingInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>How long a failed message stays invisible before its next try (default 0).</summary>
    public TimeSpan VisibilityTimeout { get; init; } = TimeSpan.Zero;

    /// <summary>Tries before a failing message goes to <c>&lt;queue&gt;-poison</c> (default 5).</summary>
    public int MaxDequeueCount { get; init; } = 5;

    /// <summary>How message bodies are encoded on the wire (default base64).</summary>
    public QueueMessageEncoding MessageEncoding { get; init; } = QueueMessageEncoding.Base64;

    /// <summary>The extension's default threshold for a batch size on this machine.</summary>
    public static int DefaultNewBatchThreshold(int batchSize, int processorCount) => batchSize / 2 * processorCount;
}

/// <summary>
/// What the local host reads from <c>host.json</c>: the HTTP route prefix, the queue settings and the function timeout.
/// App settings named <c>AzureFunctionsJobHost__path__to__value</c> override it, as they do for the real host.
/// </summary>
internal sealed record HostJsonSettings(string RoutePrefix, QueueSettings Queues, TimeSpan? FunctionTimeout)
{
    /// <summary>The settings prefix of host.json overrides.</summary>
    public const string OverridePrefix = "AzureFunctionsJobHost";

    /// <summary>The default function timeout of the host outside the Consumption plan.</summary>
    public static readonly TimeSpan DefaultFunctionTimeout = TimeSpan.FromMinutes(30);

    /// <summary>Reads <c>host.json</c> in <paramref name="scriptRoot"/> (missing: all defaults).</summary>
    public static HostJsonSettings Load(string scriptRoot, AppSettings settings, int? processorCount = null)
    {
        var path = Path.Combine(scriptRoot, "host.json");
        JsonObject root = [];
        if (File.Exists(path))
        {
            try
            {
                root = JsonNode.Parse(File.ReadAllText(path), documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true }) as JsonObject ?? [];
            }
            catch (JsonException e)
            {
                throw new LocalHostConfigurationException($"{path} is not valid JSON: {e.Message}");
            }
        }

        foreach (var (key, value) in settings.WithPrefix(OverridePrefix))
        {
            var segments = key.Split(["__", ":"], StringSplitOptions.RemoveEmptyEntries);
            if (segments.Length < 2 || !segments[0].Equals(OverridePrefix, StringComparison.OrdinalIgnoreCase)) continue;
            Apply(root, segments[1..], value);
        }

        return FromJson(root, path, processorCount ?? DefaultProcessorCount());
    }

    /// <summary>Reads the settings from a parsed host.json.</summary>
    public static HostJsonSettings FromJson(JsonObject root, string source, int processorCount)
    {
        var extensions = Child(root, "extensions");
        var http = extensions is null ? null : Child(extensions, "http");
        var routePrefix = http is null ? null : Child(http, "routePrefix")?.ToString();
        var q = extensions is null ? null : Child(extensions, "queues");

        var batchSize = Int(q, "batchSize", source) ?? 16;
        if (batchSize is < 1 or > 32) throw new LocalHostConfigurationException($"{source}: extensions.queues.batchSize is {batchSize}; it must be 1 to 32.");
        var threshold = Int(q, "newBatchThreshold", source) ?? QueueSettings.DefaultNewBatchThreshold(batchSize, processorCount);
        if (threshold < 0) throw new LocalHostConfigurationException($"{source}: extensions.queues.newBatchThreshold must not be negative.");
        var maxDequeue = Int(q, "maxDequeueCount", source) ?? 5;
        if (maxDequeue < 1) throw new LocalHostConfigurationException($"{source}: extensions.queues.maxDequeueCount must be at least 1.");
        var maxPolling = Span(q, "maxPollingInterval", source) ?? TimeSpan.FromMinutes(1);
        if (maxPolling < QueueSettings.MinimumPollingInterval) throw new LocalHostConfigurationException($"{source}: extensions.queues.maxPollingInterval must not be less than {QueueSettings.MinimumPollingInterval}.");
        var encodingText = (q is null ? null : Child(q, "messageEncoding")?.ToString()) ?? "base64";
        var encoding = encodingText.ToUpperInvariant() switch
        {
            "BASE64" => QueueMessageEncoding.Base64,
            "NONE" => QueueMessageEncoding.None,
            _ => throw new LocalHostConfigurationException($"{source}: extensions.queues.messageEncoding is '{encodingText}'; it must be 'base64' or 'none'."),
        };

        var timeoutText = Child(root, "functionTimeout")?.ToString();
        TimeSpan? timeout = DefaultFunctionTimeout;
        if (timeoutText is not null)
        {
            timeout = timeoutText == "-1" ? null
                : TimeSpan.TryParse(timeoutText, CultureInfo.InvariantCulture, out var t) && t > TimeSpan.Zero ? t
                : throw new LocalHostConfigurationException($"{source}: functionTimeout '{timeoutText}' is not a positive time span (hh:mm:ss) or -1.");
        }

        return new HostJsonSettings(
            (routePrefix ?? "api").Trim('/'),
            new QueueSettings
            {
                BatchSize = batchSize,
                NewBatchThreshold = threshold,
                MaxPollingInterval = maxPolling,
                VisibilityTimeout = Span(q, "visibilityTimeout", source) ?? TimeSpan.Zero,
                MaxDequeueCount = maxDequeue,
                MessageEncoding = encoding,
            },
            timeout);
    }

    /// <summary>The processor count the storage extension multiplies by: 1 on the Consumption plan, else the machine's.</summary>
    public static int DefaultProcessorCount() =>
        string.Equals(Environment.GetEnvironmentVariable("WEBSITE_SKU"), "Dynamic", StringComparison.OrdinalIgnoreCase) ? 1 : Environment.ProcessorCount;

    private static void Apply(JsonObject target, string[] path, string value)
    {
        var key = target.FirstOrDefault(p => p.Key.Equals(path[0], StringComparison.OrdinalIgnoreCase)).Key ?? path[0];
        if (path.Length == 1)
        {
            target[key] = value;
            return;
        }

        if (target[key] is not JsonObject child)
        {
            child = [];
            target[key] = child;
        }

        Apply(child, path[1..], value);
    }

    private static JsonNode? Child(JsonNode node, string name) =>
        node is JsonObject obj ? obj.FirstOrDefault(p => p.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Value : null;

    private static int? Int(JsonNode? node, string name, string source)
    {
        var value = node is null ? null : Child(node, name);
        if (value is null) return null;
        return int.TryParse(value.ToString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var i) ? i
            : throw new LocalHostConfigurationException($"{source}: extensions.queues.{name} '{value}' is not an integer.");
    }

    private static TimeSpan? Span(JsonNode? node, string name, string source)
    {
        var value = node is null ? null : Child(node, name);
        if (value is null) return null;
        if (value.GetValueKind() == JsonValueKind.String && TimeSpan.TryParse(value.GetValue<string>(), CultureInfo.InvariantCulture, out var span)) return span;
        throw new LocalHostConfigurationException($"{source}: extensions.queues.{name} '{value.ToJsonString()}' is not a time span string (\"hh:mm:ss\").");
    }
}
