using System.Text.Json;
using System.Text.Json.Serialization;
using AlliancePipeline.Core.Instruments;
using AlliancePipeline.Core.Studies;

namespace AlliancePipeline.Functions.Scoring;

/// <summary>
/// A raw submission as queued on <c>responses</c>: <c>{"schema":"alliance.response.v1","studyId","assessmentId",
/// "linkVersion","items":[N ints],"submittedAt"}</c>, one answer per item of the study's instrument in item order (12 for
/// the WAI). It is what the rater sent, checked but not yet scored: <c>ScoreResponse</c> checks the answers against the
/// instrument (their number, the scale) and poisons a message that does not fit, with the reason.
/// </summary>
public sealed record SubmissionMessage
{
    /// <summary>The schema tag of this version.</summary>
    public const string SchemaV1 = "alliance.response.v1";

    /// <summary>The schema tag.</summary>
    [JsonPropertyName("schema")] public string Schema { get; init; } = SchemaV1;
    /// <summary>The study id.</summary>
    [JsonPropertyName("studyId")] public string StudyId { get; init; } = "";
    /// <summary>The assessment id.</summary>
    [JsonPropertyName("assessmentId")] public string AssessmentId { get; init; } = "";
    /// <summary>The link version used.</summary>
    [JsonPropertyName("linkVersion")] public int LinkVersion { get; init; }
    /// <summary>The answers in item order, as answered (1 to 99: as many as the instrument has items).</summary>
    [JsonPropertyName("items")] public int[] Items { get; init; } = [];
    /// <summary>When the handler accepted it.</summary>
    [JsonPropertyName("submittedAt")] public DateTimeOffset SubmittedAt { get; init; }
    /// <summary>
    /// This submission's own id, claimed on the assessment (<c>AssessmentEntity.SubmissionId</c>) by the post that won:
    /// a message whose id is not the claimed one lost a race with another post of the same link and is dropped, not
    /// scored. Absent in messages queued before it existed (they are scored as they are).
    /// </summary>
    [JsonPropertyName("submissionId")] public string? SubmissionId { get; init; }

    private static readonly JsonSerializerOptions Json = new() { UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow };

    /// <summary>The message as queue text.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Parses queue text; a message that is not JSON or breaks the schema gives null and the reason.</summary>
    public static SubmissionMessage? TryParse(string text, out string? reason)
    {
        SubmissionMessage? m;
        try
        {
            m = JsonSerializer.Deserialize<SubmissionMessage>(text, Json);
        }
        catch (JsonException e)
        {
            reason = $"not a submission (JSON error: {e.Message})";
            return null;
        }
        reason = m switch
        {
            null => "the message is JSON null",
            { Schema: not SchemaV1 } => $"schema is '{m.Schema}', expected '{SchemaV1}'",
            _ when !StudyIds.IsValid(m.StudyId) => "studyId is missing or not a valid id",
            _ when !StudyIds.IsValid(m.AssessmentId) => "assessmentId is missing or not a valid id",
            { Items.Length: 0 or > ResponseColumns.MaxItems } => $"items has {m.Items.Length} answers, expected 1 to {ResponseColumns.MaxItems} (one per item of the instrument)",
            { SubmittedAt.Year: < 2000 } => "submittedAt is missing",
            _ => null,
        };
        return reason is null ? m : null;
    }
}
