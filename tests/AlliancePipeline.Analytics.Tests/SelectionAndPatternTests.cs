using AlliancePipeline.Analytics.Analysis;
using AlliancePipeline.Analytics.Clustering;
using AlliancePipeline.Analytics.Patterns;
using AlliancePipeline.Analytics.Statistics;
using AlliancePipeline.Analytics.Tests.Reference;

namespace AlliancePipeline.Analytics.Tests;

public class SelectionAndPatternTests
{
    public static TheoryData<string> ExtraWard() =>
        new(Directory.GetFiles(ReferenceFiles.ExtraDir, "ward_*.json").Select(f => Path.GetFileName(f)!).Order());

    [Theory]
    [MemberData(nameof(ExtraWard))]
    public void Coefficient_CH_and_silhouette_equal_R(string file)
    {
        using var doc = ReferenceFiles.Extra(file);
        var root = doc.RootElement;
        var x = ReferenceFiles.Matrix(root.GetProperty("X"));
        bool deviation = root.GetProperty("deviation").GetBoolean();
        var result = TrajectoryAnalysis.Run(new TrajectoryMatrix(Enumerable.Range(1, x.Length).Select(i => $"D{i}").ToArray(), x),
            new TrajectoryAnalysisOptions { Deviation = deviation });
        var schedule = result.Schedule;
        var coefficient = ReferenceFiles.Vector(root.GetProperty("coefficient"));
        for (int s = 0; s < coefficient.Length; s++) RAssert.Close(coefficient[s], schedule[s].Coefficient, 1e-9, $"coefficient {s + 1}");
        var selection = result.Selection;
        foreach (var row in ReferenceFiles.Matrix(root.GetProperty("k_ch_silhouette")))
        {
            var c = selection.Candidates.Single(c => c.K == (int)row[0]);
            RAssert.Close(row[1], c.CalinskiHarabasz, 1e-9, $"CH k={c.K}");
            RAssert.Close(row[2], c.MeanSilhouette, 1e-9, $"silhouette k={c.K}");
        }
    }

    private static TrajectoryMatrix Trajectories(WardReference r) =>
        new(Enumerable.Range(1, r.X.Length).Select(i => $"D{i:000}").ToArray(), r.X);

    [Fact]
    public void Paper_like_data_chooses_three_clusters_named_SHA_SLA_LDA_with_Rs_cutree_sizes()
    {
        var r = WardReference.Shared("ward_paper_like_18x3.json");
        var result = TrajectoryAnalysis.Run(Trajectories(r));
        Assert.Equal(3, result.Selection.K);
        Assert.Equal(ClusterCountRule.CoefficientJump, result.Selection.Rule);
        Assert.Equal("k = 3: the agglomeration coefficient jumps most (+125.4 %) when 3 clusters are merged into 2 (among solutions of 3 to 8 clusters), and every cluster holds at least 10 % of dyads and at least 2 dyads (smallest 3 dyads, 16.7 %).", result.Selection.Reason);
        var rCut = r.CutTree[3 - 2];
        Assert.Equal(rCut, result.ClusteredDyadIds.Select(id => result.Assignments[id]).ToArray());
        var sizes = rCut.GroupBy(l => l).ToDictionary(g => g.Key, g => g.Count());
        var byCode = result.Clusters.ToDictionary(c => c.Shape.Code);
        Assert.Equal(new[] { "LDA", "SHA", "SLA" }, byCode.Keys.Order());
        foreach (var c in result.Clusters) Assert.Equal(sizes[c.Cluster], c.Descriptive.N);
        // The stable-high cluster has the highest level, the stable-low the lowest (paper: 6.64, 5.09, 6.07).
        Assert.True(byCode["SHA"].Shape.Level > byCode["LDA"].Shape.Level && byCode["LDA"].Shape.Level > byCode["SLA"].Shape.Level);
    }

    [Fact]
    public void Unseen_paper_like_data_is_named_SHA_SLA_LDA_with_Rs_cutree_sizes_at_k_3()
    {
        // RData/ward_paper_like_60x3.json: 60 dyads drawn around the three published patterns, R's cutree for k = 2..6.
        var r = WardReference.Extra("ward_paper_like_60x3.json");
        var result = TrajectoryAnalysis.Run(Trajectories(r));
        Assert.Equal(3, result.Selection.K);
        var rCut = r.CutTree[3 - 2];
        Assert.Equal(rCut, result.ClusteredDyadIds.Select(id => result.Assignments[id]).ToArray());
        Assert.Equal(new[] { "LDA", "SHA", "SLA" }, result.Clusters.Select(c => c.Shape.Code).Order());
        foreach (var c in result.Clusters) Assert.Equal(rCut.Count(l => l == c.Cluster), c.Descriptive.N);
    }

    [Fact]
    public void With_the_published_spread_the_relative_rule_gives_4_clusters_and_the_absolute_rule_3_as_R()
    {
        // RData/ward_paper_spread_18x3.json (make_k_rule_reference.R): R's tree and both rules' k, written by R.
        using var doc = ReferenceFiles.Extra("ward_paper_spread_18x3.json");
        var r = WardReference.From(doc, "ward_paper_spread_18x3.json");
        int kRelative = doc.RootElement.GetProperty("k_relative").GetInt32(), kAbsolute = doc.RootElement.GetProperty("k_absolute").GetInt32();
        Assert.Equal((4, 3), (kRelative, kAbsolute));
        var relative = TrajectoryAnalysis.Run(Trajectories(r));
        var absolute = TrajectoryAnalysis.Run(Trajectories(r), new TrajectoryAnalysisOptions { Rule = ClusterCountCriterion.Absolute });
        Assert.Equal((kRelative, ClusterCountRule.CoefficientJump), (relative.Selection.K, relative.Selection.Rule));
        Assert.Equal((kAbsolute, ClusterCountRule.CoefficientIncrease), (absolute.Selection.K, absolute.Selection.Rule));
        Assert.Equal(r.CutTree[kRelative - 2], relative.ClusteredDyadIds.Select(id => relative.Assignments[id]).ToArray());
        Assert.Equal(r.CutTree[kAbsolute - 2], absolute.ClusteredDyadIds.Select(id => absolute.Assignments[id]).ToArray());
        // The paper's three patterns at k = 3: the decreasing cluster's mean falls by exactly 0.5 (6.361 → 5.861, on the
        // 1/36 grid), MinChange, which the least-squares sums give as 0.4999999999999991: still LDA.
        Assert.Equal([("SHA", 5), ("SLA", 10), ("LDA", 3)], absolute.Clusters.Select(c => (c.Label, c.Descriptive.N)));
        var decrease = absolute.Clusters.Single(c => c.Shape.Code == "LDA").Shape;
        Assert.Equal(-0.5, decrease.Change, 1e-12);
        Assert.StartsWith("k = 3: the agglomeration coefficient increases most (by ", absolute.Selection.Reason);
        Assert.Contains("when 3 clusters are merged into 2 (the largest absolute increase among solutions of 3 to 8 clusters)", absolute.Selection.Reason);
        // The increase is the difference of R's coefficients (cumsum(height^2 / 2)).
        var coefficient = ReferenceFiles.Vector(doc.RootElement.GetProperty("coefficient"));
        int n = r.X.Length;
        foreach (var c in absolute.Selection.Candidates)
            RAssert.Close(coefficient[n - c.K] - coefficient[n - c.K - 1], c.Increase, 1e-9, $"increase k={c.K}");
        // The report's table of k under both rules: each selection gives R's k of either rule, also beside a fixed k.
        var fixedK = TrajectoryAnalysis.Run(Trajectories(r), new TrajectoryAnalysisOptions { FixedK = 5 });
        foreach (var selection in new[] { relative.Selection, absolute.Selection, fixedK.Selection })
            Assert.Equal((kRelative, kAbsolute), (selection.KBy(ClusterCountCriterion.Relative), selection.KBy(ClusterCountCriterion.Absolute)));
    }

    [Fact]
    public void The_k_range_bounds_the_absolute_rule()
    {
        using var doc = ReferenceFiles.Extra("ward_paper_spread_18x3.json");
        var r = WardReference.From(doc, "ward_paper_spread_18x3.json");
        var result = TrajectoryAnalysis.Run(Trajectories(r), new TrajectoryAnalysisOptions { Rule = ClusterCountCriterion.Absolute, MinK = 4, MaxK = 6 });
        Assert.Equal(4, result.Selection.K);
        Assert.Equal(new[] { 4, 5, 6 }, result.Selection.Candidates.Select(c => c.K));
        Assert.Contains("among solutions of 4 to 6 clusters", result.Selection.Reason);
    }

    [Fact]
    public void A_fixed_k_overrides_the_rule_and_says_so()
    {
        var r = WardReference.Shared("ward_paper_like_18x3.json");
        var result = TrajectoryAnalysis.Run(Trajectories(r), new TrajectoryAnalysisOptions { FixedK = 5 });
        Assert.Equal(5, result.Selection.K);
        Assert.Equal(ClusterCountRule.Fixed, result.Selection.Rule);
        Assert.Equal("k = 5 was fixed by the study.", result.Selection.Reason);
        Assert.Equal(r.CutTree[5 - 2], result.ClusteredDyadIds.Select(id => result.Assignments[id]).ToArray());
    }

    [Fact]
    public void The_share_rule_rejects_solutions_with_a_small_cluster()
    {
        // 20 dyads in two tight groups plus one outlier: k = 3 isolates the outlier (5 %), k = 2 keeps it in a group.
        var rows = Enumerable.Range(0, 10).Select(i => new[] { 6.5 + i * 0.01, 6.5, 6.6 })
            .Concat(Enumerable.Range(0, 9).Select(i => new[] { 4.0 + i * 0.01, 4.1, 4.0 }))
            .Append(new[] { 1.0, 7.0, 1.0 }).ToArray();
        var ids = Enumerable.Range(1, rows.Length).Select(i => $"d{i}").ToArray();
        var result = TrajectoryAnalysis.Run(new TrajectoryMatrix(ids, rows));
        Assert.True(result.Selection.Candidates.Single(c => c.K == 3).SmallestClusterSize == 1);
        Assert.All(result.Selection.Candidates.Where(c => c.Admissible), c => Assert.True(c.SmallestClusterShare >= 0.10));
        Assert.True(result.Selection.Candidates.Single(c => c.K == result.Selection.K).Admissible);
        Assert.Equal(2, result.Selection.K);
    }

    [Fact]
    public void Incomplete_dyads_are_reported_not_clustered()
    {
        var r = WardReference.Shared("ward_paper_like_18x3.json");
        var rows = r.X.Select(x => (IReadOnlyList<double>)x).Append(new[] { 6.0, double.NaN, 5.0 }).ToArray();
        var ids = Enumerable.Range(1, rows.Length).Select(i => $"D{i:000}").ToArray();
        var result = TrajectoryAnalysis.Run(new TrajectoryMatrix(ids, rows));
        Assert.Equal(new[] { "D019" }, result.IncompleteDyadIds);
        Assert.Contains("1 dyad has a meeting missing and is not clustered: D019.", result.Warnings);
        Assert.Equal(18, result.Assignments.Count);
        RAssert.SameAsR(r, result.Dendrogram);
    }

    [Theory]
    [InlineData(new[] { 6.0, 6.05, 6.0, 6.02 }, "SHA")]
    [InlineData(new[] { 4.0, 4.05, 4.0, 4.02 }, "SLA")]
    [InlineData(new[] { 6.5, 6.2, 5.9, 5.6 }, "LDA")]
    [InlineData(new[] { 4.5, 5.0, 5.5, 6.0 }, "LIA")]
    [InlineData(new[] { 6.0, 5.0, 5.0, 6.0 }, "U")]
    [InlineData(new[] { 5.0, 6.0, 6.0, 5.0 }, "InvU")]
    [InlineData(new[] { 6.0, 5.2, 6.0 }, "U")]
    [InlineData(new[] { 6.0, 6.3, 6.0 }, "SHA")]       // a 0.3-point wobble is not an inverted U
    [InlineData(new[] { 6.0, 6.6, 6.0 }, "InvU")]      // a 0.6-point rise and fall is
    [InlineData(new[] { 6.0, 6.2, 6.4 }, "SHA")]       // 0.4 over three meetings is not a trend
    [InlineData(new[] { 6.0, 6.25, 6.5 }, "LIA")]      // 0.5 is (the threshold itself)
    [InlineData(new[] { 6.5, 6.3, 6.1, 5.9 }, "LDA")]  // 0.6 over four meetings
    [InlineData(new[] { 4.5, 4.6, 4.5, 4.6 }, "SLA")]
    public void Shapes_are_named_by_level_and_by_changes_of_at_least_half_a_point(double[] centroid, string code)
    {
        Assert.Equal(code, PatternNamer.Name(centroid, highLevel: 5.0).Code);
    }

    [Fact]
    public void Slope_and_curvature_are_the_least_squares_terms_and_change_and_bend_are_in_score_points()
    {
        // y = 5 + 0.3 (t − 2.5) + 0.2 ((t − 2.5)² − 1.25), t = 1..4: by hand y = 4.8, 4.7, 5.0, 5.7; the change is 0.3 × 3,
        // the bend 0.2 × (1 − (−1)).
        var s = PatternNamer.Name(new[] { 4.8, 4.7, 5.0, 5.7 }, 5.0);
        Assert.Equal(5.05, s.Level, 12);
        Assert.Equal(0.3, s.Slope, 12);
        Assert.Equal(0.2, s.Curvature, 12);
        Assert.Equal(0.9, s.Change, 12);
        Assert.Equal(0.4, s.Bend, 12);
        Assert.Equal(AlliancePattern.LinearIncrease, s.Pattern);
    }

    [Fact]
    public void Descriptives_are_n_share_mean_and_sd_per_meeting_and_overall()
    {
        var scores = new[] { new[] { 1.0, 2.0 }, new[] { 3.0, 4.0 }, new[] { 5.0, 9.0 } };
        var d = ClusterDescriptive.Of(scores, new[] { 1, 1, 2 });
        Assert.Equal(2, d[0].N);
        Assert.Equal(2.0 / 3, d[0].Share, 12);
        Assert.Equal(2.0, d[0].PerMeeting[0].Mean, 12);
        Assert.Equal(Math.Sqrt(2), d[0].PerMeeting[0].Sd, 12); // sd(c(1, 3))
        Assert.Equal(2.5, d[0].Overall.Mean, 12);               // dyad means 1.5 and 3.5
        Assert.Equal(Math.Sqrt(2), d[0].Overall.Sd, 12);
        Assert.True(double.IsNaN(d[1].PerMeeting[0].Sd));
    }
}
