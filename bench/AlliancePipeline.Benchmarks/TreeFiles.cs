using System.Globalization;
using AlliancePipeline.Analytics.Clustering;

namespace AlliancePipeline.Benchmarks;

/// <summary>
/// Trees as time_r.R writes R's: n − 1 lines "merge1,merge2,height", then n lines "order,cutree2,…,cutree6".
/// </summary>
internal static class TreeFiles
{
    public static void Write(Dendrogram tree, string path)
    {
        var inv = CultureInfo.InvariantCulture;
        int n = tree.Count;
        var cuts = Enumerable.Range(2, 5).Select(k => tree.CutTree(k)).ToArray();
        var lines = Enumerable.Range(0, n - 1)
            .Select(s => $"{tree.MergeLeft(s)},{tree.MergeRight(s)},{tree.Heights[s].ToString("R", inv)}")
            .Concat(Enumerable.Range(0, n).Select(i => tree.Order[i].ToString(inv) + "," + string.Join(",", cuts.Select(c => c[i]))));
        File.WriteAllLines(path, lines);
    }

    /// <summary>"yes" with the largest relative height difference when merge, order and cutree are R's; else where they differ.</summary>
    public static string Compare(string ours, string r, int n)
    {
        var inv = CultureInfo.InvariantCulture;
        var a = File.ReadAllLines(ours);
        var b = File.ReadAllLines(r);
        if (a.Length != b.Length) return $"NO: {a.Length} lines vs R's {b.Length}";
        double maxRel = 0;
        for (int s = 0; s < n - 1; s++)
        {
            var p = a[s].Split(',');
            var q = b[s].Split(',');
            if (p[0] != q[0] || p[1] != q[1]) return $"NO: merge differs from step {s + 1}";
            double ha = double.Parse(p[2], inv), hb = double.Parse(q[2], inv);
            if (hb > 0) maxRel = Math.Max(maxRel, Math.Abs(ha - hb) / hb);
            else if (ha != 0) return $"NO: height {s + 1} is {ha}, R's 0";
        }
        for (int i = n - 1; i < a.Length; i++)
        {
            var p = a[i].Split(',');
            var q = b[i].Split(',');
            if (p[0] != q[0]) return $"NO: order differs at position {i - n + 2}";
            if (!p.Skip(1).SequenceEqual(q.Skip(1))) return $"NO: cutree differs for observation {i - n + 2}";
        }
        return $"yes (heights within {maxRel.ToString("0.0e0", inv)})";
    }
}
