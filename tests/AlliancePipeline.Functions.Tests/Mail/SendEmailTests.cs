using System.Net;
using AlliancePipeline.Contracts.Storage;
using AlliancePipeline.Emulators;
using AlliancePipeline.Functions.Mail;
using AlliancePipeline.Functions.Tests.Infrastructure;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace AlliancePipeline.Functions.Tests.Mail;

/// <summary>
/// The outbox and <c>SendEmail</c> on a real Azurite and a real MailDev: mails read back through MailDev's REST API and
/// their links followed to the app's functions.
/// </summary>
[Collection(MailCollection.Name)]
public sealed class SendEmailTests(MailDevFixture fixture)
{
    private AzuriteFixture Azurite => fixture.Azurite;

    private Task<TestApp> StartAsync(Action<Dictionary<string, string?>>? adjust = null) =>
        TestApp.StartAsync(Azurite, values =>
        {
            fixture.UseMailDev(values);
            adjust?.Invoke(values);
        });

    [Fact]
    public async Task An_invitation_is_queued_once_sent_once_in_the_raters_language_and_its_link_opens_the_form()
    {
        await using var app = await StartAsync();
        var to = MailDevFixture.Recipient("rater");
        var scenario = await MailScenario.CreateAsync(app, to, "fr");
        var outbox = app.Services.GetRequiredService<Outbox>();

        var text = await scenario.QueueAndTakeAsync(Azurite);
        Assert.False(await outbox.QueueAsync(scenario.Mail, default)); // never queued twice
        Assert.StartsWith("{\"schema\":\"alliance.mail.v1\",\"mailId\":\"invitation-", text, StringComparison.Ordinal);
        var queued = await scenario.RowAsync(Azurite);
        Assert.Equal((MailEntity.States.Queued, MailKinds.Invitation, scenario.Assessment.Id, to, 0), (queued.State, queued.Kind, queued.AssessmentId, queued.To, queued.Attempts));
        Assert.NotNull((await scenario.AssessmentAsync(Azurite)).InvitationQueuedAt);

        var send = app.Function<SendEmail>();
        await send.Run(text, "m-1", 1, default);
        await send.Run(text, "m-1", 2, default); // a redelivery (the host lost the lease): nothing sent again

        var mail = Assert.Single(await fixture.Client.WaitForAsync(to));
        await Task.Delay(300);
        Assert.Single(await fixture.Client.ToAsync(to));
        Assert.Equal(scenario.Mail.Content.Subject, mail.Subject);
        Assert.StartsWith("Alliance study : questionnaire après la rencontre 1", mail.Subject, StringComparison.Ordinal);
        Assert.StartsWith("Bonjour,", mail.Text, StringComparison.Ordinal);
        Assert.Contains("<html lang=\"fr\">", mail.Html, StringComparison.Ordinal);
        Assert.StartsWith("multipart/alternative", mail.Header("content-type"), StringComparison.Ordinal);
        Assert.Equal($"<{scenario.Mail.MailId}.{scenario.StudyId}@example.org>", mail.Header("message-id"));
        Assert.Equal("auto-generated", mail.Header("auto-submitted"));
        Assert.Equal("fr", mail.Header("content-language"));
        Assert.Equal($"<{scenario.Mail.PauseLink!.AbsoluteUri}>", mail.Header("list-unsubscribe"));
        Assert.Equal("List-Unsubscribe=One-Click", mail.Header("list-unsubscribe-post"));

        var row = await scenario.RowAsync(Azurite);
        Assert.Equal((MailEntity.States.Sent, 1), (row.State, row.Attempts));
        Assert.NotNull(row.SentAt);
        Assert.Null(row.ClaimedUntil);
        var assessment = await scenario.AssessmentAsync(Azurite);
        Assert.Equal(row.SentAt, assessment.InvitationSentAt);
        Assert.True(assessment.InvitationQueuedAt <= assessment.InvitationSentAt);
        var audit = await scenario.AuditAsync(Azurite);
        Assert.Equal(["mail.sent", "mail.queued"], audit.Select(a => a.Action));
        Assert.All(audit, a => Assert.Equal(scenario.Mail.MailId, a.Subject));
        Assert.All(audit, a => Assert.DoesNotContain("@", a.Details, StringComparison.Ordinal));
        Assert.Contains(app.Logs.GetSnapshot(), r => r.Says("was already sent (delivery 2); nothing sent"));
        Assert.DoesNotContain(app.Logs.GetSnapshot(), r => r.Text().Contains(to, StringComparison.OrdinalIgnoreCase));

        // The link in the mail, followed, opens the questionnaire in French.
        var link = MailScenario.LinkIn(mail.Text, "/api/q/");
        Assert.Equal(MailScenario.LinkIn(mail.Html, "/api/q/"), link);
        Assert.StartsWith("http://localhost:7071/api/q/", link.AbsoluteUri, StringComparison.Ordinal); // the public address
        using var form = await app.Client.GetAsync(link.PathAndQuery);
        Assert.Equal(HttpStatusCode.OK, form.StatusCode);
        var page = await form.Content.ReadAsStringAsync();
        Assert.Contains("<html lang=\"fr\">", page, StringComparison.Ordinal);
        Assert.Contains("<form method=\"post\"", page, StringComparison.Ordinal);
        Assert.Contains(scenario.Assessment.DyadId, page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_same_message_delivered_twice_at_once_sends_one_mail()
    {
        await using var app = await StartAsync();
        var to = MailDevFixture.Recipient("twice");
        var scenario = await MailScenario.CreateAsync(app, to, kind: MailKinds.Reminder);
        var text = await scenario.QueueAndTakeAsync(Azurite);

        var outcomes = await Task.WhenAll(
            app.Services.GetRequiredService<MailSender>().SendAsync(new(text, "a", 1), default),
            app.Services.GetRequiredService<MailSender>().SendAsync(new(text, "b", 1), default));
        Assert.Equal([MailOutcome.Sent, MailOutcome.AlreadySent], outcomes.Order());
        await fixture.Client.WaitForAsync(to);
        await Task.Delay(300);
        var mail = Assert.Single(await fixture.Client.ToAsync(to));
        Assert.StartsWith("Reminder 1 of 3: Alliance study questionnaire", mail.Subject, StringComparison.Ordinal);
        Assert.Equal(1, (await scenario.RowAsync(Azurite)).Attempts);
        Assert.Null((await scenario.AssessmentAsync(Azurite)).InvitationSentAt); // a reminder is not the invitation
    }

    [Fact]
    public async Task A_message_whose_row_was_never_written_is_sent_and_its_row_written_then_queueing_it_again_is_refused()
    {
        await using var app = await StartAsync();
        var to = MailDevFixture.Recipient("norow");
        var scenario = await MailScenario.CreateAsync(app, to);
        // The queueing run stopped right after the message: no Mail row, no log.
        var text = OutboxMessage.From(scenario.Mail, DateTimeOffset.UtcNow).ToJson();

        Assert.Equal(MailOutcome.Sent, await app.Services.GetRequiredService<MailSender>().SendAsync(new(text, "x", 1), default));
        await fixture.Client.WaitForAsync(to);
        Assert.Equal(MailEntity.States.Sent, (await scenario.RowAsync(Azurite)).State);
        Assert.False(await app.Services.GetRequiredService<Outbox>().QueueAsync(scenario.Mail, default));
        // The retry completed the invitation log the stopped run had not written.
        Assert.NotNull((await scenario.AssessmentAsync(Azurite)).InvitationQueuedAt);
    }

    [Fact]
    public async Task With_the_SMTP_server_down_each_attempt_throws_and_records_its_reason_a_round_of_five_puts_it_back_for_later_until_three_days_have_passed_then_it_fails_and_a_requeue_sends_it()
    {
        var closed = EmulatorProcess.FreePorts(1)[0];
        await using var down = await StartAsync(v =>
        {
            v["AlliancePipeline:Smtp:Port"] = closed.ToString(System.Globalization.CultureInfo.InvariantCulture);
            v["AlliancePipeline:Smtp:User"] = "smtp-user";
            v["AlliancePipeline:Smtp:Password"] = "pa55-never-shown";
        });
        var to = MailDevFixture.Recipient("down");
        var scenario = await MailScenario.CreateAsync(down, to);
        var text = await scenario.QueueAndTakeAsync(Azurite);
        var send = down.Function<SendEmail>();

        var first = await Assert.ThrowsAsync<MailDeliveryException>(() => send.Run(text, "m", 1, default));
        Assert.False(first.Permanent);
        Assert.Equal($"could not connect to the SMTP server 127.0.0.1:{closed} (ConnectionRefused)", first.Reason);
        var row = await scenario.RowAsync(Azurite);
        Assert.Equal((MailEntity.States.Queued, 1, first.Reason), (row.State, row.Attempts, row.LastError));
        Assert.Null(row.SentAt);
        Assert.Null(row.ClaimedUntil); // released: the host's retry need not wait
        var assessment = await scenario.AssessmentAsync(Azurite);
        Assert.Equal($"{scenario.Mail.MailId}: {first.Reason}", assessment.LastMailError);
        Assert.Null(assessment.InvitationSentAt);

        for (var dequeue = 2; dequeue < MailSender.MaxDequeueCount; dequeue++)
            await Assert.ThrowsAsync<MailDeliveryException>(() => send.Run(text, "m", dequeue, default));
        // The last delivery of the round: within three days of queueing, the message goes back on the outbox for a
        // later round (5 minutes on), the row stays queued, and the invocation succeeds (no poison).
        Assert.Equal(MailOutcome.Deferred, await down.Services.GetRequiredService<MailSender>().SendAsync(new(text, "m", MailSender.MaxDequeueCount), default));
        row = await scenario.RowAsync(Azurite);
        Assert.Equal((MailEntity.States.Queued, 5, first.Reason), (row.State, row.Attempts, row.LastError));
        Assert.Null(row.FailedAt);
        Assert.Contains(down.Logs.GetSnapshot(), r => r.Level == LogLevel.Warning && r.Says("put back on the outbox, tried again in 5 minutes"));
        Assert.Equal(TimeSpan.FromMinutes(10), MailSender.NextRoundAfter(2));
        Assert.Equal(TimeSpan.FromHours(1), MailSender.NextRoundAfter(9));

        // Three days after it was queued, the server still down: the round's last delivery gives up.
        var late = new FakeTimeProvider(DateTimeOffset.UtcNow + MailSender.RetryFor + TimeSpan.FromHours(1));
        await using var stillDown = await TestApp.StartAsync(Azurite, v =>
        {
            fixture.UseMailDev(v);
            v["AlliancePipeline:Smtp:Port"] = closed.ToString(System.Globalization.CultureInfo.InvariantCulture);
            v["AlliancePipeline:Smtp:User"] = "smtp-user";
            v["AlliancePipeline:Smtp:Password"] = "pa55-never-shown";
        }, late);
        send = stillDown.Function<SendEmail>();
        for (var dequeue = 1; dequeue <= MailSender.MaxDequeueCount; dequeue++)
            await Assert.ThrowsAsync<MailDeliveryException>(() => send.Run(text, "m", dequeue, default));
        row = await scenario.RowAsync(Azurite);
        Assert.Equal((MailEntity.States.Failed, 10, first.Reason), (row.State, row.Attempts, row.LastError));
        Assert.NotNull(row.FailedAt);
        var failed = Assert.Single(await scenario.AuditAsync(Azurite), a => a.Action == "mail.failed");
        Assert.Equal($"invitation failed after 10 attempt(s): {first.Reason}", failed.Details);
        Assert.Empty(await fixture.Client.ToAsync(to));
        foreach (var app in new[] { down, stillDown })
            Assert.DoesNotContain(app.Logs.GetSnapshot(), r => r.Text().Contains("pa55-never-shown", StringComparison.Ordinal) || r.Text().Contains(to, StringComparison.OrdinalIgnoreCase));
        Assert.Contains(stillDown.Logs.GetSnapshot(), r => r.Level == LogLevel.Error && r.Says("failed for good after 10 attempt(s)"));

        // The host moved it to outbox-poison; put back on the outbox once the server is up, it goes, once.
        await using var up = await StartAsync();
        await up.Function<SendEmail>().Run(text, "m2", 1, default);
        await fixture.Client.WaitForAsync(to);
        row = await scenario.RowAsync(Azurite);
        Assert.Equal((MailEntity.States.Sent, 11), (row.State, row.Attempts));
        assessment = await scenario.AssessmentAsync(Azurite);
        Assert.Equal("", assessment.LastMailError); // the error was about this mail, which has gone
        Assert.NotNull(assessment.InvitationSentAt);
    }

    [Fact]
    public async Task A_malformed_message_is_poisoned_at_once_with_its_reason_in_Audit_and_in_the_mail_row_once()
    {
        await using var app = await StartAsync();
        var scenario = await MailScenario.CreateAsync(app, MailDevFixture.Recipient("bad"));
        var text = await scenario.QueueAndTakeAsync(Azurite);
        var broken = text.Replace(scenario.Mail.To, "not-an-address", StringComparison.Ordinal);
        var id = Guid.NewGuid().ToString();
        var send = app.Function<SendEmail>();

        await send.Run(broken, id, 1, default);
        await send.Run(broken, id, 2, default); // a redelivery is not copied twice
        await send.Run("{\"schema\":\"alliance.mail.v2\"}", id + "-2", 1, default);

        var poison = Azurite.Queues.GetQueueClient(StorageNames.Poison(StorageNames.OutboxQueue));
        Assert.NotNull(await QueueScan.TakeAsync(poison, t => t == broken, TimeSpan.FromSeconds(5)));
        Assert.Null(await QueueScan.TakeAsync(poison, t => t == broken, TimeSpan.FromSeconds(1)));
        var audit = Azurite.Tables.GetTableClient(StorageNames.AuditTable);
        Assert.Equal("to is missing or not an email address", (await audit.GetEntityAsync<TableEntity>("poison-outbox", id)).Value["Reason"]);
        Assert.Equal("schema is 'alliance.mail.v2', expected 'alliance.mail.v1'", (await audit.GetEntityAsync<TableEntity>("poison-outbox", id + "-2")).Value["Reason"]);
        var row = await scenario.RowAsync(Azurite);
        Assert.Equal((MailEntity.States.Failed, "malformed message: to is missing or not an email address"), (row.State, row.LastError));
        Assert.Contains(await scenario.AuditAsync(Azurite), a => a.Action == "mail.failed");
    }

    [Fact]
    public async Task A_report_mail_attaches_its_blob_from_reports_and_a_missing_attachment_fails_it_at_once()
    {
        await using var app = await StartAsync();
        var to = MailDevFixture.Recipient("researcher");
        var studyId = AzuriteFixture.UniqueName("report");
        var blob = $"{studyId}/20260301T020000Z-ab12cd34/report.html";
        await Azurite.Blobs.GetBlobContainerClient(StorageNames.ReportsContainer).UploadBlobAsync(blob, BinaryData.FromString("<!doctype html><title>Report</title>"));
        var content = app.Services.GetRequiredService<MailTemplates>().Report(new ReportModel("Alliance study", "20260301T020000Z-ab12cd34", new Uri("http://localhost:7071/r"), "report.html"), "en");
        var mail = new OutboxMail(MailIds.Report("20260301T020000Z-ab12cd34", to), studyId, MailKinds.Report, to, "en", content) { Attachments = [blob] };
        var outbox = app.Services.GetRequiredService<Outbox>();
        var sender = app.Services.GetRequiredService<MailSender>();
        Assert.True(await outbox.QueueAsync(mail, default));
        Assert.Equal(MailOutcome.Sent, await sender.SendAsync(new(OutboxMessage.From(mail, DateTimeOffset.UtcNow).ToJson(), "r", 1), default));

        var sent = Assert.Single(await fixture.Client.WaitForAsync(to));
        Assert.StartsWith("multipart/mixed", sent.Header("content-type"), StringComparison.Ordinal);
        var attachment = Assert.Single(sent.Attachments);
        Assert.Equal("report.html", attachment.FileName);
        Assert.Equal("<!doctype html><title>Report</title>", System.Text.Encoding.UTF8.GetString(await fixture.Client.AttachmentAsync(sent, attachment)));
        Assert.Contains("It is also attached to this message (report.html).", sent.Text, StringComparison.Ordinal);

        var missing = mail with { MailId = mail.MailId + "-b", Attachments = [$"{studyId}/none/report.html"] };
        Assert.True(await outbox.QueueAsync(missing, default));
        var text = OutboxMessage.From(missing, DateTimeOffset.UtcNow).ToJson();
        Assert.Equal(MailOutcome.Failed, await sender.SendAsync(new(text, "r2", 1), default));
        var row = (await Azurite.Tables.GetTableClient(StorageNames.MailTable).GetEntityAsync<MailEntity>(studyId, missing.MailId)).Value;
        Assert.Equal((MailEntity.States.Failed, $"attachment reports/{studyId}/none/report.html does not exist"), (row.State, row.LastError));
        Assert.NotNull(await QueueScan.TakeAsync(Azurite.Queues.GetQueueClient("outbox-poison"), t => t == text, TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task The_outbox_refuses_what_cannot_be_sent_before_writing_anything()
    {
        await using var app = await StartAsync();
        var scenario = await MailScenario.CreateAsync(app, MailDevFixture.Recipient("refused"));
        var outbox = app.Services.GetRequiredService<Outbox>();
        var huge = scenario.Mail with { Content = scenario.Mail.Content with { Html = new string('x', 60_000) } };
        var tooLarge = await Assert.ThrowsAsync<ArgumentException>(() => outbox.QueueAsync(huge, default));
        Assert.Contains("more than the 49152 a queue message can carry", tooLarge.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ArgumentException>(() => outbox.QueueAsync(scenario.Mail with { MailId = "Not A Key/" }, default));
        await Assert.ThrowsAsync<ArgumentException>(() => outbox.QueueAsync(scenario.Mail with { To = "two@example.org, three@example.org" }, default));
        var unknown = await Assert.ThrowsAsync<InvalidOperationException>(() => outbox.QueueAsync(scenario.Mail with { AssessmentId = "no-such" }, default));
        Assert.Equal($"Assessment {scenario.StudyId}/no-such does not exist: mail {scenario.Mail.MailId} is not queued.", unknown.Message);
        var rows = Azurite.Tables.GetTableClient(StorageNames.MailTable);
        Assert.False((await rows.GetEntityIfExistsAsync<MailEntity>(scenario.StudyId, scenario.Mail.MailId)).HasValue);
    }
}
