using System.Globalization;
using System.Text;
using AlliancePipeline.Functions.Exports;

namespace AlliancePipeline.Functions.Infrastructure.Http;

/// <summary>
/// Results the app's pages and APIs answer with, beside ASP.NET Core's <see cref="TypedResults"/>: an HTML page with the
/// headers every page carries (no caching, no sniffing, no referrer, a strict content security policy: pages are
/// self-contained and run no script), a 303 See Other for Post/Redirect/Get, a file to download or open, and any answer
/// marked not to be cached.
/// </summary>
public static class HttpResults
{
    /// <summary>The content security policy of every page: inline CSS only, forms post to the same origin.</summary>
    public const string PageSecurityPolicy =
        "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

    /// <summary>An HTML page with status <paramref name="statusCode"/>.</summary>
    public static IResult Page(int statusCode, string html) => new PageResult(statusCode, html);

    /// <summary>A 303 to <paramref name="location"/>, not cached (a refresh of the result does not post again).</summary>
    public static IResult SeeOther(string location) => new SeeOtherResult(location);

    /// <summary>A problem details answer (RFC 9457) without extensions.</summary>
    public static IResult Problem(int statusCode, string title, string detail) =>
        TypedResults.Problem(detail: detail, statusCode: statusCode, title: title);

    /// <summary><paramref name="inner"/>, marked <c>Cache-Control: no-store</c> (answers about keys, figures of a study).</summary>
    public static IResult NoStore(IResult inner) => new NoStoreResult(inner);

    /// <summary>
    /// A file, not cached, not sniffed, under <paramref name="securityPolicy"/>: an HTML file opens in the browser, any
    /// other is an attachment saved under its name.
    /// </summary>
    public static IResult File(ExportFile file, string securityPolicy) => new FileResult(file, securityPolicy);

    /// <summary>
    /// An export streamed as an attachment (headers as <see cref="File"/>, no length: chunked), written to the body as it
    /// is made. <paramref name="written"/> is called once the writing has ended, with the responses that went out and
    /// whether the file went out whole: after the last byte, or when the client went away or the writing failed midway
    /// (then logged, and the connection aborted so the client sees a broken transfer, never a short file that looks
    /// whole; the status is sent already). A failure before any byte went out is thrown (a 500 as any other).
    /// </summary>
    public static IResult Streamed(ExportStream export, string securityPolicy, Func<int, bool, Task> written, ILogger log) =>
        new StreamedResult(export, securityPolicy, written, log);

    private sealed class PageResult(int statusCode, string html) : IResult, IStatusCodeHttpResult, IContentTypeHttpResult
    {
        public int? StatusCode => statusCode;

        public string ContentType => "text/html; charset=utf-8";

        public Task ExecuteAsync(HttpContext httpContext)
        {
            var response = httpContext.Response;
            response.StatusCode = statusCode;
            response.ContentType = ContentType;
            SetPageHeaders(response);
            var bytes = Encoding.UTF8.GetBytes(html);
            response.ContentLength = bytes.Length;
            return response.Body.WriteAsync(bytes, httpContext.RequestAborted).AsTask();
        }
    }

    private sealed class SeeOtherResult(string location) : IResult, IStatusCodeHttpResult
    {
        public int? StatusCode => StatusCodes.Status303SeeOther;

        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = StatusCodes.Status303SeeOther;
            httpContext.Response.Headers.Location = location;
            httpContext.Response.Headers.CacheControl = "no-store";
            httpContext.Response.ContentLength = 0;
            return Task.CompletedTask;
        }
    }

    private sealed class NoStoreResult(IResult inner) : IResult, IStatusCodeHttpResult
    {
        public int? StatusCode => (inner as IStatusCodeHttpResult)?.StatusCode;

        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers.CacheControl = "no-store";
            return inner.ExecuteAsync(httpContext);
        }
    }

    private sealed class FileResult(ExportFile file, string securityPolicy) : IResult, IStatusCodeHttpResult, IContentTypeHttpResult
    {
        public int? StatusCode => StatusCodes.Status200OK;

        public string ContentType => file.ContentType;

        public Task ExecuteAsync(HttpContext httpContext)
        {
            var response = httpContext.Response;
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = file.ContentType;
            response.ContentLength = file.Content.Length;
            SetFileHeaders(response, securityPolicy);
            if (!file.ContentType.StartsWith("text/html", StringComparison.Ordinal))
                response.Headers.ContentDisposition = string.Create(CultureInfo.InvariantCulture, $"attachment; filename=\"{file.Name}\"");
            return response.Body.WriteAsync(file.Content, httpContext.RequestAborted).AsTask();
        }
    }

    private sealed class StreamedResult(ExportStream export, string securityPolicy, Func<int, bool, Task> written, ILogger log) : IResult, IStatusCodeHttpResult, IContentTypeHttpResult
    {
        public int? StatusCode => StatusCodes.Status200OK;

        public string ContentType => export.ContentType;

        public async Task ExecuteAsync(HttpContext httpContext)
        {
            var response = httpContext.Response;
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = export.ContentType;
            SetFileHeaders(response, securityPolicy);
            response.Headers.ContentDisposition = string.Create(CultureInfo.InvariantCulture, $"attachment; filename=\"{export.Name}\"");
            var progress = new ExportProgress();
            var complete = false;
            try
            {
                await export.WriteAsync(response.Body, progress, httpContext.RequestAborted).ConfigureAwait(false);
                await response.Body.FlushAsync(httpContext.RequestAborted).ConfigureAwait(false);
                complete = true;
            }
            catch (OperationCanceledException) when (httpContext.RequestAborted.IsCancellationRequested)
            {
                log.LogWarning("The export {File} was cut short: the client went away after {Rows} responses.", export.Name, progress.Rows);
            }
            catch (OutOfMemoryException) when (response.HasStarted)
            {
                // Neither logged (that needs memory) nor swallowed; but the connection is aborted, so the client learns at
                // once that the file is cut short, where it would otherwise wait on a response whose headers went out.
                httpContext.Abort();
                throw;
            }
            catch (Exception e) when (response.HasStarted)
            {
                log.LogError(e, "The export {File} failed after {Rows} responses had gone out; the connection is aborted.", export.Name, progress.Rows);
                httpContext.Abort();
            }
            finally
            {
                if (complete || response.HasStarted) await written(progress.Rows, complete).ConfigureAwait(false);
            }
        }
    }

    /// <summary>The headers of a file: not cached, not sniffed, no referrer, under <paramref name="securityPolicy"/>.</summary>
    private static void SetFileHeaders(HttpResponse response, string securityPolicy)
    {
        response.Headers.CacheControl = "no-store";
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers["Referrer-Policy"] = "no-referrer";
        response.Headers.ContentSecurityPolicy = securityPolicy;
    }

    /// <summary>The headers every page carries.</summary>
    public static void SetPageHeaders(HttpResponse response)
    {
        response.Headers.CacheControl = "no-store";
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers["Referrer-Policy"] = "no-referrer";
        response.Headers.ContentSecurityPolicy = PageSecurityPolicy;
    }
}
