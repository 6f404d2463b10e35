using System.Collections.Immutable;
using System.Text.Json;
using AlliancePipeline.Core.Schemas;
using static AlliancePipeline.Core.Instruments.InstrumentSchema;

namespace AlliancePipeline.Core.Instruments;

/// <summary>
/// The third of the loader's three stages: what the schema accepted mapped to an <see cref="InstrumentDefinition"/>,
/// with the cross-references a schema cannot express: every text in every declared language and no other, languages
/// declared once, the default language declared, min below max, anchors ascending on the scale and labelling its ends,
/// unique item and subscale ids and columns, items naming declared subscales, subscales with items, satisfiable
/// score rules.
/// </summary>
/// <remarks>
/// Problems are listed in the order the definition is read: the schema's problem with a value is said where the value
/// is read, an object's missing and unknown fields when it is opened, a list's count after its entries. Two places are
/// not judged on their own: a text in a language that is not declared (that is its problem), and the scale's anchors
/// while its ends are wrong. Any other problem of the schema not said on the way is said at the end.
/// </remarks>
internal sealed class InstrumentReader(InstrumentJson json, InstrumentSchema schema)
{
    private readonly List<(DefinitionError Error, string Pointer)> _errors = [];
    private readonly HashSet<Problem> _said = new(ReferenceEqualityComparer.Instance);
    private readonly List<string> _passedOver = [];
    private ImmutableArray<string> _languages = [];

    private sealed record SubscaleHead(string Id, string Column, LocalizedText? Label, ScoreRule? Rule);

    /// <summary>Every problem, the schema's and the cross-references', each with its place (a JSON Pointer), in reading order.</summary>
    public IReadOnlyList<(DefinitionError Error, string Pointer)> Errors => _errors;

    /// <summary>Maps the definition; null when any stage found a problem.</summary>
    public InstrumentDefinition? Read()
    {
        var definition = ReadDefinition();
        foreach (var problem in schema.Problems.Where(p => !_said.Contains(p) && !_passedOver.Any(o => p.Pointer == o || p.Pointer.StartsWith(o + "/", StringComparison.Ordinal))))
        {
            Say(problem);
        }

        return _errors.Count > 0 ? null : definition;
    }

    private InstrumentDefinition? ReadDefinition()
    {
        if (!Open("", JsonValueKind.Object))
        {
            return null;
        }

        var id = String("/id");
        var version = String("/version");
        var raterRole = String("/raterRole");
        _languages = Languages();
        var defaultLanguage = String("/defaultLanguage");
        if (defaultLanguage is not null && _languages.Length > 0 && !_languages.Contains(defaultLanguage))
        {
            Error("/defaultLanguage", $"'{defaultLanguage}' is not one of the declared languages ({string.Join(", ", _languages)})");
        }

        var title = Text("/title");
        var instructions = Text("/instructions");
        var scale = Scale();
        var subscales = SubscaleHeads();
        var items = Items(subscales);
        var global = Global(items.Length);
        var copyright = Text("/copyright");
        var source = String("/source");

        var builtSubscales = ImmutableArray.CreateBuilder<SubscaleDefinition>();
        foreach (var (head, index) in subscales.Select((h, i) => (h, i)))
        {
            var itemIds = items.Where(i => i.Subscale == head.Id).Select(i => i.Id).ToImmutableArray();
            var pointer = $"/subscales/{index}";
            if (itemIds.IsEmpty)
            {
                Error(pointer, $"subscale '{head.Id}' has no items");
            }
            else if (head.Rule is { } rule)
            {
                CheckRule(rule, itemIds.Length, pointer + "/score", $"subscale '{head.Id}'");
            }

            if (head.Rule is not null && head.Label is not null)
            {
                builtSubscales.Add(new SubscaleDefinition(head.Id, head.Column, head.Label, head.Rule, itemIds));
            }
        }

        if (global is not null && subscales.Any(s => s.Column == global.Column))
        {
            Error("/global/column", $"column '{global.Column}' is also a subscale column");
        }

        if (id is null || version is null || raterRole is null || defaultLanguage is null || title is null || instructions is null ||
            scale is null || global is null || copyright is null || source is null)
        {
            return null;
        }

        return new InstrumentDefinition(id, version, raterRole, _languages, defaultLanguage, title, instructions,
            scale, items, builtSubscales.ToImmutable(), global, copyright, source);
    }

    // ---- problems, in reading order ----

    private static string Reserved(string column) =>
        $"column '{column}' is the name of another column of a stored response (Item01..Item99, {string.Join(", ", ResponseColumns.Fixed.Concat(ResponseColumns.Report))}): choose another";

    private void Error(string pointer, string message) => _errors.Add((new DefinitionError(json.PathOf(pointer), message), pointer));

    private void Say(Problem problem)
    {
        if (_said.Add(problem))
        {
            _errors.Add((problem.Error, problem.Pointer));
        }
    }

    private void Say(string pointer, Concern concern)
    {
        foreach (var problem in schema.Problems.Where(p => p.Concern == concern && (concern is Concern.Missing or Concern.Unknown ? p.Owner : p.Pointer) == pointer))
        {
            Say(problem);
        }
    }

    // ---- values the schema accepted ----

    /// <summary>Says the problem of the value at <paramref name="pointer"/>; the value when it is there, of that kind, and accepted.</summary>
    private JsonElement? Accepted(string pointer, JsonValueKind kind)
    {
        Say(pointer, Concern.Value);
        return json.At(pointer) is { } value && value.ValueKind == kind && !schema.Refused(pointer) ? value : null;
    }

    /// <summary>Opens an object (or a list): its own problem, then its missing and unknown fields; true when it is one.</summary>
    private bool Open(string pointer, JsonValueKind kind)
    {
        if (Accepted(pointer, kind) is null)
        {
            return false;
        }

        Say(pointer, Concern.Missing);
        Say(pointer, Concern.Unknown);
        return true;
    }

    private string? String(string pointer) => Accepted(pointer, JsonValueKind.String)?.GetString();

    private int? Integer(string pointer) => Accepted(pointer, JsonValueKind.Number)?.GetInt32();

    private bool? Boolean(string pointer)
    {
        Say(pointer, Concern.Value);
        return json.At(pointer) is { ValueKind: JsonValueKind.True or JsonValueKind.False } value ? value.GetBoolean() : null;
    }

    /// <summary>A list's entries that are objects (each opened), after its own problem.</summary>
    private IEnumerable<(JsonElement Element, string Pointer)> Entries(string pointer, bool objects = true)
    {
        if (Accepted(pointer, JsonValueKind.Array) is not { } list)
        {
            yield break;
        }

        var i = 0;
        foreach (var element in list.EnumerateArray())
        {
            var at = $"{pointer}/{i++}";
            if (!objects || Open(at, JsonValueKind.Object))
            {
                yield return (element, at);
            }
        }

        Say(pointer, Concern.Count);
    }

    private ImmutableArray<string> Languages()
    {
        var languages = ImmutableArray.CreateBuilder<string>();
        foreach (var (_, pointer) in Entries("/languages", objects: false))
        {
            if (String(pointer) is not { } code)
            {
                continue;
            }

            if (languages.Contains(code))
            {
                Error(pointer, $"language '{code}' is declared twice");
            }
            else
            {
                languages.Add(code);
            }
        }

        return languages.ToImmutable();
    }

    /// <summary>A text per declared language: a language not declared, or a declared one missing, is a problem.</summary>
    private LocalizedText? Text(string pointer)
    {
        if (Accepted(pointer, JsonValueKind.Object) is not { } value)
        {
            return null;
        }

        var texts = new List<KeyValuePair<string, string>>();
        foreach (var property in value.EnumerateObject())
        {
            var at = JsonPointerText.Append(pointer, property.Name);
            if (!_languages.Contains(property.Name))
            {
                _passedOver.Add(at);
                Error(at, $"language '{property.Name}' is not declared in $.languages");
            }
            else if (String(at) is { } text)
            {
                texts.Add(new(property.Name, text.Trim()));
            }
        }

        foreach (var language in _languages.Where(l => !value.TryGetProperty(l, out _)))
        {
            Error(JsonPointerText.Append(pointer, language), $"text in declared language '{language}' is missing");
        }

        return new LocalizedText(texts);
    }

    private ScaleDefinition? Scale()
    {
        if (!Open("/scale", JsonValueKind.Object))
        {
            return null;
        }

        // The anchors are judged against the scale's ends: not while those are wrong.
        var (min, max) = (Integer("/scale/min"), Integer("/scale/max"));
        if (min is null || max is null || min >= max)
        {
            if (min >= max)
            {
                Error("/scale", $"min ({min}) must be less than max ({max})");
            }

            _passedOver.Add("/scale/anchors");
            return null;
        }

        if (json.At("/scale/anchors") is not { ValueKind: JsonValueKind.Array })
        {
            Say("/scale/anchors", Concern.Value);
            return null;
        }

        var anchors = ImmutableArray.CreateBuilder<ScaleAnchor>();
        foreach (var (_, pointer) in Entries("/scale/anchors"))
        {
            var value = Integer(pointer + "/value");
            var label = Text(pointer + "/label");
            if (value is null || label is null)
            {
                continue;
            }

            if (value < min || value > max)
            {
                Error(pointer + "/value", $"anchor {value} is outside the scale {min}–{max}");
            }
            else if (anchors.Count > 0 && value <= anchors[^1].Value)
            {
                Error(pointer + "/value", $"anchor {value} must be greater than the previous anchor {anchors[^1].Value}");
            }
            else
            {
                anchors.Add(new ScaleAnchor(value.Value, label));
            }
        }

        if (anchors.Count == 0 || anchors[0].Value != min || anchors[^1].Value != max)
        {
            Error("/scale/anchors", $"must label at least the scale's ends ({min} and {max})");
        }

        return new ScaleDefinition(min.Value, max.Value, anchors.ToImmutable());
    }

    private ImmutableArray<SubscaleHead> SubscaleHeads()
    {
        var heads = ImmutableArray.CreateBuilder<SubscaleHead>();
        foreach (var (_, pointer) in Entries("/subscales"))
        {
            var id = String(pointer + "/id");
            var column = String(pointer + "/column");
            var label = Text(pointer + "/label");
            var rule = Rule(pointer + "/score");
            if (id is null || column is null)
            {
                continue;
            }

            if (heads.Any(h => h.Id == id))
            {
                Error(pointer + "/id", $"subscale id '{id}' is used twice");
            }
            else if (heads.Any(h => h.Column == column))
            {
                Error(pointer + "/column", $"column '{column}' is used twice");
            }
            else if (ResponseColumns.IsReserved(column))
            {
                Error(pointer + "/column", Reserved(column));
            }
            else
            {
                heads.Add(new SubscaleHead(id, column, label, rule));
            }
        }

        return heads.ToImmutable();
    }

    private ScoreRule? Rule(string pointer)
    {
        if (!Open(pointer, JsonValueKind.Object))
        {
            return null;
        }

        ScoreMethod? method = String(pointer + "/method") switch
        {
            "mean" => ScoreMethod.Mean,
            "sum" => ScoreMethod.Sum,
            _ => null,
        };
        var minAnswered = Integer(pointer + "/minAnswered");
        var prorate = Boolean(pointer + "/prorate");
        return method is null || minAnswered is null || prorate is null ? null : new ScoreRule(method.Value, minAnswered.Value, prorate.Value);
    }

    private void CheckRule(ScoreRule rule, int itemCount, string pointer, string what)
    {
        if (rule.MinAnswered < 1 || rule.MinAnswered > itemCount)
        {
            Error(pointer + "/minAnswered", $"{what} has {itemCount} items: minAnswered must be between 1 and {itemCount}, not {rule.MinAnswered}");
        }
        else if (!rule.Prorate && rule.MinAnswered != itemCount)
        {
            Error(pointer + "/minAnswered",
                $"{what} is not prorated, so every one of its {itemCount} items must be answered: set minAnswered to {itemCount} or prorate to true");
        }
    }

    private ImmutableArray<ItemDefinition> Items(ImmutableArray<SubscaleHead> subscales)
    {
        var items = ImmutableArray.CreateBuilder<ItemDefinition>();
        foreach (var (_, pointer) in Entries("/items"))
        {
            var id = String(pointer + "/id");
            var text = Text(pointer + "/text");
            var subscale = String(pointer + "/subscale");
            var reverse = Boolean(pointer + "/reverse");
            if (id is not null && items.Any(i => i.Id == id))
            {
                Error(pointer + "/id", $"item id '{id}' is used twice");
                continue;
            }

            if (subscale is not null && subscales.All(s => s.Id != subscale))
            {
                Error(pointer + "/subscale", $"item '{id}' names subscale '{subscale}', which is not declared in $.subscales");
                continue;
            }

            if (id is not null && text is not null && subscale is not null && reverse is not null)
            {
                items.Add(new ItemDefinition(id, items.Count + 1, text, subscale, reverse.Value));
            }
        }

        return items.ToImmutable();
    }

    private GlobalScoreDefinition? Global(int itemCount)
    {
        if (!Open("/global", JsonValueKind.Object))
        {
            return null;
        }

        var column = String("/global/column");
        if (column is not null && ResponseColumns.IsReserved(column))
        {
            Error("/global/column", Reserved(column));
        }

        var label = Text("/global/label");
        var rule = Rule("/global/score");
        if (rule is not null && itemCount > 0)
        {
            CheckRule(rule, itemCount, "/global/score", "the global score");
        }

        return column is null || label is null || rule is null ? null : new GlobalScoreDefinition(column, label, rule);
    }
}
