using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using AlliancePipeline.Contracts.Storage;
using AlliancePipeline.Functions.Questionnaires;
using AlliancePipeline.Functions.Scoring;
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
        Assert.Contains("Please go back and send them again in a minute", await form.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // Nothing was acknowledged, so nothing is marked: the link still opens the form.
        using var get = await app.Client.GetAsync($"/api/q/{links[0].Token}");
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Contains(app.Logs.GetSnapshot(), r => r.Says("answered 503"));
        Assert.DoesNotContain(app.Logs.GetSnapshot(), r => r.Text().Contains("AccountKey", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Eight_posts_at_once_to_one_link_get_one_acceptance_and_seven_polite_409s_and_nothing_is_poisoned()
    {
        await using var app = await TestApp.StartAsync(azurite);
        var study = AzuriteFixture.UniqueName("race");
        var links = await app.SeedAsync(study, 1, 1);
        using var start = new ManualResetEventSlim();
        var posts = Enumerable.Range(0, 8).Select(i => Task.Run(async () =>
        {
            start.Wait();
            var answers = string.Join('&', Enumerable.Range(1, 12).Select(n => $"item-{n}={1 + ((i + n) % 7)}"));
            using var post = await app.Client.PostAsync($"/api/q/{links[0].Token}", new StringContent(answers, Encoding.UTF8, "application/x-www-form-urlencoded"));
            return post.StatusCode;
        })).ToList();
        start.Set();
        var statuses = await Task.WhenAll(posts);
        Assert.Equal(1, statuses.Count(s => s == HttpStatusCode.SeeOther));
        Assert.Equal(7, statuses.Count(s => s == HttpStatusCode.Conflict));

        // The losers took their messages back: one message is queued, and scoring it stores one response.
        var queue = azurite.Queues.GetQueueClient(StorageNames.ResponsesQueue);
        var taken = new List<string>();
        while (await QueueScan.TakeAsync(queue, t => t.Contains(study, StringComparison.Ordinal), TimeSpan.FromSeconds(2)) is { } text) taken.Add(text);
        var message = SubmissionMessage.TryParse(Assert.Single(taken), out _)!;
        await app.Function<ScoreResponse>().Run(taken[0], "m1", 1, default);
        Assert.Null(await QueueScan.TakeAsync(azurite.Queues.GetQueueClient(StorageNames.Poison(StorageNames.ResponsesQueue)), t => t.Contains(study, StringComparison.Ordinal), TimeSpan.FromSeconds(1)));
        var assessment = (await azurite.Tables.GetTableClient(StorageNames.AssessmentsTable).GetEntityAsync<AssessmentEntity>(study, links[0].Assessment.Id)).Value;
        Assert.Equal(("Completed", message.SubmissionId), (assessment.Status, assessment.SubmissionId));
    }

    [Fact]
    public async Task A_losing_post_s_message_is_dropped_and_a_parked_one_whose_post_stopped_is_scored()
    {
        await using var app = await TestApp.StartAsync(azurite);
        var study = AzuriteFixture.UniqueName("parked");
        var links = await app.SeedAsync(study, 2, 1);
        string Message(int index, string submissionId) => new SubmissionMessage
        {
            StudyId = study,
            AssessmentId = links[index].Assessment.Id,
            LinkVersion = 1,
            Items = [.. Enumerable.Repeat(4, 12)],
            SubmittedAt = DateTimeOffset.UtcNow,
            SubmissionId = submissionId,
        }.ToJson();

        // Its post queued it and stopped before claiming the assessment: it surfaces later and is scored.
        await app.Function<ScoreResponse>().Run(Message(0, "a1"), "m1", 1, default);
        var first = (await azurite.Tables.GetTableClient(StorageNames.AssessmentsTable).GetEntityAsync<AssessmentEntity>(study, links[0].Assessment.Id)).Value;
        Assert.Equal(("Completed", "a1"), (first.Status, first.SubmissionId));

        // Another post's message for the same assessment lost: dropped, not poisoned, and the first answer stands.
        await app.Function<ScoreResponse>().Run(Message(0, "b2"), "m2", 1, default);
        Assert.Contains(app.Logs.GetSnapshot(), r => r.Says("Submission b2") && r.Says("dropped"));
        Assert.Null(await QueueScan.TakeAsync(azurite.Queues.GetQueueClient(StorageNames.Poison(StorageNames.ResponsesQueue)), t => t.Contains(study, StringComparison.Ordinal), TimeSpan.FromSeconds(1)));
        var responses = new List<ResponseEntity>();
        await foreach (var r in azurite.Tables.GetTableClient(StorageNames.ResponsesTable).QueryAsync<ResponseEntity>(e => e.PartitionKey == study)) responses.Add(r);
        Assert.Single(responses);
    }
}
