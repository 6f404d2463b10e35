using AlliancePipeline.Core.Instruments;
using AlliancePipeline.Core.Scoring;

namespace AlliancePipeline.Core.Tests.Scoring;

public class ScoreRuleTests
{
    [Fact]
    public void Mean_of_answered_items_when_enough_are_answered()
    {
        var rule = new ScoreRule(ScoreMethod.Mean, 3, true);
        Assert.Equal(10.0 / 3, InstrumentScorer.Apply(rule, [2, null, 3, 5]));
        Assert.Null(InstrumentScorer.Apply(rule, [2, null, null, 5]));
    }

    [Fact]
    public void Sum_is_prorated_by_n_over_answered()
    {
        var rule = new ScoreRule(ScoreMethod.Sum, 3, true);
        Assert.Equal(16.0, InstrumentScorer.Apply(rule, [4, 4, 4, 4]));
        Assert.Equal((2 + 3 + 5) * 4.0 / 3, InstrumentScorer.Apply(rule, [2, null, 3, 5]));
    }

    [Fact]
    public void Unprorated_rule_needs_every_item()
    {
        var rule = new ScoreRule(ScoreMethod.Sum, 4, false);
        Assert.Null(InstrumentScorer.Apply(rule, [2, null, 3, 5]));
        Assert.Equal(14.0, InstrumentScorer.Apply(rule, [2, 4, 3, 5]));
    }

    [Fact]
    public void Reverse_is_min_plus_max_minus_answer_and_refuses_off_scale_answers()
    {
        var scale = InstrumentCatalog.Shipped.Get("wai-s-client").Scale;
        Assert.Equal([7, 6, 5, 4, 3, 2, 1], Enumerable.Range(1, 7).Select(scale.Reverse));
        Assert.Throws<ArgumentOutOfRangeException>(() => scale.Reverse(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => scale.Reverse(8));
    }
}
