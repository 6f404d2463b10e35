using System.Text.Json;
using System.Text.Json.Serialization;

namespace AlliancePipeline.Functions.Hosting;

/// <summary>
/// The body of <c>POST /{FunctionName}</c> that the Functions host sends a custom handler: <c>Data</c> holds the
/// trigger and input bindings by binding name, <c>Metadata</c> the trigger metadata (for a queue: DequeueCount, Id,
/// InsertionTime, ExpirationTime, NextVisibleTime, PopReceipt) and <c>sys</c> (MethodName, UtcNow, RandGuid).
/// Names are PascalCase on the wire, as the host sends them.
/// </summary>
public sealed class InvocationRequest
{
    /// <summary>Trigger and input binding data by binding name.</summary>
    [JsonPropertyName("Data")]
    public Dictionary<string, JsonElement> Data { get; init; } = new(StringComparer.Ordinal);

    /// <summary>Trigger metadata by name.</summary>
    [JsonPropertyName("Metadata")]
    public Dictionary<string, JsonElement> Metadata { get; init; } = new(StringComparer.Ordinal);
}

/// <summary>
/// The answer to an invocation: <c>Outputs</c> by output binding name (for HTTP: <c>res</c>), <c>Logs</c> that the host
/// writes to the function's log, and <c>ReturnValue</c> (for a <c>$return</c> binding). A non-2xx status of the answer
/// tells the host the invocation failed.
/// </summary>
public sealed class InvocationResponse
{
    /// <summary>Output binding values by binding name.</summary>
    [JsonPropertyName("Outputs")]
    public Dictionary<string, object?> Outputs { get; init; } = new(StringComparer.Ordinal);

    /// <summary>Log lines the host adds to the invocation's log.</summary>
    [JsonPropertyName("Logs")]
    public List<string> Logs { get; init; } = [];

    /// <summary>The value of a <c>$return</c> output binding, if any.</summary>
    [JsonPropertyName("ReturnValue")]
    public object? ReturnValue { get; set; }
}

/// <summary>The JSON options of the protocol: names exactly as declared, no camel-casing, case-insensitive reads.</summary>
public static class ProtocolJson
{
    /// <summary>Options for payloads of the custom-handler protocol.</summary>
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.General)
    {
        PropertyNameCaseInsensitive = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };
}
