using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using AlliancePipeline.Core.Schemas;
using YamlDotNet.RepresentationModel;

namespace AlliancePipeline.Core.Studies;

/// <summary>
/// The first of the study file's three stages: the text read into YamlDotNet's representation model, in which every
/// node knows its line and column, within <see cref="YamlLimits"/>. Places are JSON Pointers (<c>/dyads/3/site</c>), as
/// the schema's results name them; the tree turns them into field paths (<c>dyads[3].site</c>) and positions, and
/// writes the JSON the schema is evaluated on.
/// </summary>
internal sealed partial class YamlTree
{
    // Each mapping's entries by name, built when first looked up (YamlNode compares by content: keyed by reference).
    private readonly Dictionary<YamlMappingNode, Dictionary<string, (YamlNode Key, YamlNode Value)>> _entries = new(ReferenceEqualityComparer.Instance);

    private YamlTree(YamlNode? root, StudyFileError? refusal, IReadOnlyList<StudyFileError> problems)
    {
        Root = root;
        Refusal = refusal;
        Problems = problems;
    }

    /// <summary>The single document's root, or null when the text was refused.</summary>
    public YamlNode? Root { get; }

    /// <summary>Why the text cannot be read at all (not YAML, several documents, over a <see cref="YamlLimits">limit</see>), or null.</summary>
    public StudyFileError? Refusal { get; }

    /// <summary>Problems found while reading that do not stop the checks: a field name that is a list or a mapping.</summary>
    public IReadOnlyList<StudyFileError> Problems { get; }

    /// <summary>Reads <paramref name="text"/>; never throws for bad input.</summary>
    public static YamlTree Read(string text, string source)
    {
        var loaded = YamlValues.Load(text);
        if (loaded.Root is null)
        {
            return new YamlTree(null, new StudyFileError(source, loaded.Line, loaded.Column, "", loaded.Problem!), []);
        }

        var problems = new List<StudyFileError>();
        FindComplexKeys(loaded.Root, [], source, problems);
        return new YamlTree(loaded.Root, null, problems);
    }

    /// <summary>Field names that are lists or mappings, each reported with the path of its mapping (built only then).</summary>
    private static void FindComplexKeys(YamlNode node, List<object> path, string source, List<StudyFileError> problems)
    {
        switch (node)
        {
            case YamlMappingNode map:
                foreach (var (key, value) in map.Children)
                {
                    if (key is YamlScalarNode { Value: { } name })
                    {
                        path.Add(name);
                        FindComplexKeys(value, path, source, problems);
                        path.RemoveAt(path.Count - 1);
                    }
                    else
                    {
                        var field = string.Concat(path.Select((s, i) => s is int index ? $"[{index}]" : i == 0 ? (string)s : "." + s));
                        problems.Add(new StudyFileError(source, (int)key.Start.Line, (int)key.Start.Column, field,
                            "a field name must be a single word, not a list or a mapping"));
                    }
                }

                break;
            case YamlSequenceNode list:
                for (var i = 0; i < list.Children.Count; i++)
                {
                    path.Add(i);
                    FindComplexKeys(list.Children[i], path, source, problems);
                    path.RemoveAt(path.Count - 1);
                }

                break;
        }
    }

    // ---- places ----

    /// <summary>The entry named <paramref name="name"/> of a mapping (the last, if a name is written twice with different tags).</summary>
    public (YamlNode Key, YamlNode Value)? Entry(YamlMappingNode map, string name)
    {
        if (!_entries.TryGetValue(map, out var byName))
        {
            byName = new Dictionary<string, (YamlNode, YamlNode)>(StringComparer.Ordinal);
            foreach (var (key, value) in map.Children)
            {
                if (key is YamlScalarNode { Value: { } k })
                {
                    byName[k] = (key, value);
                }
            }

            _entries[map] = byName;
        }

        return byName.TryGetValue(name, out var entry) ? entry : null;
    }

    /// <summary>
    /// A mapping's fields by name, in file order: entries whose key is a list or a mapping are left out (the reading
    /// reports them), and of a name written twice (with different tags) the last counts.
    /// </summary>
    public static IEnumerable<(string Name, YamlNode Value)> Fields(YamlMappingNode map)
    {
        var last = new Dictionary<string, int>(StringComparer.Ordinal);
        var entries = map.Children.ToList();
        for (var i = 0; i < entries.Count; i++)
        {
            if (entries[i].Key is YamlScalarNode { Value: { } name })
            {
                last[name] = i;
            }
        }

        for (var i = 0; i < entries.Count; i++)
        {
            if (entries[i].Key is YamlScalarNode { Value: { } name } && last[name] == i)
            {
                yield return (name, entries[i].Value);
            }
        }
    }

    /// <summary>The node at <paramref name="pointer"/>, and its key when it is a mapping's value.</summary>
    public (YamlNode? Node, YamlNode? Key) Find(string pointer)
    {
        YamlNode? node = Root;
        YamlNode? key = null;
        foreach (var segment in JsonPointerText.Segments(pointer))
        {
            (node, key) = node switch
            {
                YamlMappingNode map when Entry(map, segment) is { } entry => (entry.Value, entry.Key),
                YamlSequenceNode list when int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i < list.Children.Count
                    => (list.Children[i], null),
                _ => ((YamlNode?)null, (YamlNode?)null),
            };
            if (node is null)
            {
                break;
            }
        }

        return (node, key);
    }

    /// <summary>The node at <paramref name="pointer"/>, or null.</summary>
    public YamlNode? NodeAt(string pointer) => Find(pointer).Node;

    /// <summary>
    /// Where a field is: the line and column of its name for a mapping's field, of the entry for a list entry; line 1
    /// for the whole file or a field that is not there.
    /// </summary>
    public (int Line, int Column) PositionOf(string pointer)
    {
        var (node, key) = Find(pointer);
        var at = key ?? (pointer.Length == 0 ? null : node);
        return at is null ? (1, 1) : ((int)at.Start.Line, (int)at.Start.Column);
    }

    /// <summary>The field path of a pointer: <c>/sites/0/coordinators/1/email</c> → <c>sites[0].coordinators[1].email</c>.</summary>
    public string FieldPath(string pointer)
    {
        var field = new StringBuilder();
        YamlNode? node = Root;
        foreach (var segment in JsonPointerText.Segments(pointer))
        {
            if (node is YamlSequenceNode list && int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out var i))
            {
                field.Append(CultureInfo.InvariantCulture, $"[{i}]");
                node = i < list.Children.Count ? list.Children[i] : null;
                continue;
            }

            field.Append(field.Length == 0 ? segment : "." + segment);
            node = node is YamlMappingNode map ? Entry(map, segment)?.Value : null;
        }

        return field.ToString();
    }

    /// <summary>The pointer of a field path (<c>dyads[3].site</c> → <c>/dyads/3/site</c>).</summary>
    public static string PointerOf(string field) =>
        string.Concat(FieldStep().Matches(field).Select(m => JsonPointerText.Append("", m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value)));

    [GeneratedRegex(@"\.?([^.\[]+)|\[(\d+)\]")]
    private static partial Regex FieldStep();

    // ---- the JSON the schema reads ----

    /// <summary>
    /// The tree as JSON for the schema: mappings as objects (a field name that is a list or a mapping left out),
    /// lists as arrays, plain scalars typed as JSON reads them (null, true/false, whole numbers, numbers: a number with
    /// a fraction or an exponent keeps one) unless their pointer is in <paramref name="asText"/>, quoted scalars as
    /// text; text trimmed, as the study reads it.
    /// </summary>
    public JsonElement ToJson(IReadOnlySet<string> asText)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            Write(writer, Root!, "", asText);
        }

        using var document = JsonDocument.Parse(buffer.WrittenMemory, new JsonDocumentOptions { MaxDepth = 2 * YamlLimits.MaxDepth });
        return document.RootElement.Clone();
    }

    private static void Write(Utf8JsonWriter writer, YamlNode node, string pointer, IReadOnlySet<string> asText)
    {
        switch (node)
        {
            case YamlMappingNode map:
                writer.WriteStartObject();
                foreach (var (name, value) in Fields(map))
                {
                    writer.WritePropertyName(WellFormed(name));
                    Write(writer, value, JsonPointerText.Append(pointer, name), asText);
                }

                writer.WriteEndObject();
                break;
            case YamlSequenceNode list:
                writer.WriteStartArray();
                for (var i = 0; i < list.Children.Count; i++)
                {
                    Write(writer, list.Children[i], JsonPointerText.Append(pointer, i.ToString(CultureInfo.InvariantCulture)), asText);
                }

                writer.WriteEndArray();
                break;
            case YamlScalarNode scalar when asText.Contains(pointer):
                writer.WriteStringValue(WellFormed((scalar.Value ?? "").Trim()));
                break;
            case YamlScalarNode scalar when YamlValues.IsNull(scalar):
                writer.WriteNullValue();
                break;
            case YamlScalarNode scalar when YamlValues.AsBoolean(scalar) is { } boolean:
                writer.WriteBooleanValue(boolean);
                break;
            case YamlScalarNode scalar when YamlValues.AsInteger(scalar) is { } integer:
                writer.WriteNumberValue(integer);
                break;
            case YamlScalarNode scalar when YamlValues.AsNumber(scalar) is { } number:
                // Written with a fraction or an exponent, as in the file: 3.0 is not a whole number written as one.
                var written = number.ToString("R", CultureInfo.InvariantCulture);
                writer.WriteRawValue(written.AsSpan().IndexOfAny('.', 'e', 'E') < 0 ? written + ".0" : written);
                break;
            case YamlScalarNode scalar:
                writer.WriteStringValue(WellFormed((scalar.Value ?? "").Trim()));
                break;
            default:
                writer.WriteNullValue();
                break;
        }
    }

    /// <summary>The text with any lone surrogate replaced by U+FFFD, so that it can be written as JSON (a check gives the same verdict).</summary>
    internal static string WellFormed(string text)
    {
        StringBuilder? mended = null;
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                mended?.Append(text, i, 2);
                i++;
            }
            else if (char.IsSurrogate(text[i]))
            {
                (mended ??= new StringBuilder(text, 0, i, text.Length)).Append('\uFFFD');
            }
            else
            {
                mended?.Append(text[i]);
            }
        }

        return mended?.ToString() ?? text;
    }
}
