using System.Text.Json;
using System.Text.Json.Serialization;

namespace AlliancePipeline.Contracts.Api;

/// <summary>
/// A study file as it is applied and kept: its text, the name it was read under (for error messages), and the text of
/// every instrument file it references by a relative path. It is what <c>alliance study apply</c> sends
/// (<c>application/vnd.alliance.study+json</c>), and what <c>studies/{studyId}/study.json</c> holds.
/// </summary>
public sealed record StudySource
{
    /// <summary>The schema tag of this version.</summary>
    public const string SchemaV1 = "alliance.study-source.v1";

    /// <summary>The media type of a study source sent as JSON.</summary>
    public const string MediaType = "application/vnd.alliance.study+json";

    private static readonly JsonSerializerOptions Json = new() { UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow, WriteIndented = true };

    /// <summary>The schema tag.</summary>
    [JsonPropertyName("schema")] public string Schema { get; init; } = SchemaV1;
    /// <summary>The file's name, e.g. <c>study.yaml</c>.</summary>
    [JsonPropertyName("source")] public string Source { get; init; } = "study.yaml";
    /// <summary>The study file's text (YAML or JSON).</summary>
    [JsonPropertyName("text")] public string Text { get; init; } = "";
    /// <summary>Instrument files by the relative path the study file names them with.</summary>
    [JsonPropertyName("files")] public Dictionary<string, string> Files { get; init; } = [];

    /// <summary>Reads a referenced file, or null when it was not sent.</summary>
    public string? ReadFile(string relativePath) => Files.GetValueOrDefault(relativePath);

    /// <summary>The source as JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Parses a JSON source; null and the reason when it is not one.</summary>
    public static StudySource? TryParse(string json, out string? problem)
    {
        try
        {
            var source = JsonSerializer.Deserialize<StudySource>(json, Json);
            problem = source switch
            {
                null => "the body is JSON null",
                { Schema: not SchemaV1 } => $"schema is '{source.Schema}', expected '{SchemaV1}'",
                { Text.Length: 0 } => "text (the study file) is empty",
                _ => null,
            };
            return problem is null ? source : null;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or ArgumentException)
        {
            problem = "the body is not a study source (JSON with schema, source, text and files).";
            return null;
        }
    }
}
