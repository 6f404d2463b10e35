using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using AlliancePipeline.Contracts.Storage;
using AlliancePipeline.Core.Access;
using AlliancePipeline.Functions.Infrastructure.Http;
using AlliancePipeline.Functions.Tests.Infrastructure;
using Azure.Data.Tables;
using Azure.Storage.Blobs.Models;

namespace AlliancePipeline.EndToEnd.Tests;

/// <summary>
/// From an HTTP submission to the report blob: the local host, the published worker, Azurite and back; the queue
/// function's retries and poison after 5 dequeues; a timer run through the admin API.
/// </summary>
[Collection(PipelineCollection.Name)]
public sealed class PipelineTests(PipelineFixture pipeline)
{
    private static StringContent Json(IEnumerable<int> items) => new($"{{\"items\":[{string.Join(',', items)}]}}", Encoding.UTF8, "application/json");

    private Task<IReadOnlyList<SeededLink>> SeedAsync(string studyId) =>
        pipeline.Services.StudySeeder().SeedAsync(studyId, 3, 1);

    private static string PathOf(SeededLink link) => $"/api/q/{link.Token}";

    private static async Task<T> EventuallyAsync<T>(Func<Task<T?>> probe, TimeSpan timeout, string what) where T : class
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (await probe() is { } value) return value;
            if (deadline.Elapsed > timeout) throw new TimeoutException($"Timed out after {timeout} waiting for {what}.");
            await Task.Delay(100);
        }
    }

    private static async Task<T?> FirstAsync<T>(IAsyncEnumerable<T> items) where T : class
    {
        await foreach (var item in items) return item;
        return null;
    }

    private async Task<List<string>> PoisonTextsAsync()
    {
        var peeked = await pipeline.Queues.GetQueueClient("responses-poison").PeekMessagesAsync(32);
        return [.. peeked.Value.Select(m => m.Body.ToString())];
    }

    [Fact]
    public async Task A_submission_posted_to_its_link_is_answered_202_stored_in_Responses_within_seconds_and_reported()
    {
        const string study = "e2e-study";
        var links = await SeedAsync(study);
        var link = PathOf(links[0]);
        var assessmentId = links[0].Assessment.Id;

        using (var form = await pipeline.Http.GetAsync(link))
        {
            Assert.Equal(HttpStatusCode.OK, form.StatusCode);
            Assert.Contains("name=\"item-12\"", await form.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        int[] answers = [6, 7, 6, 5, 6, 7, 6, 5, 6, 7, 6, 5];
        var clock = Stopwatch.StartNew();
        using var posted = await pipeline.Http.PostAsync(link, Json(answers));
        var answeredIn = clock.Elapsed;
        Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
        Assert.Equal(assessmentId, JsonNode.Parse(await posted.Content.ReadAsStringAsync())!["assessmentId"]!.GetValue<string>());

        var responses = pipeline.Tables.GetTableClient("Responses");
        var entity = await EventuallyAsync(async () =>
        {
            var found = await responses.GetEntityIfExistsAsync<TableEntity>(study, assessmentId);
            return found.HasValue ? found.Value : null;
        }, TimeSpan.FromSeconds(10), "the Responses entity");
        var storedIn = clock.Elapsed;
        Console.WriteLine($"202 in {answeredIn.TotalMilliseconds:0} ms; in Responses after {storedIn.TotalMilliseconds:0} ms.");
        Assert.True(storedIn < TimeSpan.FromSeconds(5), $"stored after {storedIn}");
        // WAI-S reverses items 4 (5 -> 3) and 10 (7 -> 1): (72 - 2 - 6) / 12.
        Assert.Equal(64.0 / 12, entity.GetDouble("Global"));
        Assert.Equal(5, entity.GetInt32("Item04"));
        Assert.Equal(1, entity.GetInt32("Meeting"));

        // Posting again to an answered link is refused, and nothing new is queued.
        using var again = await pipeline.Http.PostAsync(link, Json(answers));
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal("application/problem+json", again.Content.Headers.ContentType!.MediaType);

        // The timer, run now through the host's admin API, as func start offers it.
        using var run = await pipeline.Http.PostAsJsonAsync("/admin/functions/Recluster", new JsonObject { ["input"] = "" });
        Assert.Equal(HttpStatusCode.Accepted, run.StatusCode);
        var container = pipeline.Blobs.GetBlobContainerClient("reports");
        var reportBlob = container.GetBlobClient($"{study}/latest/report.html");
        await EventuallyAsync(async () => (await reportBlob.ExistsAsync()).Value ? new object() : null, TimeSpan.FromSeconds(20), "the report");
        // The run's row in ClusterRuns is ReportWriter's last write, after every file and their latest/ copies.
        var run1 = await EventuallyAsync(async () => await FirstAsync(pipeline.Tables.GetTableClient("ClusterRuns").QueryAsync<TableEntity>(e => e.PartitionKey == study)),
            TimeSpan.FromSeconds(20), "the run's row in ClusterRuns");
        var report = (await reportBlob.DownloadContentAsync()).Value.Content.ToString();
        Assert.Contains("<span id=\"response-count\">1</span>", report, StringComparison.Ordinal);
        var names = new List<string>();
        await foreach (var blob in container.GetBlobsAsync(new GetBlobsOptions { Prefix = study + "/" })) names.Add(blob.Name);
        var runFolders = names.Select(n => n.Split('/')[1]).Where(f => f != "latest").Distinct().ToList();
        Assert.Equal(run1.RowKey, Assert.Single(runFolders));
        Assert.Contains($"{study}/{runFolders[0]}/responses.csv", names);
        Assert.Equal(1, run1.GetInt32("ResponseCount"));
    }

    [Fact]
    public async Task A_message_that_always_fails_reaches_responses_poison_after_5_dequeues_with_its_reason_while_others_go_through()
    {
        const string study = "e2e-poison";
        var links = await SeedAsync(study);
        var queue = pipeline.Queues.GetQueueClient("responses");
        var failing = $"{{\"schema\":\"alliance.response.v1\",\"studyId\":\"{study}\",\"assessmentId\":\"no-such-assessment\",\"linkVersion\":1,\"items\":[4,4,4,4,4,4,4,4,4,4,4,4],\"submittedAt\":\"2026-11-23T12:00:00+00:00\"}}";
        const string malformed = "this is not a submission";
        await queue.SendMessageAsync(failing);
        await queue.SendMessageAsync(malformed);
        using var posted = await pipeline.Http.PostAsync(PathOf(links[1]), Json(Enumerable.Repeat(3, 12)));
        Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);

        // The good one is not held up by the failing one.
        var responses = pipeline.Tables.GetTableClient("Responses");
        var assessmentId = links[1].Assessment.Id;
        await EventuallyAsync(async () => (await responses.GetEntityIfExistsAsync<TableEntity>(study, assessmentId)).HasValue ? new object() : null, TimeSpan.FromSeconds(10), "the good response");

        await EventuallyAsync(async () => (await PoisonTextsAsync()).Contains(malformed) ? new object() : null, TimeSpan.FromSeconds(10), "the malformed message in poison");
        await EventuallyAsync(async () => (await PoisonTextsAsync()).Contains(failing) ? new object() : null, TimeSpan.FromSeconds(30), "the failing message in poison");

        // The worker's own log lines reach the host over gRPC after its storage calls: wait for the last of them.
        Assert.True(await pipeline.Log.WaitForAsync(r => r.Says("moved to responses-poison: not a submission"), TimeSpan.FromSeconds(30)),
            "Timed out after 30 s waiting for the worker's line on the malformed message.");
        var log = pipeline.Log.GetSnapshot();
        // Five runs of the failing message, each failing with the reason; then the host moves it (MaxDequeueCount 5).
        Assert.Equal(5, log.Count(r => r.Says("Executed 'Functions.ScoreResponse' (Failed") && r.Says($"Assessment '{study}/no-such-assessment' does not exist.")));
        Assert.Contains(log, r => r.Says("Message has reached MaxDequeueCount of 5. Moving message to queue 'responses-poison'."));
        // The malformed one is moved by the function itself at once, with its reason.
        Assert.Contains(log, r => r.Says("moved to responses-poison: not a submission"));
        // The host deletes each from `responses` after its copy reached the poison queue (the failing one) or after the
        // worker answered (the malformed one).
        await EventuallyAsync(async () => (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount == 0 ? new object() : null, TimeSpan.FromSeconds(30), "the responses queue to empty");
    }

    /// <summary>
    /// A function that fails before answering (here the export, on a study row whose instruments are not JSON) is answered
    /// 500 with problem details by the worker itself: the worker's ASP.NET Core integration would otherwise complete the
    /// response the function left, a 200 with nothing in it, and a client could take a failed export for an empty one.
    /// </summary>
    [Fact]
    public async Task An_export_that_fails_before_its_first_byte_is_answered_500_with_problem_details_not_an_empty_200()
    {
        const string study = "e2e-failed-export";
        await SeedAsync(study);
        var studies = pipeline.Tables.GetTableClient(StorageNames.StudiesTable);
        var row = (await studies.GetEntityAsync<TableEntity>(StudyEntity.Partition, study)).Value;
        row["StudyInstruments"] = "{ not json";
        await studies.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Merge);
        var now = DateTimeOffset.UtcNow;
        var issued = await AccessKeyWriter.IssueAsync(pipeline.Tables.GetTableClient(StorageNames.AccessKeysTable),
            pipeline.Tables.GetTableClient(StorageNames.AuditTable), AccessScope.Admin, "e2e admin", now.AddDays(1), "cli", now, default);

        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/studies/{study}/export?format=csv");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", issued.Key);
        using var answer = await pipeline.Http.SendAsync(request);
        var text = await answer.Content.ReadAsStringAsync();

        Assert.Equal((HttpStatusCode.InternalServerError, "application/problem+json"), (answer.StatusCode, answer.Content.Headers.ContentType?.MediaType));
        Assert.Equal(UnexpectedFailureMiddleware.Detail, JsonNode.Parse(text)!["detail"]!.GetValue<string>());
        Assert.DoesNotContain("json", text.Replace("problem+json", "", StringComparison.Ordinal), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task The_same_submission_delivered_twice_leaves_one_entity_and_one_completed_assessment()
    {
        const string study = "e2e-twice";
        var links = await SeedAsync(study);
        var assessmentId = links[2].Assessment.Id;
        var text = $"{{\"schema\":\"alliance.response.v1\",\"studyId\":\"{study}\",\"assessmentId\":\"{assessmentId}\",\"linkVersion\":1,\"items\":[5,5,5,5,5,5,5,5,5,5,5,5],\"submittedAt\":\"2026-11-23T12:00:00+00:00\"}}";
        var queue = pipeline.Queues.GetQueueClient("responses");
        await queue.SendMessageAsync(text);
        await queue.SendMessageAsync(text);

        await EventuallyAsync(async () => (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount == 0
            && pipeline.Log.GetSnapshot().Any(r => r.Says($"Stored response {study}/{assessmentId}"))
            && pipeline.Log.GetSnapshot().Any(r => r.Says($"Response {study}/{assessmentId} was already stored")) ? new object() : null,
            TimeSpan.FromSeconds(30), "both deliveries, each with its line");
        var all = new List<TableEntity>();
        await foreach (var e in pipeline.Tables.GetTableClient("Responses").QueryAsync<TableEntity>(e => e.PartitionKey == study)) all.Add(e);
        Assert.Equal(assessmentId, Assert.Single(all).RowKey);
        var assessments = new List<TableEntity>();
        await foreach (var e in pipeline.Tables.GetTableClient("Assessments").QueryAsync<TableEntity>(e => e.PartitionKey == study)) assessments.Add(e);
        Assert.Equal(assessmentId, Assert.Single(assessments, a => (string?)a["Status"] == "Completed").RowKey);
        Assert.Single(pipeline.Log.GetSnapshot(), r => r.Says($"Stored response {study}/{assessmentId}"));
        Assert.Single(pipeline.Log.GetSnapshot(), r => r.Says($"Response {study}/{assessmentId} was already stored"));
        Assert.DoesNotContain(await PoisonTextsAsync(), t => t == text);
    }
}
