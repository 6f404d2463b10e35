using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;

namespace AlliancePipeline.Functions.Infrastructure.Http;

/// <summary>
/// Answers 500 when an HTTP function fails with an exception that nothing nearer answered, before its answer began: problem
/// details, or for a page the same message as a page (a rater's page in the rater's language), never a stack trace. Without
/// it the worker's ASP.NET Core integration completes the response as the function left it, a 200 with an empty body,
/// while the host learns of the failure only from the invocation's result: a client can take a failed export for an
/// empty one. The exception is thrown on, so the invocation still fails and is logged as it was. An answer already begun
/// (a streamed export) is the function's to end (<see cref="HttpResults"/> aborts its connection); a request its client
/// gave up is not answered.
/// </summary>
public sealed class UnexpectedFailureMiddleware(ILogger<UnexpectedFailureMiddleware> log) : IFunctionsWorkerMiddleware
{
    /// <summary>The problem's title.</summary>
    public const string Title = "Something went wrong";

    /// <summary>The problem's detail.</summary>
    public const string Detail = "The request failed on the server, and the failure was logged. Please try again later; if it fails again, tell the study's administrator.";

    /// <inheritdoc />
    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        try
        {
            await next(context).ConfigureAwait(false);
        }
        catch (Exception e) when (context.GetHttpContext() is { Response.HasStarted: false, RequestAborted.IsCancellationRequested: false })
        {
            var http = context.GetHttpContext()!;
            var request = http.Request;
            log.LogError("{Function} failed before answering ({Exception}); answered 500.", context.FunctionDefinition.Name, e.GetType().Name);
            var answer = HttpEdge.FailureAnswer(context, request, RaterAnswers.QuestionnaireFailed, RaterAnswers.PauseFailed, AccessResults.Failed);
            try
            {
                http.Response.Clear();
                await answer.ExecuteAsync(http).ConfigureAwait(false);
            }
            catch (Exception answering) when (answering is IOException or OperationCanceledException or InvalidOperationException)
            {
                // The client went away, or the answer could not be written: the invocation's own failure is what is thrown on.
            }
            throw;
        }
    }
}
