using Microsoft.Azure.Functions.Worker;

namespace AlliancePipeline.Functions.Reports;

/// <summary>Timer, every hour: each study's report mailed to its recipients on the study's schedule.</summary>
public sealed class ReportMails(ReportMailings mailings, ILogger<ReportMails> log)
{
    /// <summary>Hands the run to <see cref="ReportMailings"/>.</summary>
    [Function(nameof(ReportMails))]
    public async Task Run([TimerTrigger("0 15 * * * *")] TimerInfo timer, CancellationToken cancellationToken)
    {
        var queued = await mailings.RunAllAsync(cancellationToken);
        log.LogInformation("Report mails: {Queued} queued{PastDue}.", queued, timer.IsPastDue ? " (past-due run)" : "");
    }
}
