using System.Text.Json.Serialization;
using AlliancePipeline.Functions.Infrastructure.Outcomes;

namespace AlliancePipeline.Functions.Studies;

/// <summary>The JSON answer to applying a study file.</summary>
public sealed record StudyApplyReport(
    [property: JsonPropertyName("studyId")] string StudyId,
    [property: JsonPropertyName("applied")] bool Applied,
    [property: JsonPropertyName("dryRun")] bool DryRun,
    [property: JsonPropertyName("changed")] bool Changed,
    [property: JsonPropertyName("summary")] string Summary,
    [property: JsonPropertyName("changes")] IReadOnlyList<StudyApplyReport.Change> Changes,
    [property: JsonPropertyName("assessments")] StudyApplyReport.AssessmentCounts Assessments,
    [property: JsonPropertyName("notes")] IReadOnlyList<string> Notes)
{
    /// <summary>One change, e.g. <c>updated rater p-002 (email, language)</c>.</summary>
    public sealed record Change(
        [property: JsonPropertyName("kind")] string Kind,
        [property: JsonPropertyName("part")] string Part,
        [property: JsonPropertyName("id")] string Id,
        [property: JsonPropertyName("fields")] IReadOnlyList<string> Fields,
        [property: JsonPropertyName("text")] string Text);

    /// <summary>What enrolment did to the assessments.</summary>
    public sealed record AssessmentCounts(
        [property: JsonPropertyName("added")] int Added,
        [property: JsonPropertyName("updated")] int Updated,
        [property: JsonPropertyName("withdrawn")] int Withdrawn,
        [property: JsonPropertyName("reinstated")] int Reinstated);

    /// <summary>The report of an outcome.</summary>
    public static StudyApplyReport Of(StudyApplyOutcome outcome, bool dryRun)
    {
        var changes = outcome.Changes?.Changes ?? [];
        var summary = !outcome.HasChanges
            ? "No change: the study is as the file describes it."
            : $"{outcome.Changes!.Summary}; assessments: {outcome.AssessmentsAdded} added, {outcome.AssessmentsUpdated} updated, {outcome.AssessmentsWithdrawn} withdrawn, {outcome.AssessmentsReinstated} reinstated.";
        return new StudyApplyReport(outcome.StudyId!, outcome.Applied, dryRun, outcome.HasChanges, summary,
            [.. changes.Select(c => new Change(c.Kind.ToString().ToLowerInvariant(), c.Part.ToString().ToLowerInvariant(), c.Id, c.Fields, c.ToString()))],
            new AssessmentCounts(outcome.AssessmentsAdded, outcome.AssessmentsUpdated, outcome.AssessmentsWithdrawn, outcome.AssessmentsReinstated),
            outcome.Notes);
    }
}

/// <summary>One error of a refused study file, as answered in the problem's <c>errors</c>.</summary>
/// <param name="Line">Its line.</param>
/// <param name="Column">Its column.</param>
/// <param name="Field">The field it is about.</param>
/// <param name="Message">What is wrong.</param>
/// <param name="Text">The whole error as one sentence.</param>
public sealed record StudyFileProblem(int Line, int Column, string Field, string Message, string Text);

/// <summary>
/// The admin API's study files (<c>PUT /api/manage/studies/{studyId}</c>): applies the file given (or only reports, on a
/// dry run). The text is the study file itself (YAML or JSON, with shipped or inline instruments), or a
/// <see cref="StudySource"/> (<c>application/vnd.alliance.study+json</c>: the file and the instrument files it
/// references, as <c>alliance study apply</c> sends it). A refused file is refused with every error, each naming its line
/// and field, and nothing is written.
/// </summary>
public sealed class StudyAdminService(StudyApplier applier)
{
    /// <summary>The largest study source taken (a 2,000-dyad study file is about 300 KB).</summary>
    public const int MaxBodyBytes = 8 * 1024 * 1024;

    /// <summary>Applies <paramref name="text"/> (a <see cref="StudySource"/> when <paramref name="isSource"/>) to <paramref name="studyId"/>, by <paramref name="actor"/>.</summary>
    public async Task<Outcome<StudyApplyReport>> ApplyAsync(string studyId, string text, bool isSource, bool dryRun, string actor, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Trim().Length == 0)
            return Refusal.Invalid("No study file", "The body is empty: send the study file (YAML or JSON).");
        StudySource source;
        if (isSource)
        {
            source = StudySource.TryParse(text, out var problem) ?? new StudySource();
            if (problem is not null) return Refusal.Invalid("Not a study source", problem);
        }
        else
        {
            source = new StudySource { Source = "study file", Text = text };
        }
        var outcome = await applier.ApplyAsync(source, studyId, actor, dryRun, ct).ConfigureAwait(false);
        if (!outcome.IsValid)
        {
            return Refusal.Invalid("The study file has errors", $"{outcome.Errors.Length} error(s); nothing was applied. The first: {outcome.Errors[0]}") with
            {
                Errors = [.. outcome.Errors.Select(e => new StudyFileProblem(e.Line, e.Column, e.Field, e.Message, e.ToString()))],
            };
        }
        return StudyApplyReport.Of(outcome, dryRun);
    }
}
