using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace AlliancePipeline.Functions.Infrastructure.Http;

/// <summary>What is wrong with a JSON body, if anything.</summary>
public enum JsonBodyProblem
{
    /// <summary>Nothing: the body was read.</summary>
    None,
    /// <summary>Not JSON, or a string or property name in it is not valid Unicode (a lone surrogate escape, <c>"\ud800"</c>).</summary>
    NotJson,
    /// <summary>JSON, but not an object.</summary>
    NotAnObject,
    /// <summary>An object, but a value of the wrong kind (<see cref="JsonBody{T}.Field"/> names where).</summary>
    WrongShape,
}

/// <summary>A request body read as JSON into a <typeparamref name="T"/> (<see cref="JsonBody.Read"/>), or what is wrong with it.</summary>
/// <typeparam name="T">The body's record.</typeparam>
public sealed class JsonBody<T>
    where T : class
{
    internal JsonBody(T? value, JsonBodyProblem problem, string? field, IReadOnlyList<string> names) =>
        (Value, Problem, Field, Names) = (value, problem, field, names);

    /// <summary>The body, when read.</summary>
    public T? Value { get; }

    /// <summary>What is wrong, or <see cref="JsonBodyProblem.None"/>.</summary>
    public JsonBodyProblem Problem { get; }

    /// <summary>For <see cref="JsonBodyProblem.WrongShape"/>: the top-level property whose value is of the wrong kind (null: the object itself).</summary>
    public string? Field { get; }

    /// <summary>The object's property names, as written (decoded), in order; repeated names repeated.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>Whether the body was read (then <see cref="Value"/> is set).</summary>
    [MemberNotNullWhen(true, nameof(Value))]
    public bool IsRead => Problem == JsonBodyProblem.None && Value is not null;
}

/// <summary>
/// Reads a JSON body into a typed record (System.Text.Json, source-generated: <see cref="BodyJson"/>), checked whole first:
/// the serializer skips what the record does not name without decoding it, so a lone surrogate escape in an unknown
/// property (<c>{"\ud800":1}</c>) would pass where a JSON document would not. Here every string and property name is
/// decoded once, and a body with one that is not valid Unicode is <see cref="JsonBodyProblem.NotJson"/>, answered 400 like
/// any body that is not JSON; never the <see cref="InvalidOperationException"/> (500) such strings used to throw later.
/// </summary>
public static class JsonBody
{
    /// <summary>The body <paramref name="text"/> as a <typeparamref name="T"/>, or what is wrong with it.</summary>
    public static JsonBody<T> Read<T>(string text, JsonTypeInfo<T> type)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(type);
        var bytes = Encoding.UTF8.GetBytes(text);
        if (!Scan(bytes, out var isObject, out var names)) return new(null, JsonBodyProblem.NotJson, null, []);
        if (!isObject) return new(null, JsonBodyProblem.NotAnObject, null, []);
        try
        {
            var value = JsonSerializer.Deserialize(bytes, type);
            return value is null ? new(null, JsonBodyProblem.NotAnObject, null, names) : new(value, JsonBodyProblem.None, null, names);
        }
        catch (JsonException e)
        {
            return new(null, JsonBodyProblem.WrongShape, TopLevelField(e.Path), names);
        }
    }

    /// <summary>A date as bodies write it, <c>yyyy-MM-dd</c> exactly.</summary>
    public static bool TryReadDate([NotNullWhen(true)] string? text, out DateOnly date) =>
        DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out date);

    /// <summary>Whether <paramref name="utf8"/> is one JSON value whose strings and names are valid Unicode; whether it is an object, and its property names.</summary>
    private static bool Scan(ReadOnlySpan<byte> utf8, out bool isObject, out List<string> names)
    {
        isObject = false;
        names = [];
        var reader = new Utf8JsonReader(utf8);
        var first = true;
        try
        {
            while (reader.Read())
            {
                if (first) isObject = reader.TokenType == JsonTokenType.StartObject;
                first = false;
                if (reader.TokenType is not (JsonTokenType.String or JsonTokenType.PropertyName)) continue;
                var decoded = reader.GetString()!;
                if (isObject && reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == 1) names.Add(decoded);
            }
            return true;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary><c>employed</c> of <c>$.employed</c>, <c>items</c> of <c>$.items[3]</c>, <c>we.ird</c> of <c>$['we.ird']</c>; null for <c>$</c>.</summary>
    private static string? TopLevelField(string? path)
    {
        if (path is null || path.Length < 2) return null;
        if (path.StartsWith("$['", StringComparison.Ordinal))
        {
            var end = path.IndexOf("']", 3, StringComparison.Ordinal);
            return end < 0 ? null : path[3..end];
        }
        if (!path.StartsWith("$.", StringComparison.Ordinal)) return null;
        var rest = path[2..];
        var stop = rest.IndexOfAny(['.', '[']);
        return stop < 0 ? rest : rest[..stop];
    }
}
