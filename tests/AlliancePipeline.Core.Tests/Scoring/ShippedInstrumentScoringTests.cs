using AlliancePipeline.Core.Instruments;
using AlliancePipeline.Core.Scoring;

namespace AlliancePipeline.Core.Tests.Scoring;

/// <summary>
/// Hand-computed answer sets for every shipped instrument. Key (usual numbering): Goal 4, 6, 8, 11; Task 1, 2, 10, 12;
/// Bond 3, 5, 7, 9. WAI-S forms reverse items 4 and 10 (8 − answer); WAI-SR forms reverse none.
/// Expected values are written as the hand-added sums over the answered count.
/// </summary>
public class ShippedInstrumentScoringTests
{
    private static ScoredResponse Score(string instrumentId, params int?[] answers)
    {
        var definition = InstrumentCatalog.Shipped.Get(instrumentId);
        var byItem = answers.Select((a, i) => KeyValuePair.Create((i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), a))
            .ToDictionary(p => p.Key, p => p.Value);
        return InstrumentScorer.Score(definition, byItem).GetValueOrThrow();
    }

    private static void AssertScores(ScoredResponse scored, double? goal, double? task, double? bond, double? global)
    {
        Assert.Equal(goal, scored.Scores.Subscale("goal"));
        Assert.Equal(task, scored.Scores.Subscale("task"));
        Assert.Equal(bond, scored.Scores.Subscale("bond"));
        Assert.Equal(global, scored.Scores.Global);
        var columns = scored.Scores.Columns;
        Assert.Equal(goal, columns["Goal"]);
        Assert.Equal(task, columns["Task"]);
        Assert.Equal(bond, columns["Bond"]);
        Assert.Equal(global, columns["Global"]);
    }

    [Fact]
    public void WaiSClient_complete_with_reversed_items_4_and_10()
    {
        // Answers 7 6 5 2 6 7 5 6 7 3 6 5; item 4: 2 -> 6, item 10: 3 -> 5.
        // Goal 6+7+6+6 = 25; Task 7+6+5+5 = 23; Bond 5+6+5+7 = 23; all 71.
        var scored = Score("wai-s-client", 7, 6, 5, 2, 6, 7, 5, 6, 7, 3, 6, 5);
        AssertScores(scored, 25.0 / 4, 23.0 / 4, 23.0 / 4, 71.0 / 12);
        Assert.Equal([7, 6, 5, 2, 6, 7, 5, 6, 7, 3, 6, 5], scored.Items.Select(i => i.Answer!.Value));
        Assert.Equal(6, scored.Items[3].Scored);
        Assert.Equal(5, scored.Items[9].Scored);
    }

    [Fact]
    public void WaiSClient_three_missing_prorates_subscales_and_drops_global()
    {
        // Answers 4 - 3 7 - 5 2 1 6 1 - 4; item 4: 7 -> 1, item 10: 1 -> 7.
        // Goal (1+5+1)/3; Task (4+7+4)/3 = 5; Bond (3+2+6)/3; 9 answered < 10 -> no global.
        var scored = Score("wai-s-client", 4, null, 3, 7, null, 5, 2, 1, 6, 1, null, 4);
        AssertScores(scored, 7.0 / 3, 5.0, 11.0 / 3, null);
        Assert.False(scored.Scores.IsComplete);
        Assert.Equal(9, scored.Scores.Answered);
    }

    [Fact]
    public void WaiSClient_two_missing_prorates_global()
    {
        // Answers 1 2 3 4 5 6 7 1 2 3 - -; item 4: 4 -> 4, item 10: 3 -> 5.
        // Goal (4+6+1)/3; Task (1+2+5)/3; Bond (3+5+7+2)/4; global (1+2+3+4+5+6+7+1+2+5)/10 = 36/10.
        var scored = Score("wai-s-client", 1, 2, 3, 4, 5, 6, 7, 1, 2, 3, null, null);
        AssertScores(scored, 11.0 / 3, 8.0 / 3, 17.0 / 4, 36.0 / 10);
    }

    [Fact]
    public void WaiSClient_subscale_with_two_missing_is_not_scored()
    {
        // Items 4 and 6 missing: Goal has 2 of 4 (< 3) -> null; global has 10 of 12 -> scored.
        // Answers 5 5 5 - 5 - 5 5 5 5 5 5; item 10: 5 -> 3. Global (9*5 + 3)/10 = 48/10. Task (5+5+3+5)/4 = 18/4.
        var scored = Score("wai-s-client", 5, 5, 5, null, 5, null, 5, 5, 5, 5, 5, 5);
        AssertScores(scored, null, 18.0 / 4, 5.0, 48.0 / 10);
        Assert.Null(scored.ItemColumns["Item04"]);
    }

    [Fact]
    public void WaiSPractitioner_complete_with_reversed_items_4_and_10()
    {
        // Answers 5 5 6 1 7 6 6 5 6 2 5 4; item 4: 1 -> 7, item 10: 2 -> 6.
        // Goal 7+6+5+5 = 23; Task 5+5+6+4 = 20; Bond 6+7+6+6 = 25; all 68.
        var scored = Score("wai-s-practitioner", 5, 5, 6, 1, 7, 6, 6, 5, 6, 2, 5, 4);
        AssertScores(scored, 23.0 / 4, 20.0 / 4, 25.0 / 4, 68.0 / 12);
        Assert.Equal(1, scored.ItemColumns["Item04"]);
        Assert.Equal(2, scored.ItemColumns["Item10"]);
    }

    [Fact]
    public void WaiSrClient_complete_no_reversal()
    {
        // Answers 5 4 4 3 5 4 4 3 2 4 3 5. Goal 3+4+3+3 = 13; Task 5+4+4+5 = 18; Bond 4+5+4+2 = 15; all 46.
        var scored = Score("wai-sr-client", 5, 4, 4, 3, 5, 4, 4, 3, 2, 4, 3, 5);
        AssertScores(scored, 13.0 / 4, 18.0 / 4, 15.0 / 4, 46.0 / 12);
        Assert.All(scored.Items, i => Assert.Equal(i.Answer, i.Scored));
    }

    [Fact]
    public void WaiSrClient_one_missing()
    {
        // Item 12 missing: Task (5+4+4)/3; global 41/11.
        var scored = Score("wai-sr-client", 5, 4, 4, 3, 5, 4, 4, 3, 2, 4, 3, null);
        AssertScores(scored, 13.0 / 4, 13.0 / 3, 15.0 / 4, 41.0 / 11);
    }

    [Fact]
    public void WaiSrPractitioner_complete_no_reversal()
    {
        // Answers 1 2 3 4 5 1 2 3 4 5 1 2. Goal 4+1+3+1 = 9; Task 1+2+5+2 = 10; Bond 3+5+2+4 = 14; all 33.
        var scored = Score("wai-sr-practitioner", 1, 2, 3, 4, 5, 1, 2, 3, 4, 5, 1, 2);
        AssertScores(scored, 9.0 / 4, 10.0 / 4, 14.0 / 4, 33.0 / 12);
    }

    [Theory]
    [InlineData("wai-s-client", 7)]
    [InlineData("wai-s-practitioner", 7)]
    [InlineData("wai-sr-client", 5)]
    [InlineData("wai-sr-practitioner", 5)]
    public void All_top_answers_give_top_scores_except_where_reversed(string instrumentId, int max)
    {
        var scored = Score(instrumentId, Enumerable.Repeat<int?>(max, 12).ToArray());
        var reversed = instrumentId.StartsWith("wai-s-", StringComparison.Ordinal);

        // WAI-S: items 4 (goal) and 10 (task) become 1: goal = task = (3*7 + 1)/4, global (10*7 + 2)/12.
        AssertScores(scored,
            reversed ? (3.0 * max + 1) / 4 : max,
            reversed ? (3.0 * max + 1) / 4 : max,
            max,
            reversed ? (10.0 * max + 2) / 12 : max);
    }

    [Fact]
    public void Out_of_range_and_unknown_items_are_refused_with_messages_naming_them()
    {
        var definition = InstrumentCatalog.Shipped.Get("wai-s-client");
        var answers = Enumerable.Range(1, 12).ToDictionary(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture), _ => (int?)4);
        answers["3"] = 8;
        answers["9"] = 0;
        answers["13"] = 4;

        var result = InstrumentScorer.Score(definition, answers);

        Assert.False(result.IsValid);
        Assert.Equal(["3", "9", "13"], result.Errors.Select(e => e.ItemId));
        Assert.Equal([ItemErrorKind.OutOfRange, ItemErrorKind.OutOfRange, ItemErrorKind.UnknownItem], result.Errors.Select(e => e.Kind));
        Assert.Equal("Statement 3: answer 8 is not allowed; choose a value from 1 to 7.", result.Errors[0].Message);
        Assert.Equal("Statement 9: answer 0 is not allowed; choose a value from 1 to 7.", result.Errors[1].Message);
        Assert.Equal("Statement '13' does not exist in questionnaire wai-s-client.", result.Errors[2].Message);
        var thrown = Assert.Throws<ResponseRejectedException>(() => result.GetValueOrThrow());
        Assert.Contains("Statement 3", thrown.Message, StringComparison.Ordinal);
        Assert.Equal(3, thrown.Errors.Length);
    }

    [Fact]
    public void WaiSr_refuses_6_and_7_which_WaiS_accepts()
    {
        var answers = Enumerable.Range(1, 12).ToDictionary(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture), _ => (int?)6);
        Assert.True(InstrumentScorer.Score(InstrumentCatalog.Shipped.Get("wai-s-client"), answers).IsValid);
        var refused = InstrumentScorer.Score(InstrumentCatalog.Shipped.Get("wai-sr-client"), answers);
        Assert.Equal(12, refused.Errors.Length);
        Assert.All(refused.Errors, e => Assert.Equal(ItemErrorKind.OutOfRange, e.Kind));
    }

    [Fact]
    public void French_messages()
    {
        var definition = InstrumentCatalog.Shipped.Get("wai-sr-client");
        var result = InstrumentScorer.Score(definition, new Dictionary<string, int?> { ["2"] = 9 }, "fr");
        Assert.Equal("Énoncé 2 : la réponse 9 n'est pas permise ; choisissez une valeur de 1 à 5.", result.Errors.Single().Message);
    }
}
