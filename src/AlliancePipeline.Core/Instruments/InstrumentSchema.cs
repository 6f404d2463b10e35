using System.Text.Json;
using AlliancePipeline.Core.Schemas;

namespace AlliancePipeline.Core.Instruments;

/// <summary>
/// The second of the loader's three stages: the definition validated against <c>instrument.schema.json</c> by
/// JsonSchema.Net, each failed keyword turned into the loader's message at its JSON path. JSON is read as JSON, except
/// that a whole number is written as one (3, not 3.0) and fits a 32-bit integer, as the model reads it.
/// </summary>
internal sealed class InstrumentSchema
{
    private readonly InstrumentJson _json;
    private readonly PlacedProblems<Problem> _problems = new();
    private IReadOnlySet<string> _refused = new HashSet<string>();

    private InstrumentSchema(InstrumentJson json) => _json = json;

    /// <summary>What a problem concerns, for when the mapping stage says it.</summary>
    internal enum Concern
    {
        /// <summary>The value itself (its kind, form, or an entry it must have).</summary>
        Value,

        /// <summary>A field missing from the object at <see cref="Problem.Owner"/>.</summary>
        Missing,

        /// <summary>A field the object at <see cref="Problem.Owner"/> does not have.</summary>
        Unknown,

        /// <summary>How many entries a list has.</summary>
        Count,
    }

    /// <summary>A problem found by the schema.</summary>
    /// <param name="Pointer">Where (a JSON Pointer).</param>
    /// <param name="Owner">The object it belongs to, for a missing or unknown field; else <see cref="Pointer"/>.</param>
    /// <param name="Concern">What it concerns.</param>
    /// <param name="Error">The loader's message.</param>
    internal sealed record Problem(string Pointer, string Owner, Concern Concern, DefinitionError Error);

    /// <summary>Every problem the schema found, at most one per place, in the order found.</summary>
    public IReadOnlyList<Problem> Problems { get; private set; } = [];

    /// <summary>Whether the schema refused the value at <paramref name="pointer"/> itself (the mapping stage then does not read it).</summary>
    public bool Refused(string pointer) => _refused.Contains(pointer);

    /// <summary>Validates a definition.</summary>
    public static InstrumentSchema Check(InstrumentJson json)
    {
        var set = SchemaSet.Shipped;
        var evaluation = SchemaEvaluation.Run(set, set.Instrument, json.Root);
        var check = new InstrumentSchema(json);
        foreach (var finding in evaluation.Findings)
        {
            check.Word(finding);
        }

        check.Problems = check._problems.Choose().Problems.Select(p => p.Problem).ToList();
        check._refused = check.Problems.Where(p => p.Concern == Concern.Value).Select(p => p.Pointer).ToHashSet(StringComparer.Ordinal);
        return check;
    }

    private void Word(SchemaFinding finding)
    {
        var node = finding.Node;
        var pointer = node.Instance;
        switch (finding.Keyword)
        {
            case "required":
                foreach (var name in SchemaWords.Strings(node["required"]).Where(n => _json.At(pointer) is not { ValueKind: JsonValueKind.Object } o || !o.TryGetProperty(n, out _)))
                {
                    Add(JsonPointerText.Append(pointer, name), 0, "is required", Concern.Missing);
                }

                return;
            case "false" when node.Keyword == "additionalProperties":
                Add(pointer, 0, "is not a known property", Concern.Unknown);
                return;
        }

        var value = _json.At(pointer);
        var text = value is { ValueKind: JsonValueKind.String } s ? s.GetString()! : null;
        var definition = node.DefinitionName;
        if (definition == "languageCode")
        {
            Add(pointer, 0, "must be a lower-case ISO 639 language code such as \"en\" or \"fr\"");
            return;
        }

        var (priority, message) = finding.Keyword switch
        {
            "type" => (0, TypeProblem(node, pointer)),
            "format" when SchemaWords.Types(node) is ["integer"] => (0, TypeProblem(node, pointer)),
            "pattern" or "enum" when string.IsNullOrWhiteSpace(text) => (1, "must be a non-empty string"),
            "pattern" => (2, definition switch
            {
                "instrumentId" => $"'{text}' is not allowed: use lower-case letters, digits, '.', '_' or '-'",
                "elementId" => $"'{text}' is not allowed: use letters, digits, '_' or '-'",
                "column" => $"'{text}' is not allowed: use a PascalCase identifier such as \"{node.Nearest("examples")?[0]}\"",
                _ => "must be a non-empty string",
            }),
            "enum" => (2, $"'{text}' is not {node.Title()}: use {string.Join(" or ", SchemaWords.Strings(node["enum"]).Select(v => $"\"{v}\""))}"),
            "minItems" => (3, $"must declare at least one {SchemaWords.EntryNoun(node)}"),
            "maxItems" => (3, $"has {value?.GetArrayLength()} {JsonPointerText.Segments(pointer)[^1]}; at most {node["maxItems"]} are allowed"),
            _ => (4, "is not valid here"),
        };
        Add(pointer, priority, message, finding.Keyword is "minItems" or "maxItems" ? Concern.Count : Concern.Value);
    }

    private void Add(string pointer, int priority, string message, Concern concern = Concern.Value) =>
        _problems.Add(pointer, priority, new Problem(pointer, concern is Concern.Missing or Concern.Unknown ? JsonPointerText.Parent(pointer) : pointer,
            concern, new DefinitionError(_json.PathOf(pointer), message)));

    private static string TypeProblem(SchemaNode node, string pointer) => SchemaWords.Types(node).FirstOrDefault() switch
    {
        "object" when pointer.Length == 0 => "the definition must be a JSON object",
        "object" => "must be an object",
        "array" => "must be an array",
        "integer" => "must be an integer",
        "boolean" => "must be true or false",
        _ => "must be a non-empty string",
    };
}
