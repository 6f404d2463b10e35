using Microsoft.Azure.Functions.Worker;

namespace AlliancePipeline.Functions.Reports;

/// <summary>Timer, nightly at 02:00 UTC: writes the report set of each study with new responses, outcomes or alerts.</summary>
public sealed class Recluster(ReportWriter reports, ILogger<Recluster> log)
{
    /// <summary>Hands the run to <see cref="ReportWriter"/>.</summary>
    [Function(nameof(Recluster))]
    public async Task Run([TimerTrigger("0 0 2 * * *")] TimerInfo timer, CancellationToken cancellationToken)
    {
        var runs = await reports.RunAllAsync(force: false, cancellationToken);
        if (runs.Count == 0)
            log.LogInformation("No study has anything new (responses, outcomes or alerts){PastDue}.", timer.IsPastDue ? " (past-due run)" : "");
        else
            log.LogInformation("Report sets written: {Runs}{PastDue}.", string.Join(", ", runs.Select(r => $"{r.Key}/{r.Value}")), timer.IsPastDue ? " (past-due run)" : "");
    }
}
