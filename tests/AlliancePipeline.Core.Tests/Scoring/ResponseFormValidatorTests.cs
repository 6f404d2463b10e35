using AlliancePipeline.Core.Instruments;
using AlliancePipeline.Core.Scoring;

namespace AlliancePipeline.Core.Tests.Scoring;

public class ResponseFormValidatorTests
{
    private static readonly InstrumentDefinition WaiS = InstrumentCatalog.Shipped.Get("wai-s-client");

    private static List<KeyValuePair<string, string?>> Fields(params string?[] values) =>
        values.Select((v, i) => KeyValuePair.Create($"item-{i + 1}", v))
            .Append(KeyValuePair.Create("__RequestVerificationToken", (string?)"abc"))
            .Append(KeyValuePair.Create("submit", (string?)"Send"))
            .ToList();

    [Fact]
    public void Complete_form_gives_answers_in_item_order_that_score()
    {
        var result = ResponseFormValidator.Validate(WaiS, Fields("7", "6", "5", "2", "6", "7", "5", "6", "7", "3", "6", " 5 "), "en");

        var answers = result.GetValueOrThrow();
        Assert.Equal("wai-s-client", answers.InstrumentId);
        Assert.Equal([7, 6, 5, 2, 6, 7, 5, 6, 7, 3, 6, 5], answers.Answers.Select(a => a.Value!.Value));
        Assert.Equal(71.0 / 12, InstrumentScorer.Score(WaiS, answers.ByItem).GetValueOrThrow().Scores.Global);
    }

    [Fact]
    public void One_blank_is_allowed_by_the_rule()
    {
        var answers = ResponseFormValidator.Validate(WaiS, Fields("7", "6", "", "2", "6", "7", "5", "6", "7", "3", "6", "5"), "en").GetValueOrThrow();
        Assert.Null(answers.ByItem["3"]);
    }

    [Fact]
    public void Bad_values_are_reported_beside_their_items()
    {
        var fields = Fields("7", "abc", "5", "8", "6", "0", "5", "6", "7", "3", "6", "5");
        fields.Add(KeyValuePair.Create("item-13", (string?)"4"));
        fields.Add(KeyValuePair.Create("item-1", (string?)"6"));

        var result = ResponseFormValidator.Validate(WaiS, fields, "en");

        Assert.False(result.IsValid);
        var byItem = result.ErrorsByItem;
        Assert.Equal(["1", "2", "4", "6", "13"], result.Errors.Select(e => e.ItemId));
        Assert.Equal(ItemErrorKind.NotAnInteger, byItem["1"].Kind);
        Assert.Equal("Statement 2: choose an answer from 1 to 7.", byItem["2"].Message);
        Assert.Equal("Statement 4: answer 8 is not allowed; choose a value from 1 to 7.", byItem["4"].Message);
        Assert.Equal(ItemErrorKind.OutOfRange, byItem["6"].Kind);
        Assert.Equal(ItemErrorKind.UnknownItem, byItem["13"].Kind);
    }

    [Fact]
    public void Too_many_blanks_in_a_subscale_flags_its_unanswered_items_in_french()
    {
        // Goal items 4, 6 blank (2 of 4 < 3); item 2 blank alone leaves Task with 3 of 4 but global has 9 < 10.
        var result = ResponseFormValidator.Validate(WaiS, Fields("7", "", "5", "", "6", "", "5", "6", "7", "3", "6", "5"), "fr");

        Assert.Equal(["2", "4", "6"], result.Errors.Select(e => e.ItemId));
        Assert.All(result.Errors, e => Assert.Equal(ItemErrorKind.Missing, e.Kind));
        Assert.Equal("Énoncé 4 : veuillez choisir une réponse.", result.ErrorsByItem["4"].Message);
    }

    [Fact]
    public void Subscale_shortfall_alone_flags_only_that_subscale()
    {
        // Items 4 and 6 blank: Goal short; global has 10 of 12 and is fine.
        var result = ResponseFormValidator.Validate(WaiS, Fields("7", "6", "5", "", "6", "", "5", "6", "7", "3", "6", "5"), "en");
        Assert.Equal(["4", "6"], result.Errors.Select(e => e.ItemId));
    }

    [Fact]
    public void Empty_form_flags_every_item()
    {
        var result = ResponseFormValidator.Validate(WaiS, [], "en");
        Assert.Equal(12, result.Errors.Length);
        Assert.Throws<InvalidOperationException>(() => result.Value);
    }
}
