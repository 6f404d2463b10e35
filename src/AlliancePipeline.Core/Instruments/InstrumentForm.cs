using System.Collections.Immutable;

namespace AlliancePipeline.Core.Instruments;

/// <summary>One item as the questionnaire page shows it.</summary>
/// <param name="Id">Item id (stable across languages).</param>
/// <param name="Number">1-based position, shown as the item number.</param>
/// <param name="FieldName">The HTML form field name for this item's answer (see <see cref="InstrumentForm.FieldNameFor"/>).</param>
/// <param name="Text">Item text in the form's language.</param>
public sealed record FormItem(string Id, int Number, string FieldName, string Text);

/// <summary>One point of the answer scale as the page shows it.</summary>
/// <param name="Value">Answer value (what the radio button submits).</param>
/// <param name="Label">Label in the form's language, or null for an unlabelled middle point.</param>
public sealed record FormAnchor(int Value, string? Label);

/// <summary>
/// An instrument rendered into one language: everything the questionnaire page needs and nothing it must look up.
/// Build it with <see cref="Create"/>; the language is resolved by <see cref="InstrumentDefinition.ResolveLanguage"/>
/// (unknown language → the instrument's default language).
/// </summary>
/// <param name="InstrumentId">Instrument id.</param>
/// <param name="InstrumentVersion">Instrument version.</param>
/// <param name="Language">The language actually used (may differ from the one requested).</param>
/// <param name="Title">Form title.</param>
/// <param name="Instructions">Instructions above the items.</param>
/// <param name="Items">Items in order.</param>
/// <param name="Scale">Every point of the scale from min to max, labelled where the definition labels it.</param>
/// <param name="Copyright">Copyright and permission note.</param>
public sealed record InstrumentForm(
    string InstrumentId,
    string InstrumentVersion,
    string Language,
    string Title,
    string Instructions,
    ImmutableArray<FormItem> Items,
    ImmutableArray<FormAnchor> Scale,
    string Copyright)
{
    /// <summary>Prefix of answer field names: the answer to item "4" is posted as <c>item-4</c>.</summary>
    public const string FieldPrefix = "item-";

    /// <summary>The form field name for an item id.</summary>
    public static string FieldNameFor(string itemId) => FieldPrefix + itemId;

    /// <summary>Renders <paramref name="definition"/> in <paramref name="requestedLanguage"/> (or its fallback).</summary>
    public static InstrumentForm Create(InstrumentDefinition definition, string? requestedLanguage)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var language = definition.ResolveLanguage(requestedLanguage);
        var labels = definition.Scale.Anchors.ToDictionary(a => a.Value, a => a.Label.Get(language));
        var scale = Enumerable.Range(definition.Scale.Min, definition.Scale.Max - definition.Scale.Min + 1)
            .Select(v => new FormAnchor(v, labels.GetValueOrDefault(v)))
            .ToImmutableArray();
        var items = definition.Items
            .Select(i => new FormItem(i.Id, i.Number, FieldNameFor(i.Id), i.Text.Get(language)))
            .ToImmutableArray();
        return new InstrumentForm(definition.Id, definition.Version, language, definition.Title.Get(language),
            definition.Instructions.Get(language), items, scale, definition.Copyright.Get(language));
    }
}
