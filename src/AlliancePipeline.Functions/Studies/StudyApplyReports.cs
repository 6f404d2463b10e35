namespace AlliancePipeline.Functions.Studies;

/// <summary>
/// <see cref="StudyApplyReport"/> (shared with the <c>alliance</c> tool in Contracts) made from the worker's
/// <see cref="StudyApplyOutcome"/>, as <c>StudyApplyReport.Of(outcome, dryRun)</c>.
/// </summary>
public static class StudyApplyReports
{
    extension(StudyApplyReport)
    {
        /// <summary>The report of an outcome.</summary>
        public static StudyApplyReport Of(StudyApplyOutcome outcome, bool dryRun)
        {
            ArgumentNullException.ThrowIfNull(outcome);
            var changes = outcome.Changes?.Changes ?? [];
            var summary = !outcome.HasChanges
                ? "No change: the study is as the file describes it."
                : $"{outcome.Changes!.Summary}; assessments: {outcome.AssessmentsAdded} added, {outcome.AssessmentsUpdated} updated, {outcome.AssessmentsWithdrawn} withdrawn, {outcome.AssessmentsReinstated} reinstated, {outcome.AssessmentsRelinked} relinked.";
            return new StudyApplyReport(outcome.StudyId!, outcome.Applied, dryRun, outcome.HasChanges, summary,
                [.. changes.Select(c => new StudyApplyReport.Change(c.Kind.ToString().ToLowerInvariant(), c.Part.ToString().ToLowerInvariant(), c.Id, c.Fields, c.ToString()))],
                new StudyApplyReport.AssessmentCounts(outcome.AssessmentsAdded, outcome.AssessmentsUpdated, outcome.AssessmentsWithdrawn, outcome.AssessmentsReinstated, outcome.AssessmentsRelinked),
                outcome.Notes)
            {
                WithdrawnAssessments = outcome.WithdrawnAssessments,
                Warnings = outcome.Warnings,
            };
        }
    }
}
