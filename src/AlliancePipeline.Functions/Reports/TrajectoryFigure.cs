using System.Globalization;
using System.Text;
using AlliancePipeline.Analytics.Reports;
using AlliancePipeline.Functions.Infrastructure.Pages;

namespace AlliancePipeline.Functions.Reports;

/// <summary>One group drawn in a trajectory figure: its mean per meeting with 95 % CI error bars, over thin lines for its dyads.</summary>
/// <param name="Label">Legend text (unique; user text is escaped).</param>
/// <param name="Means">Mean and CI per meeting 1..T.</param>
/// <param name="Lines">One thin line per dyad (NaN where a meeting is missing: the line breaks there).</param>
public sealed record FigureSeries(string Label, IReadOnlyList<MeanCi> Means, IReadOnlyList<double[]> Lines);

/// <summary>
/// The trajectory figure of the papers as inline SVG: mean score per meeting per group with 95 % CI error bars (caps), thin
/// lines for the dyads behind, the y axis on the instrument's whole scale with a tick at every answer point, both axes
/// labelled, a legend with the unique labels. Colours are Okabe–Ito (told apart with colour-vision deficiencies), and
/// each group also has its own marker and dash so the figure reads in black-and-white print. A <c>title</c> and a
/// <c>desc</c> giving every mean make it readable by screen readers. Own SVG rather than ScottPlot: see docs/reports.md.
/// </summary>
public static class TrajectoryFigure
{
    /// <summary>Okabe &amp; Ito (2008) colours, without the yellow that vanishes on white paper.</summary>
    public static readonly IReadOnlyList<string> Palette = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"];

    private static readonly string[] Dashes = ["", "7 4", "2 3", "9 3 2 3", "4 2", "1 2", "12 4"];
    private const double Width = 720, Height = 400, Left = 64, Right = 210, Top = 16, Bottom = 56;

    /// <summary>The figure as an SVG element (no XML declaration: it is inlined in the HTML page).</summary>
    /// <param name="id">A prefix unique in the page for the SVG's ids.</param>
    /// <param name="title">Accessible title.</param>
    /// <param name="yLabel">Y axis title.</param>
    /// <param name="meetings">T.</param>
    /// <param name="scale">The y axis: the instrument's whole scale.</param>
    /// <param name="series">The groups.</param>
    public static string Render(string id, string title, string yLabel, int meetings, (int Min, int Max) scale, IReadOnlyList<FigureSeries> series)
    {
        ArgumentNullException.ThrowIfNull(series);
        var plotWidth = Width - Left - Right;
        var step = plotWidth / Math.Max(1, meetings);
        double X(int meeting, int s) => Left + step * (meeting - 0.5) + Dodge(s, series.Count);
        double Y(double v) => Top + (scale.Max - v) / (scale.Max - scale.Min) * (Height - Top - Bottom);
        var svg = new StringBuilder()
            .Append(Inv($"<svg class=\"figure\" role=\"img\" aria-labelledby=\"{id}-title {id}-desc\" viewBox=\"0 0 {Width} {Height}\" width=\"{Width}\" height=\"{Height}\" xmlns=\"http://www.w3.org/2000/svg\" font-family=\"system-ui, sans-serif\">"))
            .Append(Inv($"<title id=\"{id}-title\">{E(title)}</title><desc id=\"{id}-desc\">"))
            .AppendJoin(" ", series.Select(s => $"{E(s.Label)}: " + string.Join("; ", s.Means.Select((m, i) => $"meeting {i + 1} {F2(m.Mean)} (95 % CI {F2(m.Low)} to {F2(m.High)})")) + "."))
            .Append("</desc>");

        // Axes, grid and ticks: every answer point of the scale.
        svg.Append(Inv($"<g class=\"axes\" font-size=\"13\" fill=\"#1a1a1a\">"));
        for (var v = scale.Min; v <= scale.Max; v++)
        {
            svg.Append(Inv($"<line x1=\"{N(Left)}\" x2=\"{N(Left + plotWidth)}\" y1=\"{N(Y(v))}\" y2=\"{N(Y(v))}\" stroke=\"#d9d9d9\" stroke-width=\"1\"/>"))
                .Append(Inv($"<text x=\"{N(Left - 8)}\" y=\"{N(Y(v) + 4.5)}\" text-anchor=\"end\">{v}</text>"));
        }
        svg.Append(Inv($"<line x1=\"{N(Left)}\" x2=\"{N(Left)}\" y1=\"{N(Top)}\" y2=\"{N(Height - Bottom)}\" stroke=\"#1a1a1a\"/>"))
            .Append(Inv($"<line x1=\"{N(Left)}\" x2=\"{N(Left + plotWidth)}\" y1=\"{N(Height - Bottom)}\" y2=\"{N(Height - Bottom)}\" stroke=\"#1a1a1a\"/>"));
        for (var m = 1; m <= meetings; m++)
        {
            var x = Left + step * (m - 0.5);
            svg.Append(Inv($"<line x1=\"{N(x)}\" x2=\"{N(x)}\" y1=\"{N(Height - Bottom)}\" y2=\"{N(Height - Bottom + 5)}\" stroke=\"#1a1a1a\"/>"))
                .Append(Inv($"<text x=\"{N(x)}\" y=\"{N(Height - Bottom + 20)}\" text-anchor=\"middle\">{m}</text>"));
        }
        svg.Append(Inv($"<text class=\"axis-title\" x=\"{N(Left + plotWidth / 2)}\" y=\"{N(Height - 12)}\" text-anchor=\"middle\" font-size=\"14\">Meeting</text>"))
            .Append(Inv($"<text class=\"axis-title\" transform=\"translate(18 {N(Top + (Height - Top - Bottom) / 2)}) rotate(-90)\" text-anchor=\"middle\" font-size=\"14\">{E(yLabel)}</text>"))
            .Append("</g>");

        // Thin dyad lines first, then means with error bars on top.
        for (var s = 0; s < series.Count; s++)
        {
            svg.Append(Inv($"<g class=\"dyads\" stroke=\"{Colour(s)}\" stroke-width=\"0.8\" stroke-opacity=\"0.35\" fill=\"none\">"));
            foreach (var line in series[s].Lines)
            {
                foreach (var segment in Segments(line))
                    svg.Append("<polyline points=\"").AppendJoin(" ", segment.Select(m => $"{N(X(m + 1, s))},{N(Y(line[m]))}")).Append("\"/>");
            }
            svg.Append("</g>");
        }
        bool bars = false, clipped = false;
        for (var s = 0; s < series.Count; s++)
        {
            var means = series[s].Means;
            svg.Append(Inv($"<g class=\"series\" data-label=\"{E(series[s].Label)}\" stroke=\"{Colour(s)}\" fill=\"{Colour(s)}\">"));
            foreach (var segment in Segments(means.Select(m => m.Mean).ToArray()))
            {
                svg.Append(Inv($"<polyline class=\"mean\" fill=\"none\" stroke-width=\"2.5\"{DashAttribute(s)} points=\""))
                    .AppendJoin(" ", segment.Select(m => $"{N(X(m + 1, s))},{N(Y(means[m].Mean))}")).Append("\"/>");
            }
            for (var m = 0; m < means.Count; m++)
            {
                if (double.IsFinite(means[m].Low) && double.IsFinite(means[m].High))
                {
                    // A bar that leaves the axis is cut at it and ends in an arrowhead there instead of a cap.
                    bool cutLow = means[m].Low < scale.Min, cutHigh = means[m].High > scale.Max;
                    double x = X(m + 1, s), lo = Y(Math.Max(means[m].Low, scale.Min)), hi = Y(Math.Min(means[m].High, scale.Max));
                    svg.Append(Inv($"<path class=\"error-bar\" fill=\"none\" stroke-width=\"1.5\" d=\"M{N(x)} {N(lo)}V{N(hi)}"))
                        .Append(cutLow ? Inv($"M{N(x - 4)} {N(lo - 6)}L{N(x)} {N(lo)}L{N(x + 4)} {N(lo - 6)}") : Inv($"M{N(x - 5)} {N(lo)}H{N(x + 5)}"))
                        .Append(cutHigh ? Inv($"M{N(x - 4)} {N(hi + 6)}L{N(x)} {N(hi)}L{N(x + 4)} {N(hi + 6)}") : Inv($"M{N(x - 5)} {N(hi)}H{N(x + 5)}"))
                        .Append(cutLow || cutHigh ? "\" data-clipped=\"true\"/>" : "\"/>");
                    clipped |= cutLow || cutHigh;
                    bars = true;
                }
                if (double.IsFinite(means[m].Mean)) svg.Append(Marker(s, X(m + 1, s), Y(means[m].Mean)));
            }
            svg.Append("</g>");
        }

        // Legend.
        var legendX = Left + plotWidth + 20;
        svg.Append(Inv($"<g class=\"legend\" font-size=\"13\" fill=\"#1a1a1a\">"));
        for (var s = 0; s < series.Count; s++)
        {
            var y = Top + 14 + s * 24;
            svg.Append(Inv($"<g stroke=\"{Colour(s)}\" fill=\"{Colour(s)}\"><line x1=\"{N(legendX)}\" x2=\"{N(legendX + 30)}\" y1=\"{N(y)}\" y2=\"{N(y)}\" stroke-width=\"2.5\"{DashAttribute(s)}/>"))
                .Append(Marker(s, legendX + 15, y)).Append("</g>")
                .Append(Inv($"<text x=\"{N(legendX + 38)}\" y=\"{N(y + 4.5)}\">{E(series[s].Label)}</text>"));
        }
        // Notes for what is drawn, and only that.
        var notes = new List<string>();
        if (bars) notes.Add("Bars: 95 % CI of the mean");
        if (clipped) notes.Add("Arrowhead: CI beyond the axis");
        if (series.Any(x => x.Lines.Count > 0)) notes.Add("Thin lines: single dyads");
        var noteY = Top + 14 + series.Count * 24 + 6;
        for (var i = 0; i < notes.Count; i++)
            svg.Append(Inv($"<text class=\"legend-note\" x=\"{N(legendX)}\" y=\"{N(noteY + 15 * i)}\" font-size=\"11\" fill=\"#4a4a4a\">{notes[i]}</text>"));
        svg.Append("</g>");
        return svg.Append("</svg>").ToString();
    }

    /// <summary>The colour of series <paramref name="index"/>.</summary>
    public static string Colour(int index) => Palette[index % Palette.Count];

    private static double Dodge(int s, int count) => count <= 1 ? 0 : (s - (count - 1) / 2.0) * 7;

    private static string DashAttribute(int s) => Dashes[s % Dashes.Length].Length == 0 ? "" : $" stroke-dasharray=\"{Dashes[s % Dashes.Length]}\"";

    /// <summary>Runs of consecutive finite values (indices), so a missing meeting breaks a line.</summary>
    private static IEnumerable<int[]> Segments(double[] values)
    {
        var run = new List<int>();
        for (var i = 0; i <= values.Length; i++)
        {
            if (i < values.Length && double.IsFinite(values[i]))
            {
                run.Add(i);
                continue;
            }
            if (run.Count > 1) yield return run.ToArray();
            run.Clear();
        }
    }

    private static string Marker(int s, double x, double y) => (s % 6) switch
    {
        0 => Inv($"<circle class=\"marker\" cx=\"{N(x)}\" cy=\"{N(y)}\" r=\"4.5\" stroke=\"white\" stroke-width=\"1\"/>"),
        1 => Inv($"<rect class=\"marker\" x=\"{N(x - 4.5)}\" y=\"{N(y - 4.5)}\" width=\"9\" height=\"9\" stroke=\"white\" stroke-width=\"1\"/>"),
        2 => Inv($"<path class=\"marker\" d=\"M{N(x)} {N(y - 6)}L{N(x + 5.5)} {N(y + 4)}H{N(x - 5.5)}Z\" stroke=\"white\" stroke-width=\"1\"/>"),
        3 => Inv($"<path class=\"marker\" d=\"M{N(x)} {N(y - 6)}L{N(x + 6)} {N(y)}L{N(x)} {N(y + 6)}L{N(x - 6)} {N(y)}Z\" stroke=\"white\" stroke-width=\"1\"/>"),
        4 => Inv($"<path class=\"marker\" d=\"M{N(x)} {N(y + 6)}L{N(x + 5.5)} {N(y - 4)}H{N(x - 5.5)}Z\" stroke=\"white\" stroke-width=\"1\"/>"),
        _ => Inv($"<circle class=\"marker\" cx=\"{N(x)}\" cy=\"{N(y)}\" r=\"4\" fill=\"white\" stroke-width=\"2\"/>"),
    };

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    private static string N(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);

    private static string F2(double v) => double.IsFinite(v) ? ReportHtml.F(v, "0.00") : ReportHtml.Undefined;

    private static string E(string text) => PageRenderer.Encoder.Encode(text);
}
