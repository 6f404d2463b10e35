using System.Collections.Immutable;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace AlliancePipeline.Core.Instruments;

/// <summary>
/// Parses and validates an instrument definition from JSON text (no I/O). The rules enforced here are the ones
/// documented in <c>Instruments/instrument.schema.json</c> (JSON Schema draft 2020-12), plus the cross-references a
/// schema cannot express: every item's subscale exists, every subscale has items, every text exists in every declared
/// language, anchors lie on the scale, and score rules are satisfiable.
/// </summary>
public static partial class InstrumentLoader
{
    /// <summary>Top-level properties a definition must have (kept equal to the schema's <c>required</c> list by a test).</summary>
    public static readonly ImmutableArray<string> RequiredProperties =
    [
        "id", "version", "raterRole", "languages", "defaultLanguage", "title", "instructions",
        "scale", "items", "subscales", "global", "copyright", "source",
    ];

    /// <summary>Top-level properties allowed besides <see cref="RequiredProperties"/>.</summary>
    public static readonly ImmutableArray<string> OptionalProperties = ["$schema"];

    /// <summary>Properties of <c>scale</c> (all required, no others).</summary>
    public static readonly ImmutableArray<string> ScaleProperties = ["min", "max", "anchors"];

    /// <summary>Properties of each <c>scale.anchors[]</c> entry (all required, no others).</summary>
    public static readonly ImmutableArray<string> AnchorProperties = ["value", "label"];

    /// <summary>Properties of each <c>items[]</c> entry (all required, no others).</summary>
    public static readonly ImmutableArray<string> ItemProperties = ["id", "text", "subscale", "reverse"];

    /// <summary>Properties of each <c>subscales[]</c> entry (all required, no others).</summary>
    public static readonly ImmutableArray<string> SubscaleProperties = ["id", "column", "label", "score"];

    /// <summary>Properties of <c>global</c> (all required, no others).</summary>
    public static readonly ImmutableArray<string> GlobalProperties = ["column", "label", "score"];

    /// <summary>Properties of a score rule (all required, no others).</summary>
    public static readonly ImmutableArray<string> ScoreRuleProperties = ["method", "minAnswered", "prorate"];

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{0,63}$")]
    private static partial Regex InstrumentIdPattern();

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$")]
    private static partial Regex ElementIdPattern();

    [GeneratedRegex("^[A-Z][A-Za-z0-9]{0,31}$")]
    private static partial Regex ColumnPattern();

    [GeneratedRegex("^[a-z]{2,3}$")]
    private static partial Regex LanguagePattern();

    /// <summary>Maximum number of items (storage columns are Item01..Item99).</summary>
    public const int MaxItems = 99;

    /// <summary>Parses and validates a definition.</summary>
    /// <param name="json">The JSON text.</param>
    /// <param name="sourceName">A name for error messages (file or study instrument name).</param>
    /// <exception cref="InstrumentDefinitionException">The text is not JSON or breaks a rule; every problem is listed.</exception>
    public static InstrumentDefinition Parse(string json, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json);
        }
        catch (JsonException ex)
        {
            throw new InstrumentDefinitionException(sourceName,
                [new DefinitionError($"line {ex.LineNumber + 1}", $"not valid JSON: {ex.Message}")]);
        }

        using (doc)
        {
            var reader = new Reader();
            var definition = reader.Read(doc.RootElement);
            if (reader.Errors.Count > 0 || definition is null)
            {
                throw new InstrumentDefinitionException(sourceName, reader.Errors);
            }

            return definition;
        }
    }

    private sealed class Reader
    {
        public List<DefinitionError> Errors { get; } = [];

        private ImmutableArray<string> _languages = [];

        private void Error(string path, string message) => Errors.Add(new DefinitionError(path, message));

        private static string Reserved(string column) =>
            $"column '{column}' is the name of another column of a stored response (Item01..Item99, {string.Join(", ", ResponseColumns.Fixed.Concat(ResponseColumns.Report))}): choose another";

        public InstrumentDefinition? Read(JsonElement root)
        {
            if (root.ValueKind != JsonValueKind.Object)
            {
                Error("$", "the definition must be a JSON object");
                return null;
            }

            CheckProperties(root, "$", RequiredProperties, OptionalProperties);

            var id = String(root, "$", "id", InstrumentIdPattern(), "lower-case letters, digits, '.', '_' or '-'");
            var version = String(root, "$", "version", null, null);
            var raterRole = String(root, "$", "raterRole", null, null);
            _languages = Languages(root);
            var defaultLanguage = String(root, "$", "defaultLanguage", null, null);
            if (defaultLanguage is not null && _languages.Length > 0 && !_languages.Contains(defaultLanguage))
            {
                Error("$.defaultLanguage", $"'{defaultLanguage}' is not one of the declared languages ({string.Join(", ", _languages)})");
            }

            var title = Text(root, "$", "title");
            var instructions = Text(root, "$", "instructions");
            var scale = Scale(root);
            var subscales = SubscaleHeads(root);
            var items = Items(root, subscales);
            var global = Global(root, items.Length);
            var copyright = Text(root, "$", "copyright");
            var source = String(root, "$", "source", null, null);

            var builtSubscales = ImmutableArray.CreateBuilder<SubscaleDefinition>();
            foreach (var (head, index) in subscales.Select((h, i) => (h, i)))
            {
                var itemIds = items.Where(i => i.Subscale == head.Id).Select(i => i.Id).ToImmutableArray();
                var path = $"$.subscales[{index}]";
                if (itemIds.IsEmpty)
                {
                    Error(path, $"subscale '{head.Id}' has no items");
                }
                else if (head.Rule is { } rule)
                {
                    CheckRule(rule, itemIds.Length, path + ".score", $"subscale '{head.Id}'");
                }

                if (head.Rule is not null && head.Label is not null)
                {
                    builtSubscales.Add(new SubscaleDefinition(head.Id, head.Column, head.Label, head.Rule, itemIds));
                }
            }

            if (global is not null && subscales.Any(s => s.Column == global.Column))
            {
                Error("$.global.column", $"column '{global.Column}' is also a subscale column");
            }

            if (Errors.Count > 0 || id is null || version is null || raterRole is null || defaultLanguage is null ||
                title is null || instructions is null || scale is null || global is null || copyright is null || source is null)
            {
                return null;
            }

            return new InstrumentDefinition(id, version, raterRole, _languages, defaultLanguage, title, instructions,
                scale, items, builtSubscales.ToImmutable(), global, copyright, source);
        }

        private void CheckProperties(JsonElement obj, string path, IEnumerable<string> required, IEnumerable<string> optional)
        {
            var allowed = required.Concat(optional).ToHashSet(StringComparer.Ordinal);
            foreach (var name in required)
            {
                if (!obj.TryGetProperty(name, out _))
                {
                    Error($"{path}.{name}", "is required");
                }
            }

            foreach (var property in obj.EnumerateObject())
            {
                if (!allowed.Contains(property.Name))
                {
                    Error($"{path}.{property.Name}", "is not a known property");
                }
            }
        }

        private string? String(JsonElement obj, string path, string name, Regex? pattern, string? patternHint)
        {
            if (!obj.TryGetProperty(name, out var value))
            {
                return null; // reported by CheckProperties
            }

            if (value.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(value.GetString()))
            {
                Error($"{path}.{name}", "must be a non-empty string");
                return null;
            }

            var text = value.GetString()!;
            if (pattern is not null && !pattern.IsMatch(text))
            {
                Error($"{path}.{name}", $"'{text}' is not allowed: use {patternHint}");
                return null;
            }

            return text;
        }

        private int? Integer(JsonElement obj, string path, string name)
        {
            if (!obj.TryGetProperty(name, out var value))
            {
                return null;
            }

            if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out var number))
            {
                Error($"{path}.{name}", "must be an integer");
                return null;
            }

            return number;
        }

        private bool? Boolean(JsonElement obj, string path, string name)
        {
            if (!obj.TryGetProperty(name, out var value))
            {
                return null;
            }

            if (value.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
            {
                Error($"{path}.{name}", "must be true or false");
                return null;
            }

            return value.GetBoolean();
        }

        private bool Object(JsonElement obj, string path, string name, out JsonElement value)
        {
            if (!obj.TryGetProperty(name, out value))
            {
                return false;
            }

            if (value.ValueKind != JsonValueKind.Object)
            {
                Error($"{path}.{name}", "must be an object");
                return false;
            }

            return true;
        }

        private bool Array(JsonElement obj, string path, string name, out JsonElement value)
        {
            if (!obj.TryGetProperty(name, out value))
            {
                return false;
            }

            if (value.ValueKind != JsonValueKind.Array)
            {
                Error($"{path}.{name}", "must be an array");
                return false;
            }

            return true;
        }

        private ImmutableArray<string> Languages(JsonElement root)
        {
            if (!Array(root, "$", "languages", out var array))
            {
                return [];
            }

            var languages = ImmutableArray.CreateBuilder<string>();
            var index = 0;
            foreach (var element in array.EnumerateArray())
            {
                var path = $"$.languages[{index++}]";
                var code = element.ValueKind == JsonValueKind.String ? element.GetString() : null;
                if (code is null || !LanguagePattern().IsMatch(code))
                {
                    Error(path, "must be a lower-case ISO 639 language code such as \"en\" or \"fr\"");
                }
                else if (languages.Contains(code))
                {
                    Error(path, $"language '{code}' is declared twice");
                }
                else
                {
                    languages.Add(code);
                }
            }

            if (index == 0)
            {
                Error("$.languages", "must declare at least one language");
            }

            return languages.ToImmutable();
        }

        private LocalizedText? Text(JsonElement obj, string path, string name)
        {
            if (!Object(obj, path, name, out var value))
            {
                return null;
            }

            var here = $"{path}.{name}";
            var texts = new List<KeyValuePair<string, string>>();
            foreach (var property in value.EnumerateObject())
            {
                if (!_languages.Contains(property.Name))
                {
                    Error($"{here}.{property.Name}", $"language '{property.Name}' is not declared in $.languages");
                }
                else if (property.Value.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(property.Value.GetString()))
                {
                    Error($"{here}.{property.Name}", "must be a non-empty string");
                }
                else
                {
                    texts.Add(new(property.Name, property.Value.GetString()!.Trim()));
                }
            }

            foreach (var language in _languages.Where(l => !value.TryGetProperty(l, out _)))
            {
                Error($"{here}.{language}", $"text in declared language '{language}' is missing");
            }

            return new LocalizedText(texts);
        }

        private ScaleDefinition? Scale(JsonElement root)
        {
            if (!Object(root, "$", "scale", out var scale))
            {
                return null;
            }

            CheckProperties(scale, "$.scale", ScaleProperties, []);
            var min = Integer(scale, "$.scale", "min");
            var max = Integer(scale, "$.scale", "max");
            if (min is null || max is null)
            {
                return null;
            }

            if (min >= max)
            {
                Error("$.scale", $"min ({min}) must be less than max ({max})");
                return null;
            }

            if (!Array(scale, "$.scale", "anchors", out var array))
            {
                return null;
            }

            var anchors = ImmutableArray.CreateBuilder<ScaleAnchor>();
            var index = 0;
            foreach (var element in array.EnumerateArray())
            {
                var path = $"$.scale.anchors[{index++}]";
                if (element.ValueKind != JsonValueKind.Object)
                {
                    Error(path, "must be an object");
                    continue;
                }

                CheckProperties(element, path, AnchorProperties, []);
                var value = Integer(element, path, "value");
                var label = Text(element, path, "label");
                if (value is null || label is null)
                {
                    continue;
                }

                if (value < min || value > max)
                {
                    Error($"{path}.value", $"anchor {value} is outside the scale {min}–{max}");
                }
                else if (anchors.Count > 0 && value <= anchors[^1].Value)
                {
                    Error($"{path}.value", $"anchor {value} must be greater than the previous anchor {anchors[^1].Value}");
                }
                else
                {
                    anchors.Add(new ScaleAnchor(value.Value, label));
                }
            }

            if (anchors.Count == 0 || anchors[0].Value != min || anchors[^1].Value != max)
            {
                Error("$.scale.anchors", $"must label at least the scale's ends ({min} and {max})");
            }

            return new ScaleDefinition(min.Value, max.Value, anchors.ToImmutable());
        }

        private sealed record SubscaleHead(string Id, string Column, LocalizedText? Label, ScoreRule? Rule);

        private ImmutableArray<SubscaleHead> SubscaleHeads(JsonElement root)
        {
            if (!Array(root, "$", "subscales", out var array))
            {
                return [];
            }

            var heads = ImmutableArray.CreateBuilder<SubscaleHead>();
            var index = 0;
            foreach (var element in array.EnumerateArray())
            {
                var path = $"$.subscales[{index++}]";
                if (element.ValueKind != JsonValueKind.Object)
                {
                    Error(path, "must be an object");
                    continue;
                }

                CheckProperties(element, path, SubscaleProperties, []);
                var id = String(element, path, "id", ElementIdPattern(), "letters, digits, '_' or '-'");
                var column = String(element, path, "column", ColumnPattern(), "a PascalCase identifier such as \"Goal\"");
                var label = Text(element, path, "label");
                var rule = Rule(element, path);
                if (id is null || column is null)
                {
                    continue;
                }

                if (heads.Any(h => h.Id == id))
                {
                    Error($"{path}.id", $"subscale id '{id}' is used twice");
                }
                else if (heads.Any(h => h.Column == column))
                {
                    Error($"{path}.column", $"column '{column}' is used twice");
                }
                else if (ResponseColumns.IsReserved(column))
                {
                    Error($"{path}.column", Reserved(column));
                }
                else
                {
                    heads.Add(new SubscaleHead(id, column, label, rule));
                }
            }

            if (index == 0)
            {
                Error("$.subscales", "must declare at least one subscale");
            }

            return heads.ToImmutable();
        }

        private ScoreRule? Rule(JsonElement obj, string path)
        {
            if (!Object(obj, path, "score", out var score))
            {
                return null;
            }

            var here = path + ".score";
            CheckProperties(score, here, ScoreRuleProperties, []);
            var methodText = String(score, here, "method", null, null);
            ScoreMethod? method = methodText switch
            {
                null => null,
                "mean" => ScoreMethod.Mean,
                "sum" => ScoreMethod.Sum,
                _ => null,
            };
            if (methodText is not null && method is null)
            {
                Error($"{here}.method", $"'{methodText}' is not a method: use \"mean\" or \"sum\"");
            }

            var minAnswered = Integer(score, here, "minAnswered");
            var prorate = Boolean(score, here, "prorate");
            return method is null || minAnswered is null || prorate is null
                ? null
                : new ScoreRule(method.Value, minAnswered.Value, prorate.Value);
        }

        private void CheckRule(ScoreRule rule, int itemCount, string path, string what)
        {
            if (rule.MinAnswered < 1 || rule.MinAnswered > itemCount)
            {
                Error($"{path}.minAnswered", $"{what} has {itemCount} items: minAnswered must be between 1 and {itemCount}, not {rule.MinAnswered}");
            }
            else if (!rule.Prorate && rule.MinAnswered != itemCount)
            {
                Error($"{path}.minAnswered", $"{what} is not prorated, so every one of its {itemCount} items must be answered: set minAnswered to {itemCount} or prorate to true");
            }
        }

        private ImmutableArray<ItemDefinition> Items(JsonElement root, ImmutableArray<SubscaleHead> subscales)
        {
            if (!Array(root, "$", "items", out var array))
            {
                return [];
            }

            var items = ImmutableArray.CreateBuilder<ItemDefinition>();
            var index = 0;
            foreach (var element in array.EnumerateArray())
            {
                var path = $"$.items[{index++}]";
                if (element.ValueKind != JsonValueKind.Object)
                {
                    Error(path, "must be an object");
                    continue;
                }

                CheckProperties(element, path, ItemProperties, []);
                var id = String(element, path, "id", ElementIdPattern(), "letters, digits, '_' or '-'");
                var text = Text(element, path, "text");
                var subscale = String(element, path, "subscale", null, null);
                var reverse = Boolean(element, path, "reverse");
                if (id is not null && items.Any(i => i.Id == id))
                {
                    Error($"{path}.id", $"item id '{id}' is used twice");
                    continue;
                }

                if (subscale is not null && subscales.All(s => s.Id != subscale))
                {
                    Error($"{path}.subscale", $"item '{id}' names subscale '{subscale}', which is not declared in $.subscales");
                    continue;
                }

                if (id is not null && text is not null && subscale is not null && reverse is not null)
                {
                    items.Add(new ItemDefinition(id, items.Count + 1, text, subscale, reverse.Value));
                }
            }

            if (index == 0)
            {
                Error("$.items", "must declare at least one item");
            }
            else if (index > MaxItems)
            {
                Error("$.items", $"has {index} items; at most {MaxItems} are allowed");
            }

            return items.ToImmutable();
        }

        private GlobalScoreDefinition? Global(JsonElement root, int itemCount)
        {
            if (!Object(root, "$", "global", out var global))
            {
                return null;
            }

            CheckProperties(global, "$.global", GlobalProperties, []);
            var column = String(global, "$.global", "column", ColumnPattern(), "a PascalCase identifier such as \"Global\"");
            if (column is not null && ResponseColumns.IsReserved(column))
            {
                Error("$.global.column", Reserved(column));
            }
            var label = Text(global, "$.global", "label");
            var rule = Rule(global, "$.global");
            if (rule is not null && itemCount > 0)
            {
                CheckRule(rule, itemCount, "$.global.score", "the global score");
            }

            return column is null || label is null || rule is null ? null : new GlobalScoreDefinition(column, label, rule);
        }
    }
}
