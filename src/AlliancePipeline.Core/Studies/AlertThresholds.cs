namespace AlliancePipeline.Core.Studies;

/// <summary>
/// When a scored response raises a rupture alert, for one rater role, in points of the instrument's global score.
/// At least one of <see cref="Drop"/> and <see cref="Cutoff"/> is set.
/// </summary>
/// <param name="Drop">
/// Alert when the global score fell from the dyad's previous meeting (same rater role) by <b>more than</b> this many
/// points; a drop exactly equal to it does not alert. Null: drops are not checked. Greater than 0.
/// </param>
/// <param name="Cutoff">
/// Alert when the global score is <b>below</b> this value; a score exactly at the cutoff does not alert. Null: not
/// checked. Inside the instrument's scale.
/// </param>
/// <param name="NotifyRater">Whether the rater is told too (the site's coordinators always are).</param>
public sealed record AlertThresholds(double? Drop, double? Cutoff, bool NotifyRater)
{
    /// <summary>
    /// Scores are means of whole answers, so a drop that is exactly the threshold on paper may differ from it in the
    /// last bits of a double (74/12 − 62/12 is not exactly 1): differences within this tolerance count as equal.
    /// </summary>
    public const double Tolerance = 1e-9;

    /// <summary>
    /// Evaluates one response's global score.
    /// </summary>
    /// <param name="previousGlobal">
    /// The global score the same rater role gave this dyad at the previous meeting (meeting − 1), or null when there is
    /// none (first meeting, not answered, or too few items to score): then only the cutoff is checked.
    /// </param>
    /// <param name="currentGlobal">The response's global score.</param>
    /// <returns>
    /// Null when nothing alerts; otherwise one alert carrying every finding (a drop, a score below the cutoff, or
    /// both), so one response gives at most one alert.
    /// </returns>
    public RuptureAlert? Evaluate(double? previousGlobal, double currentGlobal)
    {
        DropFinding? drop = null;
        if (Drop is { } threshold && previousGlobal is { } previous && previous - currentGlobal > threshold + Tolerance)
        {
            drop = new DropFinding(previous, currentGlobal, previous - currentGlobal, threshold);
        }

        CutoffFinding? below = null;
        if (Cutoff is { } cutoff && currentGlobal < cutoff - Tolerance)
        {
            below = new CutoffFinding(currentGlobal, cutoff);
        }

        return drop is null && below is null ? null : new RuptureAlert(previousGlobal, currentGlobal, drop, below, NotifyRater);
    }
}

/// <summary>The global score fell by more than the threshold since the previous meeting.</summary>
/// <param name="Previous">The previous meeting's global score.</param>
/// <param name="Current">This response's global score.</param>
/// <param name="Drop">Previous − current (positive).</param>
/// <param name="Threshold">The study's drop threshold.</param>
public sealed record DropFinding(double Previous, double Current, double Drop, double Threshold);

/// <summary>The global score is below the cutoff.</summary>
/// <param name="Current">This response's global score.</param>
/// <param name="Cutoff">The study's cutoff.</param>
public sealed record CutoffFinding(double Current, double Cutoff);

/// <summary>
/// A rupture alert for one response: the numbers that triggered it. Key it by the response's assessment id so a
/// redelivered response never sends a second alert.
/// </summary>
/// <param name="Previous">The previous meeting's global score, if known.</param>
/// <param name="Current">This response's global score.</param>
/// <param name="Drop">The drop finding, if the drop exceeded the threshold.</param>
/// <param name="BelowCutoff">The cutoff finding, if the score is below the cutoff.</param>
/// <param name="NotifyRater">Whether the rater is told too.</param>
public sealed record RuptureAlert(double? Previous, double Current, DropFinding? Drop, CutoffFinding? BelowCutoff, bool NotifyRater);
