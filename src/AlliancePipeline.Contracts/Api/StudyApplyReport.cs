using System.Text.Json.Serialization;

namespace AlliancePipeline.Contracts.Api;

/// <summary>The JSON answer to applying a study file (<c>PUT /api/manage/studies/{studyId}</c>).</summary>
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
    /// <summary>The assessments withdrawn by this apply (their links answer 410; answered ones are never withdrawn).</summary>
    [JsonPropertyName("withdrawnAssessments")]
    public IReadOnlyList<string> WithdrawnAssessments { get; init; } = [];

    /// <summary>Things to look at, though the file was applied (e.g. newly enrolled forms already due).</summary>
    [JsonPropertyName("warnings")]
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>One change, e.g. <c>updated rater p-002 (email, language)</c>.</summary>
    public sealed record Change(
        [property: JsonPropertyName("kind")] string Kind,
        [property: JsonPropertyName("part")] string Part,
        [property: JsonPropertyName("id")] string Id,
        [property: JsonPropertyName("fields")] IReadOnlyList<string> Fields,
        [property: JsonPropertyName("text")] string Text);

    /// <summary>
    /// What enrolment did to the assessments; <c>relinked</c> counts the updated ones whose rater or rater's address
    /// changed (a new link, mailed again; earlier links answer 410).
    /// </summary>
    public sealed record AssessmentCounts(
        [property: JsonPropertyName("added")] int Added,
        [property: JsonPropertyName("updated")] int Updated,
        [property: JsonPropertyName("withdrawn")] int Withdrawn,
        [property: JsonPropertyName("reinstated")] int Reinstated,
        [property: JsonPropertyName("relinked")] int Relinked);
}
