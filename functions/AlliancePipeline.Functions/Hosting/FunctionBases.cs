using System.Text.Json;

namespace AlliancePipeline.Functions.Hosting;

/// <summary>
/// A function with an <c>httpTrigger</c> and an <c>http</c> output binding. The host passes the request in
/// <c>Data[TriggerBindingName]</c> and takes the answer from <c>Outputs[OutputBindingName]</c>; with
/// <c>enableForwardingHttpRequest</c> the handler serves <c>/{routePrefix}/{Route}</c> itself and calls the same
/// <see cref="HandleAsync"/>.
/// </summary>
public abstract class HttpFunction : IFunction
{
    /// <inheritdoc />
    public abstract string Name { get; }

    /// <inheritdoc />
    public TriggerKind Trigger => TriggerKind.Http;

    /// <inheritdoc />
    public virtual string TriggerBindingName => "req";

    /// <summary>The name of the http output binding.</summary>
    public virtual string OutputBindingName => "res";

    /// <summary>The route template, as in <c>function.json</c> (without the route prefix).</summary>
    public abstract string Route { get; }

    /// <summary>The HTTP methods, upper case, as in <c>function.json</c>.</summary>
    public abstract IReadOnlyList<string> Methods { get; }

    /// <summary>Handles one request.</summary>
    public abstract Task<HttpResponseData> HandleAsync(HttpRequestData request, InvocationLog log, CancellationToken cancellationToken);

    /// <inheritdoc />
    public async Task<InvocationResponse> InvokeAsync(InvocationRequest request, InvocationLog log, CancellationToken cancellationToken)
    {
        if (!request.Data.TryGetValue(TriggerBindingName, out var element) || element.ValueKind != JsonValueKind.Object)
            throw new InvocationPayloadException($"Data.{TriggerBindingName} (the HTTP request) is missing or not an object.");
        var http = element.Deserialize<HttpRequestData>(ProtocolJson.Options)
            ?? throw new InvocationPayloadException($"Data.{TriggerBindingName} is null.");
        var answer = await HandleAsync(http, log, cancellationToken).ConfigureAwait(false);
        return new InvocationResponse { Outputs = { [OutputBindingName] = answer } };
    }
}

/// <summary>A queue message as a queue trigger delivers it: its text and the host's metadata.</summary>
/// <param name="Text">The message text (decoded from base64).</param>
/// <param name="Id">The message id.</param>
/// <param name="DequeueCount">How many times it has been received, this time included.</param>
/// <param name="InsertionTime">When it was enqueued.</param>
public sealed record QueueMessageData(string Text, string Id, long DequeueCount, DateTimeOffset? InsertionTime);

/// <summary>A function with a <c>queueTrigger</c>. Throwing fails the invocation: the host retries, then poisons.</summary>
public abstract class QueueFunction : IFunction
{
    /// <inheritdoc />
    public abstract string Name { get; }

    /// <inheritdoc />
    public TriggerKind Trigger => TriggerKind.Queue;

    /// <inheritdoc />
    public virtual string TriggerBindingName => "message";

    /// <summary>The queue it listens to, as in <c>function.json</c>'s <c>queueName</c>.</summary>
    public abstract string QueueName { get; }

    /// <summary>Handles one message.</summary>
    public abstract Task HandleAsync(QueueMessageData message, InvocationLog log, CancellationToken cancellationToken);

    /// <inheritdoc />
    public async Task<InvocationResponse> InvokeAsync(InvocationRequest request, InvocationLog log, CancellationToken cancellationToken)
    {
        if (!request.Data.TryGetValue(TriggerBindingName, out var element))
            throw new InvocationPayloadException($"Data.{TriggerBindingName} (the queue message) is missing.");
        // The host passes the message text as a JSON string; a host that parsed JSON text would pass the object.
        var text = element.ValueKind == JsonValueKind.String ? element.GetString() ?? "" : element.GetRawText();
        var message = new QueueMessageData(
            text,
            Meta(request, "Id")?.ToString() ?? "",
            Meta(request, "DequeueCount") is { } d && long.TryParse(d.ToString(), out var n) ? n : 0,
            Meta(request, "InsertionTime") is { } t && DateTimeOffset.TryParse(t.ToString(), out var at) ? at : null);
        await HandleAsync(message, log, cancellationToken).ConfigureAwait(false);
        return new InvocationResponse();
    }

    private static JsonElement? Meta(InvocationRequest request, string name) =>
        request.Metadata.TryGetValue(name, out var value) && value.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined) ? value : null;
}

/// <summary>The timer trigger's value: its schedule status and whether this run is past due.</summary>
/// <param name="IsPastDue">True when the run is late (the app was down when it was due).</param>
/// <param name="Last">The previous occurrence, when known.</param>
/// <param name="Next">The next occurrence, when known.</param>
public sealed record TimerInfo(bool IsPastDue, DateTimeOffset? Last, DateTimeOffset? Next);

/// <summary>A function with a <c>timerTrigger</c>.</summary>
public abstract class TimerFunction : IFunction
{
    /// <inheritdoc />
    public abstract string Name { get; }

    /// <inheritdoc />
    public TriggerKind Trigger => TriggerKind.Timer;

    /// <inheritdoc />
    public virtual string TriggerBindingName => "timer";

    /// <summary>The six-field NCRONTAB schedule, as in <c>function.json</c>.</summary>
    public abstract string Schedule { get; }

    /// <summary>Handles one occurrence.</summary>
    public abstract Task HandleAsync(TimerInfo timer, InvocationLog log, CancellationToken cancellationToken);

    /// <inheritdoc />
    public async Task<InvocationResponse> InvokeAsync(InvocationRequest request, InvocationLog log, CancellationToken cancellationToken)
    {
        var info = new TimerInfo(false, null, null);
        if (request.Data.TryGetValue(TriggerBindingName, out var element) && element.ValueKind == JsonValueKind.Object)
        {
            var pastDue = element.TryGetProperty("IsPastDue", out var p) && p.ValueKind == JsonValueKind.True;
            DateTimeOffset? last = null, next = null;
            if (element.TryGetProperty("ScheduleStatus", out var status) && status.ValueKind == JsonValueKind.Object)
            {
                if (status.TryGetProperty("Last", out var l) && l.TryGetDateTimeOffset(out var lv)) last = lv;
                if (status.TryGetProperty("Next", out var n) && n.TryGetDateTimeOffset(out var nv)) next = nv;
            }
            info = new TimerInfo(pastDue, last, next);
        }
        await HandleAsync(info, log, cancellationToken).ConfigureAwait(false);
        return new InvocationResponse();
    }
}

/// <summary>The host's payload lacks what the trigger needs: the handler answers 400.</summary>
public sealed class InvocationPayloadException(string message) : Exception(message);
