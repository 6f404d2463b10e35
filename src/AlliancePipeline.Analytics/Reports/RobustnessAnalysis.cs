using System.Globalization;
using AlliancePipeline.Analytics.Analysis;
using AlliancePipeline.Analytics.Clustering;

namespace AlliancePipeline.Analytics.Reports;

/// <summary>One candidate k with the choice of either reading of the agglomeration coefficient.</summary>
/// <param name="Candidate">The candidate (coefficient, relative jump, absolute increase, smallest cluster).</param>
/// <param name="ByRelative">The relative rule (largest relative jump, then reduction) gives this k.</param>
/// <param name="ByAbsolute">The absolute rule (largest absolute increase, then reduction) gives this k.</param>
/// <param name="Used">The report's k.</param>
public sealed record KRuleRow(ClusterCountCandidate Candidate, bool ByRelative, bool ByAbsolute, bool Used);

/// <summary>Cronbach's alpha of every scale of every role over the responses of one meeting.</summary>
/// <param name="Meeting">The meeting.</param>
/// <param name="Rows">One row per role and scale, as the report's reliability table (practitioner first).</param>
public sealed record MeetingReliability(int Meeting, IReadOnlyList<AlphaRow> Rows);

/// <summary>
/// The robustness section of the report (issue 18): how stable each cluster is under bootstrap resampling of the dyads
/// (Hennig 2007, R's <c>fpc::clusterboot</c>), the k each reading of the agglomeration coefficient gives, and Cronbach's
/// alpha at each meeting. No I/O.
/// </summary>
/// <param name="Stability">Each cluster's mean Jaccard; null when not computed (<see cref="StabilityNote"/> says why).</param>
/// <param name="StabilityNote">Why the stability is missing, when it is.</param>
/// <param name="StabilityCaveats">Hennig's reading of every cluster below 0.75 (not stable), as sentences to print.</param>
/// <param name="KRules">The candidates k with each rule's choice.</param>
/// <param name="KRelative">The k of the relative rule (null without candidates).</param>
/// <param name="KAbsolute">The k of the absolute rule.</param>
/// <param name="ByMeeting">Alpha per meeting 1..T, every role.</param>
public sealed record RobustnessAnalysis(ClusterStabilityResult? Stability, string? StabilityNote, IReadOnlyList<string> StabilityCaveats,
    IReadOnlyList<KRuleRow> KRules, int? KRelative, int? KAbsolute, IReadOnlyList<MeetingReliability> ByMeeting)
{
    /// <summary>Computes the section: alpha per meeting always, the rest when the dyads were clustered.</summary>
    /// <param name="input">The report's input (responses for alpha).</param>
    /// <param name="meetings">Meetings per trajectory (T).</param>
    /// <param name="result">The clustering, or null.</param>
    /// <param name="matrix">The trajectories it clustered (every dyad by id; the complete ones are those of
    /// <see cref="TrajectoryAnalysisResult.ClusteredDyadIds"/>), or null.</param>
    /// <param name="options">The report's settings (with the study's).</param>
    public static RobustnessAnalysis Run(ReportInput input, int meetings, TrajectoryAnalysisResult? result, TrajectoryMatrix? matrix, StudyReportOptions options)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(options);
        var byMeeting = Enumerable.Range(1, meetings)
            .Select(m => new MeetingReliability(m, StudyReportAnalysis.Reliability(input, input.Responses.Where(r => r.Meeting == m)))).ToArray();
        if (result is null || matrix is null) return new RobustnessAnalysis(null, null, [], [], null, null, byMeeting);
        var selection = result.Selection;
        int? relative = selection.KBy(ClusterCountCriterion.Relative), absolute = selection.KBy(ClusterCountCriterion.Absolute);
        var kRules = selection.Candidates.Select(c => new KRuleRow(c, c.K == relative, c.K == absolute, c.K == selection.K)).ToArray();

        var ids = result.ClusteredDyadIds;
        int n = ids.Count;
        ClusterStabilityResult? stability = null;
        string? note = null;
        if (n > options.StabilityMaxDyads)
            note = string.Create(CultureInfo.InvariantCulture, $"Cluster stability was not computed: {n:N0} dyads clustered, more than {options.StabilityMaxDyads:N0} (each of the {options.StabilityResamples} resamples is a whole Ward clustering).");
        else
        {
            var row = matrix.DyadIds.Select((id, i) => (id, i)).ToDictionary(x => x.id, x => x.i, StringComparer.Ordinal);
            var rows = ids.Select(id => matrix.Scores[row[id]]).ToArray();
            var partition = ids.Select(id => result.Assignments[id]).ToArray();
            stability = ClusterStability.Bootstrap(rows, partition, options.Analysis.Ward with { Deviation = options.Analysis.Deviation },
                options.StabilityResamples, options.StabilitySeed);
        }
        var caveats = new List<string>();
        if (stability is not null)
        {
            var label = result.Clusters.ToDictionary(c => c.Cluster, c => c.Label);
            foreach (var c in stability.Clusters.Where(c => c.MeanJaccard < 0.75))
                caveats.Add(string.Create(CultureInfo.InvariantCulture,
                    $"Cluster {label[c.Cluster]}: mean Jaccard {c.MeanJaccard:0.00} over {stability.Resamples} bootstrap resamples (dissolved, ≤ 0.5, in {c.Dissolved}): {(c.MeanJaccard < 0.6 ? "below 0.6, this cluster should not be trusted" : "between 0.6 and 0.75, it indicates a pattern, but which dyads belong to it is highly doubtful")} (Hennig 2007)."));
            if (stability.TooSmall > 0)
                caveats.Add($"{stability.TooSmall} resample{(stability.TooSmall == 1 ? "" : "s")} drew fewer distinct dyads than clusters and count{(stability.TooSmall == 1 ? "s" : "")} as dissolving every cluster.");
        }
        return new RobustnessAnalysis(stability, note, caveats, kRules, relative, absolute, byMeeting);
    }
}
