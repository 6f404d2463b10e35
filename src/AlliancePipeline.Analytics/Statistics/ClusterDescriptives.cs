namespace AlliancePipeline.Analytics.Statistics;

/// <summary>Mean and standard deviation (n − 1 denominator, R's <c>sd</c>; NaN for a single value).</summary>
public sealed record MeanSd(double Mean, double Sd);

/// <summary>Descriptives of one cluster: size, share, mean (SD) per meeting and overall.</summary>
/// <param name="Cluster">Cluster number (cutree label).</param>
/// <param name="N">Dyads in the cluster.</param>
/// <param name="Share">N / all dyads.</param>
/// <param name="PerMeeting">Mean (SD) of the scores at each meeting.</param>
/// <param name="Overall">Mean (SD) of the dyads' own mean scores across meetings.</param>
public sealed record ClusterDescriptive(int Cluster, int N, double Share, IReadOnlyList<MeanSd> PerMeeting, MeanSd Overall)
{
    /// <summary>Descriptives for every cluster 1..k of <paramref name="labels"/> on <paramref name="scores"/> (rows = dyads).</summary>
    public static IReadOnlyList<ClusterDescriptive> Of(IReadOnlyList<IReadOnlyList<double>> scores, IReadOnlyList<int> labels)
    {
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(labels);
        if (scores.Count != labels.Count) throw new ArgumentException($"{labels.Count} labels for {scores.Count} rows of scores.");
        if (scores.Count == 0) return Array.Empty<ClusterDescriptive>();
        int t = scores[0].Count, n = scores.Count;
        return labels.Distinct().Order().Select(c =>
        {
            var rows = Enumerable.Range(0, n).Where(i => labels[i] == c).Select(i => scores[i]).ToArray();
            var perMeeting = Enumerable.Range(0, t).Select(j => Of(rows.Select(r => r[j]).ToArray())).ToArray();
            return new ClusterDescriptive(c, rows.Length, (double)rows.Length / n, perMeeting, Of(rows.Select(r => r.Average()).ToArray()));
        }).ToArray();
    }

    private static MeanSd Of(double[] x)
    {
        double mean = x.Average();
        if (x.Length < 2) return new MeanSd(mean, double.NaN);
        double ss = x.Sum(v => (v - mean) * (v - mean));
        return new MeanSd(mean, Math.Sqrt(ss / (x.Length - 1)));
    }
}
