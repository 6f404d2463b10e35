using AlliancePipeline.Core.Access;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;

namespace AlliancePipeline.Functions.Infrastructure.Http;

/// <summary>
/// Checks the access key of every function that declares <see cref="KeyAccessAttribute"/>, before it runs: the key
/// (<see cref="KeyAuthentication"/>: 400, 401, 429); a page opened by GET or HEAD with a valid key in <c>?key=</c> is
/// then answered 303 to the same address without it, the key moved into <see cref="KeyCookie"/> (whatever the key's
/// scope: no address keeps a valid key; the page then opens, or is refused, by the cookie); then the key's scope against
/// the permission on the route's <c>{studyId}</c> (403), each refusal answered as the attribute says. An accepted caller is handed to the function in
/// <see cref="FunctionContext.Items"/> (<see cref="CallerExtensions.GetCaller"/>). Where the data is filtered by site, the
/// services still do it: this decides who may call, not which rows a site key sees.
/// </summary>
public sealed class KeyAccessMiddleware(KeyAuthentication authentication) : IFunctionsWorkerMiddleware
{
    /// <summary>Whether <paramref name="context"/> is a function that declares <see cref="KeyAccessAttribute"/>: the middleware runs for those only.</summary>
    public static bool Applies(FunctionContext context) => FunctionAttributes.Get<KeyAccessAttribute>(context) is not null;

    /// <inheritdoc />
    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        if (FunctionAttributes.Get<KeyAccessAttribute>(context) is not { } access || context.GetHttpContext() is not { } http)
        {
            await next(context).ConfigureAwait(false);
            return;
        }
        var studyId = context.RouteValue(KeyAccessAttribute.StudyRouteValue);
        var answerAs = access.AnswerFor(http.Request, context.RouteValue(KeyAccessAttribute.FileRouteValue));
        var request = http.Request;
        var auth = await authentication.AuthenticateAsync(request, answerAs, context.CancellationToken).ConfigureAwait(false);
        if (auth is { Succeeded: true, Source: KeySource.Query } && answerAs == AnswerAs.Page && (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method)))
        {
            KeyCookie.Set(http.Response, KeyAuthentication.KeyInQuery(request)!, auth.ValidFor ?? TimeSpan.Zero);
            await HttpResults.SeeOther(KeyCookie.AddressWithoutKey(request)).ExecuteAsync(http).ConfigureAwait(false);
            return;
        }
        auth = authentication.Authorize(auth, scope => access.Allows(scope, studyId), answerAs);
        if (!auth.Succeeded)
        {
            await auth.Refusal.ExecuteAsync(http).ConfigureAwait(false);
            return;
        }
        context.Items[CallerExtensions.ItemKey] = auth.Caller;
        await next(context).ConfigureAwait(false);
    }
}

/// <summary>The caller <see cref="KeyAccessMiddleware"/> accepted, as a function reads it.</summary>
public static class CallerExtensions
{
    /// <summary>The key of the caller in <see cref="FunctionContext.Items"/>.</summary>
    public const string ItemKey = "AlliancePipeline.Caller";

    /// <summary>The caller of a function with <see cref="KeyAccessAttribute"/>.</summary>
    /// <exception cref="InvalidOperationException">The function declares no key access, or it was not checked.</exception>
    public static Caller GetCaller(this FunctionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Items.TryGetValue(ItemKey, out var caller) && caller is Caller accepted
            ? accepted
            : throw new InvalidOperationException($"{context.FunctionDefinition.Name} has no caller: declare [KeyAccess] on it.");
    }

    /// <summary>Whether a caller was accepted for this invocation (false while its key is being checked).</summary>
    public static bool HasCaller(this FunctionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Items.ContainsKey(ItemKey);
    }

    /// <summary>A route value of the invocation (as the host passes it with the trigger), or null.</summary>
    public static string? RouteValue(this FunctionContext context, string name)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.BindingContext.BindingData.TryGetValue(name, out var value) ? value as string ?? value?.ToString() : null;
    }
}
