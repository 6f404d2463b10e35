using System.Text.Json.Nodes;
using Json.Schema;

namespace AlliancePipeline.Core.Schemas;

/// <summary>One embedded JSON Schema document: its <c>$id</c>, its JSON for reading keyword values, and its built schema.</summary>
internal sealed class SchemaDocument(Uri id, JsonObject root, JsonSchema schema)
{
    /// <summary>The document's <c>$id</c>.</summary>
    public Uri Id { get; } = id;

    /// <summary>The document as JSON, for the values of the keywords a message words (titles, bounds, required lists).</summary>
    public JsonObject Root { get; } = root;

    /// <summary>The schema built by JsonSchema.Net, for evaluating instances.</summary>
    public JsonSchema Schema { get; } = schema;

    /// <summary>The name under <c>$defs</c> of <paramref name="schema"/>, when it is one of this document's definitions.</summary>
    public string? DefinitionName(JsonNode? schema) =>
        schema is null || Root["$defs"] is not JsonObject defs ? null : defs.FirstOrDefault(d => ReferenceEquals(d.Value, schema)).Key;
}

/// <summary>
/// The two embedded schemas (study files, instrument files), built once by JsonSchema.Net in a registry of their own
/// that never fetches anything (no I/O): the study schema refers to the instrument schema for an instrument written
/// out in a study file.
/// </summary>
internal sealed class SchemaSet
{
    private const string StudyResource = "AlliancePipeline.Core.Studies.study.schema.json";
    private const string InstrumentResource = "AlliancePipeline.Core.Instruments.instrument.schema.json";

    private static readonly Lazy<SchemaSet> Embedded = new(() => new SchemaSet(ReadResource(StudyResource), ReadResource(InstrumentResource)));

    private SchemaSet(string studyText, string instrumentText)
    {
        var options = new BuildOptions { SchemaRegistry = new SchemaRegistry { Fetch = (_, _) => null } };
        Instrument = Build(instrumentText, options);
        Study = Build(studyText, options);
    }

    /// <summary>The schemas shipped in this assembly.</summary>
    public static SchemaSet Shipped => Embedded.Value;

    /// <summary><c>Studies/study.schema.json</c>.</summary>
    public SchemaDocument Study { get; }

    /// <summary><c>Instruments/instrument.schema.json</c>.</summary>
    public SchemaDocument Instrument { get; }

    /// <summary>The text of an embedded resource of this assembly.</summary>
    public static string ReadResource(string name)
    {
        var assembly = typeof(SchemaSet).Assembly;
        using var stream = assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"Embedded resource '{name}' is missing from {assembly.GetName().Name}.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>The study schema's text.</summary>
    public static string StudyText() => ReadResource(StudyResource);

    /// <summary>The instrument schema's text.</summary>
    public static string InstrumentText() => ReadResource(InstrumentResource);

    /// <summary>
    /// The schema a <c>$ref</c> in <paramref name="from"/> names: a fragment of the same document (<c>#/$defs/id</c>)
    /// or another document of the set by its <c>$id</c>, with or without a fragment. Null when it names nothing here.
    /// </summary>
    public (SchemaDocument Document, JsonNode? Schema) Resolve(SchemaDocument from, string reference)
    {
        var target = new Uri(from.Id, reference);
        var document = new[] { Study, Instrument }.FirstOrDefault(d => d.Id.GetLeftPart(UriPartial.Query) == target.GetLeftPart(UriPartial.Query));
        if (document is null)
        {
            return (from, null);
        }

        JsonNode? node = document.Root;
        foreach (var segment in JsonPointerText.Segments(Uri.UnescapeDataString(target.Fragment.TrimStart('#'))))
        {
            node = node switch
            {
                JsonObject o => o[segment],
                JsonArray a when int.TryParse(segment, out var i) && i >= 0 && i < a.Count => a[i],
                _ => null,
            };
        }

        return (document, node);
    }

    private static SchemaDocument Build(string text, BuildOptions options)
    {
        var root = JsonNode.Parse(text)!.AsObject();
        var schema = JsonSchema.FromText(text, options);
        return new SchemaDocument(new Uri(root["$id"]!.GetValue<string>()), root, schema);
    }
}

/// <summary>JSON Pointer text (RFC 6901) to and from its decoded segments.</summary>
internal static class JsonPointerText
{
    /// <summary>The decoded segments of a pointer such as <c>/sites/0/coordinators</c> (none for the empty pointer).</summary>
    public static string[] Segments(string pointer) =>
        pointer.Length == 0 ? [] : pointer[1..].Split('/').Select(s => s.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)).ToArray();

    /// <summary>The pointer of <paramref name="parent"/> followed by the segment <paramref name="name"/>.</summary>
    public static string Append(string parent, string name) =>
        $"{parent}/{name.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal)}";

    /// <summary>The pointer of the parent of <paramref name="pointer"/> (the empty pointer for a top-level one).</summary>
    public static string Parent(string pointer) => pointer[..Math.Max(0, pointer.LastIndexOf('/'))];
}
