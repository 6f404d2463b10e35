using AlliancePipeline.Core.Instruments;
using AlliancePipeline.Functions.Scoring;

namespace AlliancePipeline.Functions.Tests;

/// <summary>The scorer adapter over Core's instrument definitions: answers in item order, scores hand-computed.</summary>
public sealed class ScorerTests
{
    private static readonly InstrumentResponseScorer Scorer = new();

    [Fact]
    public void WAI_S_reverses_items_4_and_10_then_averages_goal_task_bond_and_all_twelve()
    {
        int[] items = [2, 3, 4, 5, 6, 7, 1, 2, 3, 4, 5, 6];
        // Reverse on 1..7: 8 - answer, so item 4: 5 -> 3 and item 10: 4 -> 4.
        var s = Scorer.Score(InstrumentCatalog.Shipped.Get("wai-s-practitioner"), items);
        Assert.Equal((3 + 7 + 2 + 5) / 4.0, s.Goal); // items 4, 6, 8, 11
        Assert.Equal((2 + 3 + 4 + 6) / 4.0, s.Task); // items 1, 2, 10, 12
        Assert.Equal((4 + 6 + 1 + 3) / 4.0, s.Bond); // items 3, 5, 7, 9
        Assert.Equal(46 / 12.0, s.Global);
    }

    [Fact]
    public void An_answer_off_the_scale_is_refused_naming_the_item()
    {
        var e = Assert.Throws<ArgumentException>(() => Scorer.Score(InstrumentCatalog.Shipped.Get("wai-sr-client"), [.. Enumerable.Repeat(3, 11), 6]));
        Assert.StartsWith("Statement 12: answer 6 is not allowed; choose a value from 1 to 5.", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Too_few_answers_are_refused() =>
        Assert.Equal("Expected 12 answers, got 3. (Parameter 'items')",
            Assert.Throws<ArgumentException>(() => Scorer.Score(InstrumentCatalog.Shipped.Get("wai-s-client"), [1, 2, 3])).Message);
}
