namespace AlliancePipeline.Analytics.Clustering;

/// <summary>One step of the agglomeration schedule, as SPSS prints it beside R's encoding.</summary>
/// <param name="Step">1-based step.</param>
/// <param name="Left">First merged cluster, R encoding (−j = observation j, +t = cluster of step t).</param>
/// <param name="Right">Second merged cluster, R encoding.</param>
/// <param name="Height">Ward height (R's <c>hclust</c> height).</param>
/// <param name="Coefficient">SPSS's Ward coefficient: the total within-cluster sum of squares after the step,
/// Σ height²/2 over steps so far (each ward.D2 height² is twice the increase in the error sum of squares, Ward 1963).</param>
/// <param name="ClustersAfter">Number of clusters after the step (n − Step).</param>
public sealed record AgglomerationStep(int Step, int Left, int Right, double Height, double Coefficient, int ClustersAfter);

/// <summary>The agglomeration schedule of a <see cref="Dendrogram"/>.</summary>
public static class AgglomerationSchedule
{
    /// <summary>Builds the schedule, one row per merge.</summary>
    public static IReadOnlyList<AgglomerationStep> Of(Dendrogram tree)
    {
        ArgumentNullException.ThrowIfNull(tree);
        var steps = new AgglomerationStep[tree.Count - 1];
        double coefficient = 0;
        for (int s = 0; s < steps.Length; s++)
        {
            double h = tree.Heights[s];
            coefficient += h * h / 2;
            steps[s] = new AgglomerationStep(s + 1, tree.MergeLeft(s), tree.MergeRight(s), h, coefficient, tree.Count - s - 1);
        }
        return steps;
    }

    /// <summary>The coefficient when <paramref name="k"/> clusters remain (0 for k = n).</summary>
    public static double CoefficientAt(IReadOnlyList<AgglomerationStep> schedule, int k)
    {
        int n = schedule.Count + 1;
        return k >= n ? 0.0 : schedule[n - k - 1].Coefficient;
    }
}
