using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using AlliancePipeline.Contracts.Storage;
using AlliancePipeline.EndToEnd.Tests;
using Azure.Data.Tables;

namespace AlliancePipeline.Hostile.Tests;

/// <summary>
/// Links attacked through the host: concurrent posts to one link, tampered, truncated, expired, replayed after a
/// reissue, of a withdrawn dyad. Refused links answer 404 or 410 and never reach the queue.
/// </summary>
[Collection(HostileCollection.Name)]
public sealed class LinkAttackTests(HostileFixture app)
{
    private static StringContent Answers(int value = 5) => new($"{{\"items\":[{string.Join(',', Enumerable.Repeat(value, 12))}]}}", Encoding.UTF8, "application/json");

    [Fact]
    public async Task Sixteen_concurrent_posts_to_one_link_give_exactly_one_acceptance_and_fifteen_409s_and_nothing_is_poisoned()
    {
        const string assessment = "d-a3-m1-practitioner";
        var link = await app.LinkAsync(assessment);
        using var start = new Barrier(16);
        var answers = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => Task.Run(async () =>
        {
            using var client = app.Client(null);
            start.SignalAndWait();
            using var answer = await client.PostAsync(link, Answers(1 + (i % 7)));
            return ((int)answer.StatusCode, answer.Content.Headers.ContentType?.MediaType);
        })));

        Assert.Equal(1, answers.Count(a => a.Item1 == 202));
        Assert.Equal(15, answers.Count(a => a.Item1 == 409));
        Assert.All(answers.Where(a => a.Item1 == 409), a => Assert.Equal("application/problem+json", a.MediaType));

        // Scored once; the losers took their messages back, so nothing waits on the queue and nothing was poisoned.
        var responses = app.Tables.GetTableClient(StorageNames.ResponsesTable);
        await PipelineFixture.EventuallyAsync(async () => (await responses.GetEntityIfExistsAsync<TableEntity>(HostileFixture.StudyId, assessment)).HasValue, HostileFixture.Patience, "the response stored");
        await PipelineFixture.EventuallyAsync(async () => (await app.QueueCountsAsync()).Responses == 0, HostileFixture.Patience, "the responses queue empty");
        Assert.Equal(0, (await app.QueueCountsAsync()).Poison);
        Assert.Equal("Completed", (await app.AssessmentAsync(assessment)).Status);
        var accepted = app.Tables.GetTableClient(StorageNames.AuditTable)
            .QueryAsync<TableEntity>(e => e.PartitionKey == HostileFixture.StudyId);
        var count = 0;
        await foreach (var e in accepted)
        {
            if (e.GetString("Action") == "submission.accepted" && e.GetString("Subject") == assessment) count++;
        }
        Assert.Equal(1, count);
    }

    [Fact]
    public async Task Tampered_truncated_and_expired_links_are_404_and_410_for_pages_and_tools_and_never_queued()
    {
        const string assessment = "d-a4-m1-practitioner";
        var link = await app.LinkAsync(assessment);
        var token = link["/api/q/".Length..];
        var now = await app.AppNowAsync();
        var expired = await app.LinkAsync(assessment, expiresAt: now.AddMinutes(-1));
        var attacks = new (string Path, int Status)[]
        {
            ("/api/q/" + Flip(token, token.Length / 2), 404),                // ciphertext changed: the GCM tag no longer fits
            ("/api/q/" + Flip(token, token.Length - 3), 404),                // tag changed
            ("/api/q/" + token[..(token.Length - 10)], 404),                 // truncated
            ("/api/q/" + token + "AAAA", 404),                               // lengthened
            ("/api/q/" + token.ToUpperInvariant(), 404),
            (expired, 410),
            (await app.LinkAsync(assessment, version: 7), 410),              // a version the assessment never had: revoked
        };
        foreach (var (path, status) in attacks)
        {
            using var page = await app.Http.GetAsync(path);
            Assert.Equal(status, (int)page.StatusCode);
            Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
            using var post = await app.Http.PostAsync(path, Answers());
            Assert.Equal(status, (int)post.StatusCode);
            Assert.Equal("application/problem+json", post.Content.Headers.ContentType?.MediaType);
            using var form = await app.Http.PostAsync(path, new FormUrlEncodedContent(Enumerable.Range(1, 12).Select(i => KeyValuePair.Create($"item-{i}", "5"))));
            Assert.Equal(status, (int)form.StatusCode);
        }

        Assert.Equal(0, (await app.QueueCountsAsync()).Responses);
        Assert.Equal("Pending", (await app.AssessmentAsync(assessment)).Status);
    }

    [Fact]
    public async Task A_link_replayed_after_its_reissue_is_410_before_and_after_the_new_one_is_answered_and_a_withdrawn_dyads_links_are_410()
    {
        const string assessment = "d-a4-m2-practitioner";
        var old = await app.LinkAsync(assessment);
        using var study = app.Client(app.Keys["study"]);
        using var reissued = await study.PostAsync($"api/studies/{HostileFixture.StudyId}/assessments/{assessment}/reissue", null);
        Assert.Equal(HttpStatusCode.OK, reissued.StatusCode);
        // The new link as the next Reminders run mails it: the answer holds none (security finding 3).
        Assert.Null(JsonNode.Parse(await reissued.Content.ReadAsStringAsync())!["link"]);
        var fresh = await app.LinkAsync(assessment);

        using (var replay = await app.Http.PostAsync(old, Answers()))
            Assert.Equal(HttpStatusCode.Gone, replay.StatusCode);
        Assert.Equal(0, (await app.QueueCountsAsync()).Responses);
        using (var answered = await app.Http.PostAsync(fresh, Answers()))
            Assert.Equal(HttpStatusCode.Accepted, answered.StatusCode);
        using (var replay = await app.Http.PostAsync(old, Answers(2)))
            Assert.Equal(HttpStatusCode.Gone, replay.StatusCode);
        using (var again = await app.Http.PostAsync(fresh, Answers(2)))
            Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);

        // Withdrawn: every link of the dyad stops.
        var withdrawnLinks = new List<string>();
        for (var m = 1; m <= 3; m++) withdrawnLinks.Add(await app.LinkAsync($"d-b3-m{m}-practitioner"));
        using (var withdrawn = await study.PostAsync($"api/studies/{HostileFixture.StudyId}/dyads/d-b3/withdraw", null))
            Assert.Equal(HttpStatusCode.OK, withdrawn.StatusCode);
        foreach (var link in withdrawnLinks)
        {
            using var post = await app.Http.PostAsync(link, Answers());
            Assert.Equal(HttpStatusCode.Gone, post.StatusCode);
        }

        var responses = app.Tables.GetTableClient(StorageNames.ResponsesTable);
        await PipelineFixture.EventuallyAsync(async () => (await responses.GetEntityIfExistsAsync<TableEntity>(HostileFixture.StudyId, assessment)).HasValue, HostileFixture.Patience, "the answer to the new link stored");
        Assert.Equal(5, (await responses.GetEntityAsync<TableEntity>(HostileFixture.StudyId, assessment)).Value.GetInt32("Item01"));
        Assert.False((await responses.GetEntityIfExistsAsync<TableEntity>(HostileFixture.StudyId, "d-b3-m1-practitioner")).HasValue);
        await PipelineFixture.EventuallyAsync(async () => (await app.QueueCountsAsync()).Responses == 0, HostileFixture.Patience, "the responses queue empty");
        Assert.Equal(0, (await app.QueueCountsAsync()).Poison);
    }

    private static string Flip(string token, int at)
    {
        var chars = token.ToCharArray();
        chars[at] = chars[at] == 'A' ? 'B' : 'A';
        return new string(chars);
    }
}
