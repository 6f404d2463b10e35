using AlliancePipeline.Contracts.Storage;
using AlliancePipeline.Functions.Infrastructure.Audit;
using AlliancePipeline.Functions.Infrastructure.Storage;
using AlliancePipeline.Functions.Invitations;
using AlliancePipeline.Functions.Mail;
using AlliancePipeline.Functions.Studies;
using Azure;
using Azure.Data.Tables;
using NCrontab;

namespace AlliancePipeline.Functions.Reports;

/// <summary>
/// Report emails on each study's schedule (the study file's <c>reports.schedule</c>, six-field NCRONTAB in UTC): when an
/// occurrence has come since the last mailing, the study's report is brought up to date (<see cref="ReportWriter"/>, which
/// skips a study with nothing new) and each recipient gets a mail with <c>report.html</c> attached and the link to it
/// (which opens with their researcher key). Mail ids are per run and recipient, so nothing is sent twice; the study's
/// <c>ReportsMailedAt</c> moves on after the mails are queued, and the run mailed is marked (<see cref="ReportWriter.MailedAt"/>):
/// the next report's alerts are those raised since it was generated, however many nightly runs come between.
/// </summary>
public sealed class ReportMailings(StudyTables studyTables, StudyStore store, ReportWriter reports, TableServiceClient tables,
    Outbox outbox, MailTemplates templates, MailLinks links, AuditLog audit, TimeProvider clock, ILogger<ReportMailings> log)
{
    /// <summary>Mails every study whose schedule is due; how many mails were queued.</summary>
    public async Task<int> RunAllAsync(CancellationToken ct)
    {
        var queued = 0;
        foreach (var study in await studyTables.ListStudiesAsync(ct).ConfigureAwait(false))
            queued += await RunAsync(study.Id, ct).ConfigureAwait(false);
        return queued;
    }

    /// <summary>Mails one study if its schedule is due.</summary>
    public async Task<int> RunAsync(string studyId, CancellationToken ct)
    {
        var applied = await store.LoadAsync(studyId, ct).ConfigureAwait(false);
        if (applied?.Definition.Reports is not { Recipients.Length: > 0 } schedule) return 0;
        var entity = await store.FindEntityAsync(studyId, ct).ConfigureAwait(false);
        if (entity is null) return 0;
        var now = clock.GetUtcNow();
        var since = entity.ReportsMailedAt ?? entity.AppliedAt ?? now;
        var cron = CrontabSchedule.TryParse(schedule.Schedule, new CrontabSchedule.ParseOptions { IncludingSeconds = true });
        if (cron is null || cron.GetNextOccurrence(since.UtcDateTime) > now.UtcDateTime) return 0;

        await reports.RunAsync(studyId, force: false, ct).ConfigureAwait(false);
        var runId = await LatestRunAsync(studyId, ct).ConfigureAwait(false);
        var queued = 0;
        if (runId is not null)
        {
            var link = links.Absolute($"api/studies/{studyId}/reports/{runId}/report.html");
            foreach (var recipient in schedule.Recipients)
            {
                var content = templates.Report(new ReportModel(applied.Definition.Name, runId, link, "report.html"), recipient.Language);
                var mail = new OutboxMail(MailIds.Report(runId, recipient.Email), studyId, MailKinds.Report, recipient.Email, recipient.Language, content)
                {
                    Attachments = [$"{studyId}/{runId}/report.html"],
                };
                if (await outbox.QueueAsync(mail, ct).ConfigureAwait(false)) queued++;
            }
            // The next report's alerts count from this one's (ReportWriter.MailedAt).
            await tables.GetTableClient(StorageNames.ClusterRunsTable).UpdateEntityAsync(new TableEntity(studyId, runId) { [ReportWriter.MailedAt] = now }, ETag.All, TableUpdateMode.Merge, ct).ConfigureAwait(false);
            await audit.WriteAsync(studyId, AuditLog.Function("ReportMails"), "report.mailed", runId, $"{queued} mail(s) queued", ct).ConfigureAwait(false);
        }
        await store.RecordReportsMailedAsync(entity, now, ct).ConfigureAwait(false);
        if (queued > 0) log.LogInformation("Report mails for {StudyId}: {Queued} queued (run {RunId}).", studyId, queued, runId);
        return queued;
    }

    private async Task<string?> LatestRunAsync(string studyId, CancellationToken ct)
    {
        TableEntity? latest = null;
        await foreach (var run in tables.GetTableClient(StorageNames.ClusterRunsTable).QueryAsync<TableEntity>(e => e.PartitionKey == studyId, select: ["RowKey", "GeneratedAt"], cancellationToken: ct).ConfigureAwait(false))
        {
            if (latest is null || run.GetDateTimeOffset("GeneratedAt") > latest.GetDateTimeOffset("GeneratedAt")) latest = run;
        }
        return latest?.RowKey;
    }
}
