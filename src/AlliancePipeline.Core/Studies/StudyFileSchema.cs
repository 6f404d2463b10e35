using System.Globalization;
using System.Text.Json.Nodes;
using AlliancePipeline.Core.Schemas;
using YamlDotNet.RepresentationModel;

namespace AlliancePipeline.Core.Studies;

/// <summary>
/// The second of the study file's three stages: the tree validated against <c>study.schema.json</c> by JsonSchema.Net,
/// each failed keyword turned into a message at the line and field it concerns. The schema says what a field must be;
/// this stage reads YAML as YAML (an empty value is as if the field were not written; a plain scalar where the schema
/// wants text is text; a whole number is written as one) and words each kind of problem. An instrument written out in
/// the file is left to the instrument loader, which words its own problems.
/// </summary>
internal sealed class StudyFileSchema
{
    /// <summary>Kinds of problem, for the order of problems found at the same line and column.</summary>
    internal const int ReadingRank = 0, FieldRank = 1, ValueRank = 2;

    private const int MaxPasses = 4;

    private readonly YamlTree _tree;
    private readonly string _source;
    private readonly SchemaSet _set = SchemaSet.Shipped;
    private readonly PlacedProblems<Ranked> _problems = new();
    private readonly Dictionary<string, List<SchemaNode>> _nodesAt = new(StringComparer.Ordinal);
    private IReadOnlySet<string> _refused = new HashSet<string>();

    private sealed record Ranked(StudyFileError Error, int Rank);

    private StudyFileSchema(YamlTree tree, string source)
    {
        _tree = tree;
        _source = source;
    }

    /// <summary>Every problem the schema found, with its rank, in the order found.</summary>
    public IReadOnlyList<(StudyFileError Error, int Rank)> Errors { get; private set; } = [];

    /// <summary>Whether the schema refused the value at <paramref name="pointer"/> (the mapping stage then does not read it).</summary>
    public bool Refused(string pointer) => _refused.Contains(pointer);

    /// <summary>Validates <paramref name="tree"/> (which must have a root).</summary>
    public static StudyFileSchema Check(YamlTree tree, string source)
    {
        var check = new StudyFileSchema(tree, source);
        var asText = new HashSet<string>(StringComparer.Ordinal);
        SchemaEvaluation evaluation;
        var pass = 0;
        do
        {
            evaluation = SchemaEvaluation.Run(check._set, check._set.Study, tree.ToJson(asText));
        }
        while (++pass < MaxPasses && check.ReadAsText(evaluation, asText));

        check.Word(evaluation);
        return check;
    }

    /// <summary>Marks the plain scalars JSON read as numbers or booleans where the schema wants text; true if any is new.</summary>
    private bool ReadAsText(SchemaEvaluation evaluation, HashSet<string> asText)
    {
        var added = false;
        foreach (var finding in evaluation.Findings)
        {
            if (finding.Keyword == "type" && Ours(finding.Node) && SchemaWords.Types(finding.Node).Contains("string") &&
                _tree.NodeAt(finding.Node.Instance) is YamlScalarNode scalar && !YamlValues.IsNull(scalar))
            {
                added |= asText.Add(finding.Node.Instance);
            }
        }

        return added;
    }

    private bool Ours(SchemaNode node) => ReferenceEquals(node.Document, _set.Study);

    // ---- words ----

    private void Word(SchemaEvaluation evaluation)
    {
        foreach (var node in evaluation.Nodes.Where(Ours))
        {
            (_nodesAt.TryGetValue(node.Instance, out var list) ? list : _nodesAt[node.Instance] = []).Add(node);
        }

        foreach (var finding in evaluation.Findings.Where(f => Ours(f.Node)))
        {
            Word(finding);
        }

        var (chosen, places) = _problems.Choose();
        Errors = chosen.Select(c => (c.Problem.Error, c.Problem.Rank)).ToList();
        _refused = places;
    }

    private void Word(SchemaFinding finding)
    {
        var node = finding.Node;
        var pointer = node.Instance;
        switch (finding.Keyword)
        {
            case "required":
                var present = _tree.NodeAt(pointer) as YamlMappingNode;
                foreach (var name in SchemaWords.Strings(node["required"]).Where(n => present is null || _tree.Entry(present, n) is null))
                {
                    var child = JsonPointerText.Append(pointer, name);
                    Add(child, 0, ValueRank, _tree.NodeAt(pointer), child, $"'{name}' is missing from {node.Title()}");
                }

                return;
            case "false" when node.Keyword == "additionalProperties" && node.Parent is { } owner:
                var field = JsonPointerText.Segments(pointer)[^1];
                Add(pointer, 0, FieldRank, _tree.Find(pointer).Key, pointer,
                    $"'{field}' is not a field of {owner.Title()}; the fields are: {string.Join(", ", Fields(owner))}");
                return;
        }

        var (value, key) = _tree.Find(pointer);
        if (value is YamlScalarNode scalar && YamlValues.IsNull(scalar) && key is not null)
        {
            // An empty value is as if the field were not written: a problem only where the field is required.
            if (IsRequired(pointer))
            {
                Add(pointer, -1, FieldRank, key, pointer, "has no value");
            }

            return;
        }

        var text = value is YamlScalarNode { Value: var raw } ? raw ?? "" : "";
        var (priority, message) = finding.Keyword switch
        {
            "type" => (0, TypeProblem(node, value, text)),
            "format" when SchemaWords.Types(node) is ["integer"] => (0, TypeProblem(node, value, text)),
            "minLength" => (1, "must not be empty"),
            "pattern" or "format" or "maxLength" => (finding.Keyword == "maxLength" ? 3 : 2, ValueProblem(node, finding.Keyword, text.Trim())),
            "enum" => (2, $"'{text.Trim()}' is not {node.Title()}: use {string.Join(" or ", SchemaWords.Strings(node["enum"]))}"),
            "minimum" or "maximum" or "exclusiveMinimum" or "exclusiveMaximum" =>
                (4, string.Create(CultureInfo.InvariantCulture, $"must be from {node["minimum"]} to {node["maximum"]}, not {(object?)YamlValues.AsInteger((YamlScalarNode)value!) ?? text.Trim()}")),
            "minItems" => (5, $"must list at least {node["minItems"]} {SchemaWords.EntryNoun(node)}"),
            "maxItems" => (5, $"lists {((YamlSequenceNode)value!).Children.Count} {JsonPointerText.Segments(pointer)[^1]}; at most {node["maxItems"]} are allowed"),
            "anyOf" => (6, $"give {string.Join(", ", AnyOfNames(node))} or both"),
            _ => (7, "is not valid here"),
        };
        Add(pointer, priority, ValueRank, value, pointer, message);
    }

    private void Add(string pointer, int priority, int rank, YamlNode? at, string fieldPointer, string message)
    {
        var line = at is null ? 1 : (int)at.Start.Line;
        var column = at is null ? 1 : (int)at.Start.Column;
        _problems.Add(pointer, priority, new Ranked(new StudyFileError(_source, line, column, _tree.FieldPath(fieldPointer), message), rank));
    }

    private bool IsRequired(string pointer)
    {
        var name = JsonPointerText.Segments(pointer)[^1];
        return _nodesAt.TryGetValue(JsonPointerText.Parent(pointer), out var owners) && owners.Any(o => SchemaWords.Strings(o["required"]).Contains(name));
    }

    private static string TypeProblem(SchemaNode node, YamlNode? value, string text)
    {
        var kind = value is null ? "a single value" : YamlValues.Kind(value);
        return SchemaWords.Types(node) switch
        {
            [_, _, ..] => $"must be {node.Title()}, not {kind}",
            ["object"] => $"must be {node.Title()}: a mapping of fields (name: value), not {kind}",
            ["array"] => $"must be a list (one '- ' line per {SchemaWords.EntryNoun(node)}), not {kind}",
            _ when value is not YamlScalarNode => $"must be a single value, not {kind}",
            ["integer"] => $"must be a whole number from {node["minimum"]} to {node["maximum"]}, not '{text}'",
            ["number"] => $"must be a number such as 1 or 0.75, not '{text}'",
            ["boolean"] => $"must be true or false, not '{text}'",
            _ => $"must be text, not '{text}'",
        };
    }

    /// <summary>What is wrong with a value the schema's format (its <c>$defs</c> entry) refuses, in the words the file's readers know.</summary>
    private static string ValueProblem(SchemaNode node, string keyword, string text) => (node.DefinitionName, keyword) switch
    {
        ("dyadId", "maxLength") =>
            $"dyad code '{text}' is too long: at most {node["maxLength"]} characters, so that its assessment ids stay valid keys",
        ("id", _) => $"'{text}' is not a valid {node.Title()}: use 1–63 lower-case letters, digits and hyphens, not starting or ending with a hyphen",
        ("email", _) => $"'{text}' is not an email address",
        ("language", _) => $"'{text}' is not a language tag: use a BCP 47 tag such as en, fr or fr-CA",
        ("date", _) => $"'{text}' is not a date: write it as YYYY-MM-DD, e.g. 2026-01-31",
        ("schedule", _) => StudyFileReader.NotASchedule(text),
        ("relativePath", _) => $"'{text}' must be a path relative to the study file, with '/' between folders, not absolute and without '..'",
        ("text", _) => "must not be empty",
        _ => $"'{text}' is not valid here",
    };

    /// <summary>An object's fields for messages: the required ones, then the others, in the schema's order.</summary>
    private static IEnumerable<string> Fields(SchemaNode owner)
    {
        var required = SchemaWords.Strings(owner["required"]).ToList();
        var properties = owner["properties"] is JsonObject p ? p.Select(e => e.Key) : [];
        return required.Concat(properties.Where(n => !required.Contains(n)));
    }

    private static IEnumerable<string> AnyOfNames(SchemaNode node) =>
        node["anyOf"] is JsonArray branches ? branches.SelectMany(b => SchemaWords.Strings(b?["required"])) : [];
}
