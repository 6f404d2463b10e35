using System.Net.Sockets;
using AlliancePipeline.Contracts.Storage;
using AlliancePipeline.Functions.Infrastructure.Settings;
using AlliancePipeline.Functions.Mail;
using AlliancePipeline.Functions.Tests.Infrastructure;
using MailKit.Net.Smtp;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;

namespace AlliancePipeline.Functions.Tests.Mail;

/// <summary>The MIME message, failure reasons, a permanent refusal, and the SMTP settings.</summary>
[Collection(MailCollection.Name)]
public sealed class SmtpMailerTests(MailDevFixture fixture)
{
    private static readonly MailboxAddress From = MailboxAddress.Parse("Alliance Pipeline <noreply@example.org>");

    private static OutboxMail Mail(string kind = MailKinds.Reminder) =>
        new("reminder-d-001-m1-practitioner-v1-2", "study-a", kind, "rater@example.org", "fr", new MailContent("Sujet", "Texte", "<!doctype html><p>HTML</p>"))
        {
            AssessmentId = "d-001-m1-practitioner",
            PauseLink = new Uri("https://alliance.example.org/api/reminders/pause/abc"),
        };

    [Fact]
    public void The_message_is_text_and_HTML_alternatives_with_a_deterministic_Message_Id_and_the_automatic_mail_headers()
    {
        using var message = SmtpMailer.Build(Mail(), [], From);
        var alternative = Assert.IsType<MultipartAlternative>(message.Body);
        Assert.Equal(["text/plain", "text/html"], alternative.Select(p => p.ContentType.MimeType));
        Assert.Equal("reminder-d-001-m1-practitioner-v1-2.study-a@example.org", message.MessageId);
        Assert.Equal("auto-generated", message.Headers["Auto-Submitted"]);
        Assert.Equal("fr", message.Headers["Content-Language"]);
        Assert.Equal("<https://alliance.example.org/api/reminders/pause/abc>", message.Headers["List-Unsubscribe"]);
        Assert.Equal("List-Unsubscribe=One-Click", message.Headers["List-Unsubscribe-Post"]);
        using var again = SmtpMailer.Build(Mail(), [], From);
        Assert.Equal(message.MessageId, again.MessageId);

        using var digest = SmtpMailer.Build(Mail(MailKinds.Digest) with { PauseLink = null }, [new MailAttachment("report.html", "text/html", BinaryData.FromString("<p>r</p>"))], From);
        Assert.Null(digest.Headers["List-Unsubscribe"]);
        var mixed = Assert.IsType<Multipart>(digest.Body);
        Assert.Equal("mixed", mixed.ContentType.MediaSubtype);
        Assert.Equal("report.html", Assert.IsAssignableFrom<MimePart>(mixed[1]).FileName);
    }

    [Fact]
    public void Failures_are_told_without_addresses_and_only_5xx_refusals_of_the_recipient_or_message_are_permanent()
    {
        var recipient = new SmtpCommandException(SmtpErrorCode.RecipientNotAccepted, SmtpStatusCode.MailboxUnavailable, MailboxAddress.Parse("rater@example.org"),
            "5.1.1 <rater@example.org>: Recipient address rejected");
        var (reason, permanent) = SmtpMailer.Describe(recipient, "smtp.example.org:587")!.Value;
        Assert.True(permanent);
        Assert.Equal("the SMTP server refused the recipient (550: 5.1.1 <<address>>: Recipient address rejected)", reason);
        Assert.False(SmtpMailer.Describe(new SmtpCommandException(SmtpErrorCode.RecipientNotAccepted, SmtpStatusCode.MailboxBusy, MailboxAddress.Parse("a@example.org"), "try later"), "s")!.Value.Permanent);
        Assert.False(SmtpMailer.Describe(new SmtpCommandException(SmtpErrorCode.SenderNotAccepted, SmtpStatusCode.MailboxUnavailable, From, "no"), "s")!.Value.Permanent);
        Assert.True(SmtpMailer.Describe(new SmtpCommandException(SmtpErrorCode.MessageNotAccepted, SmtpStatusCode.TransactionFailed, "spam"), "s")!.Value.Permanent);
        Assert.Equal(("could not connect to the SMTP server s:25 (HostNotFound)", false), SmtpMailer.Describe(new SocketException((int)SocketError.HostNotFound), "s:25"));
        Assert.Equal("the SMTP server s refused the login; check AlliancePipeline__Smtp__User and __Password",
            SmtpMailer.Describe(new MailKit.Security.AuthenticationException("535 bad password pa55"), "s")!.Value.Reason);
        Assert.Null(SmtpMailer.Describe(new InvalidOperationException(), "s"));
    }

    [Fact]
    public async Task A_permanent_refusal_marks_the_mail_failed_and_poisons_it_at_once_without_throwing()
    {
        await using var app = await TestApp.StartAsync(fixture.Azurite);
        var to = MailDevFixture.Recipient("gone");
        var scenario = await MailScenario.CreateAsync(app, to);
        var text = await scenario.QueueAndTakeAsync(fixture.Azurite);
        var sender = ActivatorUtilities.CreateInstance<MailSender>(app.Services, new RefusingMailer());

        Assert.Equal(MailOutcome.Failed, await sender.SendAsync(new(text, "perm", 1), default));
        var row = await scenario.RowAsync(fixture.Azurite);
        Assert.Equal((MailEntity.States.Failed, 1), (row.State, row.Attempts));
        Assert.Equal("the SMTP server refused the recipient (550: 5.1.1 <<address>>: no such user)", row.LastError);
        Assert.Equal($"{scenario.Mail.MailId}: {row.LastError}", (await scenario.AssessmentAsync(fixture.Azurite)).LastMailError);
        Assert.NotNull(await QueueScan.TakeAsync(fixture.Azurite.Queues.GetQueueClient("outbox-poison"), t => t == text, TimeSpan.FromSeconds(5)));
        Assert.DoesNotContain(app.Logs.GetSnapshot(), r => r.Text().Contains(to, StringComparison.OrdinalIgnoreCase));
    }

    private sealed class RefusingMailer : IMailer
    {
        public Task SendAsync(OutboxMail mail, IReadOnlyList<MailAttachment> attachments, CancellationToken ct) =>
            throw new MailDeliveryException(SmtpMailer.Describe(new SmtpCommandException(SmtpErrorCode.RecipientNotAccepted, SmtpStatusCode.MailboxUnavailable,
                MailboxAddress.Parse(mail.To), $"5.1.1 <{mail.To}>: no such user"), "s")!.Value.Reason, true);
    }

    private static IConfiguration Config(params (string Key, string Value)[] smtp)
    {
        var values = TestApp.Settings("UseDevelopmentStorage=true");
        foreach (var key in values.Keys.Where(k => k.StartsWith("AlliancePipeline:Smtp:", StringComparison.Ordinal)).ToList()) values.Remove(key);
        foreach (var (key, value) in smtp) values["AlliancePipeline:Smtp:" + key] = value;
        return new ConfigurationBuilder().AddInMemoryCollection(values).Build();
    }

    [Fact]
    public void SMTP_settings_are_checked_at_start_and_each_problem_named()
    {
        var e = Assert.Throws<InvalidSettingsException>(() => TestSettings.Read(Config(
            ("Host", "smtp.example.org"), ("Security", "none"), ("Port", "70000"), ("Password", "pa55"), ("From", "Alliance Pipeline"))));
        Assert.Equal(
        [
            "AlliancePipeline__Smtp__Security is 'none' for host 'smtp.example.org': unencrypted SMTP is only allowed to a loopback host (localhost, 127.0.0.1, ::1); use starttls or tls.",
            "AlliancePipeline__Smtp__Port is '70000': expected an integer from 1 to 65535.",
            "AlliancePipeline__Smtp__Password is set but AlliancePipeline__Smtp__User is not: give both, or neither for a server that needs no login.",
            "AlliancePipeline__Smtp__From is 'Alliance Pipeline': expected one address with an optional display name, such as Alliance Pipeline <noreply@example.org>.",
        ], e.Problems);
        Assert.DoesNotContain("pa55", e.Message, StringComparison.Ordinal);
        Assert.Equal(["AlliancePipeline__Smtp__Security is 'ssl': expected none, starttls or tls."],
            Assert.Throws<InvalidSettingsException>(() => TestSettings.Read(Config(("Host", "smtp.example.org"), ("Security", "ssl"), ("From", "a@example.org")))).Problems);

        var azure = TestSettings.Read(Config(("Host", "smtp.example.org"), ("Security", "TLS"), ("User", "apikey"), ("Password", "pa55"), ("From", "Alliance <noreply@example.org>"))).GetRequiredService<SmtpServer>();
        Assert.Equal((SmtpSecurity.Tls, 465, "apikey", "pa55", "Alliance", "noreply@example.org"), (azure.Security, azure.Port, azure.User, azure.Password, azure.From.Name, azure.From.Address));
        Assert.Equal("SMTP smtp.example.org:465 (tls, with a login), from noreply@example.org", azure.ToString());
        Assert.Equal(587, TestSettings.Read(Config(("Host", "smtp.example.org"), ("From", "a@example.org"))).GetRequiredService<SmtpServer>().Port); // starttls by default
        Assert.Equal(SmtpSecurity.None, TestSettings.Read(Config(("Host", "localhost"), ("Security", "none"), ("From", "a@example.org"))).GetRequiredService<SmtpServer>().Security);
    }
}
