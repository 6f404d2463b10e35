using System.Text.Json;
using System.Text.Json.Nodes;
using AlliancePipeline.LocalHost.Configuration;
using AlliancePipeline.LocalHost.Rpc;

namespace AlliancePipeline.LocalHost.Functions;

/// <summary>One binding of a function as the worker described it (a raw binding), with <c>%Setting%</c> references resolved.</summary>
internal sealed record BindingDescription(string Name, string Type, string Direction, string? DataType, JsonObject Raw)
{
    /// <summary>The binding properties whose <c>%Setting%</c> references the host resolves before use.</summary>
    public static readonly IReadOnlySet<string> ResolvedProperties = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "queueName", "schedule", "blobPath", "path", "connection",
    };

    /// <summary>Whether this binding is the trigger.</summary>
    public bool IsTrigger => Type.EndsWith("Trigger", StringComparison.OrdinalIgnoreCase);

    /// <summary>Whether the worker sends data for it after an invocation.</summary>
    public bool IsOutput => Direction.Equals("out", StringComparison.OrdinalIgnoreCase) || Direction.Equals("inout", StringComparison.OrdinalIgnoreCase);

    /// <summary>A property's text (case-insensitive name), or null.</summary>
    public string? Property(string name)
    {
        var node = Raw.FirstOrDefault(p => p.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Value;
        return node is null ? null : node.GetValueKind() == JsonValueKind.String ? node.GetValue<string>() : node.ToJsonString();
    }

    /// <summary>A boolean property, or null when absent.</summary>
    public bool? BoolProperty(string name, string context)
    {
        var text = Property(name);
        if (text is null) return null;
        return bool.TryParse(text, out var value) ? value : throw new LocalHostConfigurationException($"{context}: binding property {name} '{text}' is not true or false.");
    }

    /// <summary>Parses one raw binding (the JSON text from the worker's metadata) and resolves its <c>%Setting%</c> references.</summary>
    public static BindingDescription Parse(string rawBinding, AppSettings settings, string functionName)
    {
        JsonObject raw;
        try
        {
            raw = JsonNode.Parse(rawBinding) as JsonObject ?? throw new LocalHostConfigurationException($"Function {functionName}: a raw binding is not a JSON object: {rawBinding}");
        }
        catch (JsonException e)
        {
            throw new LocalHostConfigurationException($"Function {functionName}: a raw binding is not valid JSON ({e.Message}): {rawBinding}");
        }

        foreach (var property in raw.Where(p => ResolvedProperties.Contains(p.Key) && p.Value?.GetValueKind() == JsonValueKind.String).ToList())
        {
            raw[property.Key] = settings.Resolve(property.Value!.GetValue<string>(), $"Function {functionName}, binding property {property.Key}");
        }

        string Required(string name) => raw[name]?.GetValueKind() == JsonValueKind.String ? raw[name]!.GetValue<string>()
            : throw new LocalHostConfigurationException($"Function {functionName}: a binding has no '{name}': {rawBinding}");
        return new BindingDescription(Required("name"), Required("type"), raw["direction"]?.ToString() ?? "In", raw["dataType"]?.ToString(), raw);
    }

    /// <summary>The binding as the host sends it in a FunctionLoadRequest (type, direction and data type only).</summary>
    public BindingInfo ToBindingInfo() => new()
    {
        Type = Type,
        Direction = Direction.ToUpperInvariant() switch
        {
            "OUT" => BindingInfo.Types.Direction.Out,
            "INOUT" => BindingInfo.Types.Direction.Inout,
            _ => BindingInfo.Types.Direction.In,
        },
        DataType = DataType?.ToUpperInvariant() switch
        {
            "STRING" => BindingInfo.Types.DataType.String,
            "BINARY" => BindingInfo.Types.DataType.Binary,
            "STREAM" => BindingInfo.Types.DataType.Stream,
            _ => BindingInfo.Types.DataType.Undefined,
        },
    };
}

/// <summary>The trigger kinds the local host drives.</summary>
internal static class TriggerTypes
{
    public const string Http = "httpTrigger";
    public const string Queue = "queueTrigger";
    public const string Timer = "timerTrigger";
}

/// <summary>One function of the app: the worker's metadata, its bindings, and what its trigger needs.</summary>
internal sealed class FunctionDescriptor
{
    private FunctionDescriptor(RpcFunctionMetadata metadata, IReadOnlyList<BindingDescription> bindings, BindingDescription trigger, bool isDisabled)
    {
        Metadata = metadata;
        Bindings = bindings;
        Trigger = trigger;
        IsDisabled = isDisabled;
    }

    /// <summary>The function name.</summary>
    public string Name => Metadata.Name;

    /// <summary>The worker's metadata for it.</summary>
    public RpcFunctionMetadata Metadata { get; }

    /// <summary>All its bindings.</summary>
    public IReadOnlyList<BindingDescription> Bindings { get; }

    /// <summary>Its trigger binding.</summary>
    public BindingDescription Trigger { get; }

    /// <summary>The output bindings the host writes (not <c>http</c>: the worker answers HTTP itself).</summary>
    public IEnumerable<BindingDescription> Outputs => Bindings.Where(b => b.IsOutput && !b.Type.Equals("http", StringComparison.OrdinalIgnoreCase));

    /// <summary>The trigger type as the worker spelled it.</summary>
    public string TriggerType => Trigger.Type;

    /// <summary>Whether it is disabled by the app setting <c>AzureWebJobs.{name}.Disabled</c>: not triggered, still invocable through the admin API.</summary>
    public bool IsDisabled { get; }

    /// <summary>Whether the trigger is of <paramref name="type"/>.</summary>
    public bool Is(string type) => TriggerType.Equals(type, StringComparison.OrdinalIgnoreCase);

    /// <summary>The HTTP route template without the prefix (default: the function name).</summary>
    public string Route => Trigger.Property("route") is { Length: > 0 } route ? route.Trim('/') : Name;

    /// <summary>The HTTP methods, upper case (empty: all).</summary>
    public IReadOnlyList<string> Methods =>
        Trigger.Raw["methods"] is JsonArray methods ? [.. methods.Select(m => m!.ToString().ToUpperInvariant())] : [];

    /// <summary>Builds the descriptor of one function from the worker's metadata.</summary>
    public static FunctionDescriptor Create(RpcFunctionMetadata metadata, AppSettings settings)
    {
        if (metadata.RawBindings.Count == 0) throw new LocalHostConfigurationException($"Function {metadata.Name}: the worker sent no bindings.");
        var bindings = metadata.RawBindings.Select(r => BindingDescription.Parse(r, settings, metadata.Name)).ToList();
        var triggers = bindings.Where(b => b.IsTrigger).ToList();
        if (triggers.Count != 1) throw new LocalHostConfigurationException($"Function {metadata.Name} has {triggers.Count} trigger bindings; it must have exactly one.");
        var disabled = settings[$"AzureWebJobs.{metadata.Name}.Disabled"] is { } d && bool.TryParse(d, out var isDisabled) && isDisabled;
        return new FunctionDescriptor(metadata, bindings, triggers[0], disabled);
    }

    /// <summary>The FunctionLoadRequest the host sends for this function, its bindings built from the raw bindings.</summary>
    public FunctionLoadRequest ToLoadRequest()
    {
        var metadata = new RpcFunctionMetadata
        {
            Name = Metadata.Name,
            FunctionId = Metadata.FunctionId,
            Directory = Metadata.Directory,
            EntryPoint = Metadata.EntryPoint,
            ScriptFile = Metadata.ScriptFile,
            Language = Metadata.Language,
            IsProxy = false,
        };
        foreach (var binding in Bindings) metadata.Bindings[binding.Name] = binding.ToBindingInfo();
        foreach (var (key, value) in Metadata.Properties) metadata.Properties[key] = value;
        return new FunctionLoadRequest { FunctionId = Metadata.FunctionId, Metadata = metadata };
    }
}
