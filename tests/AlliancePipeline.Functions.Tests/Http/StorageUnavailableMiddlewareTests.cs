using AlliancePipeline.Core.Access;
using AlliancePipeline.Functions.Dashboards;
using AlliancePipeline.Functions.Infrastructure.Http;
using AlliancePipeline.Functions.Invitations;
using AlliancePipeline.Functions.Keys;
using AlliancePipeline.Functions.Questionnaires;
using AlliancePipeline.Functions.Scoring;
using Azure;
using Microsoft.Extensions.Logging.Testing;

using DashboardFunction = AlliancePipeline.Functions.Dashboards.Dashboard;

namespace AlliancePipeline.Functions.Tests.Http;

/// <summary>
/// Storage down → 503 in one middleware (<see cref="StorageUnavailableMiddleware"/>): Retry-After, a page for browsers and
/// problem details for tools, in each function's words and language, with the log line it had; a key that could not be
/// checked said so; other failures and queue functions are left to throw.
/// </summary>
public sealed class StorageUnavailableMiddlewareTests
{
    private static readonly RequestFailedException Down = new(503, "Service Unavailable", "ServerBusy", null);

    private static async Task<(EdgeInvocation Call, List<string> Log)> FailAsync(EdgeInvocation call, Exception failure)
    {
        var log = new FakeLogger<StorageUnavailableMiddleware>();
        await new StorageUnavailableMiddleware(log).Invoke(call.Context, _ => throw failure);
        return (call, [.. log.Collector.GetSnapshot().Select(r => r.Message)]);
    }

    [Fact]
    public async Task A_keyed_function_whose_storage_fails_after_the_key_answers_503_in_its_words()
    {
        var call = EdgeInvocation.Of<Completion>().Route("studyId", "study-a");
        call.Context.Items[CallerExtensions.ItemKey] = new Caller("0123456789abcdef", AccessScope.Admin);
        var (answer, log) = await FailAsync(call, Down);
        Assert.Equal((503, "application/problem+json", "30"), (answer.Status, answer.ContentType, answer.Http.Response.Headers.RetryAfter.ToString()));
        Assert.Contains("Storage did not answer just now; nothing was changed.", answer.Text, StringComparison.Ordinal);
        Assert.Equal("no-store", answer.Http.Response.Headers.CacheControl.ToString());
        Assert.Equal(["A dashboard request could not be served (storage unavailable: status 503 ServerBusy); answered 503."], log);
    }

    [Fact]
    public async Task A_key_that_could_not_be_checked_is_said_so_and_answered_as_the_function_refuses()
    {
        var (page, log) = await FailAsync(EdgeInvocation.Of<DashboardFunction>().Route("studyId", "study-a"), new RequestFailedException("no answer"));
        Assert.Equal((503, "text/html; charset=utf-8"), (page.Status, page.ContentType));
        Assert.Contains("Temporarily unavailable", page.Text, StringComparison.Ordinal);
        Assert.Equal(["An access key could not be checked (storage unavailable: no answer); answered 503."], log);

        var (keys, keysLog) = await FailAsync(EdgeInvocation.Of<ListKeys>(), new HttpRequestException("refused"));
        Assert.Equal((503, "application/problem+json"), (keys.Status, keys.ContentType));
        Assert.StartsWith("An access key could not be checked", Assert.Single(keysLog), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_questionnaire_answers_its_own_503_page_in_the_rater_s_language_and_says_what_could_not_be_done()
    {
        var (form, log) = await FailAsync(EdgeInvocation.Of<Questionnaire>("POST").Route("token", "t").Header("Accept-Language", "de, fr;q=0.8, en;q=0.5"), Down);
        Assert.Equal((503, "text/html; charset=utf-8", "30"), (form.Status, form.ContentType, form.Http.Response.Headers.RetryAfter.ToString()));
        Assert.Contains("<html lang=\"fr\">", form.Text, StringComparison.Ordinal);
        Assert.Contains(PageText.French.UnavailableTitle, System.Net.WebUtility.HtmlDecode(form.Text), StringComparison.Ordinal);
        Assert.Equal(["A submission could not be taken (storage unavailable: status 503 ServerBusy); answered 503."], log);

        var (tool, toolLog) = await FailAsync(EdgeInvocation.Of<Questionnaire>().Route("token", "t").Header("Accept", "application/json"), Down);
        Assert.Equal((503, "application/problem+json"), (tool.Status, tool.ContentType));
        Assert.Contains("if they did arrive, the link answers 409", tool.Text, StringComparison.Ordinal);
        Assert.StartsWith("A questionnaire page could not be served", Assert.Single(toolLog), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_pause_link_answers_in_the_language_it_learnt_before_storage_failed()
    {
        var call = EdgeInvocation.Of<PauseReminders>("POST").Route("token", "t").Header("Accept-Language", "en");
        call.Context.KnowPageLanguage("fr");
        var (page, log) = await FailAsync(call, Down);
        Assert.Equal(503, page.Status);
        Assert.Contains("<html lang=\"fr\">", page.Text, StringComparison.Ordinal);
        Assert.StartsWith("A pause link could not be served", Assert.Single(log), StringComparison.Ordinal);

        var (tool, _) = await FailAsync(EdgeInvocation.Of<PauseReminders>().Route("token", "t").Header("Accept", "application/json"), Down);
        Assert.Contains("Reminders could not be paused just now", tool.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Other_failures_are_not_storage_down_and_queue_functions_are_not_under_the_middleware()
    {
        var call = EdgeInvocation.Of<Completion>().Route("studyId", "study-a");
        await Assert.ThrowsAsync<InvalidOperationException>(() => FailAsync(call, new InvalidOperationException("a bug")));
        await Assert.ThrowsAsync<RequestFailedException>(() => FailAsync(EdgeInvocation.Of<Completion>(), new RequestFailedException(404, "Not Found")));
        Assert.True(HttpEdge.IsHttp(EdgeInvocation.Of<Completion>().Context));
        Assert.False(HttpEdge.IsHttp(EdgeInvocation.Of<ScoreResponse>(trigger: "queueTrigger").Context));
    }
}
