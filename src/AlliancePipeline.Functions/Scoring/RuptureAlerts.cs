using AlliancePipeline.Contracts.Storage;
using AlliancePipeline.Core.Studies;
using AlliancePipeline.Functions.Infrastructure.Audit;
using AlliancePipeline.Functions.Invitations;
using AlliancePipeline.Functions.Studies;
using Azure;
using Azure.Data.Tables;

namespace AlliancePipeline.Functions.Scoring;

/// <summary>
/// Rupture alerts: after a response is stored, its global score is compared with the same rater role's response to the
/// dyad's previous meeting and with the study's cutoff (Core's <see cref="AlertThresholds.Evaluate"/>, thresholds per
/// rater role from the study file). An alert is one <c>Alerts</c> row keyed by the response's assessment id, so one
/// response never raises two, whatever the redeliveries; its mails are queued first (the outbox ignores a mail id it has
/// already queued), then the row is added, so a run that stops between the two is completed by the redelivery.
/// </summary>
public sealed class RuptureAlerts(StudyStore store, TableServiceClient tables, AlertMail mail, AuditLog audit, TimeProvider clock, ILogger<RuptureAlerts> log)
{
    /// <summary>
    /// Raises the alert a stored response calls for, if any; the alert, or null. <paramref name="globalColumn"/> is the
    /// instrument's global score column (<c>Global</c> for the WAI), where the previous meeting's score is read. With
    /// <paramref name="mailIt"/> false (an imported rating: history, not care in progress) the alert is recorded, shown on
    /// the dashboard and in the report, and no mail is queued; the audit row says so.
    /// </summary>
    public async Task<AlertEntity?> CheckAsync(string studyId, Assessment assessment, string globalColumn, double global, CancellationToken ct, bool mailIt = true)
    {
        var study = await store.LoadRecentAsync(studyId, ct).ConfigureAwait(false);
        if (study?.Definition.AlertsFor(assessment.RaterRole) is not { } thresholds) return null;
        var alerts = tables.GetTableClient(StorageNames.AlertsTable);
        if ((await alerts.GetEntityIfExistsAsync<AlertEntity>(studyId, assessment.Id, ["RowKey"], ct).ConfigureAwait(false)).HasValue)
            return null;

        double? previous = null;
        if (assessment.Meeting > 1)
        {
            var previousId = EnrolmentPlan.AssessmentId(assessment.DyadId, assessment.Meeting - 1, assessment.RaterRole);
            var found = await tables.GetTableClient(StorageNames.ResponsesTable)
                .GetEntityIfExistsAsync<ResponseEntity>(studyId, previousId, [globalColumn], ct).ConfigureAwait(false);
            if (found.HasValue) previous = found.Value!.Score(globalColumn);
        }
        if (thresholds.Evaluate(previous, global) is not { } finding) return null;

        var alert = new AlertEntity
        {
            PartitionKey = studyId,
            RowKey = assessment.Id,
            DyadId = assessment.DyadId,
            SiteId = assessment.SiteId,
            RaterId = assessment.RaterId,
            RaterRole = assessment.RaterRole,
            Meeting = assessment.Meeting,
            Kinds = string.Join(',', new[] { finding.Drop is null ? null : "drop", finding.BelowCutoff is null ? null : "below" }.OfType<string>()),
            Previous = finding.Previous,
            Current = finding.Current,
            DropThreshold = thresholds.Drop,
            Cutoff = thresholds.Cutoff,
            RaisedAt = clock.GetUtcNow(),
        };
        var queued = mailIt ? await mail.QueueAsync(study.Definition, alert, finding, ct).ConfigureAwait(false) : 0;
        try
        {
            await alerts.AddEntityAsync(alert, ct).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            return null;
        }
        await audit.WriteAsync(studyId, AuditLog.Function("ScoreResponse"), "alert.raised", assessment.Id,
            $"{alert.Kinds} at meeting {alert.Meeting} ({assessment.RaterRole}); {(mailIt ? $"{queued} mail(s) queued" : "an imported rating: not mailed")}", ct).ConfigureAwait(false);
        log.LogInformation("Rupture alert {Kinds} raised for {StudyId}/{AssessmentId}; {Mails} mail(s) queued.", alert.Kinds, studyId, assessment.Id, queued);
        return alert;
    }
}
