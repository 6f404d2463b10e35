using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace AlliancePipeline.Core.Studies;

/// <summary>
/// Reads YAML text (JSON included: JSON is YAML) into YamlDotNet's representation model, which keeps each node's line
/// and column, and interprets plain scalars by the YAML 1.2 core schema (null, true/false, integers, floats) the way a
/// JSON reader would. Quoted scalars are always text.
/// </summary>
internal static partial class YamlValues
{
    [GeneratedRegex("^[-+]?[0-9]+$")]
    private static partial Regex IntegerPattern();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex FloatPattern();

    [GeneratedRegex(@"^\(Line: \d+, Col: \d+, Idx: \d+\) - \(Line: \d+, Col: \d+, Idx: \d+\): ")]
    private static partial Regex PositionPrefix();

    /// <summary>The result of loading: the single document's root, or where and why the text is not YAML.</summary>
    internal sealed record Loaded(YamlNode? Root, int Line, int Column, string? Problem);

    /// <summary>Loads exactly one YAML document within <see cref="YamlLimits"/>; never throws for bad input.</summary>
    internal static Loaded Load(string text)
    {
        var parser = new YamlLimits(new Parser(new StringReader(text)));
        var stream = new YamlStream();
        try
        {
            stream.Load(parser);
        }
        catch (YamlLimits.BreachException ex)
        {
            return new Loaded(null, (int)ex.At.Line, (int)ex.At.Column, ex.Message);
        }
        catch (YamlException ex)
        {
            var reason = PositionPrefix().Replace(ex.Message, "");
            if (reason.StartsWith("Duplicate key ", StringComparison.Ordinal))
            {
                reason = $"'{reason["Duplicate key ".Length..]}' appears twice in the same mapping";
            }

            return new Loaded(null, (int)ex.Start.Line, (int)ex.Start.Column, $"the file is not valid YAML or JSON here: {reason.TrimEnd('.')}");
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's parser gives up this way on some unclosed flow collections ("a: [1, 2" then a new key).
            var mark = parser.Current?.Start ?? Mark.Empty;
            return new Loaded(null, (int)Math.Max(1, mark.Line), (int)Math.Max(1, mark.Column),
                "the file is not valid YAML or JSON from here on: a bracket '[' or brace '{' may be left open");
        }

        return stream.Documents.Count switch
        {
            0 => new Loaded(null, 1, 1, "the file is empty"),
            1 => new Loaded(stream.Documents[0].RootNode, 0, 0, null),
            _ => new Loaded(null, (int)stream.Documents[1].RootNode.Start.Line, 1,
                "the file holds more than one YAML document ('---'): a study file is one document"),
        };
    }

    /// <summary>True for a plain scalar the core schema reads as null (empty, ~, null).</summary>
    internal static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: ScalarStyle.Plain or ScalarStyle.Any } s && !IsTaggedString(s) &&
        s.Value is null or "" or "~" or "null" or "Null" or "NULL";

    /// <summary>A plain scalar as a boolean (true/True/TRUE, false/False/FALSE), else null.</summary>
    internal static bool? AsBoolean(YamlScalarNode s) => IsPlain(s) ? s.Value switch
    {
        "true" or "True" or "TRUE" => true,
        "false" or "False" or "FALSE" => false,
        _ => null,
    } : null;

    /// <summary>A plain scalar as a whole number in the range of <see cref="long"/>, else null.</summary>
    internal static long? AsInteger(YamlScalarNode s) =>
        IsPlain(s) && s.Value is { } v && IntegerPattern().IsMatch(v) &&
        long.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) ? n : null;

    /// <summary>A plain scalar as a finite number (integer or decimal), else null.</summary>
    internal static double? AsNumber(YamlScalarNode s) =>
        IsPlain(s) && s.Value is { } v && FloatPattern().IsMatch(v) &&
        double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d) ? d : null;

    /// <summary>What kind of node this is, in words, for messages ("a list", "a mapping", "a value").</summary>
    internal static string Kind(YamlNode node) => node switch
    {
        YamlSequenceNode => "a list",
        YamlMappingNode => "a mapping of fields",
        _ => "a single value",
    };

    /// <summary>
    /// Converts a node to JSON by the core schema (mappings → objects, lists → arrays, plain scalars typed), as an
    /// instrument written out in a study file is handed to the instrument loader. A field name that is a list or a
    /// mapping is left out (reading the file reports it).
    /// </summary>
    internal static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode map => new JsonObject(YamlTree.Fields(map).Select(p => KeyValuePair.Create(p.Name, ToJson(p.Value)))),
        YamlSequenceNode list => new JsonArray(list.Children.Select(ToJson).ToArray()),
        YamlScalarNode s when IsNull(s) => null,
        YamlScalarNode s when AsBoolean(s) is { } b => JsonValue.Create(b),
        YamlScalarNode s when AsInteger(s) is { } n => JsonValue.Create(n),
        YamlScalarNode s when AsNumber(s) is { } d => JsonValue.Create(d),
        YamlScalarNode s => JsonValue.Create(s.Value ?? ""),
        _ => null,
    };

    /// <summary>
    /// Follows a JSON path such as <c>$.items[4].text.fr</c> from <paramref name="root"/>; returns the deepest node
    /// that exists on the way (the root itself when the first step is missing).
    /// </summary>
    internal static YamlNode Locate(YamlNode root, string jsonPath)
    {
        var node = root;
        foreach (Match step in PathStep().Matches(jsonPath))
        {
            YamlNode? next = null;
            if (step.Groups[1].Success && node is YamlMappingNode map)
            {
                next = map.Children.FirstOrDefault(p => p.Key is YamlScalarNode k && k.Value == step.Groups[1].Value).Value;
            }
            else if (step.Groups[2].Success && node is YamlSequenceNode list &&
                     int.TryParse(step.Groups[2].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var index) &&
                     index < list.Children.Count)
            {
                next = list.Children[index];
            }

            if (next is null)
            {
                break;
            }

            node = next;
        }

        return node;
    }

    [GeneratedRegex(@"\.([^.\[]+)|\[(\d+)\]")]
    private static partial Regex PathStep();

    private static bool IsPlain(YamlScalarNode s) => s.Style is ScalarStyle.Plain or ScalarStyle.Any && !IsTaggedString(s);

    private static bool IsTaggedString(YamlScalarNode s) => !s.Tag.IsEmpty && s.Tag.Value.EndsWith(":str", StringComparison.Ordinal);
}
