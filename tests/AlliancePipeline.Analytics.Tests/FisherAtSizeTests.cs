using System.Text.Json;
using AlliancePipeline.Analytics.Statistics;
using AlliancePipeline.Analytics.Tests.Reference;

namespace AlliancePipeline.Analytics.Tests;

/// <summary>
/// The Fisher–Freeman–Halton test at size against R 4.2.2 (RData/make_fisher_reference.R): exact p-values of random
/// two-column tables (the network algorithm), and R's Monte Carlo p-value to the last bit: its generator
/// (<c>set.seed</c>, <c>runif</c>), its random tables (<c>r2dtable</c>) and <c>fisher.test(simulate.p.value = TRUE)</c>.
/// </summary>
public class FisherAtSizeTests
{
    private static int[,] Table(JsonElement e)
    {
        var rows = ReferenceFiles.IntMatrix(e);
        var t = new int[rows.Length, rows[0].Length];
        for (int i = 0; i < rows.Length; i++)
            for (int j = 0; j < rows[0].Length; j++) t[i, j] = rows[i][j];
        return t;
    }

    public static TheoryData<int> NetworkCases()
    {
        using var doc = ReferenceFiles.Extra("fisher_network.json");
        var data = new TheoryData<int>();
        for (int i = 0; i < doc.RootElement.GetProperty("cases").GetArrayLength(); i++) data.Add(i);
        return data;
    }

    [Theory]
    [MemberData(nameof(NetworkCases))]
    public void Two_column_tables_from_2_to_7_rows_and_N_up_to_1200_equal_R(int index)
    {
        using var doc = ReferenceFiles.Extra("fisher_network.json");
        var c = doc.RootElement.GetProperty("cases")[index];
        var table = Table(c.GetProperty("table"));
        RAssert.Close(c.GetProperty("fisher_p").GetDouble(), FisherExactTest.PValue(table), 1e-9, $"fisher p of case {index + 1}");
        // The same table turned on its side (two rows) is the same test.
        var turned = new int[table.GetLength(1), table.GetLength(0)];
        for (int i = 0; i < table.GetLength(0); i++)
            for (int j = 0; j < table.GetLength(1); j++) turned[j, i] = table[i, j];
        RAssert.Close(c.GetProperty("fisher_p").GetDouble(), FisherExactTest.PValue(turned), 1e-9, $"fisher p of case {index + 1}, transposed");
    }

    [Fact]
    public void R_uniform_draws_equal_runif_after_set_seed_across_two_refills_of_the_state()
    {
        using var doc = ReferenceFiles.Extra("fisher_monte_carlo.json");
        foreach (var u in doc.RootElement.GetProperty("uniforms").EnumerateArray())
        {
            int seed = u.GetProperty("seed").GetInt32();
            var expected = ReferenceFiles.Vector(u.GetProperty("runif"));
            var uniform = new RUniform(seed);
            for (int i = 0; i < expected.Length; i++)
                Assert.True(expected[i] == uniform.Next(), $"seed {seed}, draw {i + 1}: R {expected[i]:R}");
        }
    }

    [Fact]
    public void Random_tables_equal_r2dtable_and_Monte_Carlo_p_values_equal_fisher_test_simulate()
    {
        using var doc = ReferenceFiles.Extra("fisher_monte_carlo.json");
        foreach (var c in doc.RootElement.GetProperty("cases").EnumerateArray())
        {
            var table = Table(c.GetProperty("table"));
            int seed = c.GetProperty("seed").GetInt32(), b = c.GetProperty("B").GetInt32();
            int rows = table.GetLength(0), cols = table.GetLength(1);
            int[] rowSums = [.. Enumerable.Range(0, rows).Select(i => Enumerable.Range(0, cols).Sum(j => table[i, j]))];
            int[] colSums = [.. Enumerable.Range(0, cols).Select(j => Enumerable.Range(0, rows).Sum(i => table[i, j]))];
            int n = rowSums.Sum();
            var lnFactorial = new double[n + 1];
            for (int i = 2; i <= n; i++) lnFactorial[i] = lnFactorial[i - 1] + Math.Log(i);
            var drawn = new int[rows * cols];
            RandomTables.Draw(rowSums, colSums, lnFactorial, new RUniform(seed), drawn);
            Assert.Equal(ReferenceFiles.IntMatrix(c.GetProperty("first_r2dtable")).SelectMany(r => r), drawn);

            Assert.Equal(c.GetProperty("p").GetDouble(), FisherExactTest.MonteCarloPValue(table, b, seed));
        }
    }

    [Fact]
    public void Test_is_exact_within_its_work_and_otherwise_R_s_Monte_Carlo_p_value_saying_so()
    {
        using var doc = ReferenceFiles.Extra("fisher_monte_carlo.json");
        // The 6 × 2 table × 10 (N = 10,000), where R's FEXACT runs out of workspace; R's p for seed 20261206, B = 2000.
        var c = doc.RootElement.GetProperty("cases")[1];
        var table = Table(c.GetProperty("table"));
        Assert.Equal(10_000, table.Cast<int>().Sum());
        var simulated = FisherExactTest.Test(table, exactWork: 100_000, replicates: 2000, seed: 20261206);
        Assert.False(simulated.IsExact);
        Assert.Equal(2000, simulated.Replicates);
        Assert.Equal(20261206, simulated.Seed);
        Assert.Equal(c.GetProperty("p").GetDouble(), simulated.PValue);

        // Within the work allowed, the exact answer, marked exact.
        var small = new[,] { { 4, 1 }, { 7, 3 }, { 1, 2 } };
        var exact = FisherExactTest.Test(small);
        Assert.True(exact.IsExact);
        Assert.Null(exact.Seed);
        RAssert.Close(0.52327084680025582, exact.PValue, 1e-9, "fisher p");
        // A table of more than two columns beyond its work goes the same way.
        var wide = Table(doc.RootElement.GetProperty("cases")[5].GetProperty("table"));
        Assert.False(FisherExactTest.Test(wide, exactWork: 10, replicates: 2000, seed: 11).IsExact);
        Assert.Equal(doc.RootElement.GetProperty("cases")[5].GetProperty("p").GetDouble(), FisherExactTest.Test(wide, exactWork: 10, replicates: 2000, seed: 11).PValue);
    }
}
