using AlliancePipeline.Analytics.Clustering;
using AlliancePipeline.Analytics.Tests.Reference;

namespace AlliancePipeline.Analytics.Tests;

/// <summary>
/// Every Ward reference computed by R (shared/reference) reproduced: merge, height, order, cutree k = 2..6, by the
/// default options, by each of the two paths forced, and by the oracle the path tests use (<see cref="RHclust"/>).
/// </summary>
public class WardReferenceTests
{
    /// <summary>How a case clusters: <c>default</c>, <c>matrix</c>, <c>centroids</c> or <c>oracle</c>.</summary>
    public static readonly string[] Ways = ["default", "matrix", "centroids", "oracle"];

    public static TheoryData<string, string> SharedCases()
    {
        var data = new TheoryData<string, string>();
        foreach (var f in new[] { "ward_paper_like_18x3.json", "ward_continuous_200x3.json", "ward_integer_ties_120x3.json", "ward_mixture_600x4.json" })
            foreach (var way in Ways)
                data.Add(f, way);
        return data;
    }

    /// <summary>Clusters <paramref name="r"/>'s data the given way and compares with R.</summary>
    internal static void Reproduces(WardReference r, string way, bool deviation = false)
    {
        if (way == "oracle")
        {
            var tree = WardPathTests.Oracle(r.X, deviation);
            Assert.Equal(r.Merge.Length, tree.Merge.GetLength(0));
            for (int s = 0; s < r.Merge.Length; s++)
            {
                Assert.Equal([r.Merge[s][0], r.Merge[s][1]], new[] { tree.Merge[s, 0], tree.Merge[s, 1] });
                RAssert.Close(r.Height[s], tree.Heights[s], 1e-12, $"{r.Name} height {s + 1}");
            }
            Assert.Equal(r.Order, tree.Order);
            return;
        }
        var options = way switch
        {
            "matrix" => WardPathTests.Matrix,
            "centroids" => WardPathTests.Centroids,
            _ => WardOptions.Default,
        };
        var d = WardClustering.Cluster(r.X, options with { Deviation = deviation });
        Assert.True(d.CertifiedEqualToR);
        RAssert.SameAsR(r, d);
    }

    [Theory]
    [MemberData(nameof(SharedCases))]
    public void Shared_reference_is_reproduced(string file, string way) => Reproduces(WardReference.Shared(file), way);
}

/// <summary>
/// R outputs not seen while writing the code (RData/make_reference.R): ties, duplicates, deviation scores, and Likert-grid
/// data of issue #11's kind at n = 2,000 to 5,000 (<c>ward_wai_grid_*</c>).
/// </summary>
public class WardExtraReferenceTests
{
    public static TheoryData<string, string> ExtraCases()
    {
        var data = new TheoryData<string, string>();
        foreach (var f in Directory.GetFiles(ReferenceFiles.ExtraDir, "ward_*.json").Select(Path.GetFileName).Order())
            foreach (var way in new[] { "default", "oracle", "centroids" })
                data.Add(f!, way);
        return data;
    }

    [Theory]
    [MemberData(nameof(ExtraCases))]
    public void Extra_reference_is_reproduced(string file, string way)
    {
        using var doc = ReferenceFiles.Extra(file);
        WardReferenceTests.Reproduces(WardReference.From(doc, file), way, doc.RootElement.GetProperty("deviation").GetBoolean());
    }
}
