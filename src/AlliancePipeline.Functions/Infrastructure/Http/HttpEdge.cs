using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Hosting;

namespace AlliancePipeline.Functions.Infrastructure.Http;

/// <summary>The worker middleware of the HTTP functions, in the order they run.</summary>
public static class HttpEdge
{
    /// <summary>
    /// Adds, for HTTP functions: <see cref="TransportSecurityMiddleware"/> (HSTS on every answer served over HTTPS, first
    /// so that it covers the others' answers too), <see cref="UnexpectedFailureMiddleware"/> (500 rather than an empty 200 when
    /// a function fails before answering, around the rest), <see cref="RequestLimitsMiddleware"/> (413/415 before anything else),
    /// <see cref="StorageUnavailableMiddleware"/> (503 instead of what storage could not do, around the rest), and for
    /// functions with <see cref="KeyAccessAttribute"/>, <see cref="KeyAccessMiddleware"/> (the key, then the function).
    /// </summary>
    public static IFunctionsWorkerApplicationBuilder UseHttpEdge(this IFunctionsWorkerApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.UseWhen<TransportSecurityMiddleware>(IsHttp);
        builder.UseWhen<UnexpectedFailureMiddleware>(IsHttp);
        builder.UseWhen<RequestLimitsMiddleware>(IsHttp);
        builder.UseWhen<StorageUnavailableMiddleware>(IsHttp);
        builder.UseWhen<KeyAccessMiddleware>(KeyAccessMiddleware.Applies);
        return builder;
    }

    /// <summary>
    /// How an HTTP function's failure is answered, by its <see cref="StorageOutageAttribute.Answer"/>: the questionnaire's
    /// or the pause link's answer in the rater's language (<see cref="RaterAnswers.PageLanguage"/>), else
    /// <paramref name="standard"/> as the function's key refusals are answered, a page or problem details
    /// (<see cref="KeyAccessAttribute.AnswerFor"/>). One choice for <see cref="StorageUnavailableMiddleware"/> (503) and
    /// <see cref="UnexpectedFailureMiddleware"/> (500).
    /// </summary>
    internal static IResult FailureAnswer(FunctionContext context, HttpRequest request, Func<HttpRequest, string?, IResult> questionnaire,
        Func<HttpRequest, string?, IResult> pauseLink, Func<AnswerAs, IResult> standard) =>
        (FunctionAttributes.Get<StorageOutageAttribute>(context)?.Answer ?? OutageAnswer.Standard) switch
        {
            OutageAnswer.Questionnaire => questionnaire(request, RaterAnswers.PageLanguage(context, request)),
            OutageAnswer.PauseLink => pauseLink(request, RaterAnswers.PageLanguage(context, request)),
            _ => standard(FunctionAttributes.Get<KeyAccessAttribute>(context)?.AnswerFor(request, context.RouteValue(KeyAccessAttribute.FileRouteValue)) ?? AnswerAs.Json),
        };

    /// <summary>Whether <paramref name="context"/> is an HTTP-triggered function.</summary>
    public static bool IsHttp(FunctionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.FunctionDefinition.InputBindings.Values.Any(b => string.Equals(b.Type, "httpTrigger", StringComparison.OrdinalIgnoreCase));
    }
}
