using AlliancePipeline.Analytics.Statistics;
using FsCheck.Xunit;

namespace AlliancePipeline.Analytics.Tests;

/// <summary>Properties of the survival and interval statistics on arbitrary data (FsCheck).</summary>
public class EffectProperties
{
    /// <summary>Subjects from arbitrary numbers: group (3 groups), a time in whole weeks 0 … 29 (ties), event or censored.</summary>
    private static (int[] Group, double[] Time, bool[] Event) Subjects(int[] raw)
    {
        var r = raw.Length == 0 ? [1] : raw;
        return ([.. r.Select(v => (int)((uint)v % 3))], [.. r.Select(v => (double)((uint)v / 3 % 30))], [.. r.Select(v => (uint)v / 90 % 3 != 0)]);
    }

    [Property(MaxTest = 300)]
    public bool Kaplan_Meier_survival_lies_in_0_1_never_rises_and_lies_inside_its_interval(int[] raw)
    {
        var (g, t, e) = Subjects(raw ?? []);
        foreach (var curve in KaplanMeier.Fit(g, t, e))
        {
            double previous = 1;
            foreach (var s in curve.Steps)
            {
                if (s.Survival < 0 || s.Survival > previous) return false;
                previous = s.Survival;
                if (s.Survival == 0 ? s.Lower is not null || s.Upper is not null
                    : !(s.Lower <= s.Survival * (1 + 1e-12) && s.Survival <= s.Upper * (1 + 1e-12) && s.Upper <= 1 && s.Lower >= 0)) return false;
            }
            if (curve.Median is { } m && (curve.MedianLower > m || curve.MedianUpper < m)) return false;
            if (curve.Steps.Sum(s => s.Events) != curve.Events || curve.Steps.Sum(s => s.Events + s.Censored) != curve.Subjects) return false;
        }
        return true;
    }

    [Property(MaxTest = 300)]
    public bool Log_rank_observed_and_expected_events_have_the_same_total(int[] raw)
    {
        var (g, t, e) = Subjects(raw ?? []);
        var test = LogRankTest.Of(g, t, e);
        return Math.Abs(test.Groups.Sum(x => x.Observed) - test.Groups.Sum(x => x.Expected)) < 1e-9 * Math.Max(1, e.Length)
            && test.ChiSquare >= -1e-12 && (test.PValue is null || test.PValue is >= 0 and <= 1);
    }

    [Property(MaxTest = 200)]
    public bool Cox_hazard_ratios_lie_inside_their_intervals_or_are_undefined_with_a_reason(int[] raw)
    {
        var (g, t, e) = Subjects(raw ?? []);
        if (g.Distinct().Count() < 2) return true;
        var fit = CoxRegression.Fit(g, t, e);
        return fit.Coefficients.All(c => c.Undefined is null
            ? c.Lower <= c.HazardRatio && c.HazardRatio <= c.Upper && c.PValue is >= 0 and <= 1
            : c.HazardRatio is null && c.Lower is null && c.Upper is null);
    }

    [Property(MaxTest = 300)]
    public bool Clopper_Pearson_intervals_lie_in_0_1_and_contain_the_proportion(int x, int n)
    {
        int trials = 1 + (int)((uint)n % 400), successes = (int)((uint)x % (trials + 1));
        var ci = ClopperPearson.Of(successes, trials);
        return ci.Lower >= 0 && ci.Upper <= 1 && ci.Lower <= ci.Estimate && ci.Estimate <= ci.Upper && ci.Lower < ci.Upper;
    }

    [Property(MaxTest = 300)]
    public bool Odds_ratio_intervals_contain_the_estimate(byte a, byte b, byte c, byte d)
    {
        int[,] table = { { a % 40, b % 40 }, { c % 40, d % 40 } };
        if (table[0, 0] + table[0, 1] == 0 || table[1, 0] + table[1, 1] == 0 || table[0, 0] + table[1, 0] == 0 || table[0, 1] + table[1, 1] == 0) return true;
        var or = FisherOddsRatio.Of(table);
        return or.Lower <= or.Estimate && or.Estimate <= or.Upper && or.PValue is > 0 and <= 1;
    }

    [Property(MaxTest = 300)]
    public bool Bias_corrected_Cramers_V_lies_between_0_and_Cramers_V(byte a, byte b, byte c, byte d, byte e, byte f)
    {
        int[,] table = { { a % 30, b % 30 }, { c % 30, d % 30 }, { e % 30, f % 30 } };
        for (int i = 0; i < 3; i++) if (table[i, 0] + table[i, 1] == 0) return true;
        if (a % 30 + c % 30 + e % 30 == 0 || b % 30 + d % 30 + f % 30 == 0) return true;
        double v = BiasCorrectedCramersV.Of(table);
        return v >= 0 && v <= ChiSquareTest.Of(table).CramersV + 1e-12;
    }
}
