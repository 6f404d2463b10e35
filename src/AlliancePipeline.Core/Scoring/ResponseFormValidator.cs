using System.Collections.Immutable;
using System.Globalization;
using AlliancePipeline.Core.Instruments;

namespace AlliancePipeline.Core.Scoring;

/// <summary>
/// Turns posted form fields into validated <see cref="ResponseAnswers"/>, or per-item error messages in the form's
/// language to show beside each item. Answer fields are named <see cref="InstrumentForm.FieldNameFor"/> (e.g. <c>item-4</c>);
/// other fields (buttons, anti-forgery tokens) are ignored.
/// </summary>
/// <remarks>
/// Refused: a value that is not an integer; an integer off the scale; two different values for one item; a field
/// <c>item-X</c> for an item X the instrument lacks; and, when an unanswered item leaves a subscale or the global score
/// below its rule's minimum, every unanswered item of the scores that fall short (answering any of them helps).
/// An empty or whitespace value counts as unanswered.
/// </remarks>
public static class ResponseFormValidator
{
    /// <summary>Validates posted fields.</summary>
    /// <param name="definition">The instrument the form showed.</param>
    /// <param name="fields">Posted name/value pairs; a name may repeat.</param>
    /// <param name="language">Language of the messages (use the form's resolved language).</param>
    public static ItemResult<ResponseAnswers> Validate(InstrumentDefinition definition, IEnumerable<KeyValuePair<string, string?>> fields, string? language)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(fields);
        var scale = definition.Scale;
        var posted = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var unknown = new List<string>();
        foreach (var (name, value) in fields)
        {
            if (!name.StartsWith(InstrumentForm.FieldPrefix, StringComparison.Ordinal))
            {
                continue;
            }

            var itemId = name[InstrumentForm.FieldPrefix.Length..];
            if (definition.FindItem(itemId) is null)
            {
                if (!unknown.Contains(itemId))
                {
                    unknown.Add(itemId);
                }

                continue;
            }

            if (!string.IsNullOrWhiteSpace(value))
            {
                (posted.TryGetValue(itemId, out var list) ? list : posted[itemId] = []).Add(value.Trim());
            }
        }

        var errors = new List<ItemError>();
        var answers = ImmutableArray.CreateBuilder<KeyValuePair<string, int?>>();
        foreach (var item in definition.Items)
        {
            int? answer = null;
            if (posted.TryGetValue(item.Id, out var values))
            {
                var distinct = values.Distinct(StringComparer.Ordinal).ToList();
                if (distinct.Count > 1 || !int.TryParse(distinct[0], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed))
                {
                    errors.Add(new ItemError(item.Id, ItemErrorKind.NotAnInteger, ScoringMessages.NotAnInteger(item.Number, scale.Min, scale.Max, language)));
                }
                else if (!scale.Contains(parsed))
                {
                    errors.Add(new ItemError(item.Id, ItemErrorKind.OutOfRange, ScoringMessages.OutOfRange(item.Number, distinct[0], scale.Min, scale.Max, language)));
                }
                else
                {
                    answer = parsed;
                }
            }

            answers.Add(KeyValuePair.Create(item.Id, answer));
        }

        errors.AddRange(unknown.Select(id => new ItemError(id, ItemErrorKind.UnknownItem, ScoringMessages.UnknownItem(id, definition.Id, language))));
        if (errors.Count == 0)
        {
            errors.AddRange(MissingItems(definition, answers.ToImmutable(), language));
        }

        return errors.Count > 0
            ? ItemResult<ResponseAnswers>.Failure(definition.Id, errors)
            : ItemResult<ResponseAnswers>.Success(definition.Id, new ResponseAnswers(definition.Id, definition.Version, answers.ToImmutable()));
    }

    private static IEnumerable<ItemError> MissingItems(InstrumentDefinition definition, ImmutableArray<KeyValuePair<string, int?>> answers, string? language)
    {
        var answered = answers.Where(a => a.Value is not null).Select(a => a.Key).ToHashSet(StringComparer.Ordinal);
        var shortfall = new HashSet<string>(StringComparer.Ordinal);
        foreach (var subscale in definition.Subscales)
        {
            if (!Satisfied(subscale.Rule, subscale.ItemIds.Length, subscale.ItemIds.Count(answered.Contains)))
            {
                shortfall.UnionWith(subscale.ItemIds.Where(id => !answered.Contains(id)));
            }
        }

        if (!Satisfied(definition.Global.Rule, definition.Items.Length, answered.Count))
        {
            shortfall.UnionWith(definition.Items.Select(i => i.Id).Where(id => !answered.Contains(id)));
        }

        return definition.Items
            .Where(i => shortfall.Contains(i.Id))
            .Select(i => new ItemError(i.Id, ItemErrorKind.Missing, ScoringMessages.Missing(i.Number, language)));
    }

    private static bool Satisfied(ScoreRule rule, int itemCount, int answered) =>
        answered >= rule.MinAnswered && (rule.Prorate || answered == itemCount);
}
