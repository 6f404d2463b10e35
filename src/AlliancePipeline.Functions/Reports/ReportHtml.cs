using System.Globalization;
using AlliancePipeline.Analytics.Reports;
using AlliancePipeline.Core.Studies;
using AlliancePipeline.Functions.Infrastructure.Pages;

namespace AlliancePipeline.Functions.Reports;

/// <summary>
/// <c>report.html</c>: one self-contained page (inline CSS and SVG, no script, no outside request) rendered by Fluid from
/// the embedded Liquid template <c>Templates/report.liquid</c> in the pages' one layout and stylesheet
/// (<see cref="PageRenderer"/>). Every value is HTML-encoded on output (study and site names are user text); only the SVG
/// figures, which <see cref="TrajectoryFigure"/> builds with its own escaping, are written raw. Numbers are formatted here,
/// in the invariant culture, so the template only lays them out.
/// </summary>
public static class ReportHtml
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>The report's template.</summary>
    internal const string Template = "AlliancePipeline.Functions.Reports.Templates.report.liquid";

    /// <summary>The page.</summary>
    public static string Render(StudyReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return PageTemplates.Renderer.Render(Template, View(report), "en", "Alliance report: " + report.Input.StudyName, PageRenderer.Kind.Report);
    }

    /// <summary>The template's model: every number already formatted.</summary>
    public static ReportView View(StudyReport r)
    {
        ArgumentNullException.ThrowIfNull(r);
        var input = r.Input;
        var meetings = Enumerable.Range(1, r.Meetings).Select(m => m.ToString(Inv)).ToArray();
        var instrument = r.Instrument is { } i ? $"{i.Title.Get(i.Title.Has("en") ? "en" : i.DefaultLanguage)} ({i.Id}, {i.Scale.Min}–{i.Scale.Max})" : "instrument not known";
        var yLabel = r.Instrument is { } ins ? $"Global score ({ins.Id}, {ins.Scale.Min}–{ins.Scale.Max})" : $"Global score ({r.Scale.Min}–{r.Scale.Max})";
        var view = new ReportView
        {
            StudyName = input.StudyName,
            StudyId = input.StudyId,
            RunId = input.RunId,
            GeneratedAt = Stamp(input.GeneratedAt),
            Role = r.RaterRole,
            Instrument = instrument,
            Meetings = meetings,
            Subscales = r.Instrument?.Subscales.Select(s => s.Label.Get(s.Label.Has("en") ? "en" : r.Instrument.DefaultLanguage)).ToArray() ?? [],
            Warnings = r.Warnings,
            Methods = r.Methods,
            Sites = r.Numbers.Sites.ToString(Inv),
            Dyads = r.Numbers.Dyads.ToString(Inv),
            Withdrawn = r.Numbers.WithdrawnDyads.ToString(Inv),
            Raters = r.Numbers.Raters.Count == 0 ? "not known" : string.Join(", ", r.Numbers.Raters.Select(p => $"{p.Value} {p.Key}{(p.Value == 1 ? "" : "s")}")),
            ResponseCount = input.Responses.Count.ToString(Inv),
            ResponsesByRole = string.Join(", ", r.Numbers.Responses.Select(p => $"{p.Value} by {p.Key}s")),
            HandedOver = r.Numbers.HandedOver.ToString(Inv),
            Imported = r.Numbers.Imported.ToString(Inv),
            Completion = CompletionRows(r),
            MissingByMeeting = r.MissingByMeeting.Select(v => v.ToString(Inv)).ToArray(),
            Clustered = r.Result is not null,
            Status = r.Result is { } res ? $"Ward's minimum-variance clustering (as R's hclust(dist(X), \"ward.D2\")) of {res.ClusteredDyadIds.Count} trajectories. {res.Selection.Reason}" : r.Message ?? "",
            Incomplete = r.Result is { } rr
                ? $"{rr.ClusteredDyadIds.Count} dyads with every meeting scored were clustered; {rr.IncompleteDyadIds.Count} missing a meeting were left out" + (rr.IncompleteDyadIds.Count == 0 ? "." : $": {string.Join(", ", rr.IncompleteDyadIds)}.")
                : "",
            AlertsPeriod = input.PeriodStart is { } since ? $"since the previous report ({Stamp(since)})" : "since the study began",
        };
        if (r.Primary is { } primary)
        {
            view.Exploratory = StudyReportAnalysis.Exploratory(primary);
            view.FisherLabel = r.LabelOf(PrimaryTest.PatternEmployment);
            view.LogRankLabel = r.LabelOf(PrimaryTest.TimeToJob);
            view.EmploymentLabel = r.LabelOf(PrimaryTest.AllianceEmployment);
        }
        FillStatistics(r, view);
        view.Robustness = RobustnessSection.View(r);
        view.Seed = SeedTablesView.Of(r);
        if (r.Result is not { } result) return view;

        view.Figure = TrajectoryFigure.Render("trajectories", $"Mean {yLabel.ToLowerInvariant()} per meeting by cluster, {r.RaterRole} ratings", yLabel, r.Meetings, r.Scale,
            r.Clusters.Select(c => new FigureSeries($"{c.Label} (n = {c.DyadIds.Count})", c.PerMeeting,
                c.DyadIds.Select(id => r.Trajectories.First(t => t.DyadId == id).Global).ToArray())).ToArray());
        view.Clusters = r.Clusters.Select(c => new ReportView.ClusterRow
        {
            Label = c.Label,
            Pattern = Describe(c.Named.Shape.Code),
            N = c.DyadIds.Count.ToString(Inv),
            Share = Percent(c.Named.Descriptive.Share),
            PerMeeting = c.Named.Descriptive.PerMeeting.Select(m => MeanSd(m.Mean, m.Sd)).ToArray(),
            Overall = MeanSd(c.Named.Descriptive.Overall.Mean, c.Named.Descriptive.Overall.Sd),
            Subscales = c.Subscales.Select(s => MeanSd(s.Mean.Mean, s.Mean.Sd)).ToArray(),
            Dyads = string.Join(", ", c.DyadIds),
            Change = Signed(c.Named.Shape.Change),
            Bend = Signed(c.Named.Shape.Bend),
        }).ToArray();
        view.Candidates = result.Selection.Candidates.Select(c => new ReportView.CandidateRow
        {
            K = c.K.ToString(Inv),
            Coefficient = F(c.Coefficient, "0.000"),
            Jump = double.IsFinite(c.RelativeJump) ? Percent(c.RelativeJump, "+0.0") : "∞",
            Smallest = $"{c.SmallestClusterSize} ({Percent(c.SmallestClusterShare)} %)",
            CalinskiHarabasz = F(c.CalinskiHarabasz, "0.00"),
            Silhouette = F(c.MeanSilhouette, "0.000"),
            Chosen = c.K == result.Selection.K,
        }).ToArray();
        if (r.Outcomes is { } o)
        {
            view.Outcomes = OutcomeRows(o);
            view.FisherP = o.FisherP is { } p ? P(p) : "–";
            view.FisherRelation = o.FisherP is { } q && q < 0.001 ? " " : " = ";
            view.FisherMethod = o.Fisher is { IsExact: false } f
                ? $"Monte Carlo p, {f.Replicates!.Value.ToString("N0", Inv)} random tables, R's generator seeded {f.Seed!.Value.ToString(Inv)}"
                : "exact p";
            view.CramersV = o.ChiSquare is { } x ? F(x.CramersV, "0.000") : "–";
            view.CramersVBiasCorrected = o.CramersVBiasCorrected is { } v ? F(v, "0.000") : "–";
            view.OutcomeCaveats = o.Caveats;
            view.ChiSquare = o.ChiSquare is { } y ? $"χ²({y.DegreesOfFreedom}) = {F(y.Statistic, "0.00")}, {PIs(y.PValue)}" : "–";
            view.OutcomeNote = o.Note ?? "";
        }
        if (r.Assigned is { } assigned)
        {
            var a = assigned.Outcomes;
            view.HasAssigned = true;
            view.AssignedOutcomes = OutcomeRows(a);
            view.AssignedSummary = $"{assigned.Partial.Count} dyad{(assigned.Partial.Count == 1 ? "" : "s")} missing a meeting assigned to the nearest centroid"
                + (assigned.NotAssigned.Count == 0 ? "" : $"; {assigned.NotAssigned.Count} rated at a single meeting not assigned") + ".";
            view.AssignedTests = (a.FisherP is { } ap ? $"Fisher–Freeman–Halton {PIs(ap)}" : "Fisher–Freeman–Halton p: –")
                + (a.ChiSquare is { } ax ? $"; Cramér's V = {F(ax.CramersV, "0.000")}" : "") + "." + (a.Note is { } an ? " " + an : "");
        }
        if (r.Covariates is { } covariates) view.Covariates = CovariateView.Of(covariates, r.Clusters);
        if (r.TimeToJob is { } t)
        {
            view.HasTimeToJob = true;
            view.TimeToJob = [.. t.Rows.Select(row => new ReportView.TimeToJobView
            {
                Label = row.Label,
                Dyads = row.Dyads.ToString(Inv),
                Events = row.Events.ToString(Inv),
                Median = row.Dyads == 0 ? Undefined
                    : $"{Days(row.Median, "not reached")} ({Days(row.MedianLower, Undefined)} to {Days(row.MedianUpper, "not reached")})",
                HazardRatio = t.Cox is null ? "–"
                    : t.Cox.Reference == row.Cluster ? "1 (reference)"
                    : row.HazardRatio is { HazardRatio: { } hr, Lower: { } lo, Upper: { } hi, PValue: { } hp } ? $"{Ratio(hr)} ({Ratio(lo)} to {Ratio(hi)}), {PIs(hp)}"
                    : row.HazardRatio?.Undefined is { } why ? $"{Undefined} ({why})" : Undefined,
            })];
            view.LogRank = t.LogRank is { PValue: { } lp } lr ? $"χ²({lr.DegreesOfFreedom}) = {F(lr.ChiSquare, "0.00")}, {PIs(lp)}" : "–";
            view.TimeToJobNote = t.Note ?? "";
            var labels = t.Rows.ToDictionary(row => row.Cluster, row => row.Label);
            view.KaplanMeierFigure = t.Curves.Count == 0 ? "" : KaplanMeierFigure.Render("km", [.. t.Curves.Select(c => new KaplanMeierSeries(labels[c.Group], c))], t.FollowUpDays);
        }
        view.LeftOut = r.LeftOut.Select(l => new ReportView.LeftOutView
        {
            Group = l.Group,
            Dyads = l.Dyads.ToString(Inv),
            MeetingsRated = F(l.MeetingsRated.Mean, "0.0"),
            Global = MeanSd(l.Global.Mean, l.Global.Sd),
            FirstMeeting = l.FirstMeeting.N == 0 ? "–" : $"{MeanSd(l.FirstMeeting.Mean, l.FirstMeeting.Sd)}, n = {l.FirstMeeting.N}",
            Employed = l.WithOutcome == 0 ? "–" : $"{l.Employed} of {l.WithOutcome} ({Percent((double)l.Employed / l.WithOutcome)} %)",
        }).ToArray();
        return view;
    }

    /// <summary>Reliability, arms, rater effects, both views and alerts: shown whether or not the trajectories were clustered.</summary>
    private static void FillStatistics(StudyReport r, ReportView view)
    {
        view.Reliability = r.Reliability.Select(a => new ReportView.AlphaView
        {
            Role = a.Role,
            Scale = a.Label,
            Items = string.Join(", ", a.Items),
            Alpha = a.Alpha is { } x ? F(x.Alpha, "0.000") : "–",
            Ci = a.Alpha is { } c ? $"{F(c.ConfidenceLow, "0.000")} to {F(c.ConfidenceHigh, "0.000")}" : "–",
            N = a.Alpha?.Respondents.ToString(Inv) ?? "–",
            Note = a.Note ?? "",
        }).ToArray();
        view.Arms = r.Arms.Select(a => new ReportView.ArmView
        {
            Arms = $"{r.Input.ArmName(a.ArmA)} vs {r.Input.ArmName(a.ArmB)}",
            A = $"{MeanSd(a.A.Mean, a.A.Sd)}, n = {a.A.N}",
            B = $"{MeanSd(a.B.Mean, a.B.Sd)}, n = {a.B.N}",
            Test = a.Test is { } t ? $"t({F(t.DegreesOfFreedom, "0.0")}) = {F(t.T, "0.00")}, {PIs(t.PValue)}; difference 95 % CI {F(t.ConfidenceLow, "0.00")} to {F(t.ConfidenceHigh, "0.00")}" : "–",
            D = a.Test is { } d ? F(d.CohensD, "0.00") : "–",
            Note = a.Note ?? "",
        }).ToArray();
        view.RaterEffects = r.RaterEffects.Select(e => new ReportView.RaterView
        {
            Role = e.Role,
            Raters = e.Raters.ToString(Inv),
            Responses = e.Responses.ToString(Inv),
            Icc = e.Icc is { } icc ? IccText(icc.Icc1) : "–",
            Anova = e.Icc is { } a ? $"F({a.DegreesOfFreedomBetween}, {a.DegreesOfFreedomWithin}) = {F(a.F, "0.00")}, {PIs(a.PValue)}" : "–",
            Note = e.Note ?? "",
        }).ToArray();
        if (r.Views is { } v)
        {
            view.HasViews = true;
            view.ViewsOverall = v.Overall is { } icc ? $"ICC(1) over all {v.Pairs} pairs = {IccText(icc.Icc1)}" : $"{v.Pairs} pairs: too few for an ICC";
            view.Views = v.PerMeeting.Select(m => new ReportView.ViewsRow
            {
                Meeting = m.Meeting.ToString(Inv),
                Pairs = m.Practitioner.N.ToString(Inv),
                Practitioner = MeanSd(m.Practitioner.Mean, m.Practitioner.Sd),
                Client = MeanSd(m.Client.Mean, m.Client.Sd),
                Difference = double.IsFinite(m.Difference.Low) ? $"{Signed(m.Difference.Mean)} ({F(m.Difference.Low, "0.00")} to {F(m.Difference.High, "0.00")})"
                    : m.Difference.N > 0 ? $"{Signed(m.Difference.Mean)} (95 % CI {Undefined})" : "–",
                Icc = m.Icc is { } i ? IccText(i.Icc1) : "–",
            }).ToArray();
            var roles = new[] { RaterRoles.Practitioner, RaterRoles.Client }.Where(r.RoleMeans.ContainsKey).ToArray();
            view.ViewsFigure = TrajectoryFigure.Render("views", "Practitioner and client mean global score per meeting", $"Global score ({r.Scale.Min}–{r.Scale.Max})", r.Meetings, r.Scale,
                roles.Select(role => new FigureSeries($"{role} (all ratings)", r.RoleMeans[role], [])).ToArray());
        }
        view.Alerts = r.Alerts.Select(a => new ReportView.AlertView
        {
            RaisedAt = Stamp(a.RaisedAt),
            Dyad = a.DyadId,
            Site = r.Input.SiteName(a.SiteId),
            Meeting = a.Meeting.ToString(Inv),
            Role = a.RaterRole,
            Kinds = a.Kinds.Replace(",", " and ", StringComparison.Ordinal),
            Scores = (a.Previous is { } prev ? $"{F(prev, "0.00")} → " : "") + F(a.Current, "0.00"),
            Thresholds = string.Join("; ", new[] { a.DropThreshold is { } d ? $"drop > {F(d, "0.##")}" : null, a.Cutoff is { } c ? $"below {F(c, "0.##")}" : null }.Where(s => s is not null)),
            Status = a.Status,
        }).ToArray();
    }

    private static IReadOnlyList<ReportView.CompletionRow> CompletionRows(StudyReport r)
    {
        var cells = r.Numbers.Cells;
        var meetings = cells.Where(c => c.Meeting is not null).Select(c => c.Meeting!.Value).Distinct().Order().ToArray();
        ReportView.CompletionRow Row(string? site) => new()
        {
            Site = site is null ? "All sites" : r.Input.SiteName(site),
            Response = meetings.Select(m => Rate(cells.First(c => c.SiteId == site && c.Meeting == m), false)).Append(Rate(cells.First(c => c.SiteId == site && c.Meeting is null), false)).ToArray(),
            Completion = meetings.Select(m => Rate(cells.First(c => c.SiteId == site && c.Meeting == m), true)).Append(Rate(cells.First(c => c.SiteId == site && c.Meeting is null), true)).ToArray(),
        };
        if (cells.Count == 1 && cells[0].Planned == 0) return [];
        return cells.Where(c => c.SiteId is not null).Select(c => c.SiteId).Distinct().Select(Row).Append(Row(null)).ToArray();
    }

    private static string Rate(CompletionCell c, bool completion) => completion
        ? c.Due == 0 ? "–" : $"{c.AnsweredWhenDue}/{c.Due} ({Percent(c.CompletionRate)} %)"
        : c.Invited == 0 ? "–" : $"{c.Answered}/{c.Invited} ({Percent(c.ResponseRate)} %)";

    private static string Describe(string code) => code switch
    {
        "SHA" => "stable high",
        "SLA" => "stable low",
        "LDA" => "linear decrease",
        "LIA" => "linear increase",
        "U" => "U-shaped",
        "InvU" => "inverted U",
        _ => code,
    };

    private static string Stamp(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", Inv);

    /// <summary>A number as printed: invariant culture, a minus sign (U+2212) for a negative one, "–" when not finite.</summary>
    internal static string F(double v, string format) => double.IsFinite(v) ? Minus(v.ToString(format, Inv)) : "–";

    /// <summary>Hyphen-minus in a formatted number made the minus sign U+2212, as typeset text prints it.</summary>
    internal static string Minus(string number) => number.Replace('-', '−');

    /// <summary>
    /// An ICC(1): as computed (R's value), and when negative (raters or pairs differ less than chance would make them)
    /// "(read as 0)", as Bliese (2000) reads it: no effect. The methods paragraph says so.
    /// </summary>
    private static string IccText(double icc) => F(icc, "0.000") + (icc < 0 ? " (read as 0)" : "");

    /// <summary>What the report prints for an interval or estimate that does not exist.</summary>
    internal const string Undefined = "undefined";

    /// <summary>An odds ratio: two decimals below 100, else whole; ∞ for R's <c>Inf</c>.</summary>
    private static string Ratio(double v) => double.IsPositiveInfinity(v) ? "∞" : F(v, v < 100 ? "0.00" : "0");

    /// <summary>A Kaplan–Meier time in days, or <paramref name="none"/> when it does not exist.</summary>
    private static string Days(double? v, string none) => v is { } d ? F(d, "0.#") : none;

    private static string Signed(double v) => F(v, "+0.00;−0.00;0.00");

    private static string Percent(double share, string format = "0") => F(share * 100, format);

    private static string MeanSd(double mean, double sd, string format = "0.00") =>
        !double.IsFinite(mean) ? "–" : double.IsFinite(sd) ? $"{F(mean, format)} ({F(sd, format)})" : F(mean, format);

    /// <summary>A p value as papers print it: three decimals, "&lt; .001" below.</summary>
    public static string P(double p) => !double.IsFinite(p) ? "–" : p < 0.001 ? "< .001" : p.ToString("0.000", Inv);

    /// <summary>"p = 0.034", or "p &lt; .001" (never "p = &lt; .001").</summary>
    public static string PIs(double p) => (double.IsFinite(p) && p < 0.001 ? "p " : "p = ") + P(p);

    private static IReadOnlyList<ReportView.OutcomeRowView> OutcomeRows(OutcomeTable o) => o.Rows.Select(row => new ReportView.OutcomeRowView
    {
        Label = row.Label,
        Dyads = row.Dyads.ToString(Inv),
        WithOutcome = row.WithOutcome.ToString(Inv),
        Employed = row.WithOutcome == 0 ? "–" : $"{row.Employed} ({Percent(row.EmployedShare)} %)",
        NotEmployed = row.WithOutcome == 0 ? "–" : $"{row.NotEmployed} ({Percent(1 - row.EmployedShare)} %)",
        EmployedCi = row.EmployedInterval is { } ci ? $"{Percent(ci.Lower)} to {Percent(ci.Upper)} %" : Undefined,
        OddsRatio = row.OddsRatioVsRest is { } or ? $"{Ratio(or.Estimate)} ({Ratio(or.Lower)} to {Ratio(or.Upper)}), {PIs(or.PValue)}" : Undefined,
        DaysToJob = row.DaysToJob.N == 0 ? "–" : $"{MeanSd(row.DaysToJob.Mean, row.DaysToJob.Sd, "0.0")}, n = {row.DaysToJob.N}",
    }).ToArray();
}
