using AlliancePipeline.Functions.Infrastructure.Storage;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;

namespace AlliancePipeline.Functions.Infrastructure.Http;

/// <summary>
/// Answers 503 with Retry-After when storage cannot serve an HTTP function (<see cref="StorageUnavailable.Is"/>: unreachable,
/// timed out, throttled, 5xx, after the SDK's own retries), never a 500: the client may try again, and nothing was
/// acknowledged. The answer and the log line are the function's (<see cref="StorageOutageAttribute"/>); while a key is
/// still being checked (<see cref="KeyAccessMiddleware"/>), they are the key check's. Queue and timer functions are not
/// under it: they throw, and the host retries them.
/// </summary>
public sealed class StorageUnavailableMiddleware(ILogger<StorageUnavailableMiddleware> log) : IFunctionsWorkerMiddleware
{
    /// <inheritdoc />
    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        try
        {
            await next(context).ConfigureAwait(false);
        }
        catch (Exception e) when (StorageUnavailable.Is(e) && context.GetHttpContext() is { Response.HasStarted: false })
        {
            var http = context.GetHttpContext()!;
            var request = http.Request;
            var access = FunctionAttributes.Get<KeyAccessAttribute>(context);
            var outage = FunctionAttributes.Get<StorageOutageAttribute>(context);
            var what = access is not null && !context.HasCaller()
                ? "An access key could not be checked"
                : outage?.WhatFor(request.Method) ?? $"A {context.FunctionDefinition.Name} request could not be served";
            log.LogWarning("{What} (storage unavailable: {Reason}); answered 503.", what, StorageUnavailable.Describe(e));
            var answer = HttpEdge.FailureAnswer(context, request, RaterAnswers.QuestionnaireUnavailable, RaterAnswers.PauseUnavailable, answerAs => AccessResults.Unavailable(request, answerAs));
            await answer.ExecuteAsync(http).ConfigureAwait(false);
        }
    }
}
