using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;

namespace AlliancePipeline.Core.Schemas;

/// <summary>
/// One schema applied at one place of the instance during an evaluation: the JsonSchema.Net result node, the schema
/// object it evaluated (read from the schema document, for the values of its keywords) and where it sits.
/// </summary>
internal sealed class SchemaNode(EvaluationResults result, SchemaDocument document, JsonNode? schema, string instance, SchemaNode? parent, string? keyword)
{
    /// <summary>JsonSchema.Net's result for this schema at this place.</summary>
    public EvaluationResults Result { get; } = result;

    /// <summary>The document the schema belongs to (the study's, or the instrument's for an instrument written in a study file).</summary>
    public SchemaDocument Document { get; } = document;

    /// <summary>The schema object, or null for a boolean schema (or one the walk could not place).</summary>
    public JsonObject? Schema { get; } = schema as JsonObject;

    /// <summary>The instance location, a JSON Pointer (<c>/dyads/3/practitioner</c>; empty for the root).</summary>
    public string Instance { get; } = instance;

    /// <summary>The schema that applied this one, or null at the root.</summary>
    public SchemaNode? Parent { get; } = parent;

    /// <summary>The parent's keyword that applied this schema (<c>properties</c>, <c>items</c>, <c>$ref</c>, <c>additionalProperties</c>…).</summary>
    public string? Keyword { get; } = keyword;

    /// <summary>The value of a keyword of this schema, or null.</summary>
    public JsonNode? this[string keyword] => Schema?[keyword];

    /// <summary>
    /// The nearest <c>title</c> among this schema and the ones that applied it at the same place (a <c>$ref</c> with a
    /// title names what the referenced schema checks: <c>raterId</c> → "rater id").
    /// </summary>
    public string? Title()
    {
        for (var node = this; node is not null && node.Instance == Instance; node = node.Parent)
        {
            if (node["title"] is JsonValue title)
            {
                return title.GetValue<string>();
            }
        }

        return null;
    }

    /// <summary>The nearest value of <paramref name="keyword"/> among this schema and the ones that applied it at the same place.</summary>
    public JsonNode? Nearest(string keyword)
    {
        for (var node = this; node is not null && node.Instance == Instance; node = node.Parent)
        {
            if (node[keyword] is { } value)
            {
                return value;
            }
        }

        return null;
    }

    /// <summary>The <c>$defs</c> name of this schema in its document (<c>email</c>, <c>id</c>…), or null for an inline schema.</summary>
    public string? DefinitionName => Document.DefinitionName(Schema);
}

/// <summary>A keyword that failed: which one, and the schema node it belongs to.</summary>
/// <param name="Keyword">
/// The keyword (<c>type</c>, <c>required</c>, <c>pattern</c>…); <c>false</c> for a place no schema allows (an
/// <c>additionalProperties: false</c> property); <c>anyOf</c>, <c>oneOf</c>, <c>not</c> for a combination that failed as a whole.
/// </param>
/// <param name="Node">The schema node whose keyword failed.</param>
internal sealed record SchemaFinding(string Keyword, SchemaNode Node);

/// <summary>
/// Evaluates an instance against one of the <see cref="SchemaSet"/> schemas with JsonSchema.Net and lists what failed,
/// each finding with its schema node, and every schema node that counts (for the wording of a finding: whether a field
/// is required where an empty value stands, what an object is called).
/// </summary>
/// <remarks>
/// The walk follows JsonSchema.Net's hierarchical output and places each node's schema by the keyword that applied
/// it (the node's evaluation path relative to its parent's), reading <c>$ref</c>s from the documents: version 8.0.5
/// adds a stray segment to the schema location of nodes applied by single-schema keywords (<c>items</c>,
/// <c>additionalProperties</c>, <c>if</c>, <c>then</c>, <c>not</c>), so that location is not used. An <c>if</c> is a
/// condition and never a problem; an <c>anyOf</c> or <c>oneOf</c> that failed is one finding (its branches are
/// alternatives, not problems each); of one that passed, only the branches that passed count.
/// </remarks>
internal sealed class SchemaEvaluation
{
    private static readonly EvaluationOptions Verdict = Options(OutputFormat.Flag);
    private static readonly EvaluationOptions Details = Options(OutputFormat.Hierarchical);

    private readonly SchemaSet _set;
    private readonly List<SchemaFinding> _findings = [];
    private readonly List<SchemaNode> _nodes = [];

    private SchemaEvaluation(SchemaSet set) => _set = set;

    /// <summary>Every keyword that failed, in the order of the walk.</summary>
    public IReadOnlyList<SchemaFinding> Findings => _findings;

    /// <summary>Every schema node that counts (passed or failed), in the order of the walk; none when the instance is valid.</summary>
    public IReadOnlyList<SchemaNode> Nodes => _nodes;

    /// <summary>
    /// Evaluates <paramref name="instance"/> against <paramref name="document"/>: the verdict alone first (several
    /// times faster), the details of every schema applied only when something failed.
    /// </summary>
    public static SchemaEvaluation Run(SchemaSet set, SchemaDocument document, JsonElement instance)
    {
        var evaluation = new SchemaEvaluation(set);
        if (!document.Schema.Evaluate(instance, Verdict).IsValid)
        {
            var result = document.Schema.Evaluate(instance, Details);
            evaluation.Visit(new SchemaNode(result, document, document.Root, "", null, null));
        }

        return evaluation;
    }

    /// <summary>
    /// Evaluation with the formats the schemas use checked: <c>date</c>, and OpenAPI's <c>int32</c> and <c>int64</c>
    /// read as a file writes them: a whole number written without a fraction or an exponent (3, not 3.0 or 3e0), in the
    /// type's range. Other tools treat these two as annotations; they are registered here only.
    /// </summary>
    private static EvaluationOptions Options(OutputFormat output)
    {
        var formats = new FormatRegistry();
        formats.Register(new PredicateFormat("int32", e => e.ValueKind != JsonValueKind.Number || (WrittenWhole(e) && e.TryGetInt32(out _))));
        formats.Register(new PredicateFormat("int64", e => e.ValueKind != JsonValueKind.Number || (WrittenWhole(e) && e.TryGetInt64(out _))));
        return new EvaluationOptions { OutputFormat = output, RequireFormatValidation = true, FormatRegistry = formats };
    }

    private static bool WrittenWhole(JsonElement number) => number.GetRawText().AsSpan().IndexOfAny('.', 'e', 'E') < 0;

    private void Visit(SchemaNode node)
    {
        _nodes.Add(node);
        if (!node.Result.IsValid && node.Result.Errors is { } errors)
        {
            foreach (var keyword in errors.Keys)
            {
                _findings.Add(new SchemaFinding(keyword.Length == 0 ? "false" : keyword, node));
            }
        }

        var parentPath = node.Result.EvaluationPath.ToString();
        var children = (node.Result.Details ?? []).Select(result => Child(node, parentPath, result)).ToList();
        foreach (var group in children.GroupBy(c => c.Keyword, StringComparer.Ordinal))
        {
            switch (group.Key)
            {
                case "if":
                    break;
                case "not":
                    if (!node.Result.IsValid && group.All(c => c.Result.IsValid))
                    {
                        _findings.Add(new SchemaFinding("not", node));
                    }

                    break;
                case "anyOf" or "oneOf":
                    var passed = group.Where(c => c.Result.IsValid).ToList();
                    if (group.Key == "anyOf" ? passed.Count == 0 : passed.Count != 1)
                    {
                        _findings.Add(new SchemaFinding(group.Key, node));
                        break;
                    }

                    passed.ForEach(Visit);
                    break;
                default:
                    foreach (var child in group)
                    {
                        Visit(child);
                    }

                    break;
            }
        }
    }

    private SchemaNode Child(SchemaNode parent, string parentPath, EvaluationResults result)
    {
        var relative = JsonPointerText.Segments(result.EvaluationPath.ToString()[parentPath.Length..]);
        var keyword = relative.Length > 0 ? relative[0] : "";
        var document = parent.Document;
        JsonNode? schema = null;
        if (parent.Schema is { } at)
        {
            switch (keyword)
            {
                case "$ref":
                    (document, schema) = _set.Resolve(parent.Document, at["$ref"]!.GetValue<string>());
                    break;
                case "properties" or "patternProperties" or "dependentSchemas" when relative.Length > 1:
                    schema = at[keyword]?[relative[1]];
                    break;
                case "allOf" or "anyOf" or "oneOf" or "prefixItems" when relative.Length > 1 && int.TryParse(relative[1], out var index):
                    schema = at[keyword] is JsonArray list && index < list.Count ? list[index] : null;
                    break;
                default:
                    schema = at[keyword];
                    break;
            }
        }

        return new SchemaNode(result, document, schema, result.InstanceLocation.ToString(), parent, keyword);
    }
}
