using System.Text;

namespace AlliancePipeline.Functions.Infrastructure.Http;

/// <summary>
/// Results the app's pages and APIs answer with, beside ASP.NET Core's <see cref="TypedResults"/>: an HTML page with the
/// headers every page carries (no caching, no sniffing, no referrer, a strict content security policy: pages are
/// self-contained and run no script), and a 303 See Other for Post/Redirect/Get.
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

    /// <summary>The headers every page carries.</summary>
    public static void SetPageHeaders(HttpResponse response)
    {
        response.Headers.CacheControl = "no-store";
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers["Referrer-Policy"] = "no-referrer";
        response.Headers.ContentSecurityPolicy = PageSecurityPolicy;
    }
}
