using AlliancePipeline.Core.Studies;

namespace AlliancePipeline.Core.Tests.Studies;

public class AlertThresholdsTests
{
    private static readonly AlertThresholds Both = new(Drop: 1.0, Cutoff: 4.0, NotifyRater: false);

    private static double Mean(params int[] answers) => answers.Average();

    [Fact]
    public void A_drop_exactly_at_the_threshold_does_not_alert_and_just_over_it_does()
    {
        Assert.Null(Both.Evaluate(6.0, 5.0));
        var alert = Both.Evaluate(6.0, 4.99);
        Assert.NotNull(alert);
        Assert.Equal(new DropFinding(6.0, 4.99, 6.0 - 4.99, 1.0), alert.Drop);
        Assert.Null(alert.BelowCutoff);
    }

    [Fact]
    public void A_drop_equal_to_the_threshold_on_paper_does_not_alert_through_rounding()
    {
        var previous = Mean(4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 5, 5); // 50/12
        var current = Mean(3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 4, 4);  // 38/12: one point lower
        Assert.True(previous - current > 1.0); // 1.0000000000000004 in doubles
        Assert.Null(new AlertThresholds(1.0, null, false).Evaluate(previous, current));
        Assert.NotNull(new AlertThresholds(0.99, null, false).Evaluate(previous, current));
    }

    [Fact]
    public void A_score_exactly_at_the_cutoff_does_not_alert_and_just_under_it_does()
    {
        Assert.Null(Both.Evaluate(null, 4.0));
        Assert.Null(Both.Evaluate(null, Mean(4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4)));
        var alert = Both.Evaluate(null, Mean(4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 3)); // 47/12 = 3.9166…
        Assert.NotNull(alert);
        Assert.Equal(new CutoffFinding(47 / 12.0, 4.0), alert.BelowCutoff);
        Assert.Null(alert.Drop);
        Assert.Null(alert.Previous);
    }

    [Fact]
    public void A_response_that_drops_and_falls_under_the_cutoff_gives_one_alert_with_both_findings()
    {
        var alert = new AlertThresholds(1.0, 4.0, NotifyRater: true).Evaluate(6.5, 3.25);
        Assert.Equal(new RuptureAlert(6.5, 3.25, new DropFinding(6.5, 3.25, 3.25, 1.0), new CutoffFinding(3.25, 4.0), true), alert);
    }

    [Fact]
    public void Without_a_previous_score_only_the_cutoff_counts()
    {
        Assert.Null(new AlertThresholds(0.5, null, false).Evaluate(null, 1.0));
        Assert.Null(Both.Evaluate(null, 6.0));
    }

    [Fact]
    public void A_rise_never_alerts_and_unset_thresholds_are_not_checked()
    {
        Assert.Null(Both.Evaluate(4.5, 6.0));
        Assert.Null(new AlertThresholds(null, 4.0, false).Evaluate(7.0, 4.5));
        Assert.Null(new AlertThresholds(1.0, null, false).Evaluate(null, 1.0));
        Assert.Equal(new RuptureAlert(7.0, 5.5, new DropFinding(7.0, 5.5, 1.5, 1.0), null, false),
            new AlertThresholds(1.0, null, false).Evaluate(7.0, 5.5));
    }
}
