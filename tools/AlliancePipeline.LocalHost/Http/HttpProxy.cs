using System.Net;
using System.Text;
using System.Text.Json;
using AlliancePipeline.LocalHost.Functions;
using AlliancePipeline.LocalHost.Invocation;
using AlliancePipeline.LocalHost.Rpc;
using AlliancePipeline.LocalHost.Worker;
using Microsoft.AspNetCore.Http.Features;

namespace AlliancePipeline.LocalHost.Http;

/// <summary>
/// Serves an HTTP-triggered function as the host does for a worker with ASP.NET Core integration (the worker's
/// <c>HttpUri</c> capability; <c>DefaultHttpProxyService</c> of the host): the raw request is forwarded to the worker's
/// own HTTP server at the same path with header <c>x-ms-invocation-id</c>, and at the same time an InvocationRequest
/// goes over gRPC with an empty RpcHttp as the trigger input and the route values in the trigger metadata. The worker's
/// response is passed back as it is: status, headers (hop-by-hop ones dropped), body streamed both ways, redirects not
/// followed. The client going away cancels both. A worker that is down gives a 503, never a hang.
/// </summary>
internal sealed class HttpProxy : IDisposable
{
    /// <summary>The correlation header the worker matches the request to its invocation by.</summary>
    public const string InvocationIdHeader = "x-ms-invocation-id";

    /// <summary>How long the worker's answer is waited for once its invocation has ended without one.</summary>
    public static readonly TimeSpan AnswerGrace = TimeSpan.FromSeconds(2);

    private static readonly HashSet<string> HopByHop = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Proxy-Connection", "Proxy-Authenticate", "Proxy-Authorization", "TE", "Trailer", "Transfer-Encoding", "Upgrade",
    };

    private readonly WorkerSupervisor _supervisor;
    private readonly Invoker _invoker;
    private readonly ILogger _logger;
    private readonly HttpMessageInvoker _client = new(
        new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            UseProxy = false,
            AutomaticDecompression = DecompressionMethods.None,
            ConnectTimeout = TimeSpan.FromSeconds(10),
        },
        disposeHandler: true);

    public HttpProxy(WorkerSupervisor supervisor, Invoker invoker, ILogger logger)
    {
        _supervisor = supervisor;
        _invoker = invoker;
        _logger = logger;
    }

    public void Dispose() => _client.Dispose();

    /// <summary>Whether a header is hop-by-hop (never forwarded), including those the request's Connection header names.</summary>
    public static bool IsHopByHop(string name, IEnumerable<string>? connectionTokens = null) =>
        HopByHop.Contains(name) || (connectionTokens?.Contains(name, StringComparer.OrdinalIgnoreCase) ?? false);

    /// <summary>
    /// Why the client's request cannot be forwarded as sent, or null: a request target with a backslash (a URI would read
    /// it as '/', so the worker would get another path than the one routed, and its invocation would wait for a request
    /// that never comes), or a header value with a byte outside ASCII (the forward's HTTP client refuses to send it). Both
    /// are the client's fault: a 400, never a 502 or a wait.
    /// </summary>
    public static (string Title, string Detail)? ClientRequestProblem(HttpContext context)
    {
        var rawTarget = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? context.Request.Path.Value ?? "";
        if (rawTarget.Contains('\\', StringComparison.Ordinal))
            return ("Malformed request target", "A backslash is not allowed in the request target; write '/' or %5C.");
        foreach (var (name, values) in context.Request.Headers)
        {
            foreach (var value in values)
            {
                if (value is not null && !Ascii.IsValid(value))
                    return ("Malformed header", $"The value of header '{(Ascii.IsValid(name) ? name : "?")}' is not ASCII: header values must contain only ASCII characters.");
            }
        }

        return null;
    }

    /// <summary>Forwards one request to the worker and answers with the worker's response.</summary>
    public async Task ProxyAsync(HttpContext context, FunctionDescriptor function, RouteValueDictionary routeValues)
    {
        var worker = _supervisor.Current;
        if (worker is null)
        {
            context.Response.Headers.RetryAfter = "5";
            await Problem(context, StatusCodes.Status503ServiceUnavailable, "The function app is not running",
                _supervisor.State == LocalHostState.Failed ? _supervisor.FailureMessage ?? "The worker failed." : $"The worker is {_supervisor.State.ToString().ToLowerInvariant()}; try again in a moment.").ConfigureAwait(false);
            return;
        }

        if (worker.HttpUri is null)
        {
            await Problem(context, StatusCodes.Status500InternalServerError, "HTTP is not proxied to this worker",
                "The worker did not announce an HttpUri: the local host serves HTTP functions of workers with ASP.NET Core integration (ConfigureFunctionsWebApplication) only.").ConfigureAwait(false);
            return;
        }

        var invocationId = InvocationInput.NewId();
        using var giveUp = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        var forward = ForwardAsync(context, worker.HttpUri, invocationId, giveUp.Token);
        var invocation = _invoker.InvokeAsync(worker, function, new InvocationInput(
            invocationId,
            [new ParameterBinding { Name = function.Trigger.Name, Data = new TypedData { Http = new RpcHttp() } }],
            TriggerMetadata(context, routeValues),
            $"This function was programmatically called via the host APIs."), giveUp.Token);

        HttpResponseMessage? upstream = null;
        try
        {
            if (await Task.WhenAny(forward, invocation).ConfigureAwait(false) == invocation && !forward.IsCompleted)
            {
                // The invocation ended first; the worker writes its answer as it ends, so give that a moment.
                if (await Task.WhenAny(forward, Task.Delay(AnswerGrace, context.RequestAborted)).ConfigureAwait(false) != forward)
                {
                    await giveUp.CancelAsync().ConfigureAwait(false);
                    await AnswerWithoutResponseAsync(context, await invocation.ConfigureAwait(false)).ConfigureAwait(false);
                    return;
                }
            }

            try
            {
                upstream = await forward.ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException)
            {
                await giveUp.CancelAsync().ConfigureAwait(false);
                await invocation.ConfigureAwait(false);
                if (context.RequestAborted.IsCancellationRequested) return;
                if (ClientBodyRefusal(e) is { } refused)
                {
                    // The client's own body was malformed (bad chunk framing) or over the limit: the client's fault, not the worker's.
                    context.Response.Headers.Connection = "close";
                    await Problem(context, refused.StatusCode, refused.StatusCode == StatusCodes.Status413PayloadTooLarge ? "Body too large" : "Malformed request body", refused.Message).ConfigureAwait(false);
                    return;
                }
                if (_supervisor.Current is null)
                {
                    context.Response.Headers.RetryAfter = "5";
                    await Problem(context, StatusCodes.Status503ServiceUnavailable, "The function app is not running", "The worker went away during the request.").ConfigureAwait(false);
                    return;
                }

                _logger.LogWarning("Forwarding {Method} {Path} to the worker failed: {Reason}", context.Request.Method, context.Request.Path, e.Message);
                await Problem(context, StatusCodes.Status502BadGateway, "The worker's HTTP server did not answer", e.Message).ConfigureAwait(false);
                return;
            }

            context.Response.StatusCode = (int)upstream.StatusCode;
            CopyResponseHeaders(upstream, context.Response);
            try
            {
                await using var body = await upstream.Content.ReadAsStreamAsync(giveUp.Token).ConfigureAwait(false);
                var first = new byte[16 * 1024];
                var read = await body.ReadAsync(first, giveUp.Token).ConfigureAwait(false);
                if (read == 0)
                {
                    // Nothing has gone to the client yet: as with the host, whose headers are not sent before the
                    // first body bytes, a failed invocation with an empty answer becomes a 500. An invocation that has
                    // not ended a moment after the worker's answer never received the request (the worker answered it
                    // without running the function): it is cancelled, and the worker's answer goes as it is.
                    if (await Task.WhenAny(invocation, Task.Delay(AnswerGrace, context.RequestAborted)).ConfigureAwait(false) != invocation)
                    {
                        await giveUp.CancelAsync().ConfigureAwait(false);
                        await invocation.ConfigureAwait(false);
                        return;
                    }

                    var outcome = await invocation.ConfigureAwait(false);
                    if (!outcome.Succeeded && !context.RequestAborted.IsCancellationRequested)
                    {
                        context.Response.Clear();
                        context.Response.StatusCode = StatusCodes.Status500InternalServerError;
                    }

                    return;
                }

                await context.Response.Body.WriteAsync(first.AsMemory(0, read), giveUp.Token).ConfigureAwait(false);
                await body.CopyToAsync(context.Response.Body, giveUp.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or HttpRequestException)
            {
                await giveUp.CancelAsync().ConfigureAwait(false);
                await invocation.ConfigureAwait(false);
                if (!context.RequestAborted.IsCancellationRequested)
                {
                    // The worker broke off mid-body: so does this response.
                    _logger.LogWarning("The worker's response to {Method} {Path} broke off: {Reason}", context.Request.Method, context.Request.Path, e.Message);
                    context.Abort();
                }

                return;
            }

            await invocation.ConfigureAwait(false);
        }
        finally
        {
            upstream?.RequestMessage?.Dispose();
            upstream?.Dispose();
            if (!invocation.IsCompleted)
            {
                await giveUp.CancelAsync().ConfigureAwait(false);
                await invocation.ConfigureAwait(false);
            }

            _ = forward.ContinueWith(t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        }
    }

    /// <summary>The server's refusal of the client's request body (Kestrel's BadHttpRequestException), when that is what failed the forward.</summary>
    private static BadHttpRequestException? ClientBodyRefusal(Exception e)
    {
        for (Exception? inner = e; inner is not null; inner = inner.InnerException)
        {
            if (inner is BadHttpRequestException bad) return bad;
        }

        return null;
    }

    private async Task AnswerWithoutResponseAsync(HttpContext context, InvocationOutcome outcome)
    {
        if (context.RequestAborted.IsCancellationRequested || context.Response.HasStarted) return;
        if (_supervisor.Current is null || outcome.ExceptionType == typeof(WorkerUnavailableException).FullName)
        {
            context.Response.Headers.RetryAfter = "5";
            await Problem(context, StatusCodes.Status503ServiceUnavailable, "The function app is not running", outcome.ExceptionMessage ?? "The worker went away.").ConfigureAwait(false);
        }
        else if (!outcome.Succeeded)
        {
            await Problem(context, StatusCodes.Status500InternalServerError, $"Function {outcome.FunctionName} failed", outcome.ExceptionMessage ?? "The function failed.").ConfigureAwait(false);
        }
        else
        {
            await Problem(context, StatusCodes.Status502BadGateway, "No answer from the worker", $"Function {outcome.FunctionName} succeeded but the worker's HTTP server did not answer.").ConfigureAwait(false);
        }
    }

    /// <summary>How often a forward the worker's HTTP server refused to connect is tried, and how far apart.</summary>
    internal const int ConnectAttempts = 10;

    internal static readonly TimeSpan ConnectRetryDelay = TimeSpan.FromMilliseconds(150);

    /// <summary>
    /// Forwards the request; a connection the worker's server refused (nothing was sent) is tried again, as the Functions
    /// host's <c>RetryProxyHandler</c> does: the worker announces its HTTP address during its start, and its server may
    /// begin listening a moment after the host is running.
    /// </summary>
    private async Task<HttpResponseMessage> ForwardAsync(HttpContext context, Uri httpUri, string invocationId, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var request = ForwardRequest(context, httpUri, invocationId);
            try
            {
                return await _client.SendAsync(request, cancellationToken).ConfigureAwait(false);
            }
            catch (HttpRequestException e) when (e.HttpRequestError == HttpRequestError.ConnectionError && attempt < ConnectAttempts && !cancellationToken.IsCancellationRequested)
            {
                // Not disposed: its content wraps the client's request body, which the next attempt still sends.
                await Task.Delay(ConnectRetryDelay, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                request.Dispose();
                throw;
            }
        }
    }

    private static HttpRequestMessage ForwardRequest(HttpContext context, Uri httpUri, string invocationId)
    {
        var incoming = context.Request;
        var rawTarget = context.Features.Get<IHttpRequestFeature>()?.RawTarget;
        var pathAndQuery = rawTarget is { Length: > 0 } && rawTarget[0] == '/' ? rawTarget : incoming.Path.ToUriComponent() + incoming.QueryString.ToUriComponent();
        var request = new HttpRequestMessage(new HttpMethod(incoming.Method), new Uri(httpUri, pathAndQuery))
        {
            Version = HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        if (incoming.ContentLength is not null || incoming.Headers.TransferEncoding.Count > 0)
        {
            request.Content = new StreamContent(incoming.Body);
            // The body goes only once the worker asks for it: a request it refuses without reading (413 on a declared
            // length, 401 without a key) is answered without the body crossing over, and its answer never races the upload.
            request.Headers.ExpectContinue = incoming.ContentLength is not 0;
        }

        var connectionTokens = incoming.Headers.Connection.SelectMany(v => (v ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)).ToList();
        foreach (var (name, values) in incoming.Headers)
        {
            if (IsHopByHop(name, connectionTokens) || name.Equals("Host", StringComparison.OrdinalIgnoreCase) || name.Equals("Expect", StringComparison.OrdinalIgnoreCase)) continue;
            if (!request.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values) && request.Content is not null)
            {
                request.Content.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
            }
        }

        request.Headers.Remove(InvocationIdHeader);
        request.Headers.TryAddWithoutValidation(InvocationIdHeader, invocationId);
        return request;
    }

    private static void CopyResponseHeaders(HttpResponseMessage upstream, HttpResponse response)
    {
        var connectionTokens = upstream.Headers.Connection.ToList();
        foreach (var (name, values) in upstream.Headers.Concat(upstream.Content.Headers))
        {
            if (IsHopByHop(name, connectionTokens)) continue;
            response.Headers[name] = values.ToArray();
        }
    }

    /// <summary>
    /// The trigger metadata the host sends for an HTTP trigger: the route values (strings), and <c>Query</c> and
    /// <c>Headers</c> as JSON objects.
    /// </summary>
    public static Dictionary<string, TypedData> TriggerMetadata(HttpContext context, RouteValueDictionary routeValues)
    {
        var metadata = new Dictionary<string, TypedData>(StringComparer.OrdinalIgnoreCase)
        {
            ["Query"] = new TypedData { Json = JsonSerializer.Serialize(context.Request.Query.ToDictionary(q => q.Key, q => q.Value.ToString())) },
            ["Headers"] = new TypedData { Json = JsonSerializer.Serialize(context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString())) },
        };
        foreach (var (key, value) in routeValues)
        {
            if (value is not null) metadata[key] = new TypedData { String = Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "" };
        }

        return metadata;
    }

    /// <summary>Writes an RFC 9457 problem details answer.</summary>
    public static Task Problem(HttpContext context, int status, string title, string detail) =>
        Results.Problem(detail: detail, statusCode: status, title: title).ExecuteAsync(context);
}
