namespace AlliancePipeline.Analytics.Statistics;

/// <summary>
/// Bergsma's (2013) bias-corrected Cramér's V of an r × c table of N counts: φ² = X²/N (Pearson's X², no continuity
/// correction), φ̃² = max(0, φ² − (c − 1)(r − 1)/(N − 1)), c̃ = c − (c − 1)²/(N − 1), r̃ = r − (r − 1)²/(N − 1),
/// Ṽ = √(φ̃² / min(c̃ − 1, r̃ − 1)). (Bergsma W. 2013, A bias-correction for Cramér's V and Tschuprow's T,
/// J. Korean Stat. Soc. 42:323–328.) Plain V overstates the association in small samples; Ṽ is 0 under independence
/// more often than not.
/// </summary>
public static class BiasCorrectedCramersV
{
    /// <summary>Ṽ of the table.</summary>
    /// <exception cref="ArgumentException">As <see cref="ChiSquareTest.Of"/>, or N &lt; 2.</exception>
    public static double Of(int[,] table)
    {
        var test = ChiSquareTest.Of(table);
        int r = table.GetLength(0), c = table.GetLength(1);
        double n = 0;
        foreach (int v in table) n += v;
        if (n < 2) throw new ArgumentException("The bias-corrected Cramér's V needs at least 2 counts.", nameof(table));
        double phi2 = Math.Max(0, test.Statistic / n - (c - 1.0) * (r - 1.0) / (n - 1));
        double cc = c - (c - 1.0) * (c - 1.0) / (n - 1), rr = r - (r - 1.0) * (r - 1.0) / (n - 1);
        return Math.Sqrt(phi2 / Math.Min(cc - 1, rr - 1));
    }
}
