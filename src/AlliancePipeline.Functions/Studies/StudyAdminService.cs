using System.Text.Json.Serialization;
using AlliancePipeline.Functions.Infrastructure.Http;

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

/// <summary>
/// The admin API's study files: <c>PUT /api/admin/studies/{studyId}</c> applies the file in the body
/// (<c>?dryRun=true</c> only reports). The body is the study file itself (YAML or JSON, with shipped or inline
/// instruments), or a <see cref="StudySource"/> (<c>application/vnd.alliance.study+json</c>: the file and the instrument
/// files it references, as <c>alliance study apply</c> sends it). A refused file answers 400 with every error, each
/// naming its line and field, and nothing is written.
/// </summary>
public sealed class StudyAdminService(StudyApplier applier)
{
    /// <summary>The largest study source taken (a 2,000-dyad study file is about 300 KB).</summary>
    public const int MaxBodyBytes = 8 * 1024 * 1024;

    /// <summary>Applies the file in the request body to <paramref name="studyId"/>.</summary>
    public async Task<IResult> ApplyAsync(string studyId, HttpRequest request, string actor, CancellationToken ct)
    {
        var body = await RequestBody.ReadTextAsync(request, MaxBodyBytes, ct).ConfigureAwait(false);
        if (body is null)
            return HttpResults.Problem(StatusCodes.Status413PayloadTooLarge, "Study file too large", $"A study source is at most {MaxBodyBytes / (1024 * 1024)} MB.");
        if (body.Trim().Length == 0)
            return HttpResults.Problem(400, "No study file", "The body is empty: send the study file (YAML or JSON).");
        StudySource source;
        if (request.ContentType?.StartsWith(StudySource.MediaType, StringComparison.OrdinalIgnoreCase) == true)
        {
            source = StudySource.TryParse(body, out var problem) ?? new StudySource();
            if (problem is not null) return HttpResults.Problem(400, "Not a study source", problem);
        }
        else
        {
            source = new StudySource { Source = "study file", Text = body };
        }
        var dryRun = request.Query.TryGetValue("dryRun", out var d) && bool.TryParse(d, out var dr) && dr;
        var outcome = await applier.ApplyAsync(source, studyId, actor, dryRun, ct).ConfigureAwait(false);
        if (!outcome.IsValid)
        {
            return TypedResults.Problem(
                title: "The study file has errors",
                detail: $"{outcome.Errors.Length} error(s); nothing was applied. The first: {outcome.Errors[0]}",
                statusCode: 400,
                extensions: new Dictionary<string, object?>
                {
                    ["errors"] = outcome.Errors.Select(e => new { line = e.Line, column = e.Column, field = e.Field, message = e.Message, text = e.ToString() }).ToArray(),
                });
        }
        return TypedResults.Ok(StudyApplyReport.Of(outcome, dryRun));
    }
}
