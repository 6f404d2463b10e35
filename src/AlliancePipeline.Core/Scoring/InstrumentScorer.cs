using System.Collections.Immutable;
using AlliancePipeline.Core.Instruments;

namespace AlliancePipeline.Core.Scoring;

/// <summary>
/// Scores answers exactly as an instrument definition says: reverse-scored items become min + max − answer; each
/// subscale and the global score follow their <see cref="ScoreRule"/> (method, minimum answered, prorating).
/// For the WAI short forms (Tracey &amp; Kokotovic 1989; Hatcher &amp; Gillaspy 2006) every score is a mean of item
/// scores, so it stays on the answer scale.
/// </summary>
public static class InstrumentScorer
{
    /// <summary>
    /// Scores a response. Unknown item ids and out-of-range answers are refused, each with a message naming the item;
    /// unanswered items (absent or null) are allowed, and a score with too few answered items is null.
    /// </summary>
    /// <param name="definition">The instrument.</param>
    /// <param name="answers">Answer per item id; absent or null = unanswered.</param>
    /// <param name="language">Language of the error messages (en or fr; default en).</param>
    public static ItemResult<ScoredResponse> Score(InstrumentDefinition definition, IReadOnlyDictionary<string, int?> answers, string? language = null)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(answers);
        var scale = definition.Scale;
        var errors = new List<ItemError>();
        foreach (var item in definition.Items)
        {
            if (answers.TryGetValue(item.Id, out var answer) && answer is { } value && !scale.Contains(value))
            {
                errors.Add(new ItemError(item.Id, ItemErrorKind.OutOfRange,
                    ScoringMessages.OutOfRange(item.Number, value.ToString(System.Globalization.CultureInfo.InvariantCulture), scale.Min, scale.Max, language)));
            }
        }

        foreach (var unknown in answers.Keys.Where(k => definition.FindItem(k) is null).Order(StringComparer.Ordinal))
        {
            errors.Add(new ItemError(unknown, ItemErrorKind.UnknownItem, ScoringMessages.UnknownItem(unknown, definition.Id, language)));
        }

        if (errors.Count > 0)
        {
            return ItemResult<ScoredResponse>.Failure(definition.Id, errors);
        }

        var items = definition.Items
            .Select(item =>
            {
                var answer = answers.GetValueOrDefault(item.Id);
                int? scored = answer is { } a && item.Reverse ? scale.Reverse(a) : answer;
                return new ItemScore(item.Id, item.Column, answer, scored);
            })
            .ToImmutableArray();
        var byId = items.ToDictionary(i => i.ItemId, StringComparer.Ordinal);

        var subscales = definition.Subscales
            .Select(s =>
            {
                var values = s.ItemIds.Select(id => byId[id].Scored).ToList();
                return new SubscaleScore(s.Id, s.Column, Apply(s.Rule, values), values.Count(v => v is not null), values.Count);
            })
            .ToImmutableArray();
        var all = items.Select(i => i.Scored).ToList();
        var scores = new InstrumentScores(subscales, definition.Global.Column, Apply(definition.Global.Rule, all), all.Count(v => v is not null));
        return ItemResult<ScoredResponse>.Success(definition.Id, new ScoredResponse(definition.Id, definition.Version, items, scores));
    }

    /// <summary>
    /// Applies a score rule to item scores (null = unanswered). With n items and k answered summing to s:
    /// null if k &lt; MinAnswered; otherwise Mean → s / k (the mean of the answered items), Sum → s when k = n,
    /// s × n / k when prorated.
    /// </summary>
    public static double? Apply(ScoreRule rule, IReadOnlyCollection<int?> itemScores)
    {
        ArgumentNullException.ThrowIfNull(rule);
        ArgumentNullException.ThrowIfNull(itemScores);
        var answered = itemScores.Where(v => v is not null).Select(v => v!.Value).ToList();
        var k = answered.Count;
        var n = itemScores.Count;
        if (k == 0 || k < rule.MinAnswered || (!rule.Prorate && k < n))
        {
            return null;
        }

        long sum = answered.Sum(v => (long)v);
        return rule.Method switch
        {
            ScoreMethod.Mean => (double)sum / k,
            ScoreMethod.Sum when k == n => sum,
            ScoreMethod.Sum => (double)sum * n / k,
            _ => throw new ArgumentOutOfRangeException(nameof(rule), rule.Method, "Unknown score method."),
        };
    }
}
