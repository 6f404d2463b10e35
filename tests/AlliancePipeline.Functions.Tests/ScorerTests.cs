using AlliancePipeline.Functions.Services;

namespace AlliancePipeline.Functions.Tests;

public sealed class ScorerTests
{
    [Fact]
    public void Subscales_are_the_means_of_their_items_and_global_the_mean_of_all_twelve()
    {
        // Items 1..12 answered 1..12 mod 7 + 1 = 2,3,4,5,6,7,1,2,3,4,5,6.
        int[] items = [2, 3, 4, 5, 6, 7, 1, 2, 3, 4, 5, 6];
        var s = new MinimalWaiScorer().Score("wai-s-practitioner", items);
        Assert.Equal((5 + 7 + 2 + 5) / 4.0, s.Goal); // items 4, 6, 8, 11
        Assert.Equal((2 + 3 + 4 + 6) / 4.0, s.Task); // items 1, 2, 10, 12
        Assert.Equal((4 + 6 + 1 + 3) / 4.0, s.Bond); // items 3, 5, 7, 9
        Assert.Equal(48 / 12.0, s.Global);
    }

    [Fact]
    public void An_answer_off_the_scale_is_refused_naming_the_item()
    {
        var e = Assert.Throws<ArgumentException>(() => new MinimalWaiScorer().Score("wai-sr-client", [.. Enumerable.Repeat(3, 11), 6]));
        Assert.StartsWith("Item12 is 6: answers run from 1 to 5.", e.Message, StringComparison.Ordinal);
    }
}
