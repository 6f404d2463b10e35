using AlliancePipeline.Analytics.Clustering;
using AlliancePipeline.Analytics.Tests.Reference;

namespace AlliancePipeline.Analytics.Tests;

/// <summary>
/// The fast paths against R's algorithm run literally on every row: the duplicate-collapsing path must agree bit for bit
/// (ties included); the nearest-neighbour chain must agree whenever it certifies itself, and must refuse to certify
/// tie-heavy data, where Auto then falls back to R's algorithm.
/// </summary>
public class WardPathTests
{
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

    private static void Identical(Dendrogram expected, Dendrogram actual)
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
        var literal = WardClustering.Cluster(x, new WardOptions { Algorithm = WardAlgorithm.RLiteral });
        var grouped = WardClustering.Cluster(x, new WardOptions { Algorithm = WardAlgorithm.RNearestNeighborList });
        Assert.True(grouped.DistinctRows < n);
        Identical(literal, grouped);
    }

    [Fact]
    public void Collapsing_duplicates_is_bit_for_bit_R_on_deviation_scores()
    {
        var x = Likert(9, 700, 4, 7);
        var literal = WardClustering.Cluster(x, new WardOptions { Algorithm = WardAlgorithm.RLiteral, Deviation = true });
        var grouped = WardClustering.Cluster(x, new WardOptions { Algorithm = WardAlgorithm.RNearestNeighborList, Deviation = true });
        Identical(literal, grouped);
    }

    [Theory]
    [InlineData(11, 1500, 4)]
    [InlineData(12, 2000, 3)]
    public void Chain_certifies_tie_free_data_and_equals_R(int seed, int n, int t)
    {
        var x = Continuous(seed, n, t);
        var literal = WardClustering.Cluster(x, new WardOptions { Algorithm = WardAlgorithm.RLiteral });
        var chain = WardClustering.Cluster(x, new WardOptions { Algorithm = WardAlgorithm.NearestNeighborChain });
        Assert.Equal(WardPath.NearestNeighborChain, chain.Path);
        Assert.Equal(literal.Merge, chain.Merge);
        Assert.Equal(literal.Order, chain.Order);
        for (int s = 0; s < n - 1; s++) RAssert.Close(literal.Heights[s], chain.Heights[s], 1e-12, $"height {s + 1}");
    }

    [Fact]
    public void Chain_certifies_the_R_reference_without_ties()
    {
        var r = WardReference.Extra("ward_continuous_800x4.json");
        var chain = WardClustering.Cluster(r.X, new WardOptions { Algorithm = WardAlgorithm.NearestNeighborChain });
        Assert.Equal(WardPath.NearestNeighborChain, chain.Path);
        RAssert.SameAsR(r, chain);
    }

    [Fact]
    public void Chain_with_duplicates_but_no_other_ties_equals_R()
    {
        // Distinct rows are tie-free; every row appears 1 to 4 times: the zero-height phase is R's, the rest certified.
        var distinct = Continuous(21, 300, 4);
        var rng = new Random(5);
        var x = Enumerable.Range(0, 700).Select(_ => distinct[rng.Next(distinct.Length)]).ToArray();
        var literal = WardClustering.Cluster(x, new WardOptions { Algorithm = WardAlgorithm.RLiteral });
        var chain = WardClustering.Cluster(x, new WardOptions { Algorithm = WardAlgorithm.NearestNeighborChain });
        Assert.Equal(WardPath.NearestNeighborChain, chain.Path);
        Assert.Equal(literal.Merge, chain.Merge);
        Assert.Equal(literal.Order, chain.Order);
    }

    [Theory]
    [InlineData(41)]
    [InlineData(42)]
    public void Chain_puts_exactly_tied_merges_of_duplicated_rows_in_Rs_order(int seed)
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
        var literal = WardClustering.Cluster(x, new WardOptions { Algorithm = WardAlgorithm.RLiteral });
        var chain = WardClustering.Cluster(x, new WardOptions { Algorithm = WardAlgorithm.NearestNeighborChain });
        Assert.True(chain.DistinctRows < x.Length);
        Assert.Equal(WardPath.NearestNeighborChain, chain.Path);
        Assert.Equal(literal.Merge, chain.Merge);
        Assert.Equal(literal.Order, chain.Order);
    }

    [Theory]
    [InlineData(31)]
    [InlineData(32)]
    public void Chain_puts_exactly_tied_merges_of_single_rows_in_Rs_order(int seed)
    {
        // 400 pairs of rows, every pair at exactly the same distance (dyadic coordinates, differences exact), rows shuffled:
        // the chain must order the 400 tied merges as R does (lower row first) and still certify.
        var rng = new Random(seed);
        var rows = new List<double[]>();
        for (int i = 0; i < 400; i++)
        {
            var b = Enumerable.Range(0, 4).Select(_ => rng.Next(0, 8 * 4096) / 4096.0).ToArray();
            rows.Add(b);
            rows.Add(new[] { b[0] + 1 / 256.0, b[1], b[2], b[3] });
        }
        var x = rows.OrderBy(_ => rng.Next()).ToArray();
        var literal = WardClustering.Cluster(x, new WardOptions { Algorithm = WardAlgorithm.RLiteral });
        var chain = WardClustering.Cluster(x, new WardOptions { Algorithm = WardAlgorithm.NearestNeighborChain });
        Assert.Equal(WardPath.NearestNeighborChain, chain.Path);
        Assert.Equal(literal.Merge, chain.Merge);
        Assert.Equal(literal.Order, chain.Order);
    }

    [Fact]
    public void Chain_refuses_to_certify_ties_and_Auto_falls_back_to_R()
    {
        var r = WardReference.Shared("ward_integer_ties_120x3.json");
        var chain = WardClustering.Cluster(r.X, new WardOptions { Algorithm = WardAlgorithm.NearestNeighborChain });
        Assert.Equal(WardPath.NearestNeighborChainUncertified, chain.Path);
        var auto = WardClustering.Cluster(r.X, new WardOptions { ExactMaxDistinctRows = 10 });
        Assert.Equal(WardPath.RNearestNeighborList, auto.Path);
        RAssert.SameAsR(r, auto);
    }
}

/// <summary>Above 4,096 units the Lance–Williams updates run in parallel chunks: still bit for bit R's order.</summary>
public class WardLargePathTests
{
    [Fact]
    public void Parallel_updates_on_a_large_tied_grid_equal_the_literal_replica()
    {
        var rng = new Random(77);
        var x = Enumerable.Range(0, 4400).Select(_ =>
        {
            double level = 5 + rng.Next(-6, 7) / 6.0;
            return Enumerable.Range(0, 4).Select(_ => Math.Round((level + rng.Next(-4, 5) / 12.0) * 12) / 12).ToArray();
        }).ToArray();
        var literal = WardClustering.Cluster(x, new WardOptions { Algorithm = WardAlgorithm.RLiteral });
        var grouped = WardClustering.Cluster(x, new WardOptions { Algorithm = WardAlgorithm.RNearestNeighborList });
        Assert.True(grouped.DistinctRows > 4096 || x.Length > 4096);
        Assert.Equal(literal.Merge, grouped.Merge);
        Assert.Equal(literal.Order, grouped.Order);
        Assert.Equal(literal.Heights, grouped.Heights);
    }
}
