using AlliancePipeline.Functions.Exports;
using AlliancePipeline.Functions.Infrastructure.Http;
using AlliancePipeline.Functions.Invitations;
using AlliancePipeline.Functions.Questionnaires;
using Microsoft.Extensions.Logging.Testing;

using DashboardFunction = AlliancePipeline.Functions.Dashboards.Dashboard;

namespace AlliancePipeline.Functions.Tests.Http;

/// <summary>
/// A function that fails before answering is answered 500 (<see cref="UnexpectedFailureMiddleware"/>), not left as the
/// empty 200 the worker's ASP.NET Core integration completes: problem details for tools, a page for browsers (a rater's in
/// the rater's language), never the exception's text; the exception is thrown on (the invocation still fails); an answer
/// already begun, and a request its client gave up, are left alone.
/// </summary>
public sealed class UnexpectedFailureMiddlewareTests
{
    private static readonly InvalidOperationException Bug = new("a bug with a secret in its message");

    private static async Task<(EdgeInvocation Call, List<string> Log)> FailAsync(EdgeInvocation call, Func<EdgeInvocation, Task>? before = null)
    {
        var log = new FakeLogger<UnexpectedFailureMiddleware>();
        var thrown = await Assert.ThrowsAsync<InvalidOperationException>(() => new UnexpectedFailureMiddleware(log).Invoke(call.Context, async _ =>
        {
            if (before is not null) await before(call);
            throw Bug;
        }));
        Assert.Same(Bug, thrown);
        return (call, [.. log.Collector.GetSnapshot().Select(r => r.Message)]);
    }

    [Fact]
    public async Task An_export_that_fails_before_its_first_byte_is_answered_500_with_problem_details()
    {
        var (answer, log) = await FailAsync(EdgeInvocation.Of<ExportResponses>().Route("studyId", "study-a"), call =>
        {
            // What the export had set before it failed is not what is answered.
            call.Http.Response.StatusCode = 200;
            call.Http.Response.ContentType = "text/csv; charset=utf-8";
            return Task.CompletedTask;
        });

        Assert.Equal((500, "application/problem+json"), (answer.Status, answer.ContentType));
        Assert.Contains(UnexpectedFailureMiddleware.Detail, answer.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", answer.Text, StringComparison.Ordinal);
        Assert.Equal(["ExportResponses failed before answering (InvalidOperationException); answered 500."], log);
    }

    [Fact]
    public async Task A_page_is_answered_with_a_page_and_a_rater_in_the_rater_s_language()
    {
        var (dashboard, _) = await FailAsync(EdgeInvocation.Of<DashboardFunction>().Route("studyId", "study-a"));
        Assert.Equal((500, "text/html; charset=utf-8"), (dashboard.Status, dashboard.ContentType));
        Assert.Contains(UnexpectedFailureMiddleware.Title, dashboard.Text, StringComparison.Ordinal);

        var (form, _) = await FailAsync(EdgeInvocation.Of<Questionnaire>("POST").Route("token", "t").Header("Accept-Language", "fr"));
        Assert.Equal((500, "text/html; charset=utf-8"), (form.Status, form.ContentType));
        Assert.Contains("<html lang=\"fr\">", form.Text, StringComparison.Ordinal);
        Assert.Contains(PageText.French.UnavailableTitle, System.Net.WebUtility.HtmlDecode(form.Text), StringComparison.Ordinal);

        var (pause, _) = await FailAsync(EdgeInvocation.Of<PauseReminders>().Route("token", "t").Header("Accept", "application/json"));
        Assert.Equal((500, "application/problem+json"), (pause.Status, pause.ContentType));
    }

    [Fact]
    public async Task An_answer_already_begun_and_a_request_given_up_are_left_alone()
    {
        var (begun, log) = await FailAsync(EdgeInvocation.Of<ExportResponses>().Route("studyId", "study-a"), async call =>
        {
            call.Http.Response.StatusCode = 200;
            await call.Http.Response.Body.WriteAsync("row 1\n"u8.ToArray());
            call.Http.Features.Set<Microsoft.AspNetCore.Http.Features.IHttpResponseFeature>(new Started(call.Http.Response.Headers));
        });
        Assert.Equal("row 1\n", begun.Text);
        Assert.Empty(log);

        var call = EdgeInvocation.Of<ExportResponses>().Route("studyId", "study-a");
        using var gone = new CancellationTokenSource();
        await gone.CancelAsync();
        call.Http.RequestAborted = gone.Token;
        var (abandoned, abandonedLog) = await FailAsync(call);
        Assert.Equal("", abandoned.Text);
        Assert.Empty(abandonedLog);
    }

    /// <summary>A response whose headers have gone out.</summary>
    private sealed class Started : Microsoft.AspNetCore.Http.Features.HttpResponseFeature
    {
        public Started(Microsoft.AspNetCore.Http.IHeaderDictionary headers) => Headers = headers;

        public override bool HasStarted => true;
    }
}
