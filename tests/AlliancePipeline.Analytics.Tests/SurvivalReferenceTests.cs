using System.Text.Json;
using AlliancePipeline.Analytics.Statistics;
using AlliancePipeline.Analytics.Tests.Reference;

namespace AlliancePipeline.Analytics.Tests;

/// <summary>
/// Kaplan–Meier curves and medians, the log-rank test and the Cox model against R 4.2.2 with survival 3.5-3
/// (RData/make_effects_reference.R → survival.json): 24 random seeded data sets of 2 to 4 groups (3 to 80 subjects a
/// group, tied and untied times, censoring during and at the end of follow-up, a group without events in every sixth)
/// and 5 made by hand (a median at Ŝ = ½, a curve that reaches 0, the reference group without events, a monotone likelihood
/// with events in every group, a group of one).
/// Closed forms agree to 1e-9; Cox estimates, which R iterates to |1 − ℓ_old/ℓ_new| ≤ 1e-9, to 1e-6.
/// </summary>
public class SurvivalReferenceTests
{
    private const double CoxTolerance = 1e-6;

    public static TheoryData<int> Cases()
    {
        using var doc = ReferenceFiles.Extra("survival.json");
        var data = new TheoryData<int>();
        for (int i = 0; i < doc.RootElement.GetProperty("cases").GetArrayLength(); i++) data.Add(i);
        return data;
    }

    private sealed record Case(string[] Levels, string[] Group, double[] Time, bool[] Event, JsonElement Json, string At);

    private static Case Load(int index)
    {
        using var doc = ReferenceFiles.Extra("survival.json");
        var c = doc.RootElement.GetProperty("cases")[index].Clone();
        return new Case(Strings(c.GetProperty("levels")), Strings(c.GetProperty("group")), ReferenceFiles.Vector(c.GetProperty("time")),
            [.. ReferenceFiles.IntVector(c.GetProperty("event")).Select(e => e == 1)], c, $"case {index + 1}");
    }

    private static string[] Strings(JsonElement e) => [.. e.EnumerateArray().Select(v => v.GetString()!)];

    /// <summary>A number of the file: null for R's NA, ±∞ for "Inf"/"-Inf".</summary>
    internal static double? Number(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Null => null,
        JsonValueKind.String => e.GetString() == "Inf" ? double.PositiveInfinity : double.NegativeInfinity,
        _ => e.GetDouble(),
    };

    internal static void Same(double? expected, double? actual, double tolerance, string what)
    {
        if (expected is null || actual is null)
        {
            Assert.True(expected is null && actual is null, $"{what}: expected {expected?.ToString("R") ?? "undefined"}, got {actual?.ToString("R") ?? "undefined"}");
            return;
        }
        if (double.IsInfinity(expected.Value) || double.IsInfinity(actual.Value))
        {
            Assert.True(expected.Value == actual.Value, $"{what}: expected {expected:R}, got {actual:R}");
            return;
        }
        RAssert.Close(expected.Value, actual.Value, tolerance, what);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Kaplan_Meier_curves_and_medians_equal_survfit(int index)
    {
        var c = Load(index);
        var curves = KaplanMeier.Fit(c.Group, c.Time, c.Event, c.Levels);
        var expected = c.Json.GetProperty("km").EnumerateArray().ToArray();
        Assert.Equal(expected.Length, curves.Count);
        for (int k = 0; k < curves.Count; k++)
        {
            var r = expected[k];
            var curve = curves[k];
            string at = $"{c.At}, group {curve.Group}";
            Assert.Equal(r.GetProperty("level").GetString(), curve.Group);
            Assert.Equal(ReferenceFiles.Vector(r.GetProperty("time")), curve.Steps.Select(s => s.Time));
            Assert.Equal(ReferenceFiles.IntVector(r.GetProperty("n_risk")), curve.Steps.Select(s => s.AtRisk));
            Assert.Equal(ReferenceFiles.IntVector(r.GetProperty("n_event")), curve.Steps.Select(s => s.Events));
            Assert.Equal(ReferenceFiles.IntVector(r.GetProperty("n_censor")), curve.Steps.Select(s => s.Censored));
            for (int i = 0; i < curve.Steps.Count; i++)
            {
                var s = curve.Steps[i];
                Same(Number(r.GetProperty("surv")[i]), s.Survival, 1e-12, $"{at}: surv {i + 1}");
                Same(Number(r.GetProperty("std_err")[i]), s.StandardError, 1e-12, $"{at}: std.err {i + 1}");
                Same(Number(r.GetProperty("lower")[i]), s.Lower, 1e-12, $"{at}: lower {i + 1}");
                Same(Number(r.GetProperty("upper")[i]), s.Upper, 1e-12, $"{at}: upper {i + 1}");
            }
            Same(Number(r.GetProperty("median")), curve.Median, 1e-12, $"{at}: median");
            Same(Number(r.GetProperty("median_lower")), curve.MedianLower, 1e-12, $"{at}: median 0.95LCL");
            Same(Number(r.GetProperty("median_upper")), curve.MedianUpper, 1e-12, $"{at}: median 0.95UCL");
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Log_rank_test_equals_survdiff(int index)
    {
        var c = Load(index);
        var test = LogRankTest.Of(c.Group, c.Time, c.Event, c.Levels);
        var r = c.Json.GetProperty("logrank");
        string at = c.At;
        Assert.Equal(r.GetProperty("df").GetInt32(), test.DegreesOfFreedom);
        Same(Number(r.GetProperty("chisq")), test.ChiSquare, 1e-9, $"{at}: chisq");
        Same(Number(r.GetProperty("p")), test.PValue, 1e-9, $"{at}: p");
        Assert.Equal(ReferenceFiles.IntVector(r.GetProperty("n")), test.Groups.Select(g => g.Subjects));
        Assert.Equal(ReferenceFiles.Vector(r.GetProperty("observed")), test.Groups.Select(g => (double)g.Observed));
        var expected = ReferenceFiles.Vector(r.GetProperty("expected"));
        for (int k = 0; k < expected.Length; k++) RAssert.Close(expected[k], test.Groups[k].Expected, 1e-12, $"{at}: expected {k + 1}");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Cox_model_equals_coxph_with_groups_without_events_undefined(int index)
    {
        var c = Load(index);
        var fit = CoxRegression.Fit(c.Group, c.Time, c.Event, c.Levels);
        var full = c.Json.GetProperty("cox_full");
        var reduced = c.Json.GetProperty("cox");
        string at = c.At;
        var withEvents = Strings(reduced.GetProperty("levels"));
        Assert.Equal(withEvents[0], fit.Reference);

        // The score test at β = 0 and l(0) are closed forms of all subjects; the likelihood ratio is R's (at its large
        // coefficient when a group has no events, within 1e-6 of the supremum).
        Same(Number(full.GetProperty("loglik_null")), fit.LogLikelihoodNull, 1e-9, $"{at}: loglik(0)");
        Same(Number(full.GetProperty("score")), fit.Score!.Statistic, 1e-9, $"{at}: score test");
        Same(Number(full.GetProperty("score_p")), fit.Score.PValue, 1e-9, $"{at}: score p");
        Assert.Equal(full.GetProperty("score_df").GetInt32(), fit.Score.DegreesOfFreedom);
        Same(Number(full.GetProperty("lr")), fit.LikelihoodRatio!.Statistic, CoxTolerance, $"{at}: likelihood ratio");
        Same(Number(full.GetProperty("lr_p")), fit.LikelihoodRatio.PValue, CoxTolerance, $"{at}: likelihood-ratio p");
        Assert.Equal(full.GetProperty("lr_df").GetInt32(), fit.LikelihoodRatio.DegreesOfFreedom);

        // Undefined: the groups without events, and those R warns "may be infinite" among the rest (R's warning is relative
        // to the first level, so it says nothing here when that level has no events and another is the reference).
        var infinite = withEvents[0] == c.Levels[0] ? Strings(c.Json.GetProperty("cox_infinite")).Intersect(withEvents).ToArray() : [];
        bool allDefined = withEvents.Length == c.Levels.Length && infinite.Length == 0;
        var undefined = fit.Coefficients.Where(x => x.Undefined is not null).Select(x => x.Group).ToArray();
        Assert.Equal(c.Levels.Except(withEvents).Union(infinite).Order(StringComparer.Ordinal), undefined.Order(StringComparer.Ordinal));
        Assert.All(fit.Coefficients.Where(x => x.Undefined is not null), x => Assert.True(x.HazardRatio is null && x.Lower is null && x.Upper is null && x.PValue is null));
        if (allDefined)
        {
            Same(Number(full.GetProperty("wald")), fit.Wald!.Statistic, CoxTolerance, $"{at}: Wald test");
            Same(Number(full.GetProperty("wald_p")), fit.Wald.PValue, CoxTolerance, $"{at}: Wald p");
            Same(Number(full.GetProperty("loglik")), fit.LogLikelihood, 1e-9, $"{at}: loglik");
        }
        else Assert.Null(fit.Wald);
        if (withEvents.Length < 2) return;
        var defined = fit.Coefficients.Where(x => x.Undefined is null).ToArray();
        Assert.Equal(withEvents[1..].Except(infinite), defined.Select(x => x.Group));
        Same(Number(reduced.GetProperty("loglik")), fit.LogLikelihood, infinite.Length == 0 ? 1e-9 : CoxTolerance, $"{at}: loglik of the groups with events");
        foreach (var (name, get) in new (string, Func<CoxCoefficient<string>, double?>)[]
                 {
                     ("coef", x => x.Coefficient), ("hr", x => x.HazardRatio), ("se", x => x.StandardError), ("z", x => x.Z),
                     ("p", x => x.PValue), ("lower", x => x.Lower), ("upper", x => x.Upper),
                 })
        {
            foreach (var x in defined)
                Same(Number(reduced.GetProperty(name)[Array.IndexOf(withEvents, x.Group) - 1]), get(x), CoxTolerance, $"{at}: {name} of {x.Group}");
        }
    }
}
