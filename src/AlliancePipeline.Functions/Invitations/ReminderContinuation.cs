using System.Text.Json;
using System.Text.Json.Serialization;
using AlliancePipeline.Core.Studies;

namespace AlliancePipeline.Functions.Invitations;

/// <summary>
/// A message on <c>reminders</c>: <c>{"studyId":"…"}</c>, the study whose <c>Reminders</c> run is to be continued (a run
/// that ran out of its budget with due forms left). Any number of them for one study is safe: every mail has a
/// deterministic id, and a form's log is written under its ETag.
/// </summary>
public sealed record ReminderContinuation([property: JsonPropertyName("studyId")] string StudyId)
{
    private static readonly JsonSerializerOptions Json = new() { UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow };

    /// <summary>The message text.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>The continuation <paramref name="text"/> asks for, or null and why not (not JSON, another shape, no valid study id).</summary>
    public static ReminderContinuation? TryParse(string? text, out string? reason)
    {
        ReminderContinuation? parsed;
        try
        {
            parsed = text is null ? null : JsonSerializer.Deserialize<ReminderContinuation>(text, Json);
        }
        catch (JsonException e)
        {
            reason = $"not a continuation message (JSON error: {e.Message})";
            return null;
        }
        reason = parsed is null || !StudyIds.IsValid(parsed.StudyId) ? "studyId is missing or not a valid study id" : null;
        return reason is null ? parsed : null;
    }
}
