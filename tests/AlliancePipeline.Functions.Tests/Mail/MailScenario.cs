using System.Text.RegularExpressions;
using AlliancePipeline.Contracts.Storage;
using AlliancePipeline.Core.Studies;
using AlliancePipeline.Functions.Invitations;
using AlliancePipeline.Functions.Mail;
using AlliancePipeline.Functions.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace AlliancePipeline.Functions.Tests.Mail;

/// <summary>A seeded assessment and its invitation or reminder, built as the Reminders timer will build them.</summary>
public sealed record MailScenario(TestApp App, string StudyId, SeededLink Link, OutboxMail Mail)
{
    public Assessment Assessment => Link.Assessment;

    /// <summary>Seeds a one-assessment study whose rater reads <paramref name="language"/>, and renders its invitation (or reminder 1 of 3) to <paramref name="to"/>.</summary>
    public static async Task<MailScenario> CreateAsync(TestApp app, string to, string language = "en", string kind = MailKinds.Invitation, string studyName = "Alliance study")
    {
        var studyId = AzuriteFixture.UniqueName("mail");
        var link = (await app.SeedAsync(studyId, 1, 1, language))[0];
        var a = link.Assessment;
        var links = app.Services.GetRequiredService<MailLinks>();
        var pause = app.Services.GetRequiredService<PauseLinks>().Link(studyId, a.Id, a.LinkVersion, DateTimeOffset.UtcNow.AddDays(30));
        var templates = app.Services.GetRequiredService<MailTemplates>();
        var dueOn = StudyCalendar.Day(a.DueDate);
        var (id, content) = kind == MailKinds.Reminder
            ? (MailIds.Reminder(a.Id, a.LinkVersion, 1), templates.Reminder(new ReminderModel(studyName, a.DyadId, a.Meeting, dueOn, links.Questionnaire(link.Token), pause, 1, 3), a.Language))
            : (MailIds.Invitation(a.Id, a.LinkVersion), templates.Invitation(new InvitationModel(studyName, a.DyadId, a.Meeting, dueOn, links.Questionnaire(link.Token), pause), a.Language));
        var mail = new OutboxMail(id, studyId, kind, to, a.Language, content) { AssessmentId = a.Id, PauseLink = pause };
        return new MailScenario(app, studyId, link, mail);
    }

    /// <summary>Queues the mail and takes its message off <c>outbox</c> (as the host would deliver it).</summary>
    public async Task<string> QueueAndTakeAsync(AzuriteFixture azurite)
    {
        Assert.True(await App.Services.GetRequiredService<Outbox>().QueueAsync(Mail, default));
        return await TakeAsync(azurite);
    }

    /// <summary>Takes this mail's message off <c>outbox</c>.</summary>
    public async Task<string> TakeAsync(AzuriteFixture azurite) =>
        await QueueScan.TakeAsync(azurite.Queues.GetQueueClient(StorageNames.OutboxQueue), t => t.Contains($"\"mailId\":\"{Mail.MailId}\"", StringComparison.Ordinal) && t.Contains(StudyId, StringComparison.Ordinal), TimeSpan.FromSeconds(5))
        ?? throw new InvalidOperationException($"No outbox message for {Mail.MailId}.");

    public async Task<MailEntity> RowAsync(AzuriteFixture azurite) =>
        (await azurite.Tables.GetTableClient(StorageNames.MailTable).GetEntityAsync<MailEntity>(StudyId, Mail.MailId)).Value;

    public async Task<AssessmentEntity> AssessmentAsync(AzuriteFixture azurite) =>
        (await azurite.Tables.GetTableClient(StorageNames.AssessmentsTable).GetEntityAsync<AssessmentEntity>(StudyId, Assessment.Id)).Value;

    /// <summary>The study's <c>Audit</c> rows, newest first, as "action subject".</summary>
    public async Task<List<AuditEntity>> AuditAsync(AzuriteFixture azurite)
    {
        var list = new List<AuditEntity>();
        await foreach (var e in azurite.Tables.GetTableClient(StorageNames.AuditTable).QueryAsync<AuditEntity>(e => e.PartitionKey == StudyId)) list.Add(e);
        return list;
    }

    /// <summary>The first link in <paramref name="text"/> under <paramref name="path"/> (e.g. <c>/api/q/</c>).</summary>
    public static Uri LinkIn(string text, string path) =>
        new(Regex.Match(text, $@"https?://[^\s""<>]+{Regex.Escape(path)}[A-Za-z0-9_-]+").Value is { Length: > 0 } found ? found : throw new InvalidOperationException($"No {path} link in the mail."));
}
