using AlliancePipeline.Analytics.Clustering;
using AlliancePipeline.Analytics.Tests.Reference;

namespace AlliancePipeline.Analytics.Tests;

/// <summary>
/// Both production paths against the oracle, R's algorithm transcribed literally and run on every row
/// (<see cref="RHclust"/>): the duplicate-collapsing path with its matrix must agree bit for bit (ties included); R's
/// algorithm on centroids must make every decision as R (merge and order identical, heights R's or within rounding) and
/// say when it could not.
/// </summary>
public class WardPathTests
{
    /// <summary>R's algorithm with its matrix on the distinct rows, whatever their number.</summary>
    internal static readonly WardOptions Matrix = new() { ExactMaxDistinctRows = int.MaxValue };

    /// <summary>R's algorithm on centroids, whatever the number of distinct rows.</summary>
    internal static readonly WardOptions Centroids = new() { ExactMaxDistinctRows = 0 };

    /// <summary>The oracle on <paramref name="x"/>, or on R's <c>x - rowMeans(x)</c>.</summary>
    internal static RHclust.Tree Oracle(double[][] x, bool deviation = false) => RHclust.WardD2(deviation ? DeviationOf(x) : x);

    /// <summary>R's <c>x - rowMeans(x)</c>, as production forms it (<see cref="DeviationScores"/>, pinned against R apart).</summary>
    internal static double[][] DeviationOf(double[][] x)
    {
        var d = DeviationScores.Of(ScoreRows.From(x));
        return Enumerable.Range(0, d.Rows).Select(i => d.Values.AsSpan(i * d.Columns, d.Columns).ToArray()).ToArray();
    }
    internal static double[][] Likert(int seed, int n, int t, int levels)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => Enumerable.Range(0, t).Select(_ => (double)rng.Next(1, levels + 1)).ToArray()).ToArray();
    }

    internal static double[][] Continuous(int seed, int n, int t)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, n).Select(i => Enumerable.Range(0, t).Select(j => (i % 5) + j * (i % 3 - 1) * 0.3 + Gaussian(rng)).ToArray()).ToArray();
    }

    private static double Gaussian(Random rng) => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    private static void Identical(RHclust.Tree expected, Dendrogram actual)
    {
        Assert.Equal(expected.Merge, actual.Merge);
        Assert.Equal(expected.Order, actual.Order);
        for (int s = 0; s < expected.Heights.Count; s++)
            Assert.Equal(expected.Heights[s], actual.Heights[s]);
    }

    [Theory]
    [InlineData(1, 1500, 4, 5)]
    [InlineData(2, 1200, 3, 7)]
    [InlineData(3, 800, 2, 4)]
    [InlineData(4, 600, 4, 2)]
    public void Collapsing_duplicates_is_bit_for_bit_R_on_tied_data(int seed, int n, int t, int levels)
    {
        var x = Likert(seed, n, t, levels);
        var literal = Oracle(x);
        var grouped = WardClustering.Cluster(x, Matrix);
        Assert.True(grouped.DistinctRows < n);
        Identical(literal, grouped);
    }

    [Fact]
    public void Collapsing_duplicates_is_bit_for_bit_R_on_deviation_scores()
    {
        var x = Likert(9, 700, 4, 7);
        var literal = Oracle(x, deviation: true);
        var grouped = WardClustering.Cluster(x, Matrix with { Deviation = true });
        Identical(literal, grouped);
    }

    [Theory]
    [InlineData(11, 1500, 4)]
    [InlineData(12, 2000, 3)]
    public void Both_paths_equal_R_on_tie_free_data(int seed, int n, int t)
    {
        var x = Continuous(seed, n, t);
        var literal = Oracle(x);
        Identical(literal, WardClustering.Cluster(x, Matrix));
        var centroids = CentroidsDecideAsR(literal, x);
        for (int s = 0; s < n - 1; s++) RAssert.Close(literal.Heights[s], centroids.Heights[s], 1e-12, $"height {s + 1}");
    }

    /// <summary>R's algorithm on centroids, certified, with the oracle's merge and order.</summary>
    private static Dendrogram CentroidsDecideAsR(RHclust.Tree literal, double[][] x)
    {
        var centroids = WardClustering.Cluster(x, Centroids);
        Assert.Equal(WardPath.RNearestNeighborListOnCentroids, centroids.Path);
        Assert.Equal(literal.Merge, centroids.Merge);
        Assert.Equal(literal.Order, centroids.Order);
        return centroids;
    }

    [Fact]
    public void Rs_algorithm_on_centroids_reproduces_the_R_reference_without_ties()
    {
        var r = WardReference.Extra("ward_continuous_800x4.json");
        var centroids = WardClustering.Cluster(r.X, Centroids);
        Assert.Equal(WardPath.RNearestNeighborListOnCentroids, centroids.Path);
        RAssert.SameAsR(r, centroids);
    }

    [Fact]
    public void Both_paths_equal_R_with_duplicates_but_no_other_ties()
    {
        // Distinct rows are tie-free; every row appears 1 to 4 times: the zero-height phase is R's, the rest too.
        var distinct = Continuous(21, 300, 4);
        var rng = new Random(5);
        var x = Enumerable.Range(0, 700).Select(_ => distinct[rng.Next(distinct.Length)]).ToArray();
        var literal = Oracle(x);
        Identical(literal, WardClustering.Cluster(x, Matrix));
        CentroidsDecideAsR(literal, x);
    }

    [Theory]
    [InlineData(41)]
    [InlineData(42)]
    public void Both_paths_put_exactly_tied_merges_of_duplicated_rows_in_Rs_order(int seed)
    {
        // As below, but a third of the pairs have their first row twice or three times: the tied merges then join groups
        // of identical rows, whose R costs come out of R's zero-height phase.
        var rng = new Random(seed);
        var rows = new List<double[]>();
        for (int i = 0; i < 300; i++)
        {
            var b = Enumerable.Range(0, 4).Select(_ => rng.Next(0, 8 * 4096) / 4096.0).ToArray();
            int copies = i % 3 == 0 ? 1 + i % 2 + 1 : 1;
            for (int c = 0; c < copies; c++) rows.Add(b);
            rows.Add(new[] { b[0] + 1 / 256.0, b[1], b[2], b[3] });
        }
        var x = rows.OrderBy(_ => rng.Next()).ToArray();
        var literal = Oracle(x);
        var grouped = WardClustering.Cluster(x, Matrix);
        Assert.True(grouped.DistinctRows < x.Length);
        Identical(literal, grouped);
        CentroidsDecideAsR(literal, x);
    }

    [Theory]
    [InlineData(31)]
    [InlineData(32)]
    public void Both_paths_put_exactly_tied_merges_of_single_rows_in_Rs_order(int seed)
    {
        // 400 pairs of rows, every pair at exactly the same distance (dyadic coordinates, differences exact), rows shuffled:
        // the 400 tied merges must come in R's order (lower row first).
        var rng = new Random(seed);
        var rows = new List<double[]>();
        for (int i = 0; i < 400; i++)
        {
            var b = Enumerable.Range(0, 4).Select(_ => rng.Next(0, 8 * 4096) / 4096.0).ToArray();
            rows.Add(b);
            rows.Add(new[] { b[0] + 1 / 256.0, b[1], b[2], b[3] });
        }
        var x = rows.OrderBy(_ => rng.Next()).ToArray();
        var literal = Oracle(x);
        Identical(literal, WardClustering.Cluster(x, Matrix));
        CentroidsDecideAsR(literal, x);
    }

    [Fact]
    public void Above_ExactMaxDistinctRows_the_default_runs_Rs_algorithm_on_centroids_certified()
    {
        var r = WardReference.Shared("ward_integer_ties_120x3.json");
        var auto = WardClustering.Cluster(r.X, new WardOptions { ExactMaxDistinctRows = 10 });
        Assert.Equal(WardPath.RNearestNeighborListOnCentroids, auto.Path);
        Assert.True(auto.CertifiedEqualToR);
        Assert.Equal(0, auto.UndecidedComparisons);
        RAssert.SameAsR(r, auto);
        Assert.Equal(WardPath.RNearestNeighborList, WardClustering.Cluster(r.X).Path);
    }

    internal static double[][] WaiGrid(int seed, int n, double sd)
    {
        // Issue #11's kind: four trajectory shapes, noise per meeting, means of 12 items (multiples of 1/12) in 1..7.
        double[][] shapes = [[6.6, 6.6, 6.6, 6.6], [5.1, 5.1, 5.1, 5.1], [6.5, 6.2, 5.9, 5.6], [5.0, 5.5, 6.0, 6.5]];
        var rng = new Random(seed);
        return Enumerable.Range(0, n).Select(_ =>
        {
            var s = shapes[rng.Next(shapes.Length)];
            return s.Select(c => Math.Clamp(Math.Round((c + sd * Gaussian(rng)) * 12) / 12, 1, 7)).ToArray();
        }).ToArray();
    }

    public static TheoryData<string, int, bool> TiedCases() => new()
    {
        { "likert5 900x4", 51, false },
        { "likert7 1200x3", 52, false },
        { "likert3 500x2", 53, false },
        { "likert2 600x4", 54, false },
        { "likert7 700x4 deviation", 55, true },
        { "grid 2500x4", 56, false },
        { "grid 2000x4 deviation", 57, true },
        { "grid tight 2500x4", 58, false },
        { "lattice 7^4 shuffled", 59, false },
    };

    private static double[][] TiedData(string name, int seed) => name.Split(' ')[0] switch
    {
        "likert5" => Likert(seed, 900, 4, 5),
        "likert7" => name.Contains("1200") ? Likert(seed, 1200, 3, 7) : Likert(seed, 700, 4, 7),
        "likert3" => Likert(seed, 500, 2, 3),
        "likert2" => Likert(seed, 600, 4, 2),
        "grid" => name.Contains("tight") ? WaiGrid(seed, 2500, 0.25) : WaiGrid(seed, name.Contains("2500") ? 2500 : 2000, 0.4),
        // Every point of {1..7}^4 once: symmetric ties at every level, between large clusters too.
        "lattice" => Shuffled(Enumerable.Range(0, 2401).Select(i => new double[] { 1 + i % 7, 1 + i / 7 % 7, 1 + i / 49 % 7, 1 + i / 343 }), seed),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    private static double[][] Shuffled(IEnumerable<double[]> rows, int seed)
    {
        var rng = new Random(seed);
        return rows.OrderBy(_ => rng.Next()).ToArray();
    }

    [Theory]
    [MemberData(nameof(TiedCases))]
    public void Rs_algorithm_on_centroids_makes_every_tied_decision_as_R(string name, int seed, bool deviation)
    {
        var x = TiedData(name, seed);
        var literal = Oracle(x, deviation);
        var centroids = WardClustering.Cluster(x, Centroids with { Deviation = deviation });
        Assert.Equal(WardPath.RNearestNeighborListOnCentroids, centroids.Path);
        Assert.Equal(literal.Merge, centroids.Merge);
        Assert.Equal(literal.Order, centroids.Order);
        for (int s = 0; s < literal.Heights.Count; s++) RAssert.Close(literal.Heights[s], centroids.Heights[s], 1e-12, $"{name} height {s + 1}");
    }

    [Fact]
    public void Rs_algorithm_on_centroids_replays_R_heights_where_centroids_cancel()
    {
        // Scores far from the origin compared with their spread: centroid differences lose digits, so the heights are
        // R's replayed values (exact zeros for identical rows, full precision for the rest), not the centroid costs.
        var rng = new Random(61);
        var x = Enumerable.Range(0, 700).Select(_ => Enumerable.Range(0, 3).Select(_ => 1e6 * rng.Next(0, 3) + rng.Next(0, 3)).ToArray()).ToArray();
        var literal = Oracle(x);
        var centroids = WardClustering.Cluster(x, Centroids);
        Assert.Equal(literal.Merge, centroids.Merge);
        Assert.Equal(literal.Order, centroids.Order);
        for (int s = 0; s < literal.Heights.Count; s++) RAssert.Close(literal.Heights[s], centroids.Heights[s], 1e-12, $"height {s + 1}");
        Assert.Equal(literal.Heights.Count(h => h == 0), centroids.Heights.Count(h => h == 0));
    }

    [Fact]
    public void Comparisons_R_values_could_not_settle_are_counted_and_the_tree_is_marked_not_certified()
    {
        // No replay budget: ties between clusters cannot be settled with R's values, so they are decided on centroid
        // costs and the tree says it is not certified; it is still a Ward tree (monotone heights, every row once).
        var x = WaiGrid(62, 1500, 0.4);
        var d = WardClustering.Cluster(x, Centroids with { ReplayBudget = 0 });
        Assert.Equal(WardPath.RNearestNeighborListOnCentroidsUncertified, d.Path);
        Assert.False(d.CertifiedEqualToR);
        Assert.True(d.UndecidedComparisons > 0);
        for (int s = 1; s < d.Heights.Count; s++) Assert.True(d.Heights[s] >= d.Heights[s - 1] * (1 - 1e-12), $"height {s + 1}");
        Assert.Equal(Enumerable.Range(1, x.Length), d.Order.Order());
    }
}

/// <summary>
/// Above 4,096 units the Lance–Williams updates of the matrix path run in parallel chunks, and the centroid path finds
/// its initial neighbours in parallel: still bit for bit R's order.
/// </summary>
public class WardLargePathTests
{
    [Fact]
    public void Parallel_updates_on_a_large_tied_grid_equal_the_oracle()
    {
        var rng = new Random(77);
        var x = Enumerable.Range(0, 4400).Select(_ =>
        {
            double level = 5 + rng.Next(-6, 7) / 6.0;
            return Enumerable.Range(0, 4).Select(_ => Math.Round((level + rng.Next(-4, 5) / 12.0) * 12) / 12).ToArray();
        }).ToArray();
        var literal = WardPathTests.Oracle(x);
        var grouped = WardClustering.Cluster(x, WardPathTests.Matrix);
        var centroids = WardClustering.Cluster(x, WardPathTests.Centroids);
        Assert.True(grouped.DistinctRows > 4096 || x.Length > 4096);
        Assert.Equal(literal.Merge, grouped.Merge);
        Assert.Equal(literal.Order, grouped.Order);
        Assert.Equal(literal.Heights, grouped.Heights);
        Assert.Equal(literal.Merge, centroids.Merge);
        Assert.Equal(literal.Order, centroids.Order);
    }
}
