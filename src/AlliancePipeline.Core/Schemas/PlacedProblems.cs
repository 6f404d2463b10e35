using System.Text.Json;
using System.Text.Json.Nodes;

namespace AlliancePipeline.Core.Schemas;

/// <summary>
/// The problems a schema stage words, at most one per place: several keywords often fail at one value (a text that is
/// empty also misses its pattern), and a reader is told the first of the highest priority (lowest number), as a
/// person would check a value: its kind, then that it is not empty, then its form, then its range.
/// </summary>
/// <typeparam name="T">The stage's problem (a study file error, an instrument definition error).</typeparam>
internal sealed class PlacedProblems<T>
    where T : class
{
    private readonly List<(string Place, int Priority, T Problem)> _all = [];

    /// <summary>Adds a problem at <paramref name="place"/> (a JSON Pointer).</summary>
    public void Add(string place, int priority, T problem) => _all.Add((place, priority, problem));

    /// <summary>The chosen problems in the order they were added, and the places that have one.</summary>
    public (IReadOnlyList<(T Problem, string Place)> Problems, IReadOnlySet<string> Places) Choose()
    {
        var best = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < _all.Count; i++)
        {
            if (!best.TryGetValue(_all[i].Place, out var j) || _all[i].Priority < _all[j].Priority)
            {
                best[_all[i].Place] = i;
            }
        }

        var chosen = best.Values.Order().Select(i => (_all[i].Problem, _all[i].Place)).ToList();
        return (chosen, best.Keys.ToHashSet(StringComparer.Ordinal));
    }
}

/// <summary>Reading keyword values of a schema for messages.</summary>
internal static class SchemaWords
{
    /// <summary>The strings of an array keyword (<c>required</c>, <c>enum</c>); none when it is absent.</summary>
    public static IEnumerable<string> Strings(JsonNode? array) =>
        array is JsonArray items ? items.Select(i => i is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : i?.ToJsonString() ?? "") : [];

    /// <summary>The types a schema allows (<c>type</c> as a string or a list).</summary>
    public static IReadOnlyList<string> Types(SchemaNode node) => node["type"] switch
    {
        JsonArray types => Strings(types).ToList(),
        JsonValue type => [type.GetValue<string>()],
        _ => [],
    };

    /// <summary>What one entry of a list is called: its items' title without the article ("a coordinator" → coordinator).</summary>
    public static string EntryNoun(SchemaNode list)
    {
        var (document, items) = (list.Document, list["items"]);
        while (items is JsonObject schema && schema["title"] is null && schema["$ref"] is JsonValue reference)
        {
            (document, items) = SchemaSet.Shipped.Resolve(document, reference.GetValue<string>());
        }

        var title = items?["title"]?.GetValue<string>() ?? "entry";
        return title.StartsWith("a ", StringComparison.Ordinal) ? title[2..] : title.StartsWith("an ", StringComparison.Ordinal) ? title[3..] : title;
    }
}
