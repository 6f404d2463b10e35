using System.Collections.Immutable;

namespace AlliancePipeline.Core.Instruments;

/// <summary>How a score is computed from the item scores (after reverse scoring).</summary>
public enum ScoreMethod
{
    /// <summary>Arithmetic mean of the answered items: stays on the answer scale (the WAI convention).</summary>
    Mean,

    /// <summary>Sum of the items; with prorating, the sum of the answered items × n / answered.</summary>
    Sum,
}

/// <summary>
/// The rule for one score (a subscale or the global score): its method, how many of its items must be answered
/// for the score to be valid, and whether a score with missing items is prorated.
/// </summary>
/// <param name="Method">Mean or sum.</param>
/// <param name="MinAnswered">Minimum number of answered items for a valid score (1 ≤ MinAnswered ≤ item count).</param>
/// <param name="Prorate">
/// If true, a score with missing items (but at least <paramref name="MinAnswered"/> answered) is computed from the
/// answered items (mean of answered; or sum × n / answered). If false, every item must be answered
/// (the loader requires MinAnswered = item count), because an unprorated partial score is biased.
/// </param>
public sealed record ScoreRule(ScoreMethod Method, int MinAnswered, bool Prorate);

/// <summary>One labelled point of the answer scale.</summary>
/// <param name="Value">The answer value, within [min, max].</param>
/// <param name="Label">The label per language, e.g. "Never" / "Jamais".</param>
public sealed record ScaleAnchor(int Value, LocalizedText Label);

/// <summary>The integer answer scale of an instrument, e.g. 1–7 for the WAI-S.</summary>
/// <param name="Min">Lowest answer.</param>
/// <param name="Max">Highest answer (greater than <paramref name="Min"/>).</param>
/// <param name="Anchors">Labelled points in ascending order of value; include at least min and max.</param>
public sealed record ScaleDefinition(int Min, int Max, ImmutableArray<ScaleAnchor> Anchors)
{
    /// <summary>True if <paramref name="answer"/> lies in [Min, Max].</summary>
    public bool Contains(int answer) => answer >= Min && answer <= Max;

    /// <summary>
    /// Reverse-scores an answer: <c>min + max − answer</c> (so on 1–7, 1 ↔ 7, 4 ↔ 4). Applying it twice gives the answer back.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The answer is outside the scale.</exception>
    public int Reverse(int answer)
    {
        if (!Contains(answer))
        {
            throw new ArgumentOutOfRangeException(nameof(answer), answer, $"Answer must be between {Min} and {Max}.");
        }

        return Min + Max - answer;
    }
}

/// <summary>One item of an instrument.</summary>
/// <param name="Id">Stable item id, unique within the instrument (the shipped WAI files use "1".."12").</param>
/// <param name="Number">1-based position in the instrument.</param>
/// <param name="Text">Item text per language.</param>
/// <param name="Subscale">Id of the subscale the item belongs to.</param>
/// <param name="Reverse">True if the item is negatively worded and scored as min + max − answer.</param>
public sealed record ItemDefinition(string Id, int Number, LocalizedText Text, string Subscale, bool Reverse)
{
    /// <summary>The storage column of the as-answered value: "Item01", "Item02", … by position.</summary>
    public string Column => $"Item{Number:D2}";
}

/// <summary>A subscale: a named group of items scored together.</summary>
/// <param name="Id">Subscale id ("goal", "task", "bond").</param>
/// <param name="Column">Storage column of the score ("Goal", "Task", "Bond").</param>
/// <param name="Label">Display name per language.</param>
/// <param name="Rule">How the subscale score is computed.</param>
/// <param name="ItemIds">Ids of the items in this subscale, in instrument order.</param>
public sealed record SubscaleDefinition(string Id, string Column, LocalizedText Label, ScoreRule Rule, ImmutableArray<string> ItemIds);

/// <summary>The global score over all items of the instrument.</summary>
/// <param name="Column">Storage column of the score ("Global").</param>
/// <param name="Label">Display name per language.</param>
/// <param name="Rule">How the global score is computed (the WAI: mean of the 12 items).</param>
public sealed record GlobalScoreDefinition(string Column, LocalizedText Label, ScoreRule Rule);

/// <summary>
/// A questionnaire as data: the answer scale, the items, the subscales and the scoring rules, texts in several
/// languages, and the copyright/permission note. Instances are built by <see cref="InstrumentLoader"/>, which
/// enforces the rules documented in <c>Instruments/instrument.schema.json</c>.
/// </summary>
/// <param name="Id">Instrument id, e.g. "wai-s-client".</param>
/// <param name="Version">Version string of the definition, e.g. "1.0.0".</param>
/// <param name="RaterRole">Who fills it in: "practitioner" or "client" (free text for study instruments).</param>
/// <param name="Languages">Declared languages; every text in the definition exists in each.</param>
/// <param name="DefaultLanguage">Language used when a requested language is not available.</param>
/// <param name="Title">Form title per language.</param>
/// <param name="Instructions">Instructions shown above the items, per language.</param>
/// <param name="Scale">The answer scale.</param>
/// <param name="Items">Items in order.</param>
/// <param name="Subscales">Subscales in declared order.</param>
/// <param name="Global">The global score.</param>
/// <param name="Copyright">Copyright and permission note per language (shown with the form).</param>
/// <param name="Source">Bibliographic source and provenance of item text, scoring key and translation.</param>
public sealed record InstrumentDefinition(
    string Id,
    string Version,
    string RaterRole,
    ImmutableArray<string> Languages,
    string DefaultLanguage,
    LocalizedText Title,
    LocalizedText Instructions,
    ScaleDefinition Scale,
    ImmutableArray<ItemDefinition> Items,
    ImmutableArray<SubscaleDefinition> Subscales,
    GlobalScoreDefinition Global,
    LocalizedText Copyright,
    string Source)
{
    /// <summary>
    /// Chooses the language to show: the requested language if declared (case-insensitive); else its primary
    /// subtag ("fr-CA" → "fr", "fr_BE" → "fr"); else <see cref="DefaultLanguage"/> (also for null or empty).
    /// </summary>
    public string ResolveLanguage(string? requested)
    {
        if (string.IsNullOrWhiteSpace(requested))
        {
            return DefaultLanguage;
        }

        var code = requested.Trim().ToLowerInvariant();
        if (Languages.Contains(code))
        {
            return code;
        }

        var cut = code.IndexOfAny(['-', '_']);
        if (cut > 0 && Languages.Contains(code[..cut]))
        {
            return code[..cut];
        }

        return DefaultLanguage;
    }

    /// <summary>Finds an item by id (ordinal comparison), or null.</summary>
    public ItemDefinition? FindItem(string itemId) => Items.FirstOrDefault(i => i.Id == itemId);
}
