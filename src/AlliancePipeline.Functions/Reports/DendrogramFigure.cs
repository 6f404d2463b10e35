using System.Globalization;
using System.Text;
using AlliancePipeline.Analytics.Clustering;
using AlliancePipeline.Functions.Infrastructure.Pages;

namespace AlliancePipeline.Functions.Reports;

/// <summary>
/// The Ward tree as inline SVG, drawn as R's <c>plot(hclust)</c> draws it: leaves left to right in R's <c>order</c>, each
/// merge at its height (the y axis), a merge drawn midway between the two it joins; the branches inside a cluster of the
/// cut at k in the cluster's colour (the trajectory figure's), the rest grey, and the cut marked by a dashed line between
/// the heights of merges n − k and n − k + 1. Leaves carry the dyad codes up to 60 dyads. A <c>title</c> and a
/// <c>desc</c> (k, the cut's height, each cluster's leaves) make it readable by screen readers.
/// </summary>
public static class DendrogramFigure
{
    private const double Width = 720, Height = 380, Left = 64, Right = 16, Top = 16;
    private const int MaxLabelledLeaves = 60;

    /// <summary>The figure as an SVG element.</summary>
    /// <param name="id">A prefix unique in the page for the SVG's ids.</param>
    /// <param name="tree">The tree (R's merge, height and order).</param>
    /// <param name="ids">The leaves' dyad codes, in the tree's observation order.</param>
    /// <param name="k">The number of clusters cut.</param>
    /// <param name="labels">Each cluster's label, by cluster number − 1.</param>
    public static string Render(string id, Dendrogram tree, IReadOnlyList<string> ids, int k, IReadOnlyList<string> labels)
    {
        ArgumentNullException.ThrowIfNull(tree);
        ArgumentNullException.ThrowIfNull(ids);
        ArgumentNullException.ThrowIfNull(labels);
        int n = tree.Count;
        bool labelled = n <= MaxLabelledLeaves;
        double bottom = labelled ? 88 : 40;
        double maxHeight = tree.Heights.Count == 0 ? 1 : Math.Max(tree.Heights[^1], 1e-12);
        double step = (Width - Left - Right) / Math.Max(1, n);
        var leafX = new double[n];
        for (int i = 0; i < n; i++) leafX[tree.Order[i] - 1] = Left + step * (i + 0.5);
        double Y(double h) => Top + (1 - h / maxHeight) * (Height - Top - bottom);
        var cut = tree.CutTree(k);
        var nodeX = new double[Math.Max(0, n - 1)];
        var nodeY = new double[Math.Max(0, n - 1)];
        var nodeCluster = new int[Math.Max(0, n - 1)];
        (double X, double Y, int Cluster) Child(int m) => m < 0 ? (leafX[-m - 1], Y(0), cut[-m - 1]) : (nodeX[m - 1], nodeY[m - 1], nodeCluster[m - 1]);

        var svg = new StringBuilder()
            .Append(Inv($"<svg class=\"figure\" role=\"img\" aria-labelledby=\"{id}-title {id}-desc\" viewBox=\"0 0 {Width} {Height}\" width=\"{Width}\" height=\"{Height}\" xmlns=\"http://www.w3.org/2000/svg\" font-family=\"system-ui, sans-serif\">"))
            .Append(Inv($"<title id=\"{id}-title\">{E($"Ward tree of {n} dyads, cut into {k} clusters")}</title><desc id=\"{id}-desc\">"));
        double cutHeight = n - k - 1 >= 0 && n - k < tree.Heights.Count ? (tree.Heights[n - k - 1] + tree.Heights[n - k]) / 2 : double.NaN;
        svg.Append(E(Inv($"Leaves in R's hclust order; the cut at k = {k} lies at height {F(cutHeight)}. ")))
            .AppendJoin(" ", Enumerable.Range(1, k).Select(c => E($"{(c - 1 < labels.Count ? labels[c - 1] : c.ToString(CultureInfo.InvariantCulture))}: "
                + string.Join(", ", tree.Order.Where(o => cut[o - 1] == c).Select(o => ids[o - 1])) + ".")))
            .Append("</desc>");

        // Y axis: height, five ticks.
        svg.Append("<g class=\"axes\" font-size=\"12\" fill=\"#1a1a1a\">");
        for (int t = 0; t <= 4; t++)
        {
            double h = maxHeight * t / 4;
            svg.Append(Inv($"<line x1=\"{N(Left - 4)}\" x2=\"{N(Left)}\" y1=\"{N(Y(h))}\" y2=\"{N(Y(h))}\" stroke=\"#1a1a1a\"/>"))
                .Append(Inv($"<text x=\"{N(Left - 7)}\" y=\"{N(Y(h) + 4)}\" text-anchor=\"end\">{F(h)}</text>"));
        }
        svg.Append(Inv($"<line x1=\"{N(Left)}\" x2=\"{N(Left)}\" y1=\"{N(Top)}\" y2=\"{N(Y(0))}\" stroke=\"#1a1a1a\"/>"))
            .Append(Inv($"<text transform=\"translate(16 {N((Top + Y(0)) / 2)}) rotate(-90)\" text-anchor=\"middle\">Height (Ward, as R's hclust)</text></g>"));

        // Branches: merge s joins two children; inside a cluster (the first n − k merges) in its colour.
        svg.Append("<g class=\"branches\" fill=\"none\" stroke-width=\"1.4\">");
        for (int s = 0; s < n - 1; s++)
        {
            var a = Child(tree.MergeLeft(s));
            var b = Child(tree.MergeRight(s));
            double y = Y(tree.Heights[s]);
            int cluster = s < n - k && a.Cluster == b.Cluster ? a.Cluster : 0;
            nodeX[s] = (a.X + b.X) / 2;
            nodeY[s] = y;
            nodeCluster[s] = cluster;
            string colour = cluster == 0 ? "#7f7f7f" : TrajectoryFigure.Colour(cluster - 1);
            svg.Append(Inv($"<path d=\"M{N(a.X)} {N(a.Y)}V{N(y)}H{N(b.X)}V{N(b.Y)}\" stroke=\"{colour}\"/>"));
        }
        svg.Append("</g>");
        if (double.IsFinite(cutHeight))
            svg.Append(Inv($"<g class=\"cut\"><line x1=\"{N(Left)}\" x2=\"{N(Width - Right)}\" y1=\"{N(Y(cutHeight))}\" y2=\"{N(Y(cutHeight))}\" stroke=\"#1a1a1a\" stroke-dasharray=\"6 4\"/>"))
                .Append(Inv($"<text x=\"{N(Width - Right - 4)}\" y=\"{N(Y(cutHeight) - 5)}\" text-anchor=\"end\" font-size=\"12\">cut at k = {k}</text></g>"));
        if (labelled)
        {
            double size = Math.Min(11, Math.Max(6, step * 0.9));
            svg.Append(Inv($"<g class=\"leaves\" font-size=\"{N(size)}\" fill=\"#1a1a1a\">"));
            for (int i = 0; i < n; i++)
                svg.Append(Inv($"<text transform=\"translate({N(leafX[i] + size / 3)} {N(Y(0) + 6)}) rotate(-90)\" text-anchor=\"end\">{E(ids[i])}</text>"));
            svg.Append("</g>");
        }
        return svg.Append("</svg>").ToString();
    }

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    private static string N(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);

    private static string F(double v) => double.IsFinite(v) ? v.ToString("0.00", CultureInfo.InvariantCulture) : "n/a";

    private static string E(string text) => PageRenderer.Encoder.Encode(text);
}
