using AlliancePipeline.Analytics.Analysis;
using AlliancePipeline.Analytics.Statistics;
using AlliancePipeline.Core.Instruments;
using AlliancePipeline.Core.Studies;

namespace AlliancePipeline.Analytics.Reports;

/// <summary>Settings of the study report.</summary>
public sealed record StudyReportOptions
{
    /// <summary>Whose ratings make the trajectories (default: the practitioner's; if a study has none, its most frequent role).</summary>
    public string RaterRole { get; init; } = "practitioner";

    /// <summary>Fewer complete dyads than this and the report says clustering needs more data (default 4).</summary>
    public int MinimumCompleteDyads { get; init; } = 4;

    /// <summary>A cluster with fewer dyads than this is flagged as too small to trust (default 5).</summary>
    public int SmallClusterDyads { get; init; } = 5;

    /// <summary>Fewer clustered dyads than this and the whole clustering is flagged as small (default 30).</summary>
    public int SmallStudyDyads { get; init; } = 30;

    /// <summary>
    /// The work the cluster × outcome test may spend on the exact p-value before it gives R's Monte Carlo p-value instead
    /// (<see cref="FisherExactTest.Test"/>; default <see cref="FisherExactTest.DefaultExactWork"/>, about 10 s).
    /// </summary>
    public long FisherExactWork { get; init; } = FisherExactTest.DefaultExactWork;

    /// <summary>Bootstrap resamples of the cluster stability (<see cref="RobustnessAnalysis"/>; default 100, clusterboot's B).</summary>
    public int StabilityResamples { get; init; } = Clustering.ClusterStability.DefaultResamples;

    /// <summary>The seed of R's generator the resamples are drawn with (default 20261206, as the Fisher test's).</summary>
    public int StabilitySeed { get; init; } = FisherExactTest.DefaultSeed;

    /// <summary>More clustered dyads than this and the stability is not computed (each resample is a whole Ward
    /// clustering; default 2,000), the report saying so.</summary>
    public int StabilityMaxDyads { get; init; } = 2_000;

    /// <summary>The clustering: raw or deviation scores, fixed k, minimum cluster share, pattern thresholds.</summary>
    public TrajectoryAnalysisOptions Analysis { get; init; } = new();
}

/// <summary>A mean with its SD, n and 95 % confidence interval (mean ± t<sub>.975, n−1</sub> · SD / √n; NaN limits when n &lt; 2).</summary>
/// <param name="N">Values.</param>
/// <param name="Mean">Mean (NaN when n = 0).</param>
/// <param name="Sd">SD with the n − 1 denominator (NaN when n &lt; 2).</param>
/// <param name="Low">Lower 95 % limit.</param>
/// <param name="High">Upper 95 % limit.</param>
public sealed record MeanCi(int N, double Mean, double Sd, double Low, double High);

/// <summary>A dyad's scores of the trajectory role at meetings 1..T (NaN where not rated).</summary>
/// <param name="DyadId">The dyad.</param>
/// <param name="SiteId">Its site.</param>
/// <param name="ArmId">Its arm, when known.</param>
/// <param name="Global">Global score per meeting.</param>
/// <param name="Subscales">Each subscale's score per meeting, by the subscale's column (the trajectory role's instrument).</param>
public sealed record DyadTrajectory(string DyadId, string SiteId, string? ArmId, double[] Global, IReadOnlyDictionary<string, double[]> Subscales)
{
    /// <summary>Rated at every meeting.</summary>
    public bool Complete => !Global.Any(double.IsNaN);

    /// <summary>Mean of the rated meetings' values of <paramref name="scores"/> (NaN when none).</summary>
    public static double MeanOfRated(double[] scores)
    {
        var rated = scores.Where(v => !double.IsNaN(v)).ToArray();
        return rated.Length == 0 ? double.NaN : rated.Average();
    }
}

/// <summary>Completion of one site (or all sites) at one meeting (or all meetings).</summary>
/// <param name="SiteId">Site id, or null for all sites.</param>
/// <param name="Meeting">Meeting, or null for all meetings.</param>
/// <param name="Planned">Assessments not withdrawn.</param>
/// <param name="Invited">Planned ones whose invitation day has come (no invitation date known: counted as invited).</param>
/// <param name="Due">Planned ones whose due date has passed.</param>
/// <param name="Answered">Planned ones answered (submitted or scored).</param>
/// <param name="AnsweredWhenDue">Due ones answered.</param>
public sealed record CompletionCell(string? SiteId, int? Meeting, int Planned, int Invited, int Due, int Answered, int AnsweredWhenDue)
{
    /// <summary>Response rate: answered / invited (NaN when nobody was invited yet).</summary>
    public double ResponseRate => Invited == 0 ? double.NaN : (double)Answered / Invited;

    /// <summary>Completion rate: answered among the due / due (NaN when nothing is due yet).</summary>
    public double CompletionRate => Due == 0 ? double.NaN : (double)AnsweredWhenDue / Due;
}

/// <summary>The study in numbers.</summary>
/// <param name="Sites">Sites.</param>
/// <param name="Raters">Distinct raters (by pseudonymous id) with at least one assessment; by role.</param>
/// <param name="Dyads">Dyads enrolled (or seen).</param>
/// <param name="WithdrawnDyads">Of which withdrawn.</param>
/// <param name="Responses">Responses stored; by role.</param>
/// <param name="Cells">Completion per site × meeting, per site (meeting null), per meeting (site null) and overall (both null).</param>
/// <param name="HandedOver">Responses given through a coordinator hand-over (not the rater's mailed link).</param>
public sealed record StudyNumbers(int Sites, IReadOnlyDictionary<string, int> Raters, int Dyads, int WithdrawnDyads,
    IReadOnlyDictionary<string, int> Responses, IReadOnlyList<CompletionCell> Cells, int HandedOver = 0)
{
    /// <summary>Responses imported from a file of ratings the study already had (<c>alliance responses import</c>), not answered through the app.</summary>
    public int Imported { get; init; }
}

/// <summary>One cluster as the report prints it.</summary>
/// <param name="Cluster">R's cutree number.</param>
/// <param name="Label">The unique pattern label (<see cref="NamedCluster.Label"/>).</param>
/// <param name="Named">The analysis' cluster (centroid, shape, descriptives).</param>
/// <param name="PerMeeting">Global score per meeting with its 95 % CI (the figure's error bars).</param>
/// <param name="Subscales">Per subscale of the instrument, in its order: the mean (SD) over the cluster's dyads of each
/// dyad's mean subscale score across meetings (the WAI: goal, task, bond).</param>
/// <param name="DyadIds">The cluster's dyads.</param>
public sealed record ClusterSummary(int Cluster, string Label, NamedCluster Named, IReadOnlyList<MeanCi> PerMeeting, IReadOnlyList<SubscaleMean> Subscales,
    IReadOnlyList<string> DyadIds);

/// <summary>One subscale's scores in a group of dyads.</summary>
/// <param name="Id">The subscale's id (<c>goal</c>).</param>
/// <param name="Column">Its score column (<c>Goal</c>).</param>
/// <param name="Label">Its name in the instrument's English (else default) language.</param>
/// <param name="Mean">Mean (SD) of the dyads' own mean scores across meetings.</param>
public sealed record SubscaleMean(string Id, string Column, string Label, MeanCi Mean);

/// <summary>One row (a cluster) of the cluster × outcome table.</summary>
/// <param name="Cluster">Cluster number.</param>
/// <param name="Label">Its label.</param>
/// <param name="Dyads">Dyads in the cluster.</param>
/// <param name="WithOutcome">Of which with a recorded outcome.</param>
/// <param name="Employed">Employed.</param>
/// <param name="NotEmployed">Not employed.</param>
/// <param name="DaysToJob">Days from enrolment to the job, among the employed whose dates are known.</param>
public sealed record OutcomeRow(int Cluster, string Label, int Dyads, int WithOutcome, int Employed, int NotEmployed, MeanCi DaysToJob)
{
    /// <summary>Employed / with outcome (NaN when none).</summary>
    public double EmployedShare => WithOutcome == 0 ? double.NaN : (double)Employed / WithOutcome;

    /// <summary>
    /// The employment rate with its exact 95 % interval (Clopper–Pearson, R's <c>binom.test(employed, withOutcome)</c>);
    /// null (undefined) when no dyad of the cluster has an outcome.
    /// </summary>
    public ClopperPearson? EmployedInterval { get; init; }

    /// <summary>
    /// The odds of employment in this cluster over those in the other clusters with an outcome: the conditional MLE with its
    /// exact 95 % interval and p (R's <c>fisher.test</c> on the 2 × 2 of this cluster against the rest); 0 or +∞ (with a
    /// one-sided interval) when none or all of one side found a job. Null (undefined) when the outcome table is not tested
    /// (one cluster with outcomes, or everyone with the same outcome) or the cluster has no outcome.
    /// </summary>
    public FisherOddsRatio? OddsRatioVsRest { get; init; }
}

/// <summary>The cluster × outcome table and its tests.</summary>
/// <param name="Rows">One row per cluster.</param>
/// <param name="Fisher">
/// Fisher–Freeman–Halton test (R's <c>fisher.test</c>), when the table allows it: exact, or, for a table whose exact sum
/// would take more than <see cref="FisherExactTest.DefaultExactWork"/> steps, R's Monte Carlo p-value with its
/// replicates and seed (<see cref="FisherExactTest.Test"/>).
/// </param>
/// <param name="ChiSquare">Pearson's chi-square with Cramér's V (R's <c>chisq.test(correct = FALSE)</c>), when it allows it.</param>
/// <param name="Note">Why a test is missing, when one is.</param>
public sealed record OutcomeTable(IReadOnlyList<OutcomeRow> Rows, FisherTestResult? Fisher, ChiSquareTest? ChiSquare, string? Note)
{
    /// <summary>The Fisher–Freeman–Halton p-value, exact or simulated (see <see cref="Fisher"/>).</summary>
    public double? FisherP => Fisher?.PValue;

    /// <summary>Bergsma's (2013) bias-corrected Cramér's V of the tested table (<see cref="BiasCorrectedCramersV"/>), when tested.</summary>
    public double? CramersVBiasCorrected { get; init; }

    /// <summary>Cells of the tested table whose expected count (row total × column total / N) is below 5.</summary>
    public int ExpectedBelowFive { get; init; }

    /// <summary>Cells of the tested table (0 when not tested).</summary>
    public int Cells { get; init; }

    /// <summary>
    /// Plain sentences the table must show beside it: expected counts below 5, clusters with fewer dyads with an outcome than
    /// <see cref="StudyReportOptions.SmallClusterDyads"/>, and intervals that are undefined or one-sided.
    /// </summary>
    public IReadOnlyList<string> Caveats { get; init; } = [];
}

/// <summary>Cronbach's alpha of one scale of one rater role.</summary>
/// <param name="Role">Rater role.</param>
/// <param name="Scale">Subscale id (the WAI: goal, task, bond) or <c>global</c>.</param>
/// <param name="Label">Display name.</param>
/// <param name="Items">Item numbers in the scale.</param>
/// <param name="Alpha">Alpha with its Feldt 95 % CI, or null.</param>
/// <param name="Note">Why it is missing, when it is.</param>
public sealed record AlphaRow(string Role, string Scale, string Label, IReadOnlyList<int> Items, CronbachAlpha? Alpha, string? Note);

/// <summary>The comparison of two arms on the dyads' mean global score (trajectory role).</summary>
/// <param name="ArmA">First arm id.</param>
/// <param name="ArmB">Second arm id.</param>
/// <param name="A">Dyads' mean scores in arm A.</param>
/// <param name="B">In arm B.</param>
/// <param name="Test">Welch t with Cohen's d, or null.</param>
/// <param name="Note">Why it is missing, when it is.</param>
public sealed record ArmComparison(string ArmA, string ArmB, MeanCi A, MeanCi B, WelchTTest? Test, string? Note);

/// <summary>Rater effects of one role: ICC(1) of global scores within raters.</summary>
/// <param name="Role">Rater role.</param>
/// <param name="Raters">Raters with responses.</param>
/// <param name="Responses">Responses.</param>
/// <param name="Icc">ICC(1) with its ANOVA, or null.</param>
/// <param name="Note">Why it is missing, when it is.</param>
public sealed record RaterEffect(string Role, int Raters, int Responses, IntraclassCorrelation? Icc, string? Note);

/// <summary>Practitioner and client views at one meeting, over the dyad-meetings both rated.</summary>
/// <param name="Meeting">Meeting.</param>
/// <param name="Practitioner">Practitioner global score.</param>
/// <param name="Client">Client global score.</param>
/// <param name="Difference">Client − practitioner, per pair.</param>
/// <param name="Icc">ICC(1) of the two scores within each pair (one-way random, absolute agreement), or null.</param>
public sealed record ViewsAtMeeting(int Meeting, MeanCi Practitioner, MeanCi Client, MeanCi Difference, IntraclassCorrelation? Icc);

/// <summary>Where practitioner and client both rated: their views side by side.</summary>
/// <param name="PerMeeting">One row per meeting with pairs.</param>
/// <param name="Overall">ICC(1) over every pair of every meeting.</param>
/// <param name="Pairs">Dyad-meetings rated by both.</param>
public sealed record BothViews(IReadOnlyList<ViewsAtMeeting> PerMeeting, IntraclassCorrelation? Overall, int Pairs);

/// <summary>Dyads clustered compared with dyads left out for a missing meeting.</summary>
/// <param name="Group"><c>clustered</c> or <c>left out</c>.</param>
/// <param name="Dyads">Dyads.</param>
/// <param name="MeetingsRated">Meetings rated per dyad.</param>
/// <param name="Global">Each dyad's mean global score over its rated meetings.</param>
/// <param name="FirstMeeting">Global score at meeting 1, where rated.</param>
/// <param name="WithOutcome">Dyads with an outcome.</param>
/// <param name="Employed">Of which employed.</param>
public sealed record LeftOutRow(string Group, int Dyads, MeanCi MeetingsRated, MeanCi Global, MeanCi FirstMeeting, int WithOutcome, int Employed);

/// <summary>
/// The sensitivity analysis of <c>missingMeetings: assign</c>: the dyads left out for a missing meeting assigned to the
/// nearest cluster centroid on the meetings they have (<see cref="TrajectoryAnalysis.AssignPartial"/>), and the cluster ×
/// outcome table again over every assigned dyad, complete and partial.
/// </summary>
/// <param name="Partial">Cluster of each partial trajectory assigned, by dyad id.</param>
/// <param name="NotAssigned">Dyads left out with fewer than two rated meetings: not assigned.</param>
/// <param name="Outcomes">The outcome table over complete and assigned partial trajectories.</param>
public sealed record AssignedSensitivity(IReadOnlyDictionary<string, int> Partial, IReadOnlyList<string> NotAssigned, OutcomeTable Outcomes);

/// <summary>One cluster of the time-to-job analysis.</summary>
/// <param name="Cluster">Cluster number.</param>
/// <param name="Label">Its label.</param>
/// <param name="Dyads">Its dyads with a follow-up (<see cref="ReportInput.TimeToJob"/>).</param>
/// <param name="Events">Of which found a job within follow-up.</param>
/// <param name="Median">Kaplan–Meier median days to job (R's <c>survfit</c>); null when not reached.</param>
/// <param name="MedianLower">Its lower 95 % limit; null when undefined.</param>
/// <param name="MedianUpper">Its upper 95 % limit; null when not reached.</param>
/// <param name="HazardRatio">The Cox hazard ratio against the reference cluster (null for the reference and for a cluster without dyads).</param>
public sealed record TimeToJobRow(int Cluster, string Label, int Dyads, int Events, double? Median, double? MedianLower, double? MedianUpper,
    CoxCoefficient<int>? HazardRatio);

/// <summary>
/// Time to job by cluster within the study's follow-up (<c>analysis.followUp</c>): Kaplan–Meier medians, the log-rank test
/// (R's <c>survdiff</c>) and a Cox model of the cluster (R's <c>coxph</c>, Efron ties), the first cluster with an event the reference.
/// </summary>
/// <param name="Rows">One row per cluster.</param>
/// <param name="LogRank">The log-rank test, when two clusters or more have dyads with a follow-up.</param>
/// <param name="Cox">The Cox model, when two clusters or more have dyads with a follow-up.</param>
/// <param name="Note">Why the tests are missing, when they are.</param>
public sealed record TimeToJobAnalysis(IReadOnlyList<TimeToJobRow> Rows, LogRankTest<int>? LogRank, CoxRegression<int>? Cox, string? Note)
{
    /// <summary>Each cluster's Kaplan–Meier curve (clusters with a follow-up), for the figure.</summary>
    public IReadOnlyList<KaplanMeierCurve<int>> Curves { get; init; } = [];

    /// <summary>The follow-up in days (the figure's x axis), when known.</summary>
    public int? FollowUpDays { get; init; }
}

/// <summary>Everything the report shows, computed from a <see cref="ReportInput"/> by <see cref="StudyReportAnalysis.Run"/>.</summary>
public sealed record StudyReport
{
    /// <summary>What it was computed from.</summary>
    public required ReportInput Input { get; init; }

    /// <summary>Settings used.</summary>
    public required StudyReportOptions Options { get; init; }

    /// <summary>Whose ratings make the trajectories.</summary>
    public required string RaterRole { get; init; }

    /// <summary>Meetings per trajectory (T).</summary>
    public required int Meetings { get; init; }

    /// <summary>The trajectory role's instrument, when known.</summary>
    public InstrumentDefinition? Instrument { get; init; }

    /// <summary>The score axis: the instrument's whole scale (else 1–7).</summary>
    public required (int Min, int Max) Scale { get; init; }

    /// <summary>The study in numbers.</summary>
    public required StudyNumbers Numbers { get; init; }

    /// <summary>Every dyad's trajectory of the role (rated at least once).</summary>
    public required IReadOnlyList<DyadTrajectory> Trajectories { get; init; }

    /// <summary>Dyads without a score at each meeting 1..T.</summary>
    public required IReadOnlyList<int> MissingByMeeting { get; init; }

    /// <summary>The clustering, or null when there is too little data.</summary>
    public TrajectoryAnalysisResult? Result { get; init; }

    /// <summary>Why there is no clustering, when there is none.</summary>
    public string? Message { get; init; }

    /// <summary>The clusters as printed.</summary>
    public IReadOnlyList<ClusterSummary> Clusters { get; init; } = [];

    /// <summary>The cluster × outcome table, when clustered.</summary>
    public OutcomeTable? Outcomes { get; init; }

    /// <summary>The assignment of partial trajectories (<c>missingMeetings: assign</c>), beside the complete-case analysis; else null.</summary>
    public AssignedSensitivity? Assigned { get; init; }

    /// <summary>Time to job by cluster, when the study sets a follow-up (<c>analysis.followUp</c>) and the dyads were clustered; else null.</summary>
    public TimeToJobAnalysis? TimeToJob { get; init; }

    /// <summary>Robustness of the clustering (bootstrap stability, k under both rules; when clustered) and alpha per meeting.</summary>
    public RobustnessAnalysis? Robustness { get; init; }
    /// <summary>The covariates by pattern and the job rate by category (<see cref="ReportCovariates.Analyse"/>); null without declared covariates or clusters.</summary>
    public CovariateSection? Covariates { get; init; }

    /// <summary>Cronbach's alpha per subscale and global, per role.</summary>
    public IReadOnlyList<AlphaRow> Reliability { get; init; } = [];

    /// <summary>Arm comparisons (every pair of arms with dyads).</summary>
    public IReadOnlyList<ArmComparison> Arms { get; init; } = [];

    /// <summary>Rater effects per role.</summary>
    public IReadOnlyList<RaterEffect> RaterEffects { get; init; } = [];

    /// <summary>Both views, when practitioner and client both rated some dyad-meeting.</summary>
    public BothViews? Views { get; init; }

    /// <summary>Per meeting, each role's global score over every response (the second figure).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<MeanCi>> RoleMeans { get; init; } = new Dictionary<string, IReadOnlyList<MeanCi>>();

    /// <summary>Clustered dyads against those left out.</summary>
    public IReadOnlyList<LeftOutRow> LeftOut { get; init; } = [];

    /// <summary>Alerts raised in the period (after <see cref="ReportInput.PeriodStart"/>).</summary>
    public IReadOnlyList<ReportAlert> Alerts { get; init; } = [];

    /// <summary>Every warning the report shows: the analysis' own and the report's (small clusters, small study).</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>The methods paragraph, generated from what ran.</summary>
    public string Methods { get; init; } = "";

    /// <summary>The seed papers' further tables: flow of dyads, subscales per meeting by cluster, employment on mean alliance.</summary>
    public SeedPaperTables? Tables { get; init; }

    /// <summary>The test the study file names primary (<c>analysis.primaryTest</c>), whether it ran, its p; null when it names none.</summary>
    public PrimaryTestResult? Primary { get; init; }

    /// <summary>The label of one of the tests a study may name: primary for the named one, else exploratory.</summary>
    public string LabelOf(PrimaryTest test) => Primary?.Test == test ? PrimaryTestResult.PrimaryLabel : PrimaryTestResult.ExploratoryLabel;
}

/// <summary>
/// The test a study file names primary (<c>analysis.primaryTest</c>) as this report ran it: every other test is exploratory.
/// </summary>
/// <param name="Test">The test named.</param>
/// <param name="Name">The report's name of it (<c>log-rank test of time to job by pattern</c>).</param>
/// <param name="P">Its p value when it ran.</param>
/// <param name="NotRun">Why it did not run (no outcome recorded, no clusters, …), or null when it ran.</param>
public sealed record PrimaryTestResult(PrimaryTest Test, string Name, double? P, string? NotRun)
{
    /// <summary>The label of the named test.</summary>
    public const string PrimaryLabel = "primary (named in the study file before analysis)";

    /// <summary>The label of every other test.</summary>
    public const string ExploratoryLabel = "exploratory";

    /// <summary>True when the test ran and gave a p value.</summary>
    public bool Ran => NotRun is null;

    /// <summary>The value in the study file.</summary>
    public string FileValue => PrimaryTests.FileValue(Test);

    /// <summary>The report's name of a test.</summary>
    public static string NameOf(PrimaryTest test) => test switch
    {
        PrimaryTest.PatternEmployment => "Fisher–Freeman–Halton test of pattern × employment",
        PrimaryTest.TimeToJob => "log-rank test of time to job by pattern",
        _ => "Wald test of mean alliance in the logistic regression of employment",
    };

    /// <summary>The named test in <paramref name="report"/> (its tables computed), or null when the study names none.</summary>
    public static PrimaryTestResult? Of(StudyReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        if (report.Input.Analysis?.PrimaryTest is not { } test) return null;
        var unclustered = "the dyads were not clustered" + (report.Message is { } m ? $" ({char.ToLowerInvariant(m[0])}{m[1..].TrimEnd('.')})" : "");
        var (p, why) = test switch
        {
            PrimaryTest.PatternEmployment => report.Outcomes is not { } o ? (null, unclustered)
                : o.FisherP is { } fp ? (fp, null) : ((double?)null, o.Note ?? "too few outcomes"),
            PrimaryTest.TimeToJob => report.TimeToJob is not { } t
                ? (null, report.Result is null ? unclustered : "no dyad has a time to job yet (no outcome recorded)")
                : t.LogRank?.PValue is { } lp ? (lp, null) : ((double?)null, t.Note ?? "too few dyads followed"),
            _ => report.Tables?.Employment is not { } e ? (null, "the regression did not run")
                : e.Alliance?.Coefficient.PValue is { } ep ? (ep, null) : ((double?)null, e.Note ?? "the regression could not be fitted"),
        };
        // The reason reads inside a sentence: "did not run: no clustered dyad has a recorded outcome yet".
        return new PrimaryTestResult(test, NameOf(test), p, why is null ? null : char.ToLowerInvariant(why[0]) + why[1..].TrimEnd('.'));
    }
}
