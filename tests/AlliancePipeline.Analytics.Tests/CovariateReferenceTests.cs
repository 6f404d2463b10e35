using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using AlliancePipeline.Analytics.Reports;
using AlliancePipeline.Analytics.Statistics;
using AlliancePipeline.Analytics.Tests.Reference;
using AlliancePipeline.Core.Studies;

namespace AlliancePipeline.Analytics.Tests;

/// <summary>
/// The report's covariate section (<see cref="ReportCovariates.ByClusters"/>)
/// against R 4.2.2 (RData/make_covariates_reference.R → covariates.json): 30 random studies of 12–70 dyads in 2–4
/// clusters with a categorical covariate (2–3 levels, one sometimes nobody's, values missing), a numeric one (some whole
/// numbers with ties, values missing) and outcomes (some not recorded): counts and fisher.test, mean and sd per cluster
/// and anova(aov()), binom.test per level.
/// </summary>
public class CovariateReferenceTests
{
    public static TheoryData<int> Cases() => [.. Enumerable.Range(0, 30)];

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_covariate_section_equals_R(int index)
    {
        using var doc = ReferenceFiles.Extra("covariates.json");
        var c = doc.RootElement.GetProperty("cases")[index];
        var levels = c.GetProperty("levels").EnumerateArray().Select(l => l.GetString()!).ToImmutableArray();
        var k = c.GetProperty("k").GetInt32();
        var cluster = ReferenceFiles.IntVector(c.GetProperty("cluster"));
        var level = c.GetProperty("level").EnumerateArray().Select(l => l.ValueKind == JsonValueKind.Null ? null : l.GetString()).ToArray();
        var value = c.GetProperty("value").EnumerateArray().Select(v => v.ValueKind == JsonValueKind.Null ? (double?)null : v.GetDouble()).ToArray();
        var employed = c.GetProperty("employed").EnumerateArray().Select(v => v.ValueKind == JsonValueKind.Null ? (bool?)null : v.GetBoolean()).ToArray();
        var ids = cluster.Select((_, i) => string.Create(CultureInfo.InvariantCulture, $"d-{i:000}")).ToArray();

        var values = new Dictionary<string, IReadOnlyDictionary<string, CovariateValue>>(StringComparer.Ordinal);
        for (var i = 0; i < ids.Length; i++)
        {
            var v = new Dictionary<string, CovariateValue>(StringComparer.Ordinal);
            if (level[i] is { } l) v["level"] = CovariateValue.OfLevel(l);
            if (value[i] is { } x) v["value"] = CovariateValue.OfNumber(x);
            values[ids[i]] = v;
        }

        var input = new ReportInput
        {
            StudyId = "s",
            StudyName = "s",
            RunId = "r",
            GeneratedAt = DateTimeOffset.UnixEpoch,
            Covariates = [new StudyCovariate("level", CovariateType.Categorical, levels), new StudyCovariate("value", CovariateType.Numeric, [])],
            CovariateValues = values,
            Outcomes = [.. ids.Select((id, i) => (id, i)).Where(p => employed[p.i] is not null)
                .Select(p => new ReportOutcome(p.id, employed[p.i]!.Value, null, null, DateTimeOffset.UnixEpoch))],
        };
        var clusters = Enumerable.Range(1, k).Select(g => (IReadOnlyList<string>)ids.Where((_, i) => cluster[i] == g).ToArray()).ToArray();
        var section = ReportCovariates.ByClusters(input, clusters)!;

        var categorical = Assert.Single(section.Categorical);
        var counts = ReferenceFiles.IntMatrix(c.GetProperty("counts"));
        for (var r = 0; r < levels.Length; r++)
            for (var g = 0; g < k; g++)
                Assert.Equal(counts[r][g], categorical.Counts[r, g]);
        if (c.GetProperty("fisher_p").ValueKind == JsonValueKind.Null) Assert.Null(categorical.Fisher);
        else
        {
            Assert.True(categorical.Fisher!.IsExact);
            RAssert.Close(c.GetProperty("fisher_p").GetDouble(), categorical.Fisher.PValue, 1e-7, "fisher p");
        }

        var numeric = Assert.Single(section.Numeric);
        var n = ReferenceFiles.IntVector(c.GetProperty("n"));
        for (var g = 0; g < k; g++)
        {
            Assert.Equal(n[g], numeric.PerCluster[g].N);
            if (c.GetProperty("mean")[g].ValueKind != JsonValueKind.Null) RAssert.Close(c.GetProperty("mean")[g].GetDouble(), numeric.PerCluster[g].Mean, 1e-12, "mean");
            if (c.GetProperty("sd")[g].ValueKind != JsonValueKind.Null) RAssert.Close(c.GetProperty("sd")[g].GetDouble(), numeric.PerCluster[g].Sd, 1e-12, "sd");
        }

        var anova = numeric.Anova!;
        Assert.Equal((c.GetProperty("df1").GetInt32(), c.GetProperty("df2").GetInt32()), (anova.DfBetween, anova.DfWithin));
        RAssert.Close(c.GetProperty("f").GetDouble(), anova.F, 1e-10, "F");
        RAssert.Close(c.GetProperty("anova_p").GetDouble(), anova.PValue, 1e-10, "anova p");

        var rates = section.JobRates.ToArray();
        Assert.Equal(levels.Length, rates.Length);
        for (var l = 0; l < levels.Length; l++)
        {
            Assert.Equal((c.GetProperty("rate_x")[l].GetInt32(), c.GetProperty("rate_n")[l].GetInt32()), (rates[l].Employed, rates[l].Dyads));
            if (rates[l].Dyads == 0)
            {
                Assert.Null(rates[l].Interval);
                continue;
            }

            RAssert.Close(c.GetProperty("rate_lower")[l].GetDouble(), rates[l].Interval!.Lower, 1e-9, "lower");
            RAssert.Close(c.GetProperty("rate_upper")[l].GetDouble(), rates[l].Interval!.Upper, 1e-9, "upper");
        }
    }

    [Fact]
    public void Without_declared_covariates_there_is_no_section_and_an_anova_needs_two_groups_with_a_spread()
    {
        Assert.Null(ReportCovariates.ByClusters(new ReportInput { StudyId = "s", StudyName = "s", RunId = "r", GeneratedAt = DateTimeOffset.UnixEpoch }, [["d-1"], ["d-2"]]));
        Assert.Null(OneWayAnova.Of([[1.0, 2.0], []]));
        Assert.Null(OneWayAnova.Of([[1.0], [2.0]]));
    }
}
