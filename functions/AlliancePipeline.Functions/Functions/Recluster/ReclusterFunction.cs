using AlliancePipeline.Functions.Hosting;
using AlliancePipeline.Functions.Services;

namespace AlliancePipeline.Functions.Functions.Recluster;

/// <summary>Timer, nightly at 02:00 UTC: writes each study's report set when it has new responses.</summary>
public sealed class ReclusterFunction(ReportWriter reports) : TimerFunction
{
    /// <inheritdoc />
    public override string Name => "Recluster";

    /// <inheritdoc />
    public override string Schedule => "0 0 2 * * *";

    /// <inheritdoc />
    public override async Task HandleAsync(TimerInfo timer, InvocationLog log, CancellationToken cancellationToken)
    {
        var runs = await reports.RunAllAsync(force: false, cancellationToken);
        log.Info(runs.Count == 0
            ? "No study has new responses."
            : "Report sets written: " + string.Join(", ", runs.Select(r => $"{r.Key}/{r.Value}")) + (timer.IsPastDue ? " (past due)." : "."));
    }
}
