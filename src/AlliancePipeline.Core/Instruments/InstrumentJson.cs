using System.Globalization;
using System.Text;
using System.Text.Json;
using AlliancePipeline.Core.Schemas;

namespace AlliancePipeline.Core.Instruments;

/// <summary>
/// The first of the loader's three stages: an instrument's JSON text read with System.Text.Json, and where each value
/// starts, so that a study file can name the line of a problem inside its instrument file. Places are JSON Pointers (<c>/items/4/text</c>), as the schema's results name
/// them; the loader's messages name JSON paths (<c>$.items[4].text</c>).
/// </summary>
internal sealed class InstrumentJson
{
    private readonly Dictionary<string, long> _offsets;
    private readonly List<long> _lineStarts;

    private InstrumentJson(JsonElement root, Dictionary<string, long> offsets, List<long> lineStarts)
    {
        Root = root;
        _offsets = offsets;
        _lineStarts = lineStarts;
    }

    /// <summary>Why a text is not JSON: System.Text.Json's message and where (1-based line, 1-based byte in the line).</summary>
    internal sealed record NotJson(int Line, long Position, string Message);

    /// <summary>The definition's root value.</summary>
    public JsonElement Root { get; }

    /// <summary>Reads <paramref name="json"/>: the document, or why it is not JSON.</summary>
    public static (InstrumentJson? Json, NotJson? Problem) Read(string json)
    {
        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(json);
            root = document.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            return (null, new NotJson((int)(ex.LineNumber ?? 0) + 1, (ex.BytePositionInLine ?? 0) + 1, ex.Message));
        }

        var bytes = Encoding.UTF8.GetBytes(json);
        return (new InstrumentJson(root, Offsets(bytes), LineStarts(bytes)), null);
    }

    /// <summary>The element at <paramref name="pointer"/>, or null.</summary>
    public JsonElement? At(string pointer)
    {
        var element = Root;
        foreach (var segment in JsonPointerText.Segments(pointer))
        {
            if (element.ValueKind == JsonValueKind.Object && element.TryGetProperty(segment, out var property))
            {
                element = property;
            }
            else if (element.ValueKind == JsonValueKind.Array && int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out var i) &&
                     i < element.GetArrayLength())
            {
                element = element[i];
            }
            else
            {
                return null;
            }
        }

        return element;
    }

    /// <summary>The line where the value at <paramref name="pointer"/> starts, or the nearest enclosing value that is there.</summary>
    public int LineOf(string pointer)
    {
        while (!_offsets.ContainsKey(pointer) && pointer.Length > 0)
        {
            pointer = JsonPointerText.Parent(pointer);
        }

        var line = _lineStarts.BinarySearch(_offsets.GetValueOrDefault(pointer));
        return line >= 0 ? line + 1 : ~line;
    }

    /// <summary>The JSON path of a pointer: <c>/items/4/text/fr</c> → <c>$.items[4].text.fr</c> (indices where the value is a list).</summary>
    public string PathOf(string pointer)
    {
        var path = new StringBuilder("$");
        JsonElement? element = Root;
        foreach (var segment in JsonPointerText.Segments(pointer))
        {
            if (element is { ValueKind: JsonValueKind.Array } list && int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out var i))
            {
                path.Append(CultureInfo.InvariantCulture, $"[{i}]");
                element = i < list.GetArrayLength() ? list[i] : null;
            }
            else
            {
                path.Append('.').Append(segment);
                element = element is { ValueKind: JsonValueKind.Object } obj && obj.TryGetProperty(segment, out var property) ? property : null;
            }
        }

        return path.ToString();
    }

    private static Dictionary<string, long> Offsets(byte[] bytes)
    {
        var offsets = new Dictionary<string, long>(StringComparer.Ordinal);
        var reader = new Utf8JsonReader(bytes);
        var open = new Stack<(string Pointer, bool IsArray, int Next, string? Name)>();
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.PropertyName)
            {
                var top = open.Pop();
                open.Push(top with { Name = reader.GetString() });
                continue;
            }

            if (reader.TokenType is JsonTokenType.EndObject or JsonTokenType.EndArray)
            {
                open.Pop();
                continue;
            }

            var pointer = "";
            if (open.Count > 0)
            {
                var top = open.Pop();
                pointer = JsonPointerText.Append(top.Pointer, top.IsArray ? top.Next.ToString(CultureInfo.InvariantCulture) : top.Name ?? "");
                open.Push(top with { Next = top.Next + 1 });
            }

            offsets.TryAdd(pointer, reader.TokenStartIndex);
            if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
            {
                open.Push((pointer, reader.TokenType == JsonTokenType.StartArray, 0, null));
            }
        }

        return offsets;
    }

    private static List<long> LineStarts(byte[] bytes)
    {
        var starts = new List<long> { 0 };
        for (var i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] == '\n' || (bytes[i] == '\r' && (i + 1 == bytes.Length || bytes[i + 1] != '\n')))
            {
                starts.Add(i + 1);
            }
        }

        return starts;
    }
}
