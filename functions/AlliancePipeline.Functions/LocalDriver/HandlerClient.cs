using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace AlliancePipeline.Functions.LocalDriver;

/// <summary>What the handler answered to one invocation.</summary>
/// <param name="StatusCode">The HTTP status of the answer; 2xx is success.</param>
/// <param name="Body">The answer's JSON (Outputs, Logs, ReturnValue), or null if it was not JSON.</param>
public sealed record InvocationResult(int StatusCode, JsonObject? Body)
{
    /// <summary>Whether the invocation succeeded.</summary>
    public bool Succeeded => StatusCode is >= 200 and < 300;

    /// <summary>The handler's log lines.</summary>
    public IReadOnlyList<string> Logs => Body?["Logs"] is JsonArray a ? [.. a.Select(x => x?.ToString() ?? "")] : [];

    /// <summary>Why it failed, for the driver's log: the handler's log lines or the status.</summary>
    public string FailureReason => Logs.Count > 0 ? string.Join(" | ", Logs) : $"the handler answered {StatusCode}";
}

/// <summary>
/// Posts invocations to the custom handler exactly as the Functions host does: <c>POST /{FunctionName}</c> with
/// <c>{"Data": …, "Metadata": …}</c>; and builds the payloads of each trigger kind.
/// </summary>
public sealed class HandlerClient(HttpClient http)
{
    /// <summary>The underlying client (its BaseAddress is the handler).</summary>
    public HttpClient Http => http;

    /// <summary>Invokes a function; a connection failure is a failed invocation (status 503).</summary>
    public async Task<InvocationResult> InvokeAsync(string functionName, JsonObject data, JsonObject metadata, CancellationToken ct)
    {
        var payload = new JsonObject { ["Data"] = data, ["Metadata"] = metadata };
        try
        {
            using var response = await http.PostAsJsonAsync("/" + functionName, payload, ct).ConfigureAwait(false);
            var text = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
            JsonObject? body = null;
            try { body = JsonNode.Parse(text) as JsonObject; } catch (JsonException) { }
            return new InvocationResult((int)response.StatusCode, body);
        }
        catch (HttpRequestException e)
        {
            return new InvocationResult(503, new JsonObject { ["Logs"] = new JsonArray($"The handler could not be reached: {e.Message}") });
        }
    }

    /// <summary>Waits until <c>GET /</c> answers 2xx (the host's readiness check).</summary>
    public async Task WaitUntilReadyAsync(TimeSpan timeout, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                using var r = await http.GetAsync("/", ct).ConfigureAwait(false);
                if (r.IsSuccessStatusCode) return;
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline) { }
            if (DateTime.UtcNow >= deadline) throw new TimeoutException($"The handler at {http.BaseAddress} did not answer GET / within {timeout}.");
            await Task.Delay(100, ct).ConfigureAwait(false);
        }
    }

    /// <summary>The <c>sys</c> metadata the host adds to every invocation.</summary>
    public static JsonObject Sys(string functionName, DateTimeOffset utcNow) => new()
    {
        ["MethodName"] = functionName,
        ["UtcNow"] = utcNow.UtcDateTime.ToString("O"),
        ["RandGuid"] = Guid.NewGuid().ToString(),
    };

    /// <summary>Data and Metadata of a queue trigger for one message.</summary>
    public static (JsonObject Data, JsonObject Metadata) QueuePayload(FunctionDefinition function, Storage.Queues.QueueMessage message, DateTimeOffset utcNow) => (
        new JsonObject { [function.TriggerName] = message.MessageText },
        new JsonObject
        {
            ["DequeueCount"] = message.DequeueCount,
            ["ExpirationTime"] = message.ExpiresOn.ToString("O"),
            ["Id"] = message.MessageId,
            ["InsertionTime"] = message.InsertedOn.ToString("O"),
            ["NextVisibleTime"] = message.NextVisibleOn.ToString("O"),
            ["PopReceipt"] = message.PopReceipt,
            ["sys"] = Sys(function.Name, utcNow),
        });

    /// <summary>Data and Metadata of a timer trigger.</summary>
    public static (JsonObject Data, JsonObject Metadata) TimerPayload(FunctionDefinition function, bool isPastDue, DateTimeOffset? last, DateTimeOffset? next, DateTimeOffset utcNow) => (
        new JsonObject
        {
            [function.TriggerName] = new JsonObject
            {
                ["Schedule"] = new JsonObject { ["AdjustForDST"] = true },
                ["ScheduleStatus"] = new JsonObject
                {
                    ["Last"] = last?.ToString("O"),
                    ["Next"] = next?.ToString("O"),
                    ["LastUpdated"] = utcNow.ToString("O"),
                },
                ["IsPastDue"] = isPastDue,
            },
        },
        new JsonObject { ["sys"] = Sys(function.Name, utcNow) });
}
