using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using AlliancePipeline.Functions.Services;
using AlliancePipeline.Functions.Storage;
using AlliancePipeline.Functions.Tests.Infrastructure;

namespace AlliancePipeline.Functions.Tests;

/// <summary>
/// The <c>Questionnaire</c> function as a tool (and the demo) calls it: JSON in, 202 or problem details out; a form post
/// enqueues exactly what was answered; a body too large is refused before any work; storage that cannot take the
/// submission gives 503, never 202 or 500.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class QuestionnaireFunctionTests(AzuriteFixture azurite)
{
    private static string Form(params int[] items) => string.Join('&', items.Select((v, i) => $"item-{i + 1}={v}"));

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    [Fact]
    public async Task A_form_post_enqueues_the_answers_as_given_and_redirects_to_the_thank_you_page()
    {
        await using var app = await TestApp.StartAsync(azurite);
        var study = AzuriteFixture.UniqueName("http");
        var links = await app.SeedAsync(study);

        using var get = await app.Client.GetAsync($"/api/q/{links[0].Token}");
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal("text/html; charset=utf-8", get.Content.Headers.ContentType!.ToString());

        int[] answers = [7, 6, 5, 4, 3, 2, 1, 2, 3, 4, 5, 6];
        using var post = await app.Client.PostAsync($"/api/q/{links[0].Token}", new StringContent(Form(answers), Encoding.UTF8, "application/x-www-form-urlencoded"));
        Assert.Equal(HttpStatusCode.SeeOther, post.StatusCode);
        Assert.Equal("?done=1&lang=en", post.Headers.Location!.OriginalString);

        var queued = await QueueScan.TakeAsync(azurite.Queues.GetQueueClient(StorageNames.ResponsesQueue), t => t.Contains(study, StringComparison.Ordinal), TimeSpan.FromSeconds(10));
        var message = SubmissionMessage.TryParse(queued!, out var reason);
        Assert.Null(reason);
        Assert.Equal(answers, message!.Items);
        Assert.Equal(links[0].Assessment.Id, message.AssessmentId);
    }

    [Fact]
    public async Task A_JSON_post_is_answered_202_with_the_assessment_id()
    {
        await using var app = await TestApp.StartAsync(azurite);
        var links = await app.SeedAsync(AzuriteFixture.UniqueName("json"), 1, 1);
        using var post = await app.Client.PostAsync($"/api/q/{links[0].Token}", Json("{\"items\":[5,5,5,5,5,5,5,5,5,5,5,5]}"));
        Assert.Equal(HttpStatusCode.Accepted, post.StatusCode);
        var body = JsonNode.Parse(await post.Content.ReadAsStringAsync())!;
        Assert.Equal("accepted", body["status"]!.GetValue<string>());
        Assert.Equal(links[0].Assessment.Id, body["assessmentId"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("{\"items\":[1]}", "items has 1 answers, expected 12.")]
    [InlineData("{\"items\":[1,2,3,4,5,6,7,8,1,1,1,1]}", "Statement 8: answer 8 is not allowed; choose a value from 1 to 7.")]
    [InlineData("{\"items\":[\"x\",1,1,1,1,1,1,1,1,1,1,1]}", "items[0] is not an integer.")]
    [InlineData("not json", "The body is not valid JSON.")]
    [InlineData("{\"\\ud800\":1}", "The body is not valid JSON.")]
    public async Task Bad_JSON_answers_give_400_problem_details_naming_the_problem(string json, string detail)
    {
        await using var app = await TestApp.StartAsync(azurite);
        var links = await app.SeedAsync(AzuriteFixture.UniqueName("bad"), 1, 1);
        using var post = await app.Client.PostAsync($"/api/q/{links[0].Token}", Json(json));
        Assert.Equal(HttpStatusCode.BadRequest, post.StatusCode);
        Assert.Equal("application/problem+json", post.Content.Headers.ContentType!.MediaType);
        var problem = JsonNode.Parse(await post.Content.ReadAsStringAsync())!;
        Assert.Equal(400, problem["status"]!.GetValue<int>());
        Assert.Equal(detail, problem["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_body_over_the_limit_is_413_before_the_link_is_even_read()
    {
        await using var app = await TestApp.StartAsync(azurite);
        var huge = new string('a', QuestionnaireService.MaxBodyBytes + 1);
        using var post = await app.Client.PostAsync("/api/q/not-even-a-token", new StringContent(huge, Encoding.UTF8, "application/x-www-form-urlencoded"));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, post.StatusCode);
        Assert.Equal("application/problem+json", post.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task A_tampered_link_is_404()
    {
        await using var app = await TestApp.StartAsync(azurite);
        var links = await app.SeedAsync(AzuriteFixture.UniqueName("tamper"), 1, 1);
        var token = links[0].Token;
        var tampered = token[..^2] + (token[^2] == 'A' ? "B" : "A") + token[^1];
        using var get = await app.Client.GetAsync($"/api/q/{tampered}");
        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
    }

    [Fact]
    public async Task When_the_queue_cannot_take_the_submission_the_rater_gets_503_not_202_and_the_link_stays_open()
    {
        foreach (var table in StorageNames.Tables) await azurite.Tables.CreateTableIfNotExistsAsync(table);
        var deadPort = Emulators.EmulatorProcess.FreePorts(1)[0];
        // Tables and blobs on this run's Azurite, queues on a closed port.
        var h = azurite.Handle;
        var connection = $"DefaultEndpointsProtocol=http;AccountName={Emulators.Azurite.AccountName};AccountKey={Emulators.Azurite.AccountKey};" +
            $"BlobEndpoint={h.BlobEndpoint};QueueEndpoint=http://127.0.0.1:{deadPort}/{Emulators.Azurite.AccountName};TableEndpoint={h.TableEndpoint}";
        await using var app = await TestApp.StartAsync(azurite, s =>
        {
            s["AzureWebJobsStorage"] = connection;
            s["AlliancePipeline:Storage:CreateResources"] = "false";
        });
        var links = await app.SeedAsync(AzuriteFixture.UniqueName("lost"), 1, 1);

        using var post = await app.Client.PostAsync($"/api/q/{links[0].Token}", Json("{\"items\":[4,4,4,4,4,4,4,4,4,4,4,4]}"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, post.StatusCode);
        Assert.Equal("30", post.Headers.RetryAfter!.ToString());
        Assert.Equal("application/problem+json", post.Content.Headers.ContentType!.MediaType);

        using var form = await app.Client.PostAsync($"/api/q/{links[0].Token}", new StringContent(Form([.. Enumerable.Repeat(4, 12)]), Encoding.UTF8, "application/x-www-form-urlencoded"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, form.StatusCode);
        Assert.Contains("Please try again in a minute", await form.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // Nothing was acknowledged, so nothing is marked: the link still opens the form.
        using var get = await app.Client.GetAsync($"/api/q/{links[0].Token}");
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Contains(app.Logs.Lines, l => l.Contains("answered 503", StringComparison.Ordinal));
        Assert.DoesNotContain(app.Logs.Lines, l => l.Contains("AccountKey", StringComparison.Ordinal));
    }
}
