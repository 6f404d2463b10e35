using AlliancePipeline.Core.Studies;
using AlliancePipeline.Functions.Infrastructure.Audit;
using AlliancePipeline.Functions.Infrastructure.Http;
using AlliancePipeline.Functions.Infrastructure.Settings;
using AlliancePipeline.Functions.Invitations;
using AlliancePipeline.Functions.Reports;
using AlliancePipeline.Functions.Studies;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;

namespace AlliancePipeline.Functions.Clock;

/// <summary>
/// <c>POST /api/manage/studies/{studyId}/run/{timer}</c> (admin key), with the clock route for rehearsing a study
/// (<c>alliance run</c>): runs one study's share of a timer now, at the app's clock, as the timer would: <c>reminders</c>
/// (<see cref="StudyMailings.RunAsync"/>: invitations, reminders, digests), <c>reports</c> (<see cref="ReportMailings.RunAsync"/>:
/// the report mail when its schedule is due) or <c>recluster</c> (<see cref="ReportWriter.RunAsync"/> without force: a
/// run only when something is new). Only when <c>AlliancePipeline__Clock__Adjustable</c> is on; 404 otherwise, as the
/// clock route. Each run is written to the study's audit trail (<c>timer.run</c>: the timer, who ran it, at what app time,
/// and what it did), beside the rows the run's own work writes.
/// </summary>
public sealed class RunStudyTimer(IOptions<ClockOptions> options, StudyStore store, StudyMailings mailings, ReportMailings reportMails, ReportWriter reports, AuditLog audit, TimeProvider clock)
{
    /// <summary>The timers that can be run, by the name the route takes.</summary>
    public static readonly IReadOnlyList<string> Timers = ["reminders", "reports", "recluster"];

    /// <summary>Runs <paramref name="timer"/> for <paramref name="studyId"/>.</summary>
    [Function(nameof(RunStudyTimer))]
    [KeyAccess(KeyPermission.Administer)]
    public async Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "manage/studies/{studyId}/run/{timer}")] HttpRequest request,
        string studyId,
        string timer,
        FunctionContext context,
        CancellationToken cancellationToken)
    {
        if (!options.Value.IsAdjustable)
            return HttpResults.Problem(404, "No adjustable clock", "Timers are run on demand only to rehearse a study, where the clock can be moved: set AlliancePipeline__Clock__Adjustable to true (local only).");
        if (!Timers.Contains(timer, StringComparer.Ordinal))
            return HttpResults.Problem(404, "No such timer", $"'{timer}' is not a timer that can be run: {string.Join(", ", Timers)}.");
        var applied = StudyIds.IsValid(studyId) ? await store.LoadAsync(studyId, cancellationToken) : null;
        if (applied is null) return HttpResults.Problem(404, "No such study", $"No study file was applied for study '{studyId}'.");
        var now = clock.GetUtcNow();
        (object Answer, string Did) done;
        switch (timer)
        {
            case "reminders":
                var run = await mailings.RunAsync(applied.Definition, cancellationToken);
                done = (new { timer, studyId, now, invitations = run.Invitations, reminders = run.Reminders, digests = run.Digests },
                    $"{run.Invitations} invitations, {run.Reminders} reminders, {run.Digests} digests queued");
                break;
            case "reports":
                var queued = await reportMails.RunAsync(studyId, cancellationToken);
                done = (new { timer, studyId, now, mails = queued }, $"{queued} report mails queued");
                break;
            default:
                var runId = await reports.RunAsync(studyId, force: false, cancellationToken);
                done = (new { timer, studyId, now, runId }, runId is null ? "nothing new: no run" : $"run {runId}");
                break;
        }
        await audit.WriteAsync(studyId, context.GetCaller().Actor, "timer.run", timer, $"run on demand at the app's clock {now:yyyy-MM-dd'T'HH:mm:ss'Z'}: {done.Did}", cancellationToken);
        return TypedResults.Ok(done.Answer);
    }
}
