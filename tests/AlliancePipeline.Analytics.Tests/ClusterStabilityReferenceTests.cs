using System.Text.Json;
using AlliancePipeline.Analytics.Clustering;
using AlliancePipeline.Analytics.Statistics;
using AlliancePipeline.Analytics.Tests.Reference;

namespace AlliancePipeline.Analytics.Tests;

/// <summary>
/// Bootstrap stability of Ward clusters against R 4.2.2 with fpc 2.2.10 (RData/make_stability_reference.R →
/// cluster_stability.json): <c>clusterboot(Y, B = 100, bootmethod = "boot", clustermethod = hclustCBI, method = "ward.D2",
/// k, scaling = FALSE, seed)</c> on six cases (60 paper-like dyads, the 18-dyad spread at k = 3 and 4, tied 5-point Likert
/// rows, 7-point and 1/12-grid deviation scores). R's resamples come from the seed, so the draws, every Jaccard and the
/// means are compared.
/// </summary>
public class ClusterStabilityReferenceTests
{
    public static TheoryData<int> Cases()
    {
        using var doc = ReferenceFiles.Extra("cluster_stability.json");
        var data = new TheoryData<int>();
        for (int i = 0; i < doc.RootElement.GetProperty("cases").GetArrayLength(); i++) data.Add(i);
        return data;
    }

    private sealed record Case(string Name, double[][] X, int K, bool Deviation, int Seed, int B, JsonElement Json);

    private static Case Load(int index)
    {
        using var doc = ReferenceFiles.Extra("cluster_stability.json");
        var c = doc.RootElement.GetProperty("cases")[index].Clone();
        using var data = ReferenceFiles.Extra(c.GetProperty("file").GetString()!);
        return new Case(c.GetProperty("name").GetString()!, ReferenceFiles.Matrix(data.RootElement.GetProperty("X")), c.GetProperty("k").GetInt32(),
            c.GetProperty("deviation").GetBoolean(), c.GetProperty("seed").GetInt32(), c.GetProperty("B").GetInt32(), c);
    }

    private static (int[] Partition, WardOptions Ward) Solution(Case c)
    {
        var ward = WardOptions.Default with { Deviation = c.Deviation };
        return (WardClustering.Cluster(c.X, ward).CutTree(c.K), ward);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Seeded_resamples_are_Rs_sample_draws(int index)
    {
        var c = Load(index);
        var uniform = new RUniform(c.Seed);
        var expected = ReferenceFiles.IntMatrix(c.Json.GetProperty("draws"));
        for (int b = 0; b < c.B; b++) Assert.Equal(expected[b], ClusterStability.Resample(uniform, c.X.Length));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Seeded_bootstrap_equals_clusterboot(int index)
    {
        var c = Load(index);
        var (partition, ward) = Solution(c);
        Assert.Equal(ReferenceFiles.IntVector(c.Json.GetProperty("partition")), partition);
        var result = ClusterStability.Bootstrap(c.X, partition, ward, c.B, c.Seed);
        Check(c, result);
        Assert.Equal(c.Seed, result.Seed);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Bootstrap_over_Rs_resamples_equals_clusterboot(int index)
    {
        var c = Load(index);
        var (partition, ward) = Solution(c);
        var result = ClusterStability.Bootstrap(c.X, partition, ward, ReferenceFiles.IntMatrix(c.Json.GetProperty("draws")));
        Check(c, result);
        Assert.Null(result.Seed);
    }

    private static void Check(Case c, ClusterStabilityResult result)
    {
        var jaccard = ReferenceFiles.Matrix(c.Json.GetProperty("bootresult"));
        Assert.Equal(c.K, result.K);
        Assert.Equal(c.B, result.Resamples);
        Assert.Equal(0, result.TooSmall);
        for (int j = 0; j < c.K; j++)
            for (int b = 0; b < c.B; b++)
                RAssert.Close(jaccard[j][b], result.Jaccard[j, b], 1e-15, $"{c.Name}: Jaccard of cluster {j + 1} in resample {b + 1}");
        var mean = ReferenceFiles.Vector(c.Json.GetProperty("bootmean"));
        for (int j = 0; j < c.K; j++) RAssert.Close(mean[j], result.Clusters[j].MeanJaccard, 1e-12, $"{c.Name}: mean Jaccard of cluster {j + 1}");
        Assert.Equal(ReferenceFiles.IntVector(c.Json.GetProperty("bootbrd")), result.Clusters.Select(x => x.Dissolved));
        Assert.Equal(ReferenceFiles.IntVector(c.Json.GetProperty("bootrecover")), result.Clusters.Select(x => x.Recovered));
    }

    [Fact]
    public void Readings_follow_Hennig()
    {
        Assert.Equal("not to be trusted", new ClusterStabilityRow(1, 0.59, 0, 0).Reading);
        Assert.Equal("a pattern, membership doubtful", new ClusterStabilityRow(1, 0.6, 0, 0).Reading);
        Assert.Equal("stable", new ClusterStabilityRow(1, 0.75, 0, 0).Reading);
        Assert.Equal("highly stable", new ClusterStabilityRow(1, 0.85, 0, 0).Reading);
    }

    [Fact]
    public void A_resample_with_fewer_dyads_than_clusters_counts_as_dissolved()
    {
        double[][] x = [[1, 1], [1, 2], [5, 5], [6, 5]];
        var result = ClusterStability.Bootstrap(x, [1, 1, 2, 2], WardOptions.Default, [[1, 1, 1, 1], [1, 2, 3, 4]]);
        Assert.Equal(1, result.TooSmall);
        Assert.All(result.Clusters, r => Assert.Equal(0.5, r.MeanJaccard));
    }
}
