using System.Globalization;
using System.Text;
using AlliancePipeline.Contracts.Storage;
using AlliancePipeline.Functions.Infrastructure.Settings;
using AlliancePipeline.Functions.Invitations;
using AlliancePipeline.Functions.Mail;
using AlliancePipeline.Functions.Tests.Infrastructure;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Azure.Storage.Queues.Models;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace AlliancePipeline.Functions.Tests.Studies;

/// <summary>
/// A <c>Reminders</c> run within its budget (<see cref="ReminderRunOptions"/>): with no time at all, each run reads and
/// decides one chunk of due forms (<see cref="StudyMailings.FormsPerRead"/>) and hands the rest, unread, to a
/// continuation on <c>reminders</c>; over six weeks of a study of 60 dyads, runs and continuations together queue exactly
/// the invitations and reminders an unbounded run queues on the same study, each once, and a backlog of 302 forms is
/// mailed once each having read each once (Azurite).
/// </summary>
[Collection(MailCollection.Name)]
public sealed class ReminderBudgetTests(MailDevFixture mail)
{
    private AzuriteFixture Azurite => mail.Azurite;

    private static readonly DateOnly FirstDay = new(2026, 1, 12);

    /// <summary>The example study under <paramref name="studyId"/>, with 56 practitioner-only dyads more at the north site, two thirds enrolled on its first day and the rest over four weeks.</summary>
    private static string Study(string studyId, string tag) => Study(studyId, tag, 56, n => FirstDay.AddDays(n % 3 != 0 ? 0 : n % 28));

    /// <summary>The example study under <paramref name="studyId"/>, with <paramref name="count"/> practitioner-only dyads more at the north site, dyad n enrolled on <paramref name="enrolledOn"/>(n).</summary>
    private static string Study(string studyId, string tag, int count, Func<int, DateOnly> enrolledOn)
    {
        var more = new StringBuilder();
        for (var n = 1; n <= count; n++)
        {
            var enrolled = enrolledOn(n);
            more.Append(CultureInfo.InvariantCulture, $"  - {{ id: x-{n:000}, practitioner: p-001, site: site-north, arm: ips, enrolled: {enrolled:yyyy-MM-dd} }}\n");
        }
        return StudyFiles.Example(studyId).Replace("@example.org", $"@{tag}.example.org", StringComparison.Ordinal)
            .Replace("\ndyads:\n", "\ndyads:\n" + more, StringComparison.Ordinal);
    }

    private async Task<HashSet<string>> MailIdsAsync(string studyId, params string[] kinds)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var row in Azurite.Tables.GetTableClient(StorageNames.MailTable).QueryAsync<TableEntity>(e => e.PartitionKey == studyId))
        {
            if (kinds.Contains(row.GetString("Kind"))) ids.Add(row.RowKey);
        }
        return ids;
    }

    /// <summary>Runs every continuation of <paramref name="studyId"/> on <c>reminders</c> until none is left; answers how many ran.</summary>
    private Task<int> ContinueAllAsync(TestApp app, string studyId) =>
        ContinueAllAsync(studyId, m => app.Function<ContinueReminders>().Run(m.Body.ToString(), m.MessageId, m.DequeueCount, default));

    /// <summary>Hands every continuation of <paramref name="studyId"/> on <c>reminders</c> to <paramref name="run"/> until none is left; answers how many ran.</summary>
    private async Task<int> ContinueAllAsync(string studyId, Func<QueueMessage, Task> run)
    {
        var queue = Azurite.Queues.GetQueueClient(StorageNames.RemindersQueue);
        var ran = 0;
        for (var empty = 0; empty < 2;)
        {
            var batch = (await queue.ReceiveMessagesAsync(32, TimeSpan.FromSeconds(30))).Value;
            var ours = batch.Where(m => ReminderContinuation.TryParse(m.Body.ToString(), out _)?.StudyId == studyId).ToList();
            foreach (var other in batch.Except(ours))
                await queue.UpdateMessageAsync(other.MessageId, other.PopReceipt, visibilityTimeout: TimeSpan.FromSeconds(2)); // another test's study
            empty = ours.Count == 0 ? empty + 1 : 0;
            foreach (var m in ours)
            {
                await run(m);
                await queue.DeleteMessageAsync(m.MessageId, m.PopReceipt);
                ran++;
            }
        }
        return ran;
    }

    [Fact]
    public async Task Runs_out_of_time_continue_until_every_due_form_is_mailed_once_as_an_unbounded_run_mails_it()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 1, 12, 9, 5, 0, TimeSpan.Zero));
        await using var bounded = await TestApp.StartAsync(Azurite, s =>
        {
            mail.UseMailDev(s);
            s[SettingNames.ReminderRunSecondsKey] = "0";
        }, clock);
        // "Unbounded": the longest budget the setting takes, so a loaded machine never cuts its runs short.
        await using var unbounded = await TestApp.StartAsync(Azurite, s =>
        {
            mail.UseMailDev(s);
            s[SettingNames.ReminderRunSecondsKey] = "600";
        }, clock);
        var tag = Guid.NewGuid().ToString("N")[..10];
        var (small, large) = (AzuriteFixture.UniqueName("budget-zero"), AzuriteFixture.UniqueName("budget-none"));
        foreach (var (app, study) in new[] { (bounded, small), (unbounded, large) })
        {
            using var put = await app.AdminClient.PutAsync($"/api/manage/studies/{study}", new StringContent(Study(study, tag), Encoding.UTF8, "application/yaml"));
            Assert.Equal(System.Net.HttpStatusCode.OK, put.StatusCode);
        }

        // Day one: more forms are due than one chunk, so the bounded run leaves some to a continuation.
        var first = await bounded.Services.GetRequiredService<StudyMailings>().ContinueAsync(small, default);
        Assert.Equal(StudyMailings.FormsPerRead, first.Invitations + first.Reminders);
        Assert.Equal(StudyMailings.FormsPerRead, first.Read);
        Assert.True(first.Left > 0, first.ToString());
        Assert.Equal(1, first.Continued);
        Assert.Equal(0, first.Digests);

        // Six weeks, a run a day at 09:05 and one at 15:05: each time, the bounded study's run and all its continuations
        // queue the same mails as the unbounded study's single run.
        var continuations = 0;
        for (var day = 0; day < 42; day++)
        {
            foreach (var hour in new[] { 9, 15 })
            {
                clock.SetUtcNow(new DateTimeOffset(2026, 1, 12, hour, 5, 0, TimeSpan.Zero).AddDays(day));
                var whole = await unbounded.Services.GetRequiredService<StudyMailings>().ContinueAsync(large, default);
                Assert.Equal((0, 0), (whole.Left, whole.Continued));
                await bounded.Services.GetRequiredService<StudyMailings>().ContinueAsync(small, default);
                continuations += await ContinueAllAsync(bounded, small);
                var expected = await MailIdsAsync(large, MailKinds.Invitation, MailKinds.Reminder);
                var got = await MailIdsAsync(small, MailKinds.Invitation, MailKinds.Reminder);
                Assert.True(expected.SetEquals(got), $"{clock.GetUtcNow():yyyy-MM-dd HH:mm}: only unbounded {string.Join(", ", expected.Except(got).Take(5))}; only bounded {string.Join(", ", got.Except(expected).Take(5))}");
            }
        }
        var mails = await MailIdsAsync(small, MailKinds.Invitation, MailKinds.Reminder);
        Assert.True(mails.Count > 150, $"{mails.Count} mails");
        Assert.True(continuations > 5, $"{continuations} continuations"); // a run reads and mails one chunk
        // The digests, queued by the run that finished its forms, are those of the unbounded study.
        Assert.Equal((await MailIdsAsync(large, MailKinds.Digest)).Count, (await MailIdsAsync(small, MailKinds.Digest)).Count);
    }

    [Fact]
    public async Task A_run_cut_short_reads_only_the_chunk_it_decides_and_its_continuations_mail_a_backlog_once()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 1, 12, 9, 5, 0, TimeSpan.Zero));
        var counter = new RequestCounter();
        await using var app = await TestApp.StartAsync(Azurite, s =>
        {
            mail.UseMailDev(s);
            s[SettingNames.ReminderRunSecondsKey] = "0";
        }, clock, services => services.AddAzureClients(c => c.ConfigureDefaults(o => o.AddPolicy(counter, HttpPipelinePosition.PerRetry))));
        var tag = Guid.NewGuid().ToString("N")[..10];
        var study = AzuriteFixture.UniqueName("backlog");
        await app.ApplyStudyAsync(study, Study(study, tag, 300, _ => FirstDay));
        // The backlog: the invitation of each form whose meeting day has come (300 dyads enrolled today, and the example's first).
        var now = clock.GetUtcNow();
        var due = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var a in Azurite.Tables.GetTableClient(StorageNames.AssessmentsTable).QueryAsync<AssessmentEntity>(e => e.PartitionKey == study))
        {
            if (a.Status == "Pending" && a.InvitationQueuedAt is null && a.InviteOn <= now) due.Add(MailIds.Invitation(a.RowKey, a.LinkVersion));
        }
        Assert.True(due.Count > 4 * StudyMailings.FormsPerRead, $"{due.Count} due");

        // With no budget a run reads one chunk of the due forms and decides (here: mails) every form it read; the
        // others it leaves unread, to a continuation.
        var mailings = app.Services.GetRequiredService<StudyMailings>();
        counter.Reset();
        var runs = new List<MailingRun> { await mailings.ContinueAsync(study, default) };
        Assert.Equal((StudyMailings.FormsPerRead, StudyMailings.FormsPerRead, due.Count - StudyMailings.FormsPerRead, 1),
            (runs[0].Read, runs[0].Invitations, runs[0].Left, runs[0].Continued));
        var continuations = await ContinueAllAsync(study, async _ => runs.Add(await mailings.ContinueAsync(study, default)));

        // Each run read at most one chunk and mailed every form it read; each continued run was continued once, the last
        // not; together they read each due form once and mailed each once.
        Assert.All(runs, r => Assert.InRange(r.Read, 1, StudyMailings.FormsPerRead));
        Assert.All(runs, r => Assert.Equal(r.Read, r.Invitations + r.Reminders));
        Assert.Equal(continuations, runs.Sum(r => r.Continued));
        Assert.Equal((0, 0), (runs[^1].Left, runs[^1].Continued));
        Assert.Equal(due.Count, runs.Sum(r => r.Read));
        Assert.Equal(due.Count, runs.Sum(r => r.Invitations));
        var invited = await MailIdsAsync(study, MailKinds.Invitation);
        Assert.True(due.SetEquals(invited), $"not mailed: {string.Join(", ", due.Except(invited).Take(5))}; not due: {string.Join(", ", invited.Except(due).Take(5))}");
        Console.WriteLine($"A backlog of {due.Count} invitations with no budget: {runs.Count} runs read {runs.Sum(r => r.Read)} assessments for the chunks they decided; "
            + $"{counter.Requests} storage requests ({(double)counter.Requests / due.Count:0.0} a mail), {counter.AssessmentReads} point reads of Assessments ({(double)counter.AssessmentReads / due.Count:0.0} a mail).");
    }

    /// <summary>Counts the requests storage answers, and the point reads of <c>Assessments</c> among them.</summary>
    private sealed class RequestCounter : HttpPipelinePolicy
    {
        private int _requests;
        private int _assessmentReads;

        public int Requests => _requests;

        public int AssessmentReads => _assessmentReads;

        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            Count(message);
            ProcessNext(message, pipeline);
        }

        public override ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            Count(message);
            return ProcessNextAsync(message, pipeline);
        }

        private void Count(HttpMessage message)
        {
            Interlocked.Increment(ref _requests);
            if (message.Request.Method == RequestMethod.Get && Uri.UnescapeDataString(message.Request.Uri.Path).Contains("/Assessments(", StringComparison.Ordinal))
                Interlocked.Increment(ref _assessmentReads);
        }

        public void Reset() => (_requests, _assessmentReads) = (0, 0);
    }

    [Fact]
    public async Task A_malformed_continuation_goes_to_reminders_poison_with_its_reason()
    {
        await using var app = await TestApp.StartAsync(Azurite, mail.UseMailDev);
        var id = "bad-" + Guid.NewGuid().ToString("N");
        await app.Function<ContinueReminders>().Run("{\"studyId\":\"Not A Study\"}", id, 1, default);
        var audit = await Azurite.Tables.GetTableClient(StorageNames.AuditTable).GetEntityIfExistsAsync<TableEntity>($"poison-{StorageNames.RemindersQueue}", id);
        Assert.True(audit.HasValue);
        Assert.Contains("studyId is missing or not a valid study id", audit.Value!.GetString("Reason"), StringComparison.Ordinal);
        Assert.Null(ReminderContinuation.TryParse("[1]", out var reason));
        Assert.StartsWith("not a continuation message", reason, StringComparison.Ordinal);
        Assert.Equal("s-1", ReminderContinuation.TryParse(new ReminderContinuation("s-1").ToJson(), out _)?.StudyId);
    }
}
