using System.Net;
using System.Text;
using AlliancePipeline.Contracts.Storage;
using AlliancePipeline.Functions.Invitations;
using AlliancePipeline.Functions.Mail;
using AlliancePipeline.Functions.Scoring;
using AlliancePipeline.Functions.Tests.Infrastructure;
using AlliancePipeline.Functions.Tests.Mail;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace AlliancePipeline.Functions.Tests.Studies;

/// <summary>
/// A study applied from the example file, run by the <c>Reminders</c> timer on a clock the test moves, its mails sent
/// by <c>SendEmail</c> to a real MailDev and read back through its API: invitations whose links open the form, exactly
/// the policy's reminders (none after an answer), weekly digests, and rupture alerts sent once.
/// </summary>
[Collection(MailCollection.Name)]
public sealed class ReminderFlowTests(MailDevFixture mail)
{
    private AzuriteFixture Azurite => mail.Azurite;

    /// <summary>The example under a fresh study id, its addresses made unique to this test (MailDev is shared).</summary>
    private static (string StudyId, string Text, string Tag) Example(string prefix)
    {
        var study = AzuriteFixture.UniqueName(prefix);
        var tag = Guid.NewGuid().ToString("N")[..10];
        return (study, StudyFiles.Example(study).Replace("@example.org", $"@{tag}.example.org", StringComparison.Ordinal), tag);
    }

    private async Task<TestApp> StartAsync(FakeTimeProvider clock) =>
        await TestApp.StartAsync(Azurite, mail.UseMailDev, clock);

    /// <summary>
    /// Delivers every message on <c>outbox</c> of this study to <c>SendEmail</c>, as the host would. <c>RunAllAsync</c> queues
    /// mail for every study on the shared Azurite, so other studies' messages are hidden for a few seconds while this pass
    /// looks past them; it ends when a batch holds nothing of ours and nothing it has not seen.
    /// </summary>
    private async Task<int> DeliverAsync(TestApp app, string studyId)
    {
        var outbox = Azurite.Queues.GetQueueClient(StorageNames.OutboxQueue);
        var delivered = 0;
        var others = new HashSet<string>(StringComparer.Ordinal);
        while (true)
        {
            var batch = (await outbox.ReceiveMessagesAsync(32, TimeSpan.FromSeconds(30))).Value;
            var progress = false;
            foreach (var m in batch)
            {
                var text = m.Body.ToString();
                if (!text.Contains($"\"studyId\":\"{studyId}\"", StringComparison.Ordinal))
                {
                    await outbox.UpdateMessageAsync(m.MessageId, m.PopReceipt, visibilityTimeout: TimeSpan.FromSeconds(3)); // another study's
                    progress |= others.Add(m.MessageId);
                    continue;
                }
                await app.Function<SendEmail>().Run(text, m.MessageId, m.DequeueCount, default);
                await outbox.DeleteMessageAsync(m.MessageId, m.PopReceipt);
                delivered++;
                progress = true;
            }
            if (!progress) return delivered;
        }
    }

    private async Task<List<MailEntity>> MailRowsAsync(string studyId)
    {
        var rows = new List<MailEntity>();
        await foreach (var row in Azurite.Tables.GetTableClient(StorageNames.MailTable).QueryAsync<MailEntity>(e => e.PartitionKey == studyId)) rows.Add(row);
        return rows;
    }

    [Fact]
    public async Task A_study_named_per_language_is_named_in_each_raters_language_in_their_invitation()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 1, 14, 9, 0, 0, TimeSpan.Zero));
        await using var app = await StartAsync(clock);
        var (study, text, tag) = Example("names");
        text = text.Replace("name: Working alliance in supported employment (example)",
            "name:\n  en: Working alliance at work\n  fr: Alliance de travail en emploi", StringComparison.Ordinal);
        using (var put = await app.AdminClient.PutAsync($"/api/manage/studies/{study}", new StringContent(text, Encoding.UTF8, "application/yaml")))
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);

        // 14 January: d-003 (site-river, enrolled that day) has its first meeting; d-001's (the 12th) is still to invite.
        await app.Services.GetRequiredService<StudyMailings>().RunAllAsync(default);
        Assert.True(await DeliverAsync(app, study) >= 2);
        var french = Assert.Single(await mail.Client.WaitForAsync($"p-002@{tag}.example.org")); // fr-CA
        Assert.Contains("Alliance de travail en emploi", french.Subject + french.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("Working alliance", french.Subject + french.Text, StringComparison.Ordinal);
        var english = Assert.Single(await mail.Client.WaitForAsync($"p-001@{tag}.example.org"));
        Assert.Contains("Working alliance at work", english.Subject + english.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invitations_open_the_form_and_a_rater_who_never_answers_gets_exactly_the_policy_s_reminders()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 1, 12, 9, 0, 0, TimeSpan.Zero));
        await using var app = await StartAsync(clock);
        var (study, text, tag) = Example("remind");
        using (var put = await app.AdminClient.PutAsync($"/api/manage/studies/{study}", new StringContent(text, Encoding.UTF8, "application/yaml")))
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var mailings = app.Services.GetRequiredService<StudyMailings>();

        // 12 January, 09:00: d-001 (enrolled that day) has its first meeting: practitioner and client are invited.
        var run = await mailings.RunAllAsync(default);
        Assert.True(run.Invitations >= 2, run.ToString());
        Assert.True(await DeliverAsync(app, study) >= 2);
        var practitioner = $"p-001@{tag}.example.org";
        var client = $"c-001@{tag}.example.org";
        var invitation = Assert.Single(await mail.Client.WaitForAsync(practitioner));
        Assert.Contains("d-001", invitation.Text, StringComparison.Ordinal);
        using (var form = await app.Client.GetAsync(MailScenario.LinkIn(invitation.Text, "/api/q/").PathAndQuery))
        {
            Assert.Equal(HttpStatusCode.OK, form.StatusCode);
            Assert.Contains("name=\"item-12\"", await form.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        var clientInvitation = Assert.Single(await mail.Client.WaitForAsync(client));

        // Day by day to 1 March. Due 19 January; reminders on the 22nd, 29th and 5 February (3, then every 7, at most 3).
        // The client answers on the 25th, between their first and second reminder.
        var clientLink = MailScenario.LinkIn(clientInvitation.Text, "/api/q/");
        for (var day = 1; day <= 48; day++)
        {
            clock.Advance(TimeSpan.FromDays(1));
            if (clock.GetUtcNow().Date == new DateTime(2026, 1, 25))
            {
                var answers = string.Join('&', Enumerable.Range(1, 12).Select(i => $"item-{i}=5"));
                using var post = await app.Client.PostAsync(clientLink.PathAndQuery, new StringContent(answers, Encoding.UTF8, "application/x-www-form-urlencoded"));
                Assert.Equal(HttpStatusCode.SeeOther, post.StatusCode);
            }
            await mailings.RunAllAsync(default);
            await mailings.RunAllAsync(default); // a second run the same day queues nothing new
            await DeliverAsync(app, study);
        }

        var rows = await MailRowsAsync(study);
        var m1Reminders = rows.Where(r => r.Kind == MailKinds.Reminder && r.AssessmentId == "d-001-m1-practitioner").OrderBy(r => r.QueuedAt).ToList();
        Assert.Equal(3, m1Reminders.Count);
        Assert.Equal([new DateTime(2026, 1, 22), new DateTime(2026, 1, 29), new DateTime(2026, 2, 5)], m1Reminders.Select(r => r.QueuedAt.UtcDateTime.Date));
        Assert.All(rows, r => Assert.Equal(MailEntity.States.Sent, r.State));
        Assert.Single(rows, r => r.Kind == MailKinds.Reminder && r.AssessmentId == "d-001-m1-client");
        var assessment = (await Azurite.Tables.GetTableClient(StorageNames.AssessmentsTable).GetEntityAsync<AssessmentEntity>(study, "d-001-m1-practitioner")).Value;
        Assert.Equal(3, assessment.RemindersSent);
        Assert.NotNull(assessment.InvitationSentAt);

        // What MailDev holds for the practitioner is exactly what the Mail table says was sent to them, once each.
        var toPractitioner = await mail.Client.ToAsync(practitioner);
        Assert.Equal(rows.Count(r => r.To == practitioner), toPractitioner.Count);
        Assert.Equal(3, toPractitioner.Count(m => m.Text.Contains("d-001", StringComparison.Ordinal) && m.Text.Contains("meeting 1", StringComparison.OrdinalIgnoreCase) && m.Subject.Contains("eminder", StringComparison.OrdinalIgnoreCase)));

        // Each coordinator got one digest per week with overdue forms at their site, no more.
        var digests = rows.Where(r => r.Kind == MailKinds.Digest).ToList();
        Assert.NotEmpty(digests);
        Assert.Equal(digests.Count, digests.Select(d => d.RowKey).Distinct().Count());
        Assert.True(digests.GroupBy(d => d.To).All(g => g.Count() <= 7), "at most one digest per coordinator per week over 7 weeks");
        Assert.Contains(digests, d => d.To == $"coordinator.north@{tag}.example.org");

        // No digest says only that nothing is overdue (the first week had nothing overdue anywhere: no digest then).
        Assert.DoesNotContain(digests, d => d.QueuedAt < new DateTimeOffset(2026, 1, 19, 0, 0, 0, TimeSpan.Zero));
        foreach (var coordinator in digests.Select(d => d.To).Distinct())
        {
            var received = (await mail.Client.ToAsync(coordinator)).Where(m => m.Subject.Contains("overdue", StringComparison.Ordinal) || m.Subject.Contains("retard", StringComparison.Ordinal)).ToList();
            Assert.Equal(digests.Count(d => d.To == coordinator), received.Count);
            Assert.All(received, m => Assert.DoesNotContain("Nothing is overdue", m.Text, StringComparison.Ordinal));
            Assert.All(received, m => Assert.DoesNotContain("Aucun questionnaire n’est en retard", m.Text, StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task After_a_rater_change_or_an_address_correction_every_pending_form_is_mailed_to_the_current_rater_only()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 1, 20, 9, 0, 0, TimeSpan.Zero));
        await using var app = await StartAsync(clock);
        var (study, example, tag) = Example("newrater");
        // A third practitioner at the north site, so that d-002 can move to her.
        var v1 = example.Replace("  - id: c-001\n", $"  - id: p-003\n    role: practitioner\n    site: site-north\n    email: p-003@{tag}.example.org\n    language: en\n  - id: c-001\n", StringComparison.Ordinal);
        var mailings = app.Services.GetRequiredService<StudyMailings>();
        async Task ApplyAsync(string text)
        {
            using var put = await app.AdminClient.PutAsync($"/api/manage/studies/{study}", new StringContent(text, Encoding.UTF8, "application/yaml"));
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }
        async Task RunAsync()
        {
            await mailings.RunAllAsync(default);
            await DeliverAsync(app, study);
        }
        async Task<HttpStatusCode> OpenAsync(MailDevMail m)
        {
            using var form = await app.Client.GetAsync(MailScenario.LinkIn(m.Text, "/api/q/").PathAndQuery);
            return form.StatusCode;
        }
        string p001 = $"p-001@{tag}.example.org", p003 = $"p-003@{tag}.example.org", c001 = $"c-001@{tag}.example.org", c001New = $"c-001.new@{tag}.example.org";

        // 20 January: d-001 (enrolled the 12th) and d-002 (the 19th) are past their first meeting: p-001 is invited to both, c-001 to d-001's.
        await ApplyAsync(v1);
        await RunAsync();
        var oldPractitioner = await mail.Client.WaitForAsync(p001, 2);
        Assert.Single(oldPractitioner, m => m.Subject.Contains("(d-002)", StringComparison.Ordinal));
        var oldClient = Assert.Single(await mail.Client.WaitForAsync(c001));

        // The file moves d-002 to p-003 and corrects c-001's address; the next Reminders run mails each moved pending
        // form to its rater as now named, with a link that opens, and the old links answer 410.
        var v2 = v1.Replace("practitioner: p-001       # no client", "practitioner: p-003       # no client", StringComparison.Ordinal)
            .Replace($"email: c-001@{tag}.example.org", $"email: c-001.new@{tag}.example.org", StringComparison.Ordinal);
        await ApplyAsync(v2);
        clock.Advance(TimeSpan.FromHours(1));
        await RunAsync();
        var moved = Assert.Single(await mail.Client.WaitForAsync(p003));
        Assert.Contains("(d-002)", moved.Subject, StringComparison.Ordinal);
        Assert.Contains("meeting 1", moved.Text, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, await OpenAsync(moved));
        var readdressed = Assert.Single(await mail.Client.WaitForAsync(c001New));
        Assert.Contains("(d-001)", readdressed.Subject, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, await OpenAsync(readdressed));
        Assert.Equal(HttpStatusCode.Gone, await OpenAsync(oldPractitioner.Single(m => m.Subject.Contains("(d-002)", StringComparison.Ordinal))));
        Assert.Equal(HttpStatusCode.Gone, await OpenAsync(oldClient));

        // Six weeks on, day by day: d-002's later meetings and reminders go to p-003 only; c-001's to the new address only;
        // p-001 keeps getting d-001's (still hers) and nothing of d-002's.
        for (var day = 1; day <= 42; day++)
        {
            clock.Advance(TimeSpan.FromDays(1));
            await RunAsync();
        }
        Assert.Single(await mail.Client.ToAsync(c001));
        Assert.DoesNotContain(await mail.Client.ToAsync(p001), m => m.Subject.Contains("(d-002)", StringComparison.Ordinal) && m.Id != oldPractitioner.Single(o => o.Subject.Contains("(d-002)", StringComparison.Ordinal)).Id);
        var toP003 = await mail.Client.ToAsync(p003);
        Assert.All(toP003, m => Assert.Contains("(d-002)", m.Subject, StringComparison.Ordinal));
        foreach (var meeting in new[] { 2, 3 })
            Assert.Contains(toP003, m => m.Text.Contains($"after meeting {meeting} ", StringComparison.Ordinal) && !m.Subject.Contains("eminder", StringComparison.OrdinalIgnoreCase));
        Assert.Contains(await mail.Client.ToAsync(c001New), m => m.Text.Contains("after meeting 3 ", StringComparison.Ordinal));
        var rows = await MailRowsAsync(study);
        Assert.DoesNotContain(rows, r => r.AssessmentId is { } id && id.StartsWith("d-002-", StringComparison.Ordinal) && r.To == p001 && r.QueuedAt > new DateTimeOffset(2026, 1, 20, 9, 30, 0, TimeSpan.Zero));
        Assert.DoesNotContain(rows, r => r.To == c001 && r.QueuedAt > new DateTimeOffset(2026, 1, 20, 9, 30, 0, TimeSpan.Zero));
    }

    [Fact]
    public async Task A_mailed_report_lists_every_alert_since_the_previous_mailed_report_through_the_nightly_runs_between()
    {
        // Sunday 1 March 2026; the example mails its report on Mondays at 06:00 UTC.
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 9, 0, 0, TimeSpan.Zero));
        await using var app = await StartAsync(clock);
        var (study, text, tag) = Example("reportalerts");
        using (var put = await app.AdminClient.PutAsync($"/api/manage/studies/{study}", new StringContent(text, Encoding.UTF8, "application/yaml")))
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var reportMailings = app.Services.GetRequiredService<AlliancePipeline.Functions.Reports.ReportMailings>();
        var nightly = app.Services.GetRequiredService<AlliancePipeline.Functions.Reports.ReportWriter>();
        void AdvanceTo(DateTimeOffset time) => clock.Advance(time - clock.GetUtcNow());
        // A practitioner's drop of more than 1.0 (all 6s, then all 4s) raises an alert on the dyad's meeting 2.
        async Task DropAsync(string dyad)
        {
            foreach (var (meeting, answer) in new[] { (1, 6), (2, 4) })
            {
                var message = new SubmissionMessage { StudyId = study, AssessmentId = $"{dyad}-m{meeting}-practitioner", LinkVersion = 1, Items = [.. Enumerable.Repeat(answer, 12)], SubmittedAt = clock.GetUtcNow() }.ToJson();
                await app.Function<ScoreResponse>().Run(message, $"{dyad}-{meeting}", 1, default);
            }
        }
        async Task<string> MailedAlertsAsync(int mailing)
        {
            var to = $"research.team@{tag}.example.org";
            var report = (await mail.Client.WaitForAsync(to, mailing))[mailing - 1];
            var html = Encoding.UTF8.GetString(await mail.Client.AttachmentAsync(report, Assert.Single(report.Attachments)));
            var start = html.IndexOf("<h2>Rupture alerts", StringComparison.Ordinal);
            return html[start..html.IndexOf("</table>", start, StringComparison.Ordinal)];
        }

        await DropAsync("d-001");                                  // alert A, before the first mailing
        AdvanceTo(new DateTimeOffset(2026, 3, 2, 6, 15, 0, TimeSpan.Zero));
        Assert.Equal(1, await reportMailings.RunAsync(study, default));
        await DeliverAsync(app, study);
        Assert.Contains("<th scope=\"row\">d-001</th>", await MailedAlertsAsync(1), StringComparison.Ordinal);

        AdvanceTo(new DateTimeOffset(2026, 3, 3, 9, 0, 0, TimeSpan.Zero));
        await DropAsync("d-003");                                  // alert B
        AdvanceTo(new DateTimeOffset(2026, 3, 4, 2, 0, 0, TimeSpan.Zero));
        Assert.NotNull(await nightly.RunAsync(study, force: false, default));
        AdvanceTo(new DateTimeOffset(2026, 3, 5, 9, 0, 0, TimeSpan.Zero));
        await DropAsync("d-002");                                  // alert C
        AdvanceTo(new DateTimeOffset(2026, 3, 6, 2, 0, 0, TimeSpan.Zero));
        Assert.NotNull(await nightly.RunAsync(study, force: false, default));

        // Monday 9 March: nothing new since the last nightly run, which is mailed: it lists B and C (since the first
        // mailed report), not A (mailed already), though another nightly run came between B and C.
        AdvanceTo(new DateTimeOffset(2026, 3, 9, 6, 15, 0, TimeSpan.Zero));
        Assert.Equal(1, await reportMailings.RunAsync(study, default));
        await DeliverAsync(app, study);
        var alerts = await MailedAlertsAsync(2);
        Assert.Contains("<th scope=\"row\">d-003</th>", alerts, StringComparison.Ordinal);
        Assert.Contains("<th scope=\"row\">d-002</th>", alerts, StringComparison.Ordinal);
        Assert.DoesNotContain("<th scope=\"row\">d-001</th>", alerts, StringComparison.Ordinal);
        Assert.Contains("since the previous report (2026-03-02", alerts, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_study_that_asks_for_digests_when_nothing_is_overdue_gets_them_and_they_say_so()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 1, 12, 9, 0, 0, TimeSpan.Zero));
        await using var app = await StartAsync(clock);
        var (study, text, tag) = Example("digests");
        text += "\ndigests:\n  whenNothingOverdue: true\n";
        using (var put = await app.AdminClient.PutAsync($"/api/manage/studies/{study}", new StringContent(text, Encoding.UTF8, "application/yaml")))
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);

        // 12 January: nothing is overdue yet; the study asked for the digest anyway, and its subject says so.
        var run = await app.Services.GetRequiredService<StudyMailings>().RunAllAsync(default);
        Assert.True(run.Digests >= 1, run.ToString());
        await DeliverAsync(app, study);
        var digest = Assert.Single(await mail.Client.WaitForAsync($"coordinator.north@{tag}.example.org"));
        Assert.Contains("nothing overdue", digest.Subject, StringComparison.Ordinal);
        Assert.Contains("Nothing is overdue", digest.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_drop_beyond_the_threshold_raises_one_alert_mailed_once_to_the_coordinator_and_the_rater()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 9, 0, 0, TimeSpan.Zero));
        await using var app = await StartAsync(clock);
        var (study, text, tag) = Example("alert");
        using (var put = await app.AdminClient.PutAsync($"/api/manage/studies/{study}", new StringContent(text, Encoding.UTF8, "application/yaml")))
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);

        // The practitioner rates d-001: all 6s at meeting 1, all 4s at meeting 2 (WAI-S global 6 then 4: a drop of 2 > 1.0).
        async Task ScoreAsync(string assessmentId, int answer, string messageId)
        {
            var message = new SubmissionMessage { StudyId = study, AssessmentId = assessmentId, LinkVersion = 1, Items = [.. Enumerable.Repeat(answer, 12)], SubmittedAt = clock.GetUtcNow() }.ToJson();
            await app.Function<ScoreResponse>().Run(message, messageId, 1, default);
        }
        await ScoreAsync("d-001-m1-practitioner", 6, "m1");
        await ScoreAsync("d-001-m2-practitioner", 4, "m2");
        await ScoreAsync("d-001-m2-practitioner", 4, "m2"); // redelivered
        Assert.Equal(2, await DeliverAsync(app, study) + await DeliverAsync(app, study)); // north's coordinator and the rater (notifyRater)

        var alert = (await Azurite.Tables.GetTableClient(StorageNames.AlertsTable).GetEntityAsync<AlertEntity>(study, "d-001-m2-practitioner")).Value;
        // Items 4 and 10 are reversed (8 - answer): all 6s score (10 x 6 + 2 x 2) / 12, all 4s score 4.
        Assert.Equal(("drop", 64.0 / 12, 4.0, 1.0, 4.0), (alert.Kinds, alert.Previous, alert.Current, alert.DropThreshold, alert.Cutoff));
        var coordinator = Assert.Single(await mail.Client.WaitForAsync($"coordinator.north@{tag}.example.org"));
        Assert.Contains("d-001", coordinator.Text, StringComparison.Ordinal);
        Assert.Single(await mail.Client.WaitForAsync($"p-001@{tag}.example.org"));
        var alerts = new List<AlertEntity>();
        await foreach (var row in Azurite.Tables.GetTableClient(StorageNames.AlertsTable).QueryAsync<AlertEntity>(e => e.PartitionKey == study)) alerts.Add(row);
        Assert.Single(alerts);
    }
}
