using System.Text.Json;
using System.Text.Json.Serialization;
using AlliancePipeline.Functions.Keys;

namespace AlliancePipeline.Functions.Infrastructure.Http;

/// <summary>
/// Every JSON body the app reads, as records, serialized by source-generated code. Property names are camel case and
/// matched exactly (<c>Employed</c> is not <c>employed</c>); numbers are not read from strings.
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(AnswersBody))]
[JsonSerializable(typeof(ClockBody))]
[JsonSerializable(typeof(MeetingDateBody))]
[JsonSerializable(typeof(OutcomeBody))]
[JsonSerializable(typeof(Dictionary<string, JsonElement>))]
[JsonSerializable(typeof(HandOverBody))]
[JsonSerializable(typeof(KeyRequest))]
public sealed partial class BodyJson : JsonSerializerContext;

/// <summary>A tool's answers to a questionnaire: <c>{"items":[5,4,…]}</c>, one per item in item order.</summary>
/// <param name="Items">The answers; null when there is no <c>items</c> array.</param>
public sealed record AnswersBody(IReadOnlyList<JsonAnswer>? Items);

/// <summary>One value of <see cref="AnswersBody.Items"/>, whatever it is: a whole number, or something else (then <see cref="Value"/> is null).</summary>
/// <param name="Value">The answer, when it is a whole number (32 bits).</param>
[JsonConverter(typeof(JsonAnswerConverter))]
public readonly record struct JsonAnswer(int? Value);

/// <summary>Reads any JSON value as a <see cref="JsonAnswer"/>, so that the count of answers is checked before their kind.</summary>
public sealed class JsonAnswerConverter : JsonConverter<JsonAnswer>
{
    /// <inheritdoc />
    public override JsonAnswer Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var value)) return new(value);
        reader.Skip();
        return new(null);
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, JsonAnswer value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (value.Value is { } answer) writer.WriteNumberValue(answer);
        else writer.WriteNullValue();
    }
}

/// <summary>Setting the app's clock: <c>{"now":"2026-02-01T09:00:00Z"}</c>.</summary>
/// <param name="Now">The time to set.</param>
public sealed record ClockBody(DateTimeOffset? Now);

/// <summary>A meeting's date: <c>{"date":"2026-02-01"}</c>.</summary>
/// <param name="Date">The date, <c>yyyy-MM-dd</c>.</param>
public sealed record MeetingDateBody(string? Date);

/// <summary>A dyad's outcome: <c>{"employed":true,"date":"2026-05-01","recorded":"2026-06-30"}</c> or <c>{"employed":false}</c>.</summary>
/// <param name="Employed">Whether the client is employed.</param>
/// <param name="Date">When the job started, <c>yyyy-MM-dd</c>.</param>
/// <param name="Recorded">The day the outcome was recorded, <c>yyyy-MM-dd</c> (left out: the day it is sent).</param>
/// <param name="DaysWorked">Days of paid work during follow-up, a whole number (left out: not recorded).</param>
/// <param name="TenureDays">Days the job had lasted on the recorded day, a whole number (left out: not recorded).</param>
public sealed record OutcomeBody(bool? Employed, string? Date, string? Recorded = null, int? DaysWorked = null, int? TenureDays = null);

/// <summary>A hand-over's request: <c>{"reason":"no e-mail; answers by phone"}</c>.</summary>
/// <param name="Reason">Why the rater cannot take the mailed link.</param>
public sealed record HandOverBody(string? Reason);
