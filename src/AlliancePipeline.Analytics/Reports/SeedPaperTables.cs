using AlliancePipeline.Analytics.Statistics;
using AlliancePipeline.Core.Studies;

namespace AlliancePipeline.Analytics.Reports;

/// <summary>One step of the flow of dyads (enrolled → … → clustered).</summary>
/// <param name="Step">What the dyads of this step have in common (<c>enrolled</c>, <c>rated</c>, …).</param>
/// <param name="Dyads">Dyads at this step.</param>
/// <param name="Left">Dyads of the previous step that are not at this one (0 for the first).</param>
/// <param name="Reason">Why they left, in a few words; null for the first step.</param>
public sealed record DyadFlowStep(string Step, int Dyads, int Left, string? Reason);

/// <summary>The flow of dyads from enrolment to the clustering, with a note on withdrawn dyads who stay in it.</summary>
/// <param name="Steps">Enrolled, not withdrawn before a rating, rated, complete, clustered.</param>
/// <param name="Note">Withdrawn dyads rated before they withdrew (their ratings are analysed), when there are any.</param>
public sealed record DyadFlow(IReadOnlyList<DyadFlowStep> Steps, string? Note);

/// <summary>One subscale's score per meeting in one cluster.</summary>
/// <param name="Cluster">Cluster number.</param>
/// <param name="Label">Its label.</param>
/// <param name="SubscaleId">The subscale's id (<c>goal</c>).</param>
/// <param name="Subscale">Its English label.</param>
/// <param name="PerMeeting">Mean, SD and n of the cluster's dyads' subscale scores at each meeting 1..T.</param>
public sealed record SubscaleByMeeting(int Cluster, string Label, string SubscaleId, string Subscale, IReadOnlyList<MeanCi> PerMeeting);

/// <summary>
/// The logistic regression of employment (1 a job, 0 none; the latest outcome recorded) on mean alliance: each dyad's mean
/// global score of the trajectory role over its rated meetings 1..T (the mean the arms comparison uses), over every dyad
/// with an outcome and a rating, clustered or not.
/// </summary>
/// <param name="Dyads">Dyads in the model.</param>
/// <param name="Employed">Of which employed.</param>
/// <param name="Fit">R's <c>glm(employed ~ alliance, family = binomial)</c>, or null when it cannot be fitted.</param>
/// <param name="Note">Why there is no fit, or why its estimates are undefined (separation).</param>
public sealed record AllianceEmployment(int Dyads, int Employed, LogisticRegression? Fit, string? Note)
{
    /// <summary>The alliance coefficient (odds ratio per scale point), when fitted and defined.</summary>
    public LogisticCoefficient? Alliance => Fit is { Separation: null } f ? f.Coefficients.FirstOrDefault(c => c.Name == AllianceEmploymentTerm && !c.Coefficient.Aliased) : null;

    /// <summary>The predictor's name in the model.</summary>
    public const string AllianceEmploymentTerm = "alliance";
}

/// <summary>
/// A continuous outcome (<c>daysWorked</c>, <c>tenureDays</c>) regressed on the study's declared covariates (block 1) and
/// then also on mean alliance (block 2), as the seed papers report it (<see cref="HierarchicalRegression"/>: ΔR² and the
/// F change of R's <c>anova(m1, m2)</c>), over the dyads with the outcome, a rating and every covariate recorded
/// (listwise, as SPSS's default).
/// </summary>
/// <param name="Outcome">The outcome's field name.</param>
/// <param name="Dyads">Dyads in the fit.</param>
/// <param name="MissingCovariate">Dyads with the outcome and a rating left out for a covariate not recorded.</param>
/// <param name="Covariates">Block 1: the declared covariates, in file order.</param>
/// <param name="Fit">The fit, or null when it cannot be made (<paramref name="Note"/> says why).</param>
/// <param name="Note">Why there is no fit, or what was dropped as aliased.</param>
public sealed record OutcomeRegression(string Outcome, int Dyads, int MissingCovariate, IReadOnlyList<string> Covariates, HierarchicalRegression? Fit, string? Note);

/// <summary>The seed papers' further tables (issue 18 item 6): the flow of dyads, subscales per meeting by cluster, and employment on mean alliance.</summary>
/// <param name="Flow">Enrolled → clustered.</param>
/// <param name="Subscales">Per cluster and subscale of the trajectory role's instrument: the score per meeting (empty when not clustered).</param>
/// <param name="Employment">The logistic regression of employment on mean alliance.</param>
public sealed record SeedPaperTables(DyadFlow Flow, IReadOnlyList<SubscaleByMeeting> Subscales, AllianceEmployment Employment)
{
    /// <summary>The tables of a report (whatever it holds: clustered or not).</summary>
    public static SeedPaperTables Of(StudyReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return new SeedPaperTables(FlowOf(report), SubscalesOf(report), EmploymentOf(report)) { Regressions = RegressionsOf(report) };
    }

    /// <summary>Each continuous outcome recorded for some dyad, on the covariates and then on mean alliance (<see cref="OutcomeRegression"/>).</summary>
    public IReadOnlyList<OutcomeRegression> Regressions { get; init; } = [];

    /// <summary>The name of mean alliance in block 2.</summary>
    public const string AllianceTerm = "alliance";

    private static OutcomeRegression[] RegressionsOf(StudyReport r)
    {
        var input = r.Input;
        string[] outcomes = [StudyInputs.DaysWorkedField, StudyInputs.TenureDaysField];
        var covariates = input.Covariates.Select(c => c.Name).ToArray();
        return [.. outcomes.Where(name => input.ContinuousOutcomes.Values.Any(v => v.ContainsKey(name))).Select(name =>
        {
            var rated = r.Trajectories
                .Select(t => (t.DyadId, Alliance: DyadTrajectory.MeanOfRated(t.Global), Days: ReportCovariates.Days(input, t.DyadId, name)))
                .Where(x => double.IsFinite(x.Alliance) && x.Days is not null).ToArray();
            var rows = rated.Where(x => input.Covariates.All(c => ReportCovariates.Value(input, x.DyadId, c.Name) is not null)).ToArray();
            int missing = rated.Length - rows.Length;
            string? Why()
            {
                if (rows.Length < covariates.Length + 3)
                    return $"{rows.Length} dyad{(rows.Length == 1 ? " has" : "s have")} the outcome, a rating and every covariate: too few for the regression (at least {covariates.Length + 3}).";
                if (rows.All(x => x.Days == rows[0].Days)) return "Every dyad has the same value: there is nothing to explain.";
                return null;
            }
            if (Why() is { } why) return new OutcomeRegression(name, rows.Length, missing, covariates, null, why);
            var block1 = input.Covariates.Select(c => c.Type == CovariateType.Categorical
                ? (RegressionTerm)new CategoricalTerm(c.Name, [.. rows.Select(x => ReportCovariates.Value(input, x.DyadId, c.Name)!.Level!)], c.Levels)
                : new NumericTerm(c.Name, [.. rows.Select(x => ReportCovariates.Value(input, x.DyadId, c.Name)!.Number!.Value)])).ToArray();
            try
            {
                var fit = HierarchicalRegression.Fit([.. rows.Select(x => (double)x.Days!.Value)], block1, [new NumericTerm(AllianceTerm, [.. rows.Select(x => x.Alliance)])]);
                string? note = fit.Model2.Aliased.Count == 0 ? null : $"Dropped as aliased (R's NA): {string.Join(", ", fit.Model2.Aliased)}.";
                return new OutcomeRegression(name, rows.Length, missing, covariates, fit, note);
            }
            catch (ArgumentException e)
            {
                return new OutcomeRegression(name, rows.Length, missing, covariates, null, e.Message);
            }
        })];
    }

    private static DyadFlow FlowOf(StudyReport r)
    {
        var input = r.Input;
        var rated = r.Trajectories.Select(t => t.DyadId).ToHashSet(StringComparer.Ordinal);
        var withdrawn = input.Dyads.Where(d => d.Withdrawn).Select(d => d.Id).ToHashSet(StringComparer.Ordinal);
        var enrolled = input.Dyads.Select(d => d.Id).Concat(rated).ToHashSet(StringComparer.Ordinal);
        int withdrawnUnrated = withdrawn.Count(id => !rated.Contains(id));
        int stayed = enrolled.Count - withdrawnUnrated;
        int complete = r.Trajectories.Count(t => t.Complete);
        int clustered = r.Result?.ClusteredDyadIds.Count ?? 0;
        var steps = new List<DyadFlowStep>
        {
            new("enrolled", enrolled.Count, 0, null),
            new("not withdrawn before a rating", stayed, withdrawnUnrated, "withdrawn before any " + r.RaterRole + " rating"),
            new("rated at least once", rated.Count, stayed - rated.Count, "not rated yet by the " + r.RaterRole),
            new($"rated at every meeting 1–{r.Meetings}", complete, rated.Count - complete, "a meeting missing"),
            new("clustered", clustered, complete - clustered, complete == clustered ? null : r.Message ?? "not clustered"),
        };
        int withdrawnRated = withdrawn.Count(rated.Contains);
        string? note = withdrawnRated == 0 ? null
            : $"{withdrawnRated} withdrawn dyad{(withdrawnRated == 1 ? " was" : "s were")} rated before withdrawing; {(withdrawnRated == 1 ? "its" : "their")} ratings are analysed with the others.";
        return new DyadFlow(steps, note);
    }

    private static SubscaleByMeeting[] SubscalesOf(StudyReport r)
    {
        if (r.Result is null || r.Instrument is not { } instrument) return [];
        var byId = r.Trajectories.ToDictionary(t => t.DyadId, StringComparer.Ordinal);
        return [.. r.Clusters.SelectMany(c => instrument.Subscales.Select(s =>
        {
            var members = c.DyadIds.Select(id => byId[id].Subscales[s.Column]).ToArray();
            return new SubscaleByMeeting(c.Cluster, c.Label, s.Id, s.Label.Get(s.Label.Has("en") ? "en" : instrument.DefaultLanguage),
                [.. Enumerable.Range(0, r.Meetings).Select(m => StudyReportAnalysis.MeanCi(members.Select(v => v[m])))]);
        }))];
    }

    private static AllianceEmployment EmploymentOf(StudyReport r)
    {
        var outcomes = r.Input.Outcomes.GroupBy(o => o.DyadId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.OrderBy(o => o.RecordedAt).Last().Employed, StringComparer.Ordinal);
        var rows = r.Trajectories.Where(t => outcomes.ContainsKey(t.DyadId))
            .Select(t => (Alliance: DyadTrajectory.MeanOfRated(t.Global), Employed: outcomes[t.DyadId] ? 1 : 0))
            .Where(x => double.IsFinite(x.Alliance)).ToArray();
        int employed = rows.Count(x => x.Employed == 1);
        if (rows.Length < 3)
            return new AllianceEmployment(rows.Length, employed, null, $"{rows.Length} dyad{(rows.Length == 1 ? " has" : "s have")} both an outcome and a rating: too few for the regression (at least 3).");
        var fit = LogisticRegression.Fit([.. rows.Select(x => x.Employed)], [new NumericTerm(AllianceEmployment.AllianceEmploymentTerm, [.. rows.Select(x => x.Alliance)])]);
        string? note = fit.Separation is { } s ? s + " The odds ratio is undefined." : fit.Aliased.Count > 0 ? "Every dyad has the same mean alliance: the odds ratio is undefined." : null;
        return new AllianceEmployment(rows.Length, employed, fit, note);
    }
}
