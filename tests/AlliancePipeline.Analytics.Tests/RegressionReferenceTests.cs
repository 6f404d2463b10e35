using System.Text.Json;
using AlliancePipeline.Analytics.Statistics;
using AlliancePipeline.Analytics.Tests.Reference;

namespace AlliancePipeline.Analytics.Tests;

/// <summary>
/// Hierarchical linear regression and logistic regression against R 4.2.2 (RData/make_regression_reference.R →
/// regression.json): <c>lm</c>, <c>summary.lm</c> and <c>anova(m1, m2)</c> on 7 data sets (covariates with factors, an
/// empty block 1, a reference level other than the alphabetical first, an aliased covariate, block 2 aliased with block 1,
/// one residual df, a factor in block 2 at n = 400); <c>glm(family = binomial)</c> with <c>confint.default</c> on 10
/// (alliance alone, with covariates, n = 12, rare events, complete and quasi-complete separation, a constant outcome, an
/// aliased covariate, the intercept alone, WAI grid scores). Everything to 1e-9 (relative above 1); coefficients of
/// separated data, where the likelihood has no maximum and R stops where its iterations stop, are not compared.
/// </summary>
public class RegressionReferenceTests
{
    private const double Tolerance = 1e-9;

    private static JsonElement Case(string kind, int index)
    {
        using var doc = ReferenceFiles.Extra("regression.json");
        return doc.RootElement.GetProperty(kind)[index].Clone();
    }

    private static TheoryData<int> Indices(string kind)
    {
        using var doc = ReferenceFiles.Extra("regression.json");
        var data = new TheoryData<int>();
        for (int i = 0; i < doc.RootElement.GetProperty(kind).GetArrayLength(); i++) data.Add(i);
        return data;
    }

    public static TheoryData<int> HierarchicalCases() => Indices("hierarchical");

    public static TheoryData<int> LogisticCases() => Indices("logistic");

    private static RegressionTerm[] Terms(JsonElement e) => [.. e.EnumerateArray().Select(RegressionTerm (t) =>
        t.TryGetProperty("levels", out var levels)
            ? new CategoricalTerm(t.GetProperty("name").GetString()!, [.. t.GetProperty("values").EnumerateArray().Select(v => v.GetString()!)],
                [.. levels.EnumerateArray().Select(v => v.GetString()!)])
            : new NumericTerm(t.GetProperty("name").GetString()!, ReferenceFiles.Vector(t.GetProperty("values"))))];

    private static void SameCoefficients(JsonElement r, IReadOnlyList<RegressionCoefficient> actual, string at)
    {
        var names = r.GetProperty("names").EnumerateArray().Select(v => v.GetString()).ToArray();
        Assert.Equal(names, actual.Select(c => c.Name));
        string[] fields = ["estimate", "se", "statistic", "p"];
        for (int j = 0; j < names.Length; j++)
        {
            var c = actual[j];
            double?[] values = [c.Estimate, c.StandardError, c.Statistic, c.PValue];
            for (int f = 0; f < fields.Length; f++)
                SurvivalReferenceTests.Same(SurvivalReferenceTests.Number(r.GetProperty(fields[f])[j]), values[f], Tolerance, $"{at}, {names[j]} {fields[f]}");
        }
    }

    private static void SameModel(JsonElement r, LinearModel m, string at)
    {
        SameCoefficients(r.GetProperty("coefficients"), m.Coefficients, at);
        RAssert.Close(r.GetProperty("r_squared").GetDouble(), m.RSquared, Tolerance, $"{at} R²");
        RAssert.Close(r.GetProperty("adj_r_squared").GetDouble(), m.AdjustedRSquared, Tolerance, $"{at} adjusted R²");
        RAssert.Close(r.GetProperty("sigma").GetDouble(), m.Sigma, Tolerance, $"{at} sigma");
        Assert.Equal(r.GetProperty("df_residual").GetDouble(), m.ResidualDf);
        Assert.Equal(r.GetProperty("rank").GetDouble(), m.Rank);
        SurvivalReferenceTests.Same(SurvivalReferenceTests.Number(r.GetProperty("f")), m.F, Tolerance, $"{at} F");
        SurvivalReferenceTests.Same(SurvivalReferenceTests.Number(r.GetProperty("f_p")), m.FPValue, Tolerance, $"{at} F p");
        if (m.F is not null) Assert.Equal(r.GetProperty("f_df1").GetDouble(), m.FDf1);
    }

    [Theory]
    [MemberData(nameof(HierarchicalCases))]
    public void Hierarchical_regression_equals_lm_and_anova(int index)
    {
        var c = Case("hierarchical", index);
        string at = c.GetProperty("name").GetString()!;
        var fit = HierarchicalRegression.Fit(ReferenceFiles.Vector(c.GetProperty("y")), Terms(c.GetProperty("block1")), Terms(c.GetProperty("block2")));
        SameModel(c.GetProperty("model1"), fit.Model1, at + ", model 1");
        SameModel(c.GetProperty("model2"), fit.Model2, at + ", model 2");
        RAssert.Close(c.GetProperty("r_squared_change").GetDouble(), fit.RSquaredChange, Tolerance, $"{at} ΔR²");
        SurvivalReferenceTests.Same(SurvivalReferenceTests.Number(c.GetProperty("f_change")), fit.FChange, Tolerance, $"{at} F change");
        SurvivalReferenceTests.Same(SurvivalReferenceTests.Number(c.GetProperty("p_change")), fit.PChange, Tolerance, $"{at} p change");
        Assert.Equal(c.GetProperty("df_change").GetDouble(), fit.DfChange);
        Assert.Equal(c.GetProperty("df_residual").GetDouble(), fit.DfResidual);
    }

    [Theory]
    [MemberData(nameof(LogisticCases))]
    public void Logistic_regression_equals_glm_binomial(int index)
    {
        var c = Case("logistic", index);
        string at = c.GetProperty("name").GetString()!;
        var fit = LogisticRegression.Fit(ReferenceFiles.IntVector(c.GetProperty("y")), Terms(c.GetProperty("terms")));
        bool separated = c.GetProperty("separated").GetBoolean();
        Assert.Equal(separated, fit.Separation is not null);
        Assert.Equal(c.GetProperty("converged").GetBoolean(), fit.Converged);
        Assert.Equal(c.GetProperty("iterations").GetDouble(), fit.Iterations);
        var names = c.GetProperty("coefficients").GetProperty("names").EnumerateArray().Select(v => v.GetString()).ToArray();
        Assert.Equal(names, fit.Coefficients.Select(k => k.Name));
        Assert.Equal(names.Where((_, j) => c.GetProperty("coefficients").GetProperty("estimate")[j].ValueKind == JsonValueKind.Null), fit.Aliased);
        if (separated) return;
        SameCoefficients(c.GetProperty("coefficients"), [.. fit.Coefficients.Select(k => k.Coefficient)], at);
        string[] fields = ["wald_low", "wald_high", "odds_ratio", "odds_ratio_low", "odds_ratio_high"];
        for (int j = 0; j < names.Length; j++)
        {
            var k = fit.Coefficients[j];
            double?[] values = [k.ConfidenceLow, k.ConfidenceHigh, k.OddsRatio, k.OddsRatioLow, k.OddsRatioHigh];
            for (int f = 0; f < fields.Length; f++)
                SurvivalReferenceTests.Same(SurvivalReferenceTests.Number(c.GetProperty(fields[f])[j]), values[f], Tolerance, $"{at}, {names[j]} {fields[f]}");
        }
        RAssert.Close(c.GetProperty("deviance").GetDouble(), fit.Deviance, Tolerance, $"{at} deviance");
        RAssert.Close(c.GetProperty("null_deviance").GetDouble(), fit.NullDeviance, Tolerance, $"{at} null deviance");
        RAssert.Close(c.GetProperty("aic").GetDouble(), fit.Aic, Tolerance, $"{at} AIC");
    }

    [Fact]
    public void Too_few_observations_are_refused_in_words()
    {
        var e = Assert.Throws<ArgumentException>(() => HierarchicalRegression.Fit([1, 2, 3], [new NumericTerm("age", [20, 30, 41])], [new NumericTerm("alliance", [4, 5, 7])]));
        Assert.Contains("at least 4 are needed", e.Message);
        e = Assert.Throws<ArgumentException>(() => LogisticRegression.Fit([0, 1], [new NumericTerm("alliance", [4, 5])]));
        Assert.Contains("at least 3 are needed", e.Message);
        e = Assert.Throws<ArgumentException>(() => HierarchicalRegression.Fit([1, 2, 3, 4], [new CategoricalTerm("site", ["a", "b", "c", "a"], ["a", "b"])], [new NumericTerm("alliance", [4, 5, 7, 6])]));
        Assert.Contains("'c' at observation 3", e.Message);
    }

    [Fact]
    public void Default_levels_are_in_ordinal_order_with_the_first_as_reference()
    {
        var fit = LogisticRegression.Fit([0, 1, 1, 0, 1, 0], [new CategoricalTerm("site", ["b", "a", "c", "c", "b", "a"])]);
        Assert.Equal(["(Intercept)", "siteb", "sitec"], fit.Coefficients.Select(c => c.Name));
    }
}
