namespace AlliancePipeline.Functions.Reports;

/// <summary>The model of <c>Templates/report.liquid</c>: text only, every number formatted by <see cref="ReportHtml"/>.</summary>
public sealed class ReportView
{
    public string StudyName { get; set; } = "";
    public string StudyId { get; set; } = "";
    public string RunId { get; set; } = "";
    public string GeneratedAt { get; set; } = "";
    public string Role { get; set; } = "";
    public string Instrument { get; set; } = "";
    public IReadOnlyList<string> Meetings { get; set; } = [];
    public IReadOnlyList<string> Subscales { get; set; } = [];
    public IReadOnlyList<string> Warnings { get; set; } = [];
    public string Methods { get; set; } = "";

    /// <summary>Which test is primary (the study file's <c>analysis.primaryTest</c>), or empty: every p value exploratory.</summary>
    public string Exploratory { get; set; } = "";

    /// <summary>The labels beside the tests a study may name primary (empty when it names none).</summary>
    public string FisherLabel { get; set; } = "";
    public string LogRankLabel { get; set; } = "";
    public string EmploymentLabel { get; set; } = "";
    public string Sites { get; set; } = "";
    public string Dyads { get; set; } = "";
    public string Withdrawn { get; set; } = "";
    public string Raters { get; set; } = "";
    public string ResponseCount { get; set; } = "";
    public string ResponsesByRole { get; set; } = "";
    public string HandedOver { get; set; } = "";

    /// <summary>Responses imported from a file, as text (<c>0</c>: the report says nothing of imports).</summary>
    public string Imported { get; set; } = "0";
    public IReadOnlyList<CompletionRow> Completion { get; set; } = [];
    public IReadOnlyList<string> MissingByMeeting { get; set; } = [];
    public bool Clustered { get; set; }
    public string Status { get; set; } = "";
    public string Incomplete { get; set; } = "";
    public string Figure { get; set; } = "";
    public IReadOnlyList<ClusterRow> Clusters { get; set; } = [];
    public IReadOnlyList<CandidateRow> Candidates { get; set; } = [];
    public IReadOnlyList<OutcomeRowView> Outcomes { get; set; } = [];
    public string FisherP { get; set; } = "";
    /// <summary>" = " before the p value, or " " before "&lt; .001".</summary>
    public string FisherRelation { get; set; } = " = ";
    /// <summary>"exact p", or the Monte Carlo p-value's replicates and seed.</summary>
    public string FisherMethod { get; set; } = "exact p";
    public string CramersV { get; set; } = "";
    /// <summary>Bergsma's bias-corrected Cramér's V, or "–".</summary>
    public string CramersVBiasCorrected { get; set; } = "";
    /// <summary>Caveats shown under the outcome table (expected counts below 5, small clusters, undefined or one-sided intervals).</summary>
    public IReadOnlyList<string> OutcomeCaveats { get; set; } = [];
    public string ChiSquare { get; set; } = "";
    public string OutcomeNote { get; set; } = "";
    public bool HasAssigned { get; set; }
    public IReadOnlyList<OutcomeRowView> AssignedOutcomes { get; set; } = [];
    public string AssignedSummary { get; set; } = "";
    public string AssignedTests { get; set; } = "";
    public CovariateView? Covariates { get; set; }
    public bool HasTimeToJob { get; set; }
    public IReadOnlyList<TimeToJobView> TimeToJob { get; set; } = [];
    public string LogRank { get; set; } = "";
    public string TimeToJobNote { get; set; } = "";
    /// <summary>The Kaplan–Meier figure (SVG), or empty when no clustered dyad has a follow-up.</summary>
    public string KaplanMeierFigure { get; set; } = "";
    public IReadOnlyList<AlphaView> Reliability { get; set; } = [];
    public IReadOnlyList<ArmView> Arms { get; set; } = [];
    public IReadOnlyList<RaterView> RaterEffects { get; set; } = [];
    public bool HasViews { get; set; }
    public string ViewsOverall { get; set; } = "";
    public string ViewsFigure { get; set; } = "";
    public IReadOnlyList<ViewsRow> Views { get; set; } = [];
    public IReadOnlyList<LeftOutView> LeftOut { get; set; } = [];
    public string AlertsPeriod { get; set; } = "";
    public IReadOnlyList<AlertView> Alerts { get; set; } = [];
    /// <summary>The robustness section (<see cref="RobustnessSection"/>).</summary>
    public RobustnessView Robustness { get; set; } = new();
    /// <summary>The seed papers' further tables: flow of dyads, dendrogram, subscales per meeting, employment on mean alliance.</summary>
    public SeedTablesView Seed { get; set; } = new();

    public sealed class CompletionRow
    {
        public string Site { get; set; } = "";
        public IReadOnlyList<string> Response { get; set; } = [];
        public IReadOnlyList<string> Completion { get; set; } = [];
    }

    public sealed class ClusterRow
    {
        public string Label { get; set; } = "";
        public string Pattern { get; set; } = "";
        public string N { get; set; } = "";
        public string Share { get; set; } = "";
        public IReadOnlyList<string> PerMeeting { get; set; } = [];
        public string Overall { get; set; } = "";
        public IReadOnlyList<string> Subscales { get; set; } = [];
        public string Change { get; set; } = "";
        public string Bend { get; set; } = "";
        public string Dyads { get; set; } = "";
    }

    public sealed class CandidateRow
    {
        public string K { get; set; } = "";
        public string Coefficient { get; set; } = "";
        public string Jump { get; set; } = "";
        public string Smallest { get; set; } = "";
        public string CalinskiHarabasz { get; set; } = "";
        public string Silhouette { get; set; } = "";
        public bool Chosen { get; set; }
    }

    public sealed class TimeToJobView
    {
        public string Label { get; set; } = "";
        public string Dyads { get; set; } = "";
        public string Events { get; set; } = "";
        public string Median { get; set; } = "";
        public string HazardRatio { get; set; } = "";
    }

    public sealed class OutcomeRowView
    {
        public string Label { get; set; } = "";
        public string Dyads { get; set; } = "";
        public string WithOutcome { get; set; } = "";
        public string Employed { get; set; } = "";
        public string NotEmployed { get; set; } = "";
        /// <summary>Clopper–Pearson 95 % CI of the employment rate, in %, or "undefined".</summary>
        public string EmployedCi { get; set; } = "";
        /// <summary>Odds ratio of employment against the other clusters with its exact 95 % CI and p, or "undefined".</summary>
        public string OddsRatio { get; set; } = "";
        public string DaysToJob { get; set; } = "";
    }

    public sealed class AlphaView
    {
        public string Role { get; set; } = "";
        public string Scale { get; set; } = "";
        public string Items { get; set; } = "";
        public string Alpha { get; set; } = "";
        public string Ci { get; set; } = "";
        public string N { get; set; } = "";
        public string Note { get; set; } = "";
    }

    public sealed class ArmView
    {
        public string Arms { get; set; } = "";
        public string A { get; set; } = "";
        public string B { get; set; } = "";
        public string Test { get; set; } = "";
        public string D { get; set; } = "";
        public string Note { get; set; } = "";
    }

    public sealed class RaterView
    {
        public string Role { get; set; } = "";
        public string Raters { get; set; } = "";
        public string Responses { get; set; } = "";
        public string Icc { get; set; } = "";
        public string Anova { get; set; } = "";
        public string Note { get; set; } = "";
    }

    public sealed class ViewsRow
    {
        public string Meeting { get; set; } = "";
        public string Pairs { get; set; } = "";
        public string Practitioner { get; set; } = "";
        public string Client { get; set; } = "";
        public string Difference { get; set; } = "";
        public string Icc { get; set; } = "";
    }

    public sealed class LeftOutView
    {
        public string Group { get; set; } = "";
        public string Dyads { get; set; } = "";
        public string MeetingsRated { get; set; } = "";
        public string Global { get; set; } = "";
        public string FirstMeeting { get; set; } = "";
        public string Employed { get; set; } = "";
    }

    public sealed class AlertView
    {
        public string RaisedAt { get; set; } = "";
        public string Dyad { get; set; } = "";
        public string Site { get; set; } = "";
        public string Meeting { get; set; } = "";
        public string Role { get; set; } = "";
        public string Kinds { get; set; } = "";
        public string Scores { get; set; } = "";
        public string Thresholds { get; set; } = "";
        public string Status { get; set; } = "";
    }
}
