namespace AlliancePipeline.Analytics.Statistics;

/// <summary>
/// Cronbach's alpha (Cronbach 1951) with Feldt's confidence interval (Feldt 1965; Feldt, Woodruff &amp; Salih 1987):
/// α = k/(k−1) · (1 − Σ s_i² / s_total²); limits 1 − (1 − α) F_{1−γ/2} and 1 − (1 − α) F_{γ/2} with
/// F ~ F(n − 1, (n − 1)(k − 1)).
/// </summary>
/// <param name="Alpha">Cronbach's alpha.</param>
/// <param name="ConfidenceLow">Lower limit (95 % unless asked otherwise).</param>
/// <param name="ConfidenceHigh">Upper limit.</param>
/// <param name="Items">k, the number of items.</param>
/// <param name="Respondents">n, the number of complete rows.</param>
public sealed record CronbachAlpha(double Alpha, double ConfidenceLow, double ConfidenceHigh, int Items, int Respondents)
{
    /// <summary>Alpha of an n × k matrix of item scores (rows = respondents).</summary>
    public static CronbachAlpha Of(double[,] items, double confidence = 0.95)
    {
        ArgumentNullException.ThrowIfNull(items);
        int n = items.GetLength(0), k = items.GetLength(1);
        if (n < 2 || k < 2) throw new ArgumentException($"Alpha needs at least 2 respondents and 2 items (got {n} × {k}).", nameof(items));
        if (confidence is <= 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(confidence), confidence, "Confidence must be in (0, 1).");
        double itemVariances = 0;
        var totals = new double[n];
        for (int j = 0; j < k; j++)
        {
            var col = new double[n];
            for (int i = 0; i < n; i++)
            {
                col[i] = items[i, j];
                totals[i] += items[i, j];
            }
            itemVariances += Moments.MeanVariance(col, nameof(items)).Variance;
        }
        double total = Moments.MeanVariance(totals, nameof(items)).Variance;
        if (total == 0) throw new ArgumentException("Total scores are constant: alpha is undefined.", nameof(items));
        double alpha = k / (k - 1.0) * (1 - itemVariances / total);
        double d1 = n - 1, d2 = (n - 1.0) * (k - 1);
        double g = (1 - confidence) / 2;
        return new CronbachAlpha(alpha,
            1 - (1 - alpha) * Distributions.FQuantile(1 - g, d1, d2),
            1 - (1 - alpha) * Distributions.FQuantile(g, d1, d2), k, n);
    }
}
