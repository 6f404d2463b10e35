using AlliancePipeline.Analytics.Clustering;

namespace AlliancePipeline.Analytics.Tests;

/// <summary>Properties every Ward tree must have, on random data (fixed seeds).</summary>
public class WardPropertyTests
{
    public static TheoryData<int> Seeds() => new() { 1, 2, 3, 4, 5, 6, 7, 8 };

    private static double[][] Data(int seed) => seed % 2 == 0
        ? WardPathTests.Likert(seed, 150 + seed * 10, 3, 5)
        : WardPathTests.Continuous(seed, 150 + seed * 10, 4);

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Heights_never_decrease(int seed)
    {
        var d = WardClustering.Cluster(Data(seed));
        for (int s = 1; s < d.Heights.Count; s++)
            Assert.True(d.Heights[s] >= d.Heights[s - 1] * (1 - 1e-12), $"height {s + 1} < height {s}");
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Cutting_at_k_gives_k_non_empty_clusters(int seed)
    {
        var d = WardClustering.Cluster(Data(seed));
        for (int k = 1; k <= 12; k++)
        {
            var labels = d.CutTree(k);
            Assert.Equal(Enumerable.Range(1, k), labels.Distinct().Order());
            // numbered by first appearance
            Assert.Equal(1, labels[0]);
            for (int i = 1, max = 1; i < labels.Length; i++)
            {
                Assert.True(labels[i] <= max + 1);
                max = Math.Max(max, labels[i]);
            }
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(5)]
    public void On_tie_free_data_permuting_rows_permutes_the_labels_and_nothing_else(int seed)
    {
        var x = WardPathTests.Continuous(seed, 200, 4);
        var rng = new Random(seed);
        var perm = Enumerable.Range(0, x.Length).OrderBy(_ => rng.Next()).ToArray();
        var y = perm.Select(i => x[i]).ToArray();
        var dx = WardClustering.Cluster(x);
        var dy = WardClustering.Cluster(y);
        for (int s = 0; s < dx.Heights.Count; s++) Assert.Equal(dx.Heights[s], dy.Heights[s], 10);
        for (int k = 2; k <= 8; k++)
        {
            var lx = dx.CutTree(k);
            var ly = dy.CutTree(k);
            // same partition: y's row i is x's row perm[i]
            var map = new Dictionary<int, int>();
            for (int i = 0; i < y.Length; i++)
            {
                if (map.TryGetValue(ly[i], out int expected)) Assert.Equal(expected, lx[perm[i]]);
                else map[ly[i]] = lx[perm[i]];
            }
            Assert.Equal(k, map.Values.Distinct().Count());
        }
    }

    [Fact]
    public void Merge_refers_only_to_earlier_steps_and_uses_every_row_once()
    {
        var d = WardClustering.Cluster(Data(2));
        var seen = new HashSet<int>();
        for (int s = 0; s < d.Count - 1; s++)
            foreach (int e in new[] { d.MergeLeft(s), d.MergeRight(s) })
            {
                if (e < 0) Assert.True(seen.Add(e));
                else Assert.InRange(e, 1, s);
            }
        Assert.Equal(d.Count, seen.Count);
        Assert.Equal(Enumerable.Range(1, d.Count), d.Order.Order());
    }
}
