using AlliancePipeline.Functions.Infrastructure.Outcomes;

namespace AlliancePipeline.Functions.Studies;

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
