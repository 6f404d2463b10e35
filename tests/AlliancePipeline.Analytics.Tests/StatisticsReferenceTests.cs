using System.Text.Json;
using AlliancePipeline.Analytics.Statistics;
using AlliancePipeline.Analytics.Tests.Reference;

namespace AlliancePipeline.Analytics.Tests;

/// <summary>Statistics against R (shared/reference/fisher.json, tests.json and the extra R outputs in RData/), to 1e-9.</summary>
public class StatisticsReferenceTests
{
    private static JsonDocument Doc(string source, string file) => source == "shared" ? ReferenceFiles.Shared(file) : ReferenceFiles.Extra(file);

    private static int[,] Table(JsonElement e)
    {
        var rows = ReferenceFiles.IntMatrix(e);
        var t = new int[rows.Length, rows[0].Length];
        for (int i = 0; i < rows.Length; i++)
            for (int j = 0; j < rows[0].Length; j++) t[i, j] = rows[i][j];
        return t;
    }

    private static double[,] Matrix(JsonElement e)
    {
        var rows = ReferenceFiles.Matrix(e);
        var m = new double[rows.Length, rows[0].Length];
        for (int i = 0; i < rows.Length; i++)
            for (int j = 0; j < rows[0].Length; j++) m[i, j] = rows[i][j];
        return m;
    }

    [Theory]
    [InlineData("shared", "fisher.json")]
    [InlineData("extra", "fisher_extra.json")]
    public void Fisher_chi_square_and_Cramers_V_equal_R(string source, string file)
    {
        using var doc = Doc(source, file);
        foreach (var c in doc.RootElement.GetProperty("cases").EnumerateArray())
        {
            var table = Table(c.GetProperty("table"));
            RAssert.Close(c.GetProperty("fisher_p").GetDouble(), FisherExactTest.PValue(table), 1e-9, "fisher p");
            var chi = ChiSquareTest.Of(table);
            RAssert.Close(c.GetProperty("chisq").GetDouble(), chi.Statistic, 1e-9, "chi-square");
            Assert.Equal(c.GetProperty("chisq_df").GetInt32(), chi.DegreesOfFreedom);
            RAssert.Close(c.GetProperty("chisq_p").GetDouble(), chi.PValue, 1e-9, "chi-square p");
            RAssert.Close(c.GetProperty("cramers_v").GetDouble(), chi.CramersV, 1e-9, "Cramér's V");
        }
    }

    [Fact]
    public void Fisher_6x2_with_n_1000_equals_R()
    {
        // R 4.2.2: fisher.test(m, workspace = 2e8)$p.value, in RData/fisher_extra.json (last case), n = 1,000. How long it
        // takes beside R is measured by the benchmark (bench/AlliancePipeline.Benchmarks --fisher), not asserted here.
        using var doc = ReferenceFiles.Extra("fisher_extra.json");
        var c = doc.RootElement.GetProperty("cases").EnumerateArray().Last();
        var table = Table(c.GetProperty("table"));
        Assert.Equal(1000, table.Cast<int>().Sum());
        RAssert.Close(c.GetProperty("fisher_p").GetDouble(), FisherExactTest.PValue(table), 1e-9, "fisher p");
        var test = FisherExactTest.Test(table);
        Assert.True(test.IsExact);
        RAssert.Close(c.GetProperty("fisher_p").GetDouble(), test.PValue, 1e-9, "fisher p by Test");
    }

    [Theory]
    [InlineData("shared", "tests.json")]
    [InlineData("extra", "tests_extra.json")]
    public void Welch_t_equals_R(string source, string file)
    {
        using var doc = Doc(source, file);
        var w = doc.RootElement.GetProperty("welch");
        var t = WelchTTest.Of(ReferenceFiles.Vector(w.GetProperty("a")), ReferenceFiles.Vector(w.GetProperty("b")));
        RAssert.Close(w.GetProperty("t").GetDouble(), t.T, 1e-9, "t");
        RAssert.Close(w.GetProperty("df").GetDouble(), t.DegreesOfFreedom, 1e-9, "df");
        RAssert.Close(w.GetProperty("p").GetDouble(), t.PValue, 1e-9, "p");
        if (w.TryGetProperty("ci95", out var ci))
        {
            RAssert.Close(ci[0].GetDouble(), t.ConfidenceLow, 1e-9, "CI low");
            RAssert.Close(ci[1].GetDouble(), t.ConfidenceHigh, 1e-9, "CI high");
            RAssert.Close(w.GetProperty("cohens_d_pooled").GetDouble(), t.CohensD, 1e-9, "Cohen's d");
        }
    }

    [Theory]
    [InlineData("shared", "tests.json")]
    [InlineData("extra", "tests_extra.json")]
    public void Cronbach_alpha_and_Feldt_interval_equal_R(string source, string file)
    {
        using var doc = Doc(source, file);
        var e = doc.RootElement.GetProperty("cronbach");
        var a = CronbachAlpha.Of(Matrix(e.GetProperty("items")));
        RAssert.Close(e.GetProperty("alpha").GetDouble(), a.Alpha, 1e-9, "alpha");
        var ci = e.GetProperty("feldt_ci95");
        RAssert.Close(ci[0].GetDouble(), a.ConfidenceLow, 1e-9, "Feldt low");
        RAssert.Close(ci[1].GetDouble(), a.ConfidenceHigh, 1e-9, "Feldt high");
    }

    [Fact]
    public void Icc1_equals_Rs_one_way_aov()
    {
        using var doc = ReferenceFiles.Extra("tests_extra.json");
        var e = doc.RootElement.GetProperty("icc1");
        var icc = IntraclassCorrelation.Of(ReferenceFiles.IntVector(e.GetProperty("group")), ReferenceFiles.Vector(e.GetProperty("score")));
        RAssert.Close(e.GetProperty("ms_between").GetDouble(), icc.MeanSquareBetween, 1e-9, "MSB");
        RAssert.Close(e.GetProperty("ms_within").GetDouble(), icc.MeanSquareWithin, 1e-9, "MSW");
        Assert.Equal(e.GetProperty("df_between").GetInt32(), icc.DegreesOfFreedomBetween);
        Assert.Equal(e.GetProperty("df_within").GetInt32(), icc.DegreesOfFreedomWithin);
        RAssert.Close(e.GetProperty("f").GetDouble(), icc.F, 1e-9, "F");
        RAssert.Close(e.GetProperty("f_p").GetDouble(), icc.PValue, 1e-9, "F p");
        RAssert.Close(e.GetProperty("n0").GetDouble(), icc.AverageGroupSize, 1e-9, "n0");
        RAssert.Close(e.GetProperty("icc1").GetDouble(), icc.Icc1, 1e-9, "ICC(1)");
    }

    [Fact]
    public void Fisher_rejects_negative_counts_naming_the_cell()
    {
        var ex = Assert.Throws<ArgumentException>(() => FisherExactTest.PValue(new[,] { { 1, 2 }, { -1, 3 } }));
        Assert.Contains("[2, 1]", ex.Message);
    }
}
