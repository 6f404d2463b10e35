using System.Diagnostics;
using AlliancePipeline.LocalHost.Functions;
using AlliancePipeline.LocalHost.Rpc;
using AlliancePipeline.LocalHost.Worker;

namespace AlliancePipeline.LocalHost.Invocation;

/// <summary>What one invocation sends: the trigger input and the trigger metadata.</summary>
internal sealed record InvocationInput(string InvocationId, IReadOnlyList<ParameterBinding> InputData, IReadOnlyDictionary<string, TypedData> TriggerMetadata, string Reason)
{
    /// <summary>A new invocation id.</summary>
    public static string NewId() => Guid.NewGuid().ToString();
}

/// <summary>
/// Sends InvocationRequests to the running worker and turns the answer into an <see cref="InvocationOutcome"/>:
/// output bindings written on success, the function timeout of host.json, InvocationCancel when the caller gives up
/// (if the worker handles it), a failure when the worker dies mid-invocation. Logs the host's
/// <c>Executing</c>/<c>Executed</c> lines.
/// </summary>
internal sealed class Invoker(OutputBindingWriter outputs, ILoggerFactory loggers, TimeSpan? functionTimeout)
{
    /// <summary>Invokes <paramref name="function"/> on <paramref name="worker"/>.</summary>
    public async Task<InvocationOutcome> InvokeAsync(WorkerConnection worker, FunctionDescriptor function, InvocationInput input, CancellationToken cancellationToken)
    {
        var logger = loggers.CreateLogger(LogCategories.Function(function.Name));
        var stopwatch = Stopwatch.StartNew();
        var request = new InvocationRequest
        {
            InvocationId = input.InvocationId,
            FunctionId = worker.FunctionId(function.Name) ?? throw new WorkerUnavailableException($"The running worker has no function '{function.Name}'."),
            TraceContext = new RpcTraceContext { TraceParent = Activity.Current is { IdFormat: ActivityIdFormat.W3C, Id: { } id } ? id : $"00-{ActivityTraceId.CreateRandom()}-{ActivitySpanId.CreateRandom()}-00" },
        };
        request.InputData.Add(input.InputData);
        foreach (var (key, value) in input.TriggerMetadata) request.TriggerMetadata[key] = value;
        logger.LogInformation("Executing 'Functions.{Function}' (Reason='{Reason}', Id={InvocationId})", function.Name, input.Reason, input.InvocationId);

        using var timeout = new CancellationTokenSource();
        if (functionTimeout is { } limit) timeout.CancelAfter(limit);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        InvocationOutcome outcome;
        try
        {
            var response = (await worker.Channel.RequestAsync(new StreamingMessage { InvocationRequest = request }, linked.Token).ConfigureAwait(false)).InvocationResponse;
            outcome = response.Result?.Status switch
            {
                StatusResult.Types.Status.Success => await WriteOutputsAsync(function, response, input, stopwatch).ConfigureAwait(false),
                StatusResult.Types.Status.Cancelled => Failed(function, input, "System.OperationCanceledException", "The invocation was cancelled.", stopwatch),
                _ => Failed(function, input, response.Result?.Exception?.Type, response.Result?.Exception?.Message ?? response.Result?.Result ?? "The function failed.", stopwatch),
            };
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await CancelAsync(worker, input.InvocationId).ConfigureAwait(false);
            outcome = Failed(function, input, "System.OperationCanceledException", "The invocation was cancelled: its caller went away.", stopwatch);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            await CancelAsync(worker, input.InvocationId).ConfigureAwait(false);
            outcome = Failed(function, input, "System.TimeoutException", $"Timeout value of {functionTimeout} exceeded by function 'Functions.{function.Name}' (Id: '{input.InvocationId}').", stopwatch);
        }
        catch (WorkerUnavailableException e)
        {
            outcome = Failed(function, input, typeof(WorkerUnavailableException).FullName, e.Message, stopwatch);
        }

        if (outcome.Succeeded)
        {
            logger.LogInformation("Executed 'Functions.{Function}' (Succeeded, Id={InvocationId}, Duration={Duration}ms)", function.Name, input.InvocationId, (long)outcome.Duration.TotalMilliseconds);
        }
        else if (cancellationToken.IsCancellationRequested)
        {
            logger.LogInformation("Executed 'Functions.{Function}' (Cancelled, Id={InvocationId}, Duration={Duration}ms)", function.Name, input.InvocationId, (long)outcome.Duration.TotalMilliseconds);
        }
        else
        {
            logger.LogError("Executed 'Functions.{Function}' (Failed, Id={InvocationId}, Duration={Duration}ms): {Error}", function.Name, input.InvocationId, (long)outcome.Duration.TotalMilliseconds, outcome.ExceptionMessage);
        }

        return outcome;
    }

    private async Task<InvocationOutcome> WriteOutputsAsync(FunctionDescriptor function, InvocationResponse response, InvocationInput input, Stopwatch stopwatch)
    {
        try
        {
            // Not cancelled by the caller: what the function produced is written once it succeeded.
            await outputs.WriteAsync(function, response, input.TriggerMetadata, CancellationToken.None).ConfigureAwait(false);
            return new InvocationOutcome(input.InvocationId, function.Name, true, null, null, stopwatch.Elapsed);
        }
        catch (Exception e) when (e is Azure.RequestFailedException or InvalidOperationException or IOException or HttpRequestException or System.Text.Json.JsonException or LocalHostConfigurationException)
        {
            return Failed(function, input, e.GetType().FullName, $"Writing the output bindings failed: {e.Message}", stopwatch);
        }
    }

    private static InvocationOutcome Failed(FunctionDescriptor function, InvocationInput input, string? type, string message, Stopwatch stopwatch) =>
        new(input.InvocationId, function.Name, false, string.IsNullOrEmpty(type) ? null : type, message, stopwatch.Elapsed);

    private static async Task CancelAsync(WorkerConnection worker, string invocationId)
    {
        if (!worker.HandlesInvocationCancel) return;
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await worker.Channel.SendAsync(new StreamingMessage { InvocationCancel = new InvocationCancel { InvocationId = invocationId } }, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is WorkerUnavailableException or OperationCanceledException or IOException)
        {
            // The worker is gone: nothing to cancel.
        }
    }
}
