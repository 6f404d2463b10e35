using AlliancePipeline.Analytics.Clustering;

namespace AlliancePipeline.Analytics.Tests.Reference;

public static class RAssert
{
    /// <summary>Relative (or, near zero, absolute) agreement to <paramref name="tolerance"/>.</summary>
    public static void Close(double expected, double actual, double tolerance = 1e-9, string? what = null)
    {
        double scale = Math.Max(1.0, Math.Abs(expected));
        Assert.True(Math.Abs(expected - actual) <= tolerance * scale,
            $"{what ?? "value"}: expected {expected:R}, got {actual:R} (difference {Math.Abs(expected - actual):E3})");
    }

    public static void SameAsR(WardReference r, Dendrogram d)
    {
        Assert.Equal(r.X.Length, d.Count);
        for (int s = 0; s < r.Merge.Length; s++)
        {
            Assert.True(r.Merge[s][0] == d.MergeLeft(s) && r.Merge[s][1] == d.MergeRight(s),
                $"{r.Name} merge step {s + 1}: R [{r.Merge[s][0]}, {r.Merge[s][1]}], got [{d.MergeLeft(s)}, {d.MergeRight(s)}]");
            Close(r.Height[s], d.Heights[s], 1e-12, $"{r.Name} height {s + 1}");
        }
        Assert.Equal(r.Order, d.Order);
        for (int k = 2; k <= 6; k++) Assert.Equal(r.CutTree[k - 2], d.CutTree(k));
    }
}
