using AlliancePipeline.Analytics.Statistics;
using AlliancePipeline.Analytics.Tests.Reference;

namespace AlliancePipeline.Analytics.Tests;

/// <summary>
/// The app's one Student t quantile, <see cref="Distributions.StudentTQuantile"/>, against R's <c>qt(p, df)</c>
/// (RData/qt.json, made by RData/make_qt.R with R 4.2.2): to 1e-12 (relative; absolute below 1) up to 1,000 degrees of
/// freedom, 1e-9 beyond.
/// </summary>
public class QuantileReferenceTests
{
    public static TheoryData<double, double, double> RValues()
    {
        using var doc = ReferenceFiles.Extra("qt.json");
        var data = new TheoryData<double, double, double>();
        foreach (var row in ReferenceFiles.Matrix(doc.RootElement.GetProperty("values"))) data.Add(row[0], row[1], row[2]);
        return data;
    }

    [Theory]
    [MemberData(nameof(RValues))]
    public void Student_t_quantile_equals_Rs_qt(double p, double df, double expected)
    {
        RAssert.Close(expected, Distributions.StudentTQuantile(p, df), df <= 1000 ? 1e-12 : 1e-9, $"qt({p}, {df})");
    }

    [Fact]
    public void The_95_percent_t_quantiles_of_small_samples_are_Rs_to_the_printed_digits()
    {
        // qt(.975, 1:5) as R prints it with digits = 17.
        double[] r = [12.706204736174694, 4.3026527297494619, 3.1824463052837078, 2.7764451051977934, 2.5705818356363137];
        for (int df = 1; df <= 5; df++) RAssert.Close(r[df - 1], Distributions.StudentTQuantile(0.975, df), 1e-14, $"qt(.975, {df})");
        Assert.Equal(0.0, Distributions.StudentTQuantile(0.5, 7));
        RAssert.Close(-Distributions.StudentTQuantile(0.975, 9), Distributions.StudentTQuantile(0.025, 9), 1e-14, "qt(.025, 9)");
    }

    [Theory]
    [InlineData(0.0, 3.0)]
    [InlineData(1.0, 3.0)]
    [InlineData(double.NaN, 3.0)]
    [InlineData(0.975, 0.0)]
    [InlineData(0.975, -1.0)]
    [InlineData(0.975, double.NaN)]
    [InlineData(0.975, double.PositiveInfinity)]
    public void Probabilities_outside_0_1_and_non_positive_degrees_of_freedom_are_refused(double p, double df) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Distributions.StudentTQuantile(p, df));
}
