using AlliancePipeline.Contracts.Storage;
using AlliancePipeline.Functions.Scoring;
using AlliancePipeline.Functions.Tests.Infrastructure;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;

namespace AlliancePipeline.Functions.Tests;

/// <summary>The <c>ScoreResponse</c> queue function, called as the worker calls it, on Azurite.</summary>
[Collection(AzuriteCollection.Name)]
public sealed partial class ScoreResponseTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task It_stores_the_Responses_entity_with_the_designs_names_and_twice_leaves_one_entity_and_one_completion()
    {
        await using var app = await TestApp.StartAsync(azurite);
        var study = AzuriteFixture.UniqueName("queue");
        var links = await app.SeedAsync(study, 1, 2);
        var assessment = links[1].Assessment;
        int[] items = [1, 2, 3, 4, 5, 6, 7, 1, 2, 3, 4, 5];
        var submittedAt = new DateTimeOffset(2026, 3, 4, 5, 6, 7, TimeSpan.Zero);
        var text = new SubmissionMessage { StudyId = study, AssessmentId = assessment.Id, LinkVersion = 1, Items = items, SubmittedAt = submittedAt }.ToJson();
        var function = app.Function<ScoreResponse>();

        await function.Run(text, "m1", 1, default);
        Assert.Contains(app.Logs.GetSnapshot(), r => r.Says($"Stored response {study}/{assessment.Id}"));
        await function.Run(text, "m1", 2, default);
        Assert.Contains(app.Logs.GetSnapshot(), r => r.Says("already stored"));

        var all = new List<TableEntity>();
        await foreach (var e in azurite.Tables.GetTableClient(StorageNames.ResponsesTable).QueryAsync<TableEntity>(e => e.PartitionKey == study)) all.Add(e);
        var entity = Assert.Single(all);
        Assert.Equal(assessment.Id, entity.RowKey);
        for (var i = 0; i < 12; i++) Assert.Equal(items[i], Assert.IsType<int>(entity[$"Item{i + 1:00}"]));
        // Hand-computed for WAI-S (items 4 and 10 reversed as 8 - answer: 4 -> 4, 3 -> 5): goal items 4,6,8,11 =
        // 4,6,1,4; task 1,2,10,12 = 1,2,5,5; bond 3,5,7,9 = 3,5,7,2; global = (43 - 3 + 5) / 12.
        Assert.Equal(15.0 / 4, Assert.IsType<double>(entity["Goal"]));
        Assert.Equal(13.0 / 4, Assert.IsType<double>(entity["Task"]));
        Assert.Equal(17.0 / 4, Assert.IsType<double>(entity["Bond"]));
        Assert.Equal(45.0 / 12, Assert.IsType<double>(entity["Global"]));
        Assert.Equal(2, Assert.IsType<int>(entity["Meeting"]));
        Assert.Equal("practitioner", entity["RaterRole"]);
        Assert.Equal("site-a", entity["SiteId"]);
        Assert.Equal(assessment.DyadId, entity["DyadId"]);
        Assert.Equal(submittedAt, entity.GetDateTimeOffset("SubmittedAt"));
        Assert.IsType<DateTimeOffset>(entity["SubmittedAt"]);

        var stored = await azurite.Tables.GetTableClient(StorageNames.AssessmentsTable).GetEntityAsync<TableEntity>(study, assessment.Id);
        Assert.Equal("Completed", stored.Value["Status"]);
        Assert.Equal(submittedAt, stored.Value.GetDateTimeOffset("CompletedAt"));
        var other = await azurite.Tables.GetTableClient(StorageNames.AssessmentsTable).GetEntityAsync<TableEntity>(study, links[0].Assessment.Id);
        Assert.Equal("Pending", other.Value["Status"]);
        // No answers in the logs: only ids, the meeting and the delivery count. The score is looked for as a number of its
        // own: an ETag's timestamp (…03.7512345Z, which Azure.Core logs) holds "3.75" inside a longer number.
        Assert.DoesNotContain(app.Logs.GetSnapshot(), r => ScoreInText().IsMatch(r.Text()) || r.Text().Contains("[1,2,3", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_malformed_message_is_poisoned_at_once_with_its_reason_once_and_the_invocation_succeeds()
    {
        await using var app = await TestApp.StartAsync(azurite);
        var marker = Guid.NewGuid().ToString("N");
        var id = Guid.NewGuid().ToString();
        var text = $"{{\"schema\":\"alliance.response.v1\",\"studyId\":\"s-{marker}\",\"items\":[1,2]}}";
        var function = app.Function<ScoreResponse>();
        await function.Run(text, id, 1, default);
        await function.Run(text, id, 2, default); // a redelivery (the run stopped before the host deleted it)

        var poison = azurite.Queues.GetQueueClient(StorageNames.Poison(StorageNames.ResponsesQueue));
        Assert.NotNull(await QueueScan.TakeAsync(poison, t => t == text, TimeSpan.FromSeconds(5)));
        Assert.Null(await QueueScan.TakeAsync(poison, t => t == text, TimeSpan.FromSeconds(1)));
        var audit = await azurite.Tables.GetTableClient(StorageNames.AuditTable).GetEntityAsync<TableEntity>("poison-responses", id);
        Assert.Equal("assessmentId is missing or not a valid id", audit.Value["Reason"]);
        Assert.Contains(app.Logs.GetSnapshot(), r => r.Level == LogLevel.Error && r.Says("assessmentId is missing"));
    }

    [Fact]
    public async Task Answers_off_the_scale_are_poisoned_without_the_answers_in_the_reason()
    {
        await using var app = await TestApp.StartAsync(azurite);
        var study = AzuriteFixture.UniqueName("scale");
        var links = await app.SeedAsync(study, 1, 1);
        var id = Guid.NewGuid().ToString();
        var text = new SubmissionMessage { StudyId = study, AssessmentId = links[0].Assessment.Id, LinkVersion = 1, Items = [.. Enumerable.Repeat(9, 12)], SubmittedAt = DateTimeOffset.UtcNow }.ToJson();
        await app.Function<ScoreResponse>().Run(text, id, 1, default);
        var audit = await azurite.Tables.GetTableClient(StorageNames.AuditTable).GetEntityAsync<TableEntity>("poison-responses", id);
        Assert.Equal("an answer is outside the scale of wai-s-practitioner", audit.Value["Reason"]);
    }

    [Fact]
    public async Task An_unknown_assessment_throws_naming_it_so_the_host_retries_then_poisons()
    {
        await using var app = await TestApp.StartAsync(azurite);
        var study = AzuriteFixture.UniqueName("unknown");
        await app.SeedAsync(study, 1, 1);
        var text = new SubmissionMessage { StudyId = study, AssessmentId = "no-such", LinkVersion = 1, Items = [.. Enumerable.Repeat(4, 12)], SubmittedAt = DateTimeOffset.UtcNow }.ToJson();
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => app.Function<ScoreResponse>().Run(text, "m1", 1, default));
        Assert.Equal($"Assessment '{study}/no-such' does not exist.", e.Message);
    }

    /// <summary>The global score 3.75 as a number of its own (not a digit run of a longer number).</summary>
    [System.Text.RegularExpressions.GeneratedRegex(@"(?<![0-9.])3\.75(?![0-9])")]
    private static partial System.Text.RegularExpressions.Regex ScoreInText();
}
