using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace AlliancePipeline.Functions.LocalDriver;

/// <summary>
/// The queue settings of <c>host.json</c> (<c>extensions.queues</c>), with the host's defaults for what it leaves out:
/// maxPollingInterval 1 minute, visibilityTimeout 0, batchSize 16, maxDequeueCount 5, newBatchThreshold batchSize/2,
/// messageEncoding base64.
/// </summary>
public sealed record QueueSettings
{
    /// <summary>The longest wait between polls of an empty queue.</summary>
    public TimeSpan MaxPollingInterval { get; init; } = TimeSpan.FromMinutes(1);
    /// <summary>How long a failed message stays hidden before its next try.</summary>
    public TimeSpan VisibilityTimeout { get; init; } = TimeSpan.Zero;
    /// <summary>How many messages one poll fetches (1–32).</summary>
    public int BatchSize { get; init; } = 16;
    /// <summary>Dequeues after which a failing message goes to the poison queue.</summary>
    public int MaxDequeueCount { get; init; } = 5;
    /// <summary>A new batch is fetched when the number of running messages is down to this.</summary>
    public int NewBatchThreshold { get; init; } = 8;
    /// <summary>The message encoding: base64 (all this app's storage client speaks).</summary>
    public string MessageEncoding { get; init; } = "base64";
}

/// <summary>What the driver needs from <c>host.json</c>.</summary>
/// <param name="RoutePrefix">extensions.http.routePrefix (default <c>api</c>).</param>
/// <param name="EnableForwardingHttpRequest">customHandler.enableForwardingHttpRequest.</param>
/// <param name="Queues">extensions.queues.</param>
public sealed record HostSettings(string RoutePrefix, bool EnableForwardingHttpRequest, QueueSettings Queues);

/// <summary>One function as its <c>function.json</c> declares it: its trigger binding, and for each kind what drives it.</summary>
public sealed record FunctionDefinition
{
    /// <summary>The folder name.</summary>
    public required string Name { get; init; }
    /// <summary>The trigger binding type (httpTrigger, queueTrigger, timerTrigger).</summary>
    public required string TriggerType { get; init; }
    /// <summary>The trigger binding name.</summary>
    public required string TriggerName { get; init; }
    /// <summary>httpTrigger: the route template (default: the function name).</summary>
    public string? Route { get; init; }
    /// <summary>httpTrigger: the methods, upper case (empty = all).</summary>
    public IReadOnlyList<string> Methods { get; init; } = [];
    /// <summary>httpTrigger: the authLevel.</summary>
    public string? AuthLevel { get; init; }
    /// <summary>The name of the http output binding, if any.</summary>
    public string? HttpOutputName { get; init; }
    /// <summary>queueTrigger: the queue.</summary>
    public string? QueueName { get; init; }
    /// <summary>timerTrigger: the six-field NCRONTAB schedule.</summary>
    public string? Schedule { get; init; }
    /// <summary>timerTrigger: run once when the app starts.</summary>
    public bool RunOnStartup { get; init; }
    /// <summary>timerTrigger: keep schedule status (for the past-due check); the host's default is true.</summary>
    public bool UseMonitor { get; init; } = true;
}

/// <summary>
/// Reads a function app's script root as the Functions host does: <c>host.json</c> and every <c>*/function.json</c>.
/// Settings named <c>AzureFunctionsJobHost__path__to__setting</c> override host.json, as they do for the host.
/// </summary>
public sealed record FunctionAppMetadata(HostSettings Host, IReadOnlyList<FunctionDefinition> Functions)
{
    /// <summary>The configuration section whose keys override host.json (the host's convention).</summary>
    public const string HostOverrideSection = "AzureFunctionsJobHost";

    /// <summary>Reads host.json and the function.json files under <paramref name="scriptRoot"/>.</summary>
    public static FunctionAppMetadata Load(string scriptRoot, IConfiguration? configuration = null)
    {
        var hostPath = Path.Combine(scriptRoot, "host.json");
        if (!File.Exists(hostPath)) throw new FileNotFoundException($"host.json not found in {scriptRoot}.", hostPath);
        var host = JsonNode.Parse(File.ReadAllText(hostPath), documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true })?.AsObject()
            ?? throw new InvalidDataException($"{hostPath} is empty.");
        if (configuration is not null) ApplyOverrides(host, configuration.GetSection(HostOverrideSection));

        var q = host["extensions"]?["queues"];
        var batch = Int(q?["batchSize"]) ?? 16;
        var queues = new QueueSettings
        {
            MaxPollingInterval = Span(q?["maxPollingInterval"]) ?? TimeSpan.FromMinutes(1),
            VisibilityTimeout = Span(q?["visibilityTimeout"]) ?? TimeSpan.Zero,
            BatchSize = batch,
            MaxDequeueCount = Int(q?["maxDequeueCount"]) ?? 5,
            NewBatchThreshold = Int(q?["newBatchThreshold"]) ?? batch / 2,
            MessageEncoding = q?["messageEncoding"]?.ToString() ?? "base64",
        };
        if (queues.BatchSize is < 1 or > 32) throw new InvalidDataException($"host.json extensions.queues.batchSize is {queues.BatchSize}: it must be 1–32.");
        if (queues.MaxDequeueCount < 1) throw new InvalidDataException("host.json extensions.queues.maxDequeueCount must be at least 1.");
        if (!string.Equals(queues.MessageEncoding, "base64", StringComparison.OrdinalIgnoreCase))
            throw new InvalidDataException($"host.json extensions.queues.messageEncoding is '{queues.MessageEncoding}': this app's queues are base64.");
        var settings = new HostSettings(
            host["extensions"]?["http"]?["routePrefix"]?.ToString() ?? "api",
            Bool(host["customHandler"]?["enableForwardingHttpRequest"]) ?? false,
            queues);

        var functions = new List<FunctionDefinition>();
        foreach (var dir in Directory.EnumerateDirectories(scriptRoot).OrderBy(d => d, StringComparer.Ordinal))
        {
            var path = Path.Combine(dir, "function.json");
            if (File.Exists(path)) functions.Add(ReadFunction(Path.GetFileName(dir), path));
        }
        return new FunctionAppMetadata(settings, functions);
    }

    private static FunctionDefinition ReadFunction(string name, string path)
    {
        var root = JsonNode.Parse(File.ReadAllText(path))?.AsObject() ?? throw new InvalidDataException($"{path} is empty.");
        var bindings = root["bindings"]?.AsArray() ?? throw new InvalidDataException($"{path} has no bindings.");
        var triggers = bindings.Where(b => b?["type"]?.ToString().EndsWith("Trigger", StringComparison.Ordinal) == true).ToList();
        if (triggers.Count != 1) throw new InvalidDataException($"{path} must have exactly one trigger binding, has {triggers.Count}.");
        var t = triggers[0]!;
        var httpOut = bindings.FirstOrDefault(b => b?["type"]?.ToString() == "http" && b?["direction"]?.ToString() == "out");
        return new FunctionDefinition
        {
            Name = name,
            TriggerType = t["type"]!.ToString(),
            TriggerName = t["name"]?.ToString() ?? throw new InvalidDataException($"{path}: the trigger binding has no name."),
            Route = t["route"]?.ToString() ?? (t["type"]!.ToString() == "httpTrigger" ? name : null),
            Methods = t["methods"]?.AsArray().Select(m => m!.ToString().ToUpperInvariant()).ToList() ?? [],
            AuthLevel = t["authLevel"]?.ToString(),
            HttpOutputName = httpOut?["name"]?.ToString(),
            QueueName = t["queueName"]?.ToString(),
            Schedule = t["schedule"]?.ToString(),
            RunOnStartup = Bool(t["runOnStartup"]) ?? false,
            UseMonitor = Bool(t["useMonitor"]) ?? true,
        };
    }

    private static void ApplyOverrides(JsonObject target, IConfigurationSection section)
    {
        foreach (var child in section.GetChildren())
        {
            // Keys are matched case-insensitively, as configuration keys are.
            var existing = target.FirstOrDefault(p => string.Equals(p.Key, child.Key, StringComparison.OrdinalIgnoreCase));
            var key = existing.Key ?? child.Key;
            if (child.Value is not null) target[key] = JsonValue.Create(child.Value);
            else
            {
                if (target[key] is not JsonObject obj)
                {
                    obj = [];
                    target[key] = obj;
                }
                ApplyOverrides(obj, child);
            }
        }
    }

    private static int? Int(JsonNode? n) => n is null ? null
        : n.GetValueKind() == JsonValueKind.Number ? n.GetValue<int>()
        : int.TryParse(n.ToString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v
        : throw new InvalidDataException($"'{n}' is not an integer.");

    private static bool? Bool(JsonNode? n) => n is null ? null
        : n.GetValueKind() is JsonValueKind.True or JsonValueKind.False ? n.GetValue<bool>()
        : bool.TryParse(n.ToString(), out var v) ? v : throw new InvalidDataException($"'{n}' is not true or false.");

    private static TimeSpan? Span(JsonNode? n) => n is null ? null
        : TimeSpan.TryParse(n.ToString(), CultureInfo.InvariantCulture, out var v) ? v
        : throw new InvalidDataException($"'{n}' is not a time span (hh:mm:ss).");
}
