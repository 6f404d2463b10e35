using System.Globalization;

namespace AlliancePipeline.Cli.Commands;

/// <summary>
/// The range of the instrument's item scale, which bounds every score (a score is a mean of items): the WAI short forms
/// (WAI-S, Tracey &amp; Kokotovic 1989) use 1–7, the WAI-SR (Hatcher &amp; Gillaspy 2006) 1–5.
/// </summary>
/// <param name="Minimum">Lowest possible score.</param>
/// <param name="Maximum">Highest possible score.</param>
public sealed record ScoreScale(double Minimum, double Maximum)
{
    /// <summary>True when <paramref name="score"/> lies on the scale (ends included).</summary>
    public bool Contains(double score) => score >= Minimum && score <= Maximum;

    /// <summary>Reads "MIN-MAX" (for example "1-7" or "1-5"); null with a reason when it is not a range.</summary>
    public static ScoreScale? Parse(string text, out string? problem)
    {
        problem = null;
        var parts = text.Split('-', 2, StringSplitOptions.TrimEntries);
        if (parts.Length == 2
            && double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out double min)
            && double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out double max)
            && double.IsFinite(min) && double.IsFinite(max))
        {
            if (min < max) return new ScoreScale(min, max);
            problem = $"--scale {text}: the lowest score must be below the highest (for example 1-7).";
            return null;
        }
        problem = $"--scale {text}: expected the lowest and highest score of the instrument's scale, as MIN-MAX (for example 1-7 or 1-5).";
        return null;
    }

    /// <inheritdoc />
    public override string ToString() =>
        Minimum.ToString(CultureInfo.InvariantCulture) + "–" + Maximum.ToString(CultureInfo.InvariantCulture);
}
