using AlliancePipeline.Analytics.Analysis;
using AlliancePipeline.Analytics.Patterns;
using AlliancePipeline.Analytics.Tests.Reference;

namespace AlliancePipeline.Analytics.Tests;

/// <summary>What a researcher reads: shape names only for real changes, names that tell clusters apart, plain warnings.</summary>
public class NamingAndWarningTests
{
    private static TrajectoryMatrix Matrix(params double[][] rows) =>
        new(Enumerable.Range(1, rows.Length).Select(i => $"D{i:00}").ToArray(), rows);

    [Fact]
    public void Clusters_sharing_a_code_get_labels_that_tell_them_apart()
    {
        var high = PatternNamer.Name(new[] { 6.0, 6.4, 6.8 }, 5.0);
        var low = PatternNamer.Name(new[] { 4.0, 4.5, 5.0 }, 5.0);
        var flat = PatternNamer.Name(new[] { 6.5, 6.5, 6.5 }, 5.0);
        var steep = PatternNamer.Name(new[] { 3.7, 4.5, 5.3 }, 5.0);
        Assert.Equal(new[] { "LIA, level 6.4", "SHA", "LIA, level 4.5" }, PatternNamer.Labels([high, flat, low]));
        // Same level to one decimal: the change tells them apart.
        Assert.Equal(new[] { "LIA, change +1.0", "LIA, change +1.6" }, PatternNamer.Labels([low, steep]));
        // Identical shapes: the cluster numbers.
        Assert.Equal(new[] { "LIA, cluster 2", "LIA, cluster 5" }, PatternNamer.Labels([low, low], [2, 5]));
    }

    [Fact]
    public void Every_cluster_label_of_an_analysis_is_unique()
    {
        var r = WardReference.Extra("ward_wai_grid_2000x4.json");
        var t = new TrajectoryMatrix(Enumerable.Range(1, r.X.Length).Select(i => $"D{i}").ToArray(), r.X);
        foreach (bool deviation in new[] { false, true })
        {
            var result = TrajectoryAnalysis.Run(t, new TrajectoryAnalysisOptions { Deviation = deviation, FixedK = 8 });
            Assert.Equal(8, result.Clusters.Select(c => c.Label).Distinct().Count());
            Assert.All(result.Clusters, c => Assert.StartsWith(c.Shape.Code, c.Label));
        }
    }

    [Fact]
    public void A_single_dyad_is_not_a_cluster_of_the_chosen_solution()
    {
        // 10 dyads: two groups and one dyad far from both. 10 % of 10 is one dyad, but a cluster needs two.
        var t = Matrix([6.5, 6.6, 6.7], [6.4, 6.5, 6.3], [6.6, 6.5, 6.6], [6.5, 6.4, 6.6], [5.0, 5.1, 5.2], [5.2, 5.0, 5.1],
            [5.1, 5.1, 5.0], [5.0, 5.2, 5.1], [6.4, 6.6, 6.5], [2.0, 4.0, 6.5]);
        var result = TrajectoryAnalysis.Run(t);
        Assert.All(result.Clusters, c => Assert.True(c.Descriptive.N >= 2, $"cluster {c.Cluster} has {c.Descriptive.N} dyad(s)"));
        Assert.DoesNotContain("1 dyads", result.Selection.Reason);
    }

    [Fact]
    public void A_small_sample_for_the_chosen_k_is_said_plainly()
    {
        var small = TrajectoryAnalysis.Run(Matrix(WardReference.Shared("ward_paper_like_18x3.json").X));
        Assert.Contains(small.Warnings, w => w.StartsWith("Only 18 dyads for 3 clusters (fewer than 10 per cluster)"));
        var large = TrajectoryAnalysis.Run(Matrix(WardReference.Extra("ward_paper_like_60x3.json").X));
        Assert.Empty(large.Warnings);
    }

    [Fact]
    public void A_fixed_single_dyad_cluster_is_called_an_outlier()
    {
        var t = Matrix([6.5, 6.6, 6.7], [6.4, 6.5, 6.3], [5.0, 5.1, 5.2], [5.2, 5.0, 5.1], [2.0, 4.0, 6.5]);
        var result = TrajectoryAnalysis.Run(t, new TrajectoryAnalysisOptions { FixedK = 3 });
        Assert.Contains(result.Warnings, w => w.Contains("a single dyad: an outlier rather than a pattern"));
    }

    [Fact]
    public void A_tree_not_certified_equal_to_R_is_said_in_the_result()
    {
        var x = WardPathTests.WaiGrid(71, 1200, 0.4);
        var t = new TrajectoryMatrix(Enumerable.Range(1, x.Length).Select(i => $"D{i}").ToArray(), x);
        var result = TrajectoryAnalysis.Run(t, new TrajectoryAnalysisOptions
        {
            Ward = WardPathTests.Centroids with { ReplayBudget = 0 },
        });
        Assert.False(result.Dendrogram.CertifiedEqualToR);
        Assert.Contains(result.Warnings, w => w.StartsWith("The tree is a correct Ward tree but not certified equal to R's"));
    }

    [Theory]
    [InlineData(20, "k = 20 asks for more clusters than there are dyads to cluster (5): choose k between 2 and 5.")]
    [InlineData(1, "k = 1 is not a clustering: choose k between 2 and the number of dyads clustered (5).")]
    public void A_fixed_k_out_of_range_is_refused_in_plain_words(int k, string message)
    {
        var t = Matrix([6.5, 6.6, 6.7], [6.4, 6.5, 6.3], [5.0, 5.1, 5.2], [5.2, 5.0, 5.1], [2.0, 4.0, 6.5]);
        var ex = Assert.Throws<ArgumentException>(() => TrajectoryAnalysis.Run(t, new TrajectoryAnalysisOptions { FixedK = k }));
        Assert.Equal(message, ex.Message);
    }
}
