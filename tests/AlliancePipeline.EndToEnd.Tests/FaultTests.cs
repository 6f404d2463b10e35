using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using AlliancePipeline.Contracts.Storage;
using AlliancePipeline.Core.Studies;
using AlliancePipeline.Emulators;
using AlliancePipeline.Functions.Invitations;
using AlliancePipeline.Functions.Mail;
using AlliancePipeline.Functions.Questionnaires;
using AlliancePipeline.Functions.Scoring;
using AlliancePipeline.Functions.Studies;
using AlliancePipeline.Functions.Tests.Infrastructure;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Testing;
using Xunit.Abstractions;

namespace AlliancePipeline.EndToEnd.Tests;

/// <summary>
/// Faults of issue #12, each on real processes of the test's own (an isolated Azurite, a MailDev, the published worker
/// under the local host): storage going away in the middle of a load, the SMTP server down while invitations wait, the
/// worker killed while it scores a backlog. Each proves nothing acknowledged is lost and nothing is done twice.
/// </summary>
public sealed class FaultTests(ITestOutputHelper output)
{
    /// <summary>How long a refused submission may take at most to be answered while storage is down.</summary>

    private static int[] Answers(int index) => [.. Enumerable.Range(0, 12).Select(i => 1 + (index * 7 + i * 3) % 7)];

    [Fact]
    public async Task Azurite_stopped_and_started_again_in_a_load_leaves_every_202_stored_exactly_once_and_refuses_with_503_problem_details()
    {
        const string study = "fault-azurite";
        const int rate = 50, seconds = 15;
        var port = EmulatorProcess.FreePorts(1)[0];
        await using var azurite = await Azurite.EnsureRunningAsync(AzuriteOptions.Isolated());
        var settings = PipelineFixture.Settings(azurite, port);
        await using var services = PipelineFixture.AppServices(settings);
        var log = new FakeLogCollector();
        // A message whose completion could not be written while storage was down comes back when its lease ends.
        await using var host = await PipelineFixture.StartHostAsync(settings, port, log, queueMessageLease: TimeSpan.FromSeconds(10));
        // The last few links are posted once the outage is over: the app answers again.
        var links = await SeedAsync(services, study, rate * seconds + 10);
        var loadCount = rate * seconds;
        using var http = new HttpClient { BaseAddress = host.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };

        // Open loop: submission i is due at i / rate s whatever became of the others. Storage stops (SIGTERM: Azurite
        // closes its ports and writes its data) 5 s in and is started again on the same ports and data 4 s later.
        var clock = Stopwatch.StartNew();
        var outage = Task.Run(async () =>
        {
            await Task.Delay(TimeSpan.FromSeconds(5));
            var stopping = clock.Elapsed;
            await azurite.StopAsync();
            var stopped = clock.Elapsed;
            await Task.Delay(TimeSpan.FromSeconds(4));
            await azurite.StartAgainAsync();
            return (stopping, stopped, answering: clock.Elapsed);
        });
        var posts = new List<Task<(int Index, HttpStatusCode Status, string? MediaType, bool RetryAfter, TimeSpan Took)>>();
        for (var i = 0; i < loadCount; i++)
        {
            var due = TimeSpan.FromSeconds((double)i / rate);
            var wait = due - clock.Elapsed;
            if (wait > TimeSpan.Zero) await Task.Delay(wait);
            var index = i;
            posts.Add(Task.Run(async () =>
            {
                var sent = clock.Elapsed;
                using var body = new StringContent($"{{\"items\":[{string.Join(',', Answers(index))}]}}", Encoding.UTF8, "application/json");
                using var response = await http.PostAsync($"/api/q/{links[index].Token}", body);
                await response.Content.LoadIntoBufferAsync();
                return (index, response.StatusCode, response.Content.Headers.ContentType?.MediaType, response.Headers.RetryAfter is not null, clock.Elapsed - sent);
            }));
        }

        var answers = await Task.WhenAll(posts);
        var (stopping, stopped, answering) = await outage;
        var accepted = answers.Where(a => a.Status == HttpStatusCode.Accepted).Select(a => a.Index).ToHashSet();
        var refused = answers.Where(a => a.Status != HttpStatusCode.Accepted).ToList();
        output.WriteLine($"Azurite stopping at {stopping.TotalSeconds:0.0} s, down at {stopped.TotalSeconds:0.0} s, answering again at {answering.TotalSeconds:0.0} s; "
            + $"{accepted.Count} accepted, refused: {string.Join(", ", refused.GroupBy(r => (int)r.Status).Select(g => $"{g.Key} × {g.Count()}"))}; "
            + $"slowest answer {answers.Max(a => a.Took).TotalSeconds:0.0} s, slowest refusal {(refused.Count > 0 ? refused.Max(r => r.Took).TotalSeconds : 0):0.0} s.");

        // The outage was real, and the app came back: refusals while it was down, acceptances after.
        Assert.NotEmpty(refused);
        for (var i = loadCount; i < links.Count; i++)
        {
            using var body = new StringContent($"{{\"items\":[{string.Join(',', Answers(i))}]}}", Encoding.UTF8, "application/json");
            using var after = await http.PostAsync($"/api/q/{links[i].Token}", body);
            Assert.Equal(HttpStatusCode.Accepted, after.StatusCode);
            accepted.Add(i);
        }
        // Every refusal is a 503 with problem details and a Retry-After: no 500, no hang (the client's timeout ends one).
        // How long refusals took is a figure, printed, not asserted: the machine may be shared.
        Assert.All(refused, r =>
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, r.Status);
            Assert.Equal("application/problem+json", r.MediaType);
            Assert.True(r.RetryAfter, "a 503 carries Retry-After");
        });
        if (refused.Count > 0) output.WriteLine($"{refused.Count} refusals, the slowest in {refused.Max(r => r.Took).TotalMilliseconds:0} ms.");

        // Settle: the queue empties (a parked message surfaces after its 30 s, a stranded one when its lease ends).
        var queue = services.GetRequiredService<QueueServiceClient>().GetQueueClient(StorageNames.ResponsesQueue);
        await PipelineFixture.EventuallyAsync(async () => (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount == 0, TimeSpan.FromSeconds(60), "the responses queue to empty");
        var tables = services.GetRequiredService<TableServiceClient>();
        var stored = new Dictionary<string, ResponseEntity>(StringComparer.Ordinal);
        await foreach (var e in tables.GetTableClient(StorageNames.ResponsesTable).QueryAsync<ResponseEntity>(e => e.PartitionKey == study))
            Assert.True(stored.TryAdd(e.RowKey, e), $"{e.RowKey} stored twice");
        var byAssessment = links.Select((l, i) => (l.Assessment.Id, i)).ToDictionary(x => x.Id, x => x.i, StringComparer.Ordinal);

        // Every 202 is stored, with its own answers; whatever else is stored is a refused post whose answers did arrive
        // (the 503 says they may have), with its own answers too; nothing is stored twice or poisoned.
        Assert.All(accepted, i => Assert.True(stored.ContainsKey(links[i].Assessment.Id), $"accepted submission {i} ({links[i].Assessment.Id}) is not stored"));
        Assert.All(stored, s => Assert.Equal(Answers(byAssessment[s.Key]), s.Value.Items));
        var completed = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var a in tables.GetTableClient(StorageNames.AssessmentsTable).QueryAsync<AssessmentEntity>(a => a.PartitionKey == study && a.Status == "Completed"))
            completed.Add(a.RowKey);
        Assert.Equal(stored.Keys.Order(), completed.Order());
        Assert.Equal(0, (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount);
        Assert.Empty((await services.GetRequiredService<QueueServiceClient>().GetQueueClient("responses-poison").PeekMessagesAsync(32)).Value);
        var storedAudits = await AuditCountsAsync(tables, study, "response.stored");
        Assert.All(storedAudits, a => Assert.True(a.Value == 1, $"{a.Key}: response.stored audited {a.Value} times"));
        output.WriteLine($"{stored.Count} stored: {accepted.Count} accepted and {stored.Count - accepted.Count} of the refused whose answers had arrived.");
    }

    [Fact]
    public async Task SMTP_down_while_invitations_wait_they_are_retried_and_each_arrives_exactly_once_when_it_is_back()
    {
        const string study = "fault-smtp";
        const int count = 20;
        var ports = EmulatorProcess.FreePorts(3);
        await using var mailDev = await MailDev.EnsureRunningAsync(ports[1], ports[2]);
        await using var azurite = await Azurite.EnsureRunningAsync(AzuriteOptions.Isolated());
        var settings = PipelineFixture.Settings(azurite, ports[0]);
        settings["AlliancePipeline__Smtp__Port"] = mailDev.SmtpPort.ToString(CultureInfo.InvariantCulture);
        // Retries 4 s apart: the five tries of a mail span 16 s, longer than the outage.
        settings["AzureFunctionsJobHost__extensions__queues__visibilityTimeout"] = "00:00:04";
        await using var services = PipelineFixture.AppServices(settings);
        var log = new FakeLogCollector();
        await using var host = await PipelineFixture.StartHostAsync(settings, ports[0], log);

        await mailDev.StopAsync();
        var links = await services.StudySeeder().SeedAsync(study, count, 1);
        var mails = new List<OutboxMail>();
        foreach (var link in links)
        {
            var a = link.Assessment;
            var pause = services.GetRequiredService<PauseLinks>().Link(a.StudyId, a.Id, a.LinkVersion, DateTimeOffset.UtcNow.AddDays(30));
            var content = services.GetRequiredService<MailTemplates>().Invitation(new InvitationModel("Fault study", a.DyadId, a.Meeting,
                StudyCalendar.Day(a.DueDate), services.GetRequiredService<MailLinks>().Questionnaire(link.Token), pause), a.Language);
            var mail = new OutboxMail(MailIds.Invitation(a.Id, a.LinkVersion), study, MailKinds.Invitation, $"rater-{a.DyadId}@example.org", a.Language, content) { AssessmentId = a.Id, PauseLink = pause };
            Assert.True(await services.GetRequiredService<Outbox>().QueueAsync(mail, default));
            mails.Add(mail);
        }

        // Every mail has failed at least twice against the closed port before the server comes back.
        var rows = services.GetRequiredService<TableServiceClient>().GetTableClient(StorageNames.MailTable);
        await PipelineFixture.EventuallyAsync(async () => (await MailRowsAsync(rows, study)).Count(r => r.Attempts >= 2 && r.State == MailEntity.States.Queued) == count,
            TimeSpan.FromSeconds(60), "every mail to have failed twice");
        Assert.All(await MailRowsAsync(rows, study), r => Assert.Contains("could not connect", r.LastError ?? "", StringComparison.Ordinal));
        await mailDev.StartAgainAsync();

        await PipelineFixture.EventuallyAsync(async () => (await MailRowsAsync(rows, study)).All(r => r.State == MailEntity.States.Sent), TimeSpan.FromSeconds(60), "every mail to be sent");
        using var inbox = new MailDevClient(mailDev.WebAddress);
        // MailDev lists a mail a moment after it accepted it: wait for all, then a little more for any copy.
        await PipelineFixture.EventuallyAsync(async () => (await inbox.ListAsync()).Count >= count, TimeSpan.FromSeconds(10), "MailDev to list every mail");
        await Task.Delay(TimeSpan.FromSeconds(2));
        var caught = await inbox.ListAsync();
        var byMessageId = caught.GroupBy(m => m.Header("message-id")).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(count, caught.Count);
        Assert.All(mails, m => Assert.Equal(1, byMessageId.GetValueOrDefault($"<{m.MailId}.{study}@example.org>")));
        var final = await MailRowsAsync(rows, study);
        Assert.All(final, r => Assert.True(r.Attempts >= 3, $"{r.RowKey}: {r.Attempts} attempts"));
        Assert.Empty((await services.GetRequiredService<QueueServiceClient>().GetQueueClient("outbox-poison").PeekMessagesAsync(32)).Value);
        Assert.All(await AuditCountsAsync(services.GetRequiredService<TableServiceClient>(), study, "mail.sent"), a => Assert.Equal(1, a.Value));
        output.WriteLine($"{count} mails sent once each after {final.Min(r => r.Attempts)}–{final.Max(r => r.Attempts)} attempts.");
    }

    [Fact]
    public async Task The_worker_killed_while_scoring_a_backlog_is_restarted_and_every_message_is_processed_exactly_once()
    {
        const string study = "fault-worker";
        const int count = 400;
        var port = EmulatorProcess.FreePorts(1)[0];
        await using var azurite = await Azurite.EnsureRunningAsync(AzuriteOptions.Isolated());
        var settings = PipelineFixture.Settings(azurite, port);
        await using var services = PipelineFixture.AppServices(settings);
        var log = new FakeLogCollector();
        await using var host = await PipelineFixture.StartHostAsync(settings, port, log);
        var links = await SeedAsync(services, study, count);
        var queue = services.GetRequiredService<QueueServiceClient>().GetQueueClient(StorageNames.ResponsesQueue);
        await Parallel.ForEachAsync(links.Select((l, i) => (l, i)), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (x, ct) =>
            await queue.SendMessageAsync(new SubmissionMessage
            {
                StudyId = study,
                AssessmentId = x.l.Assessment.Id,
                LinkVersion = 1,
                Items = Answers(x.i),
                SubmittedAt = DateTimeOffset.UtcNow,
                SubmissionId = Guid.NewGuid().ToString("N"),
            }.ToJson(), ct));

        // Kill -9 in the middle: scoring has begun and invocations are running.
        var tables = services.GetRequiredService<TableServiceClient>();
        await PipelineFixture.EventuallyAsync(async () => (await CountAsync(tables, StorageNames.ResponsesTable, study)) >= 20, TimeSpan.FromSeconds(30), "scoring to begin");
        var victim = host.WorkerProcessId!.Value;
        var atKill = log.GetSnapshot();
        var running = atKill.Count(r => r.Says("Executing 'Functions.ScoreResponse'")) - atKill.Count(r => r.Says("Executed 'Functions.ScoreResponse'"));
        var storedAtKill = await CountAsync(tables, StorageNames.ResponsesTable, study);
        using (var process = Process.GetProcessById(victim)) process.Kill();

        await PipelineFixture.EventuallyAsync(() => Task.FromResult(host.WorkerRestarts == 1 && host.WorkerProcessId != victim && host.State == AlliancePipeline.LocalHost.LocalHostState.Running),
            TimeSpan.FromSeconds(30), "the host to restart the worker");
        await PipelineFixture.EventuallyAsync(async () => (await CountAsync(tables, StorageNames.ResponsesTable, study)) == count && (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount == 0,
            TimeSpan.FromSeconds(45), "every message to be scored");
        var failedByKill = log.GetSnapshot().Count(r => r.Says("Executed 'Functions.ScoreResponse' (Failed"));
        output.WriteLine($"Killed worker {victim} with {storedAtKill} of {count} stored and about {running} invocations running; {failedByKill} invocations failed with it; restarted as {host.WorkerProcessId}.");

        var stored = new Dictionary<string, ResponseEntity>(StringComparer.Ordinal);
        await foreach (var e in tables.GetTableClient(StorageNames.ResponsesTable).QueryAsync<ResponseEntity>(e => e.PartitionKey == study))
            Assert.True(stored.TryAdd(e.RowKey, e), $"{e.RowKey} stored twice");
        Assert.Equal(links.Select(l => l.Assessment.Id).Order(), stored.Keys.Order());
        Assert.All(links.Select((l, i) => (l, i)), x => Assert.Equal(Answers(x.i), stored[x.l.Assessment.Id].Items));
        Assert.Equal(count, await CountAsync(tables, StorageNames.AssessmentsTable, study, "Completed"));
        Assert.Empty((await services.GetRequiredService<QueueServiceClient>().GetQueueClient("responses-poison").PeekMessagesAsync(32)).Value);
        // Processed once: one response.stored audit row per assessment at most (a run killed between the insert and its
        // audit row leaves none: its redelivery finds the response stored and writes nothing).
        var audits = await AuditCountsAsync(tables, study, "response.stored");
        Assert.All(audits, a => Assert.True(a.Value == 1, $"{a.Key}: response.stored audited {a.Value} times"));
        Assert.Contains(log.GetSnapshot(), r => r.Says($"Worker process {victim} exited"));
    }

    /// <summary>Writes a study of <paramref name="count"/> pending assessments (transactions of 100) and returns their links.</summary>
    private static async Task<IReadOnlyList<SeededLink>> SeedAsync(IServiceProvider services, string studyId, int count)
    {
        await services.GetRequiredService<StudyStore>().SaveStudyAsync(new Study(studyId, $"Fault study {studyId}", "wai-s-practitioner", ["site-a"]), default);
        var now = DateTimeOffset.UtcNow;
        var assessments = Enumerable.Range(1, count)
            .Select(i => new Assessment($"d-{i:0000}-m1-practitioner", studyId, "site-a", $"d-{i:0000}", 1, "practitioner", $"r-{i % 20:00}", now.AddDays(7), AssessmentStatus.Pending, 1, "en"))
            .ToList();
        var table = services.GetRequiredService<TableServiceClient>().GetTableClient(StorageNames.AssessmentsTable);
        foreach (var chunk in assessments.Chunk(100))
            await table.SubmitTransactionAsync(chunk.Select(a => new TableTransactionAction(TableTransactionActionType.UpsertReplace, AssessmentEntity.From(a))));
        var tokens = services.GetRequiredService<ILinkTokens>();
        return [.. assessments.Select(a => new SeededLink(a, tokens.Issue(new LinkClaims(studyId, a.Id, 1, now.AddDays(30)))))];
    }

    private static async Task<int> CountAsync(TableServiceClient tables, string table, string partition, string? status = null)
    {
        var n = 0;
        var filter = status is null ? $"PartitionKey eq '{partition}'" : $"PartitionKey eq '{partition}' and Status eq '{status}'";
        await foreach (var _ in tables.GetTableClient(table).QueryAsync<TableEntity>(filter, select: ["RowKey"])) n++;
        return n;
    }

    private static async Task<List<MailEntity>> MailRowsAsync(TableClient rows, string study)
    {
        var list = new List<MailEntity>();
        await foreach (var r in rows.QueryAsync<MailEntity>(r => r.PartitionKey == study)) list.Add(r);
        return list;
    }

    /// <summary>How many audit rows of <paramref name="action"/> each subject has in the study's partition.</summary>
    private static async Task<Dictionary<string, int>> AuditCountsAsync(TableServiceClient tables, string study, string action)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        await foreach (var row in tables.GetTableClient(StorageNames.AuditTable).QueryAsync<AuditEntity>(r => r.PartitionKey == study && r.Action == action))
            counts[row.Subject] = counts.GetValueOrDefault(row.Subject) + 1;
        return counts;
    }
}
