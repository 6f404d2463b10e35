using System.Collections.Immutable;
using AlliancePipeline.Core.Instruments;
using AlliancePipeline.Core.Scoring;
using FsCheck.Xunit;

namespace AlliancePipeline.Core.Tests.Scoring;

public class ScoringProperties
{
    private static readonly ImmutableArray<InstrumentDefinition> Shipped = [.. InstrumentCatalog.Shipped.All];

    /// <summary>Maps arbitrary integers onto valid answers for an instrument; with allowMissing, a mapped value that is a multiple of 7 becomes "unanswered".</summary>
    private static Dictionary<string, int?> Answers(InstrumentDefinition definition, int[] raw, bool allowMissing)
    {
        var span = definition.Scale.Max - definition.Scale.Min + 1;
        return definition.Items.ToDictionary(
            item => item.Id,
            item =>
            {
                var v = raw.Length == 0 ? item.Number : raw[(item.Number - 1) % raw.Length] + item.Number;
                if (allowMissing && v % 7 == 0)
                {
                    return (int?)null;
                }

                return definition.Scale.Min + (((v % span) + span) % span);
            });
    }

    [Property(MaxTest = 400)]
    public bool Any_valid_answers_give_scores_inside_the_scale(int instrument, int[] raw, bool allowMissing)
    {
        var definition = Shipped[((instrument % Shipped.Length) + Shipped.Length) % Shipped.Length];
        var scores = InstrumentScorer.Score(definition, Answers(definition, raw ?? [], allowMissing)).GetValueOrThrow().Scores;
        var min = definition.Scale.Min;
        var max = definition.Scale.Max;
        return scores.Columns.Values.All(s => s is null || (s >= min && s <= max));
    }

    [Property(MaxTest = 400)]
    public bool Complete_answers_give_every_score(int instrument, int[] raw)
    {
        var definition = Shipped[((instrument % Shipped.Length) + Shipped.Length) % Shipped.Length];
        return InstrumentScorer.Score(definition, Answers(definition, raw ?? [], false)).GetValueOrThrow().Scores.IsComplete;
    }

    /// <summary>With three equal-sized subscales and no missing items, the mean of the 12 equals the mean of the three subscale means.</summary>
    [Property(MaxTest = 400)]
    public bool Complete_global_is_the_mean_of_the_subscale_means(int instrument, int[] raw)
    {
        var definition = Shipped[((instrument % Shipped.Length) + Shipped.Length) % Shipped.Length];
        var scores = InstrumentScorer.Score(definition, Answers(definition, raw ?? [], false)).GetValueOrThrow().Scores;
        var meanOfMeans = scores.Subscales.Average(s => s.Score!.Value);
        return Math.Abs(scores.Global!.Value - meanOfMeans) < 1e-12;
    }

    [Property(MaxTest = 400)]
    public bool Reversing_twice_is_the_identity(short min, byte width, int pick)
    {
        var scale = new ScaleDefinition(min, min + width + 1, []);
        var span = width + 2;
        var answer = min + (((pick % span) + span) % span);
        var once = scale.Reverse(answer);
        return scale.Contains(once) && scale.Reverse(once) == answer;
    }

    [Property(MaxTest = 200)]
    public bool As_answered_items_are_kept_unreversed(int instrument, int[] raw)
    {
        var definition = Shipped[((instrument % Shipped.Length) + Shipped.Length) % Shipped.Length];
        var answers = Answers(definition, raw ?? [], true);
        var scored = InstrumentScorer.Score(definition, answers).GetValueOrThrow();
        return definition.Items.All(i => scored.ItemColumns[i.Column] == answers[i.Id]);
    }
}
