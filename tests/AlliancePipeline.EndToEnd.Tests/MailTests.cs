using System.Net;
using AlliancePipeline.Contracts.Storage;
using AlliancePipeline.Core.Studies;
using AlliancePipeline.Emulators;
using AlliancePipeline.Functions.Invitations;
using AlliancePipeline.Functions.Mail;
using AlliancePipeline.Functions.Tests.Infrastructure;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Testing;

namespace AlliancePipeline.EndToEnd.Tests;

/// <summary>
/// Mail through the published worker: an invitation put on <c>outbox</c> by the app's <see cref="Outbox"/> is sent by
/// <c>SendEmail</c> under the local host to a MailDev of the test's own, and the links in the mail MailDev caught work
/// through the host's HTTP.
/// </summary>
public sealed class MailTests
{
    [Fact]
    public async Task An_invitation_goes_from_the_outbox_through_SendEmail_to_MailDev_and_its_links_work_through_the_host()
    {
        var ports = EmulatorProcess.FreePorts(3);
        var mailDevStart = MailDev.EnsureRunningAsync(ports[1], ports[2]);
        await using var azurite = await Azurite.EnsureRunningAsync(AzuriteOptions.Isolated());
        await using var mailDev = await mailDevStart;
        using var mails = new MailDevClient(mailDev.WebAddress);
        var settings = PipelineFixture.Settings(azurite, ports[0]);
        settings["AlliancePipeline__Smtp__Port"] = mailDev.SmtpPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await using var services = PipelineFixture.AppServices(settings);
        var log = new FakeLogCollector();
        await using var host = await PipelineFixture.StartHostAsync(settings, ports[0], log);
        using var http = new HttpClient { BaseAddress = host.BaseAddress };

        var link = (await services.StudySeeder().SeedAsync("mail-e2e", 1, 1, default, language: "fr"))[0];
        var a = link.Assessment;
        var pause = services.GetRequiredService<PauseLinks>().Link(a.StudyId, a.Id, a.LinkVersion, DateTimeOffset.UtcNow.AddDays(30));
        var content = services.GetRequiredService<MailTemplates>().Invitation(new InvitationModel("Étude pilote", a.DyadId, a.Meeting,
            StudyCalendar.Day(a.DueDate), services.GetRequiredService<MailLinks>().Questionnaire(link.Token), pause), a.Language);
        var mail = new OutboxMail(MailIds.Invitation(a.Id, a.LinkVersion), a.StudyId, MailKinds.Invitation, "rater-e2e@example.org", a.Language, content)
        {
            AssessmentId = a.Id,
            PauseLink = pause,
        };
        Assert.True(await services.GetRequiredService<Outbox>().QueueAsync(mail, default));

        var sent = Assert.Single(await mails.WaitForAsync("rater-e2e@example.org", 1, TimeSpan.FromSeconds(30)));
        Assert.Equal(content.Subject, sent.Subject);
        Assert.Equal($"<{mail.MailId}.mail-e2e@example.org>", sent.Header("message-id"));
        var rows = services.GetRequiredService<TableServiceClient>().GetTableClient(StorageNames.MailTable);
        // The row is marked sent after the SMTP server took the mail, a moment after MailDev lists it.
        await PipelineFixture.EventuallyAsync(async () => (await rows.GetEntityAsync<MailEntity>(a.StudyId, mail.MailId)).Value.State == MailEntity.States.Sent,
            TimeSpan.FromSeconds(30), "the mail's row to be marked sent");
        // The worker writes its log line after the assessment and the audit row, and the line reaches the host over gRPC:
        // on a busy machine that can take seconds.
        Assert.True(await log.WaitForAsync(r => r.Says($"Sent mail {mail.MailId}"), TimeSpan.FromSeconds(30)), log.Tail());

        // The public address is the host's: the links in the mail work as they stand.
        using var form = await http.GetAsync(MailDevLink(sent.Text, "/api/q/"));
        Assert.Equal(HttpStatusCode.OK, form.StatusCode);
        using var post = await http.PostAsync(MailDevLink(sent.Text, "/api/reminders/pause/"), null);
        Assert.Contains("<h1>Rappels suspendus</h1>", await post.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.True((await services.GetRequiredService<TableServiceClient>().GetTableClient(StorageNames.AssessmentsTable)
            .GetEntityAsync<AssessmentEntity>(a.StudyId, a.Id)).Value.RemindersPaused);
    }

    private static Uri MailDevLink(string text, string path) =>
        new(System.Text.RegularExpressions.Regex.Match(text, $@"http://localhost:\d+{path}[A-Za-z0-9_-]+").Value);
}
