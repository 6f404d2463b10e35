using System.Globalization;
using System.Text;
using AlliancePipeline.Analytics.Statistics;
using AlliancePipeline.Functions.Infrastructure.Pages;

namespace AlliancePipeline.Functions.Reports;

/// <summary>One curve of a Kaplan–Meier figure: a pattern's label (unique; escaped here) and its curve.</summary>
public sealed record KaplanMeierSeries(string Label, KaplanMeierCurve<int> Curve);

/// <summary>
/// Time to job as inline SVG, in the style of <see cref="TrajectoryFigure"/>: per pattern the Kaplan–Meier share still
/// without a job as a step function (R's <c>plot(survfit(...))</c>), a short vertical tick where a dyad is censored, the
/// pattern's colour, dash and marker (in the legend) so it reads in black-and-white print, the y axis 0–1, the x axis
/// days from the origin to the end of follow-up, a legend saying what is drawn, and a <c>desc</c> giving each median.
/// </summary>
public static class KaplanMeierFigure
{
    private static readonly string[] Dashes = ["", "7 4", "2 3", "9 3 2 3", "4 2", "1 2", "12 4"];
    private const double Width = 720, Height = 360, Left = 64, Right = 210, Top = 16, Bottom = 56;

    /// <summary>The figure; <paramref name="days"/> the follow-up (the x axis ends there, or at the last time drawn).</summary>
    public static string Render(string id, IReadOnlyList<KaplanMeierSeries> series, int? days)
    {
        ArgumentNullException.ThrowIfNull(series);
        var plotWidth = Width - Left - Right;
        var plotHeight = Height - Top - Bottom;
        var last = series.SelectMany(s => s.Curve.Steps).Select(x => x.Time).DefaultIfEmpty(1).Max();
        var end = Math.Max(1, Math.Max(days ?? 0, last));
        var tick = NiceStep(end);
        double X(double t) => Left + t / end * plotWidth;
        double Y(double share) => Top + (1 - share) * plotHeight;

        var svg = new StringBuilder()
            .Append(Inv($"<svg class=\"figure\" role=\"img\" aria-labelledby=\"{id}-title {id}-desc\" viewBox=\"0 0 {Width} {Height}\" width=\"{Width}\" height=\"{Height}\" xmlns=\"http://www.w3.org/2000/svg\" font-family=\"system-ui, sans-serif\">"))
            .Append(Inv($"<title id=\"{id}-title\">Share of dyads still without a job, by pattern (Kaplan–Meier)</title><desc id=\"{id}-desc\">"))
            .AppendJoin(" ", series.Select(s => $"{E(s.Label)}: {s.Curve.Subjects} dyads, {s.Curve.Events} jobs, median "
                + (s.Curve.Median is { } m ? ReportHtml.F(m, "0.#") + " days" : "not reached") + "."))
            .Append("</desc>");

        svg.Append("<g class=\"axes\" font-size=\"13\" fill=\"#1a1a1a\">");
        for (var v = 0; v <= 4; v++)
        {
            var y = Y(v / 4.0);
            svg.Append(Inv($"<line x1=\"{N(Left)}\" x2=\"{N(Left + plotWidth)}\" y1=\"{N(y)}\" y2=\"{N(y)}\" stroke=\"#d9d9d9\" stroke-width=\"1\"/>"))
                .Append(Inv($"<text x=\"{N(Left - 8)}\" y=\"{N(y + 4.5)}\" text-anchor=\"end\">{(v / 4.0).ToString("0.00", CultureInfo.InvariantCulture)}</text>"));
        }
        svg.Append(Inv($"<line x1=\"{N(Left)}\" x2=\"{N(Left)}\" y1=\"{N(Top)}\" y2=\"{N(Height - Bottom)}\" stroke=\"#1a1a1a\"/>"))
            .Append(Inv($"<line x1=\"{N(Left)}\" x2=\"{N(Left + plotWidth)}\" y1=\"{N(Height - Bottom)}\" y2=\"{N(Height - Bottom)}\" stroke=\"#1a1a1a\"/>"));
        for (var t = 0.0; t <= end + 1e-9; t += tick)
            svg.Append(Inv($"<line x1=\"{N(X(t))}\" x2=\"{N(X(t))}\" y1=\"{N(Height - Bottom)}\" y2=\"{N(Height - Bottom + 5)}\" stroke=\"#1a1a1a\"/>"))
                .Append(Inv($"<text x=\"{N(X(t))}\" y=\"{N(Height - Bottom + 20)}\" text-anchor=\"middle\">{t.ToString("0", CultureInfo.InvariantCulture)}</text>"));
        svg.Append(Inv($"<text class=\"axis-title\" x=\"{N(Left + plotWidth / 2)}\" y=\"{N(Height - 12)}\" text-anchor=\"middle\" font-size=\"14\">Days from the start of follow-up</text>"))
            .Append(Inv($"<text class=\"axis-title\" transform=\"translate(18 {N(Top + plotHeight / 2)}) rotate(-90)\" text-anchor=\"middle\" font-size=\"14\">Still without a job</text>"))
            .Append("</g>");

        var censored = false;
        for (var s = 0; s < series.Count; s++)
        {
            var steps = series[s].Curve.Steps;
            var colour = TrajectoryFigure.Colour(s);
            svg.Append(Inv($"<g class=\"km-curve\" data-label=\"{E(series[s].Label)}\" stroke=\"{colour}\" fill=\"none\">"));
            // The step function: flat at Ŝ until the next time, then down to the new Ŝ; on to the last time seen.
            var path = new StringBuilder(Inv($"M{N(X(0))} {N(Y(1))}"));
            var share = 1.0;
            foreach (var step in steps)
            {
                path.Append(Inv($"H{N(X(step.Time))}"));
                if (step.Survival != share) path.Append(Inv($"V{N(Y(step.Survival))}"));
                share = step.Survival;
            }
            svg.Append(Inv($"<path class=\"km-step\" stroke-width=\"2.5\"{Dash(s)} d=\"{path}\"/>"));
            foreach (var step in steps.Where(x => x.Censored > 0))
            {
                censored = true;
                svg.Append(Inv($"<path class=\"censor\" stroke-width=\"1.5\" d=\"M{N(X(step.Time))} {N(Y(step.Survival) - 5)}V{N(Y(step.Survival) + 5)}\"/>"));
            }
            svg.Append("</g>");
        }

        var legendX = Left + plotWidth + 20;
        svg.Append("<g class=\"legend\" font-size=\"13\" fill=\"#1a1a1a\">");
        for (var s = 0; s < series.Count; s++)
        {
            var y = Top + 14 + s * 24;
            svg.Append(Inv($"<line x1=\"{N(legendX)}\" x2=\"{N(legendX + 30)}\" y1=\"{N(y)}\" y2=\"{N(y)}\" stroke=\"{TrajectoryFigure.Colour(s)}\" stroke-width=\"2.5\"{Dash(s)}/>"))
                .Append(Inv($"<text x=\"{N(legendX + 38)}\" y=\"{N(y + 4.5)}\">{E(series[s].Label)} (n = {series[s].Curve.Subjects})</text>"));
        }
        var noteY = Top + 14 + series.Count * 24 + 6;
        svg.Append(Inv($"<text class=\"legend-note\" x=\"{N(legendX)}\" y=\"{N(noteY)}\" font-size=\"11\" fill=\"#4a4a4a\">Steps: Kaplan–Meier estimate</text>"));
        if (censored)
            svg.Append(Inv($"<text class=\"legend-note\" x=\"{N(legendX)}\" y=\"{N(noteY + 15)}\" font-size=\"11\" fill=\"#4a4a4a\">Ticks: dyads censored</text>"));
        return svg.Append("</g></svg>").ToString();
    }

    /// <summary>A tick step of 1, 2 or 5 × 10ⁿ days giving four to ten ticks.</summary>
    private static double NiceStep(double end)
    {
        var raw = end / 6;
        var power = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        return new[] { 1.0, 2, 5, 10 }.Select(f => f * power).First(v => v >= raw);
    }

    private static string Dash(int s) => Dashes[s % Dashes.Length].Length == 0 ? "" : $" stroke-dasharray=\"{Dashes[s % Dashes.Length]}\"";

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    private static string N(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);

    private static string E(string text) => PageRenderer.Encoder.Encode(text);
}
