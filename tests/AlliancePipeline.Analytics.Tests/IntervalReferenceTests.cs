using AlliancePipeline.Analytics.Statistics;
using AlliancePipeline.Analytics.Tests.Reference;

namespace AlliancePipeline.Analytics.Tests;

/// <summary>
/// Clopper–Pearson intervals, 2 × 2 odds ratios by Fisher's exact test and the bias-corrected Cramér's V against R 4.2.2
/// (RData/make_effects_reference.R → intervals.json): x from 0 to n for n from 1 to 1,000; 31 tables with zero cells and
/// random ones of N from 6 to 200; 19 random r × c tables (2 to 6 rows, 2 to 4 columns, N from 8 to 600), some
/// independent. All to 1e-9: the odds ratio follows R's own root finder step for step.
/// </summary>
public class IntervalReferenceTests
{
    private static int[,] Table(int[][] rows)
    {
        var t = new int[rows.Length, rows[0].Length];
        for (int i = 0; i < rows.Length; i++)
            for (int j = 0; j < rows[0].Length; j++) t[i, j] = rows[i][j];
        return t;
    }

    [Fact]
    public void Clopper_Pearson_intervals_equal_binom_test()
    {
        using var doc = ReferenceFiles.Extra("intervals.json");
        foreach (var c in doc.RootElement.GetProperty("binom").EnumerateArray())
        {
            int x = c.GetProperty("x").GetInt32(), n = c.GetProperty("n").GetInt32();
            var ci = ClopperPearson.Of(x, n);
            RAssert.Close(c.GetProperty("lower").GetDouble(), ci.Lower, 1e-9, $"lower of {x}/{n}");
            RAssert.Close(c.GetProperty("upper").GetDouble(), ci.Upper, 1e-9, $"upper of {x}/{n}");
            Assert.Equal((double)x / n, ci.Estimate);
        }
    }

    [Fact]
    public void Odds_ratios_of_2x2_tables_equal_fisher_test()
    {
        using var doc = ReferenceFiles.Extra("intervals.json");
        foreach (var c in doc.RootElement.GetProperty("fisher_2x2").EnumerateArray())
        {
            var rows = ReferenceFiles.IntMatrix(c.GetProperty("table"));
            var or = FisherOddsRatio.Of(Table(rows));
            string at = $"[[{string.Join(", ", rows[0])}], [{string.Join(", ", rows[1])}]]";
            SurvivalReferenceTests.Same(SurvivalReferenceTests.Number(c.GetProperty("estimate")), or.Estimate, 1e-9, $"{at}: estimate");
            SurvivalReferenceTests.Same(SurvivalReferenceTests.Number(c.GetProperty("lower")), or.Lower, 1e-9, $"{at}: lower");
            SurvivalReferenceTests.Same(SurvivalReferenceTests.Number(c.GetProperty("upper")), or.Upper, 1e-9, $"{at}: upper");
            RAssert.Close(c.GetProperty("p").GetDouble(), or.PValue, 1e-9, $"{at}: p");
            RAssert.Close(c.GetProperty("p").GetDouble(), FisherExactTest.PValue(Table(rows)), 1e-9, $"{at}: p of the r × c test");
        }
    }

    [Fact]
    public void Bias_corrected_Cramers_V_equals_Bergsma_computed_in_R()
    {
        using var doc = ReferenceFiles.Extra("intervals.json");
        foreach (var c in doc.RootElement.GetProperty("cramer").EnumerateArray())
        {
            var table = Table(ReferenceFiles.IntMatrix(c.GetProperty("table")));
            var test = ChiSquareTest.Of(table);
            RAssert.Close(c.GetProperty("chisq").GetDouble(), test.Statistic, 1e-9, "chisq");
            RAssert.Close(c.GetProperty("v").GetDouble(), test.CramersV, 1e-9, "V");
            RAssert.Close(c.GetProperty("v_bias_corrected").GetDouble(), BiasCorrectedCramersV.Of(table), 1e-9, "bias-corrected V");
            Assert.True(BiasCorrectedCramersV.Of(table) <= test.CramersV + 1e-12);
        }
    }
}
