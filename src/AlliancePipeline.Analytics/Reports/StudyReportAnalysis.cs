using System.Globalization;
using AlliancePipeline.Analytics.Analysis;
using AlliancePipeline.Analytics.Clustering;
using AlliancePipeline.Analytics.Statistics;
using AlliancePipeline.Core.Instruments;
using AlliancePipeline.Core.Studies;

namespace AlliancePipeline.Analytics.Reports;

/// <summary>
/// Computes a <see cref="StudyReport"/> from a <see cref="ReportInput"/>, without I/O. The statistics are those of
/// <c>AlliancePipeline.Analytics</c>, each checked against R: Ward clustering as R's <c>hclust(dist(X), "ward.D2")</c>
/// (<see cref="TrajectoryAnalysis.Run"/>), Fisher–Freeman–Halton (<see cref="FisherExactTest"/>), chi-square with Cramér's
/// V (<see cref="ChiSquareTest"/>), Cronbach's alpha with Feldt's CI (<see cref="CronbachAlpha"/>), Welch's t with Cohen's
/// d (<see cref="WelchTTest"/>) and ICC(1) (<see cref="IntraclassCorrelation"/>).
/// </summary>
public static class StudyReportAnalysis
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Everything the report shows.</summary>
    public static StudyReport Run(ReportInput input, StudyReportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        var o = WithStudySettings(options ?? new StudyReportOptions(), input.Analysis);
        var role = ChooseRole(input.Responses, o.RaterRole);
        var instrument = input.Instruments.GetValueOrDefault(role);
        var rated = input.Responses.Where(r => r.RaterRole == role && r.Meeting >= 1).ToList();
        var meetings = input.PlannedMeetings ?? (rated.Count == 0 ? 0 : rated.Max(r => r.Meeting));
        var subscales = instrument?.Subscales ?? [];
        var trajectories = Trajectories(input, rated, meetings, subscales.Select(s => s.Column).ToArray());
        var missing = Enumerable.Range(1, meetings).Select(m => trajectories.Count(t => double.IsNaN(t.Global[m - 1]))).ToArray();
        var scale = instrument is null ? (1, 7) : (instrument.Scale.Min, instrument.Scale.Max);
        var report = new StudyReport
        {
            Input = input,
            Options = o,
            RaterRole = role,
            Meetings = meetings,
            Instrument = instrument,
            Scale = scale,
            Numbers = Numbers(input),
            Trajectories = trajectories,
            MissingByMeeting = missing,
            Reliability = Reliability(input),
            RaterEffects = RaterEffects(input),
            Arms = ArmComparisons(input, trajectories),
            Views = Views(input),
            RoleMeans = input.Responses.Select(r => r.RaterRole).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToDictionary(
                r => r, r => (IReadOnlyList<MeanCi>)Enumerable.Range(1, meetings).Select(m => MeanCi(input.Responses.Where(x => x.RaterRole == r && x.Meeting == m).Select(x => x.Global))).ToArray(),
                StringComparer.Ordinal),
            Alerts = input.Alerts.Where(a => (input.PeriodStart is not { } start || a.RaisedAt > start) && a.RaisedAt <= input.GeneratedAt)
                .OrderBy(a => a.RaisedAt).ThenBy(a => a.AssessmentId, StringComparer.Ordinal).ToArray(),
        };

        var complete = trajectories.Count(t => t.Complete);
        string? why = null;
        TrajectoryAnalysisResult? result = null;
        TrajectoryMatrix? matrix = null;
        if (meetings < 2)
            why = $"Clustering needs scores at two meetings or more; the {role} ratings so far cover {meetings}.";
        else if (complete < Math.Max(3, o.MinimumCompleteDyads))
            why = $"Clustering needs at least {Math.Max(3, o.MinimumCompleteDyads)} dyads rated at every meeting; {complete} of {trajectories.Count} are complete so far.";
        else
        {
            try
            {
                matrix = new TrajectoryMatrix(trajectories.Select(t => t.DyadId).ToArray(), trajectories.Select(t => (IReadOnlyList<double>)t.Global).ToArray());
                result = TrajectoryAnalysis.Run(matrix, o.Analysis);
            }
            catch (ArgumentException e)
            {
                why = e.Message;
            }
        }
        if (result is null)
        {
            report = report with { Message = why, Robustness = RobustnessAnalysis.Run(input, meetings, null, null, o) };
            return Finish(report);
        }

        var byId = trajectories.ToDictionary(t => t.DyadId, StringComparer.Ordinal);
        var clusters = result.Clusters.Select(c =>
        {
            var ids = result.ClusteredDyadIds.Where(id => result.Assignments[id] == c.Cluster).ToArray();
            var members = ids.Select(id => byId[id]).ToArray();
            return new ClusterSummary(c.Cluster, c.Label, c,
                Enumerable.Range(0, meetings).Select(m => MeanCi(members.Select(t => t.Global[m]))).ToArray(),
                subscales.Select(s => new SubscaleMean(s.Id, s.Column, Label(s.Label), MeanCi(members.Select(t => t.Subscales[s.Column].Average())))).ToArray(),
                ids);
        }).ToArray();
        report = report with
        {
            Result = result,
            Clusters = clusters,
            Outcomes = Outcomes(input, clusters, o),
            LeftOut = LeftOut(input, trajectories, result),
            Assigned = input.Analysis?.Missing == MissingMeetings.Assign ? Assigned(input, matrix!, result, clusters, o) : null,
            TimeToJob = input.TimeToJob.Count == 0 ? null : TimeToJob(input, clusters),
            Robustness = RobustnessAnalysis.Run(input, meetings, result, matrix, o),
            Covariates = ReportCovariates.Analyse(input, clusters, o.FisherExactWork),
        };
        return Finish(report);
    }

    private static StudyReport Finish(StudyReport report)
    {
        report = report with { Warnings = Warnings(report) };
        report = report with { Tables = SeedPaperTables.Of(report) };
        if (PrimaryTestResult.Of(report) is { } primary)
            report = report with
            {
                Primary = primary,
                Warnings = primary.Ran ? report.Warnings : [.. report.Warnings, $"The primary test named in the study file, the {primary.Name}, did not run: {primary.NotRun}."],
            };
        return report with { Methods = Methods(report) };
    }

    /// <summary>The builder's options with the study file's analysis settings over them (unchanged when there are none).</summary>
    public static StudyReportOptions WithStudySettings(StudyReportOptions options, StudyAnalysis? settings)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (settings is null) return options;
        return options with
        {
            Analysis = options.Analysis with
            {
                Deviation = settings.Deviation,
                FixedK = settings.FixedK,
                Rule = settings.Rule == ClusterRule.Absolute ? ClusterCountCriterion.Absolute : ClusterCountCriterion.Relative,
                MinClusterShare = settings.MinClusterShare,
                MinK = settings.MinK,
                MaxK = settings.MaxK,
            },
        };
    }

    private static AssignedSensitivity Assigned(ReportInput input, TrajectoryMatrix matrix, TrajectoryAnalysisResult result, IReadOnlyList<ClusterSummary> clusters,
        StudyReportOptions o)
    {
        var partial = TrajectoryAnalysis.AssignPartial(matrix, result, o.Analysis.Deviation);
        var all = clusters.Select(c => c with { DyadIds = c.DyadIds.Concat(partial.Where(p => p.Value == c.Cluster).Select(p => p.Key)).ToArray() }).ToArray();
        return new AssignedSensitivity(partial, result.IncompleteDyadIds.Where(id => !partial.ContainsKey(id)).ToArray(), Outcomes(input, all, o));
    }

    /// <summary>The practitioner's role when it rated, else the most frequent role (ties: by name).</summary>
    public static string ChooseRole(IReadOnlyList<StoredResponse> responses, string preferred)
    {
        ArgumentNullException.ThrowIfNull(responses);
        return responses.Any(r => r.RaterRole == preferred)
            ? preferred
            : responses.GroupBy(r => r.RaterRole, StringComparer.Ordinal).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => g.Key).FirstOrDefault() ?? preferred;
    }

    /// <summary>
    /// The trajectories of one role: for each dyad with at least one rating (ids in ordinal order, the order R's
    /// <c>sort(method = "radix")</c> gives), its global score and the scores in <paramref name="subscaleColumns"/> at
    /// meetings 1..T; a meeting rated twice keeps the later submission.
    /// </summary>
    public static IReadOnlyList<DyadTrajectory> Trajectories(ReportInput input, IReadOnlyList<StoredResponse> rated, int meetings, IReadOnlyList<string> subscaleColumns)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(rated);
        ArgumentNullException.ThrowIfNull(subscaleColumns);
        var dyads = input.Dyads.ToDictionary(d => d.Id, StringComparer.Ordinal);
        return rated.Where(r => r.Meeting <= meetings).GroupBy(r => r.DyadId, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g =>
        {
            double[] Row() => Enumerable.Repeat(double.NaN, meetings).ToArray();
            var global = Row();
            var subscales = subscaleColumns.ToDictionary(c => c, _ => Row(), StringComparer.Ordinal);
            foreach (var r in g.OrderBy(r => r.SubmittedAt))
            {
                global[r.Meeting - 1] = r.Global;
                foreach (var (column, scores) in subscales) scores[r.Meeting - 1] = r.Score(column);
            }
            var dyad = dyads.GetValueOrDefault(g.Key);
            return new DyadTrajectory(g.Key, dyad?.SiteId ?? g.Last().SiteId, dyad?.ArmId ?? ArmOf(input, g.Key), global, subscales);
        }).ToArray();
    }

    private static string? ArmOf(ReportInput input, string dyadId) =>
        input.Dyads.FirstOrDefault(d => d.Id == dyadId)?.ArmId ?? input.Assessments.FirstOrDefault(a => a.DyadId == dyadId && a.ArmId is not null)?.ArmId;

    /// <summary>
    /// Mean, SD (n − 1) and the 95 % CI mean ± t<sub>.975, n−1</sub> · SD / √n (as R's <c>t.test(x)$conf.int</c>) of the
    /// finite values.
    /// </summary>
    public static MeanCi MeanCi(IEnumerable<double> values)
    {
        var x = values.Where(double.IsFinite).ToArray();
        if (x.Length == 0) return new MeanCi(0, double.NaN, double.NaN, double.NaN, double.NaN);
        var mean = x.Average();
        if (x.Length < 2) return new MeanCi(1, mean, double.NaN, double.NaN, double.NaN);
        var sd = Math.Sqrt(x.Sum(v => (v - mean) * (v - mean)) / (x.Length - 1));
        // No spread: R's t.test refuses ("data are essentially constant"), so the interval is undefined, not a point.
        if (sd == 0) return new MeanCi(x.Length, mean, 0, double.NaN, double.NaN);
        var half = Distributions.StudentTQuantile(0.975, x.Length - 1) * sd / Math.Sqrt(x.Length);
        return new MeanCi(x.Length, mean, sd, mean - half, mean + half);
    }

    private static StudyNumbers Numbers(ReportInput input)
    {
        var planned = input.Assessments.Where(a => !a.Withdrawn).ToArray();
        var sites = input.Sites.Select(s => s.Id).Concat(input.Assessments.Select(a => a.SiteId)).Concat(input.Responses.Select(r => r.SiteId))
            .Distinct(StringComparer.Ordinal).ToArray();
        var meetings = planned.Select(a => a.Meeting).Distinct().Order().ToArray();
        CompletionCell Cell(string? site, int? meeting)
        {
            var set = planned.Where(a => (site is null || a.SiteId == site) && (meeting is null || a.Meeting == meeting)).ToArray();
            var invited = set.Where(a => a.InviteOn is not { } at || at <= input.GeneratedAt).ToArray();
            var due = set.Where(a => a.DueDate <= input.GeneratedAt).ToArray();
            return new CompletionCell(site, meeting, set.Length, invited.Length, due.Length, set.Count(a => a.Answered), due.Count(a => a.Answered));
        }
        var cells = new List<CompletionCell>();
        foreach (var site in sites)
        {
            cells.AddRange(meetings.Select(m => Cell(site, m)));
            cells.Add(Cell(site, null));
        }
        cells.AddRange(meetings.Select(m => Cell(null, m)));
        cells.Add(Cell(null, null));
        var dyads = input.Dyads.Select(d => d.Id).Concat(input.Assessments.Select(a => a.DyadId)).Concat(input.Responses.Select(r => r.DyadId))
            .Distinct(StringComparer.Ordinal).Count();
        return new StudyNumbers(
            sites.Length,
            input.Assessments.GroupBy(a => a.RaterRole, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.Select(a => a.RaterId).Distinct(StringComparer.Ordinal).Count(), StringComparer.Ordinal),
            dyads,
            input.Dyads.Count(d => d.Withdrawn),
            input.Responses.GroupBy(r => r.RaterRole, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal),
            cells,
            input.Responses.Count(r => r.HandedOver))
        {
            Imported = input.Responses.Count(r => r.Provenance == ResponseProvenance.Imported),
        };
    }

    /// <summary>Item scores after reverse scoring (min + max − answer), by item number 1..N.</summary>
    public static int ScoredItem(InstrumentDefinition instrument, IReadOnlyList<int> answers, int number)
    {
        ArgumentNullException.ThrowIfNull(instrument);
        ArgumentNullException.ThrowIfNull(answers);
        var item = instrument.Items.First(i => i.Number == number);
        var answer = answers[number - 1];
        return item.Reverse && instrument.Scale.Contains(answer) ? instrument.Scale.Reverse(answer) : answer;
    }

    private static IReadOnlyList<AlphaRow> Reliability(ReportInput input) => Reliability(input, input.Responses);

    /// <summary>Alpha per role (practitioner first) and scale over <paramref name="given"/>: every response of a
    /// role (the report's table) or those of one meeting (<see cref="RobustnessAnalysis"/>).</summary>
    internal static IReadOnlyList<AlphaRow> Reliability(ReportInput input, IEnumerable<StoredResponse> given)
    {
        var rows = new List<AlphaRow>();
        foreach (var group in given.GroupBy(r => r.RaterRole, StringComparer.Ordinal).OrderBy(g => g.Key == RaterRoles.Practitioner ? 0 : 1).ThenBy(g => g.Key, StringComparer.Ordinal))
        {
            if (!input.Instruments.TryGetValue(group.Key, out var instrument))
            {
                rows.Add(new AlphaRow(group.Key, "global", "Global", [], null, "the instrument is not known, so its reverse items are not either"));
                continue;
            }
            var responses = group.Where(r => r.Items.Count == instrument.Items.Length && r.Items.All(instrument.Scale.Contains)).ToArray();
            var scales = instrument.Subscales.Select(s => (s.Id, Label(s.Label), Items: s.ItemIds.Select(id => instrument.FindItem(id)!.Number).ToArray()))
                .Append(("global", Label(instrument.Global.Label), instrument.Items.Select(i => i.Number).ToArray()));
            foreach (var (id, label, items) in scales)
            {
                var matrix = new double[responses.Length, items.Length];
                for (var i = 0; i < responses.Length; i++)
                    for (var j = 0; j < items.Length; j++)
                        matrix[i, j] = ScoredItem(instrument, responses[i].Items, items[j]);
                try
                {
                    rows.Add(new AlphaRow(group.Key, id, label, items, CronbachAlpha.Of(matrix), null));
                }
                catch (ArgumentException e)
                {
                    rows.Add(new AlphaRow(group.Key, id, label, items, null, e.Message));
                }
            }
        }
        return rows;
    }

    private static string Label(LocalizedText text) => text.Get(text.Has("en") ? "en" : text.Languages.First());

    private static IReadOnlyList<RaterEffect> RaterEffects(ReportInput input)
    {
        var raterOf = input.Assessments.ToDictionary(a => a.Id, a => a.RaterId, StringComparer.Ordinal);
        return input.Responses.GroupBy(r => r.RaterRole, StringComparer.Ordinal).OrderBy(g => g.Key == RaterRoles.Practitioner ? 0 : 1).ThenBy(g => g.Key, StringComparer.Ordinal).Select(g =>
        {
            var known = g.Where(r => raterOf.ContainsKey(r.AssessmentId)).ToArray();
            var raters = known.Select(r => raterOf[r.AssessmentId]).ToArray();
            var count = raters.Distinct(StringComparer.Ordinal).Count();
            if (known.Length < g.Count())
                return new RaterEffect(g.Key, count, g.Count(), null, "some responses have no assessment, so their rater is not known");
            try
            {
                return new RaterEffect(g.Key, count, known.Length, IntraclassCorrelation.Of(raters, known.Select(r => r.Global).ToArray()), null);
            }
            catch (ArgumentException e)
            {
                return new RaterEffect(g.Key, count, known.Length, null, e.Message);
            }
        }).ToArray();
    }

    private static IReadOnlyList<ArmComparison> ArmComparisons(ReportInput input, IReadOnlyList<DyadTrajectory> trajectories)
    {
        var withArm = trajectories.Where(t => t.ArmId is not null).ToArray();
        var armIds = input.Arms.Select(a => a.Id).Concat(withArm.Select(t => t.ArmId!).Order(StringComparer.Ordinal)).Distinct(StringComparer.Ordinal)
            .Where(a => withArm.Any(t => t.ArmId == a)).ToArray();
        var list = new List<ArmComparison>();
        for (var i = 0; i < armIds.Length; i++)
            for (var j = i + 1; j < armIds.Length; j++)
            {
                var a = withArm.Where(t => t.ArmId == armIds[i]).Select(t => DyadTrajectory.MeanOfRated(t.Global)).ToArray();
                var b = withArm.Where(t => t.ArmId == armIds[j]).Select(t => DyadTrajectory.MeanOfRated(t.Global)).ToArray();
                WelchTTest? test = null;
                string? note = null;
                try
                {
                    test = WelchTTest.Of(a, b);
                }
                catch (ArgumentException e)
                {
                    note = e.Message;
                }
                list.Add(new ArmComparison(armIds[i], armIds[j], MeanCi(a), MeanCi(b), test, note));
            }
        return list;
    }

    private static BothViews? Views(ReportInput input)
    {
        var practitioner = input.Responses.Where(r => r.RaterRole == RaterRoles.Practitioner)
            .GroupBy(r => (r.DyadId, r.Meeting)).ToDictionary(g => g.Key, g => g.OrderBy(r => r.SubmittedAt).Last().Global);
        var pairs = input.Responses.Where(r => r.RaterRole == RaterRoles.Client).GroupBy(r => (r.DyadId, r.Meeting))
            .Where(g => practitioner.ContainsKey(g.Key))
            .Select(g => (g.Key.DyadId, g.Key.Meeting, P: practitioner[g.Key], C: g.OrderBy(r => r.SubmittedAt).Last().Global))
            .OrderBy(p => p.Meeting).ThenBy(p => p.DyadId, StringComparer.Ordinal).ToArray();
        if (pairs.Length == 0) return null;
        static IntraclassCorrelation? Icc((string DyadId, int Meeting, double P, double C)[] set)
        {
            try
            {
                var groups = set.SelectMany(p => new[] { $"{p.DyadId}/{p.Meeting}", $"{p.DyadId}/{p.Meeting}" }).ToArray();
                return IntraclassCorrelation.Of(groups, set.SelectMany(p => new[] { p.P, p.C }).ToArray());
            }
            catch (ArgumentException)
            {
                return null;
            }
        }
        var perMeeting = pairs.GroupBy(p => p.Meeting).Select(g =>
        {
            var set = g.ToArray();
            return new ViewsAtMeeting(g.Key, MeanCi(set.Select(p => p.P)), MeanCi(set.Select(p => p.C)), MeanCi(set.Select(p => p.C - p.P)), Icc(set));
        }).ToArray();
        return new BothViews(perMeeting, Icc(pairs), pairs.Length);
    }

    /// <summary>Kaplan–Meier medians, the log-rank test and the Cox hazard ratios of the clustered dyads' time to job.</summary>
    private static TimeToJobAnalysis TimeToJob(ReportInput input, IReadOnlyList<ClusterSummary> clusters)
    {
        var cluster = clusters.SelectMany(c => c.DyadIds.Select(id => (id, c.Cluster))).ToDictionary(x => x.id, x => x.Cluster, StringComparer.Ordinal);
        var followed = input.TimeToJob.Where(t => cluster.ContainsKey(t.DyadId)).ToArray();
        var levels = clusters.Select(c => c.Cluster).ToArray();
        var groups = followed.Select(t => cluster[t.DyadId]).ToArray();
        var times = followed.Select(t => (double)t.Days).ToArray();
        var events = followed.Select(t => t.Event).ToArray();
        var curves = followed.Length == 0 ? [] : KaplanMeier.Fit(groups, times, events, levels).ToDictionary(c => c.Group);
        var tested = groups.Distinct().Count() >= 2;
        var cox = tested ? CoxRegression.Fit(groups, times, events, levels) : null;
        var rows = clusters.Select(c => curves.TryGetValue(c.Cluster, out var k)
            ? new TimeToJobRow(c.Cluster, c.Label, k.Subjects, k.Events, k.Median, k.MedianLower, k.MedianUpper, cox?.Coefficients.FirstOrDefault(x => x.Group == c.Cluster))
            : new TimeToJobRow(c.Cluster, c.Label, 0, 0, null, null, null, null)).ToArray();
        return new TimeToJobAnalysis(rows, tested ? LogRankTest.Of(groups, times, events, levels) : null, cox,
            tested ? null : followed.Length == 0 ? "No clustered dyad has a follow-up yet." : "Only one cluster has dyads with a follow-up: nothing to compare.")
        {
            Curves = [.. curves.Values.OrderBy(c => c.Group)],
            FollowUpDays = input.Analysis?.FollowUp?.Days,
        };
    }

    private static OutcomeTable Outcomes(ReportInput input, IReadOnlyList<ClusterSummary> clusters, StudyReportOptions options)
    {
        var outcomes = input.Outcomes.GroupBy(o => o.DyadId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.OrderBy(o => o.RecordedAt).Last(), StringComparer.Ordinal);
        var rows = clusters.Select(c =>
        {
            var recorded = c.DyadIds.Where(outcomes.ContainsKey).Select(id => outcomes[id]).ToArray();
            var employed = recorded.Count(o => o.Employed);
            return new OutcomeRow(c.Cluster, c.Label, c.DyadIds.Count, recorded.Length, employed, recorded.Length - employed,
                MeanCi(recorded.Where(o => o.DaysToJob is not null).Select(o => (double)o.DaysToJob!.Value)))
            {
                EmployedInterval = recorded.Length == 0 ? null : ClopperPearson.Of(employed, recorded.Length),
            };
        }).ToArray();
        var caveats = new List<string>();
        foreach (var row in rows.Where(r => r.WithOutcome < options.SmallClusterDyads))
            caveats.Add(row.WithOutcome == 0
                ? $"Cluster {row.Label} has no dyad with a recorded outcome: its employment rate and odds ratio are undefined."
                : $"Cluster {row.Label} has {row.WithOutcome} dyad{(row.WithOutcome == 1 ? "" : "s")} with a recorded outcome (fewer than {options.SmallClusterDyads}): its rate and odds ratio rest on too few dyads to trust.");
        // The test table: clusters with at least one outcome (as R's table() of the dyads with an outcome), employed / not.
        var tested = rows.Where(r => r.WithOutcome > 0).ToArray();
        if (tested.Length < 2)
            return new OutcomeTable(rows, null, null, tested.Length == 0 ? "No clustered dyad has a recorded outcome yet." : "Only one cluster has dyads with a recorded outcome: nothing to compare.") { Caveats = caveats };
        if (tested.All(r => r.Employed == 0) || tested.All(r => r.NotEmployed == 0))
            return new OutcomeTable(rows, null, null, "Every dyad with an outcome has the same one: there is no association to test.") { Caveats = caveats };
        var table = new int[tested.Length, 2];
        for (var i = 0; i < tested.Length; i++) (table[i, 0], table[i, 1]) = (tested[i].Employed, tested[i].NotEmployed);
        // Each cluster against the rest: a 2 × 2 whose margins are all positive here (two clusters, both outcomes present).
        int allEmployed = tested.Sum(r => r.Employed), allNot = tested.Sum(r => r.NotEmployed);
        rows = [.. rows.Select(r => r.WithOutcome == 0 ? r : r with
        {
            OddsRatioVsRest = FisherOddsRatio.Of(new[,] { { r.Employed, r.NotEmployed }, { allEmployed - r.Employed, allNot - r.NotEmployed } }),
        })];
        var oneSided = rows.Where(r => r.OddsRatioVsRest is { IsFinite: false }).Select(r => r.Label).ToArray();
        if (oneSided.Length > 0)
            caveats.Add(oneSided.Length == 1
                ? $"The odds ratio of {oneSided[0]} is 0 or infinite (all or none of one side found a job): its interval is one-sided."
                : $"The odds ratios of {string.Join(", ", oneSided)} are 0 or infinite (all or none of one side found a job): their intervals are one-sided.");
        int n = allEmployed + allNot, below = 0;
        foreach (var r in tested)
            below += (r.WithOutcome * (double)allEmployed / n < 5 ? 1 : 0) + (r.WithOutcome * (double)allNot / n < 5 ? 1 : 0);
        if (below > 0)
            caveats.Add($"{below} of {table.Length} expected counts are below 5: the chi-square p is approximate (the Fisher–Freeman–Halton p is exact).");
        // Exact when the sum is within bounds (every table a study of a few hundred dyads makes); else R's Monte Carlo
        // p-value, reproducible from its seed, and said so: never a test that runs without end.
        return new OutcomeTable(rows, FisherExactTest.Test(table, options.FisherExactWork), ChiSquareTest.Of(table), null)
        {
            CramersVBiasCorrected = BiasCorrectedCramersV.Of(table),
            ExpectedBelowFive = below,
            Cells = table.Length,
            Caveats = caveats,
        };
    }

    private static IReadOnlyList<LeftOutRow> LeftOut(ReportInput input, IReadOnlyList<DyadTrajectory> trajectories, TrajectoryAnalysisResult result)
    {
        var outcomes = input.Outcomes.GroupBy(o => o.DyadId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.OrderBy(o => o.RecordedAt).Last(), StringComparer.Ordinal);
        LeftOutRow Row(string name, IReadOnlyCollection<string> ids)
        {
            var set = trajectories.Where(t => ids.Contains(t.DyadId)).ToArray();
            var recorded = set.Where(t => outcomes.ContainsKey(t.DyadId)).Select(t => outcomes[t.DyadId]).ToArray();
            return new LeftOutRow(name, set.Length, MeanCi(set.Select(t => (double)t.Global.Count(v => !double.IsNaN(v)))),
                MeanCi(set.Select(t => DyadTrajectory.MeanOfRated(t.Global))), MeanCi(set.Select(t => t.Global[0])), recorded.Length, recorded.Count(o => o.Employed));
        }
        var clustered = result.ClusteredDyadIds.ToHashSet(StringComparer.Ordinal);
        var left = result.IncompleteDyadIds.ToHashSet(StringComparer.Ordinal);
        return left.Count == 0 ? [Row("clustered", clustered)] : [Row("clustered", clustered), Row("left out", left)];
    }

    private static IReadOnlyList<string> Warnings(StudyReport r)
    {
        var warnings = new List<string>();
        if (r.Result is { } result)
        {
            warnings.AddRange(result.Warnings);
            var n = result.ClusteredDyadIds.Count;
            if (n < r.Options.SmallStudyDyads)
                warnings.Add($"Only {n} dyads were clustered (fewer than {r.Options.SmallStudyDyads}): too few for the clusters, their sizes or the outcome test to be trusted beyond these dyads.");
            foreach (var c in r.Clusters.Where(c => c.DyadIds.Count < r.Options.SmallClusterDyads))
                warnings.Add($"Cluster {c.Label} holds {c.DyadIds.Count} dyad{(c.DyadIds.Count == 1 ? "" : "s")} (fewer than {r.Options.SmallClusterDyads}): its means and its share with the outcome rest on too few dyads to trust.");
        }
        else if (r.Message is { } message)
        {
            warnings.Add(message);
        }
        if (r.Instrument is null && r.Trajectories.Count > 0)
            warnings.Add($"The {r.RaterRole} instrument is not known to this app: the axis shows 1–7 and reliability cannot be computed.");
        return warnings;
    }

    /// <summary>The study file's analysis settings as the methods paragraph states them.</summary>
    private static string Settings(StudyAnalysis a)
    {
        var parts = new List<string> { $"scores: {(a.Deviation ? "deviation" : "raw")}" };
        parts.Add(a.FixedK is { } k
            ? string.Create(Inv, $"clusters.k: {k} (fixed)")
            : string.Create(Inv, $"clusters.rule: {(a.Rule == ClusterRule.Absolute ? "absolute (largest absolute increase of the agglomeration coefficient)" : "relative (largest relative jump of the agglomeration coefficient)")}, minimum cluster share {a.MinClusterShare * 100:0.#} %, k from {a.MinK} to {a.MaxK}"));
        parts.Add($"missingMeetings: {(a.Missing == MissingMeetings.Assign ? "assign" : "complete")}");
        if (a.FollowUp is { } f)
            parts.Add(string.Create(Inv, $"followUp: {f.Days} days from {(f.From == FollowUpOrigin.FirstMeeting ? "the first meeting" : "enrolment")}"));
        if (a.PrimaryTest is { } primary) parts.Add($"primaryTest: {PrimaryTests.FileValue(primary)}");
        return $"Analysis settings of the study file: {string.Join("; ", parts)}.";
    }

    /// <summary>The seed papers' tables and the covariate tables, each said only when it is in the report.</summary>
    private static IEnumerable<string> Tables(StudyReport r)
    {
        if (r.Tables is not { } t) yield break;
        yield return "the flow of dyads from enrolment to the clustering is counted step by step, with how many left at each step and why";
        if (t.Subscales.Count > 0) yield return "each subscale's mean (SD) is shown per cluster and meeting";
        if (t.Employment.Fit is not null)
            yield return "employment was regressed on mean alliance (each dyad's mean global score over its rated meetings) by logistic regression (R's glm, binomial), the odds ratio per scale point with its Wald 95 % CI (R's confint.default)";
        var fitted = t.Regressions.Where(g => g.Fit is not null).Select(g => g.Outcome).ToArray();
        if (fitted.Length > 0)
            yield return $"{string.Join(" and ", fitted)} {(fitted.Length == 1 ? "was" : "were")} regressed hierarchically (R's lm) on the study's declared covariates (block 1) and then also on mean alliance (block 2), over the dyads with every value (listwise), reporting ΔR² and the F change with its p (R's anova(m1, m2))";
        if (r.Covariates is { } c)
        {
            var tests = new List<string>();
            if (c.Categorical.Count > 0)
                tests.Add("categorical covariates by the Fisher–Freeman–Halton " + (c.Categorical.Any(x => x.Fisher is { IsExact: false }) ? "test (exact, or Monte Carlo p beyond the exact work, as R's fisher.test)" : "exact test"));
            if (c.Numeric.Count > 0) tests.Add("numeric covariates by one-way ANOVA (F test)");
            yield return "the declared covariates were compared between the clusters, " + string.Join(", ", tests)
                + (c.JobRates.Count > 0 ? ", and the job rate per category of each categorical covariate is given with its exact (Clopper–Pearson) 95 % CI" : "");
        }
    }

    /// <summary>The tests and estimates that ran in this report, each said only when it ran.</summary>
    private static IEnumerable<string> Ran(StudyReport r)
    {
        if (r.Outcomes is { } o)
        {
            yield return o.FisherP is null
                ? "the cluster × outcome table was not tested (" + (o.Note ?? "too few outcomes") + ")"
                : (o.Fisher is { IsExact: false } ? "the cluster × outcome association was tested with the Fisher–Freeman–Halton test (Monte Carlo p, as R's fisher.test with simulate.p.value)" : "the cluster × outcome association was tested with the Fisher–Freeman–Halton exact test")
                  + ", described with Cramér's V and its bias-corrected form (Bergsma 2013), each cluster's employment rate with its exact (Clopper–Pearson) 95 % CI and its odds ratio of a job against the other clusters (conditional maximum likelihood, exact CI)";
        }
        if (r.TimeToJob is { } t)
            yield return t.LogRank is null
                ? "time to job is described by Kaplan–Meier medians; no comparison ran (" + t.Note + ")"
                : "time to job is described by Kaplan–Meier medians with 95 % CIs and compared between clusters by the log-rank test and Cox regression (Efron ties; hazard ratios against the first cluster with a job)";
        foreach (var clause in Tables(r)) yield return clause;
        if (r.Reliability.Any(a => a.Alpha is not null)) yield return "reliability is Cronbach's alpha over all responses of a role with Feldt's 95 % confidence interval";
        if (r.Arms.Any(a => a.Test is not null)) yield return "arms were compared on the dyads' mean global scores with Welch's t test and Cohen's d (pooled SD)";
        else yield return "no arm comparison ran (" + (r.Arms.Count == 0 ? "the study records one arm or none" : "too few dyads per arm") + ")";
        if (r.RaterEffects.Any(e => e.Icc is not null) || r.Views?.Overall is not null)
            yield return (r.RaterEffects.Any(e => e.Icc is not null) ? "rater effects are ICC(1) of global scores within raters" : "")
                + (r.RaterEffects.Any(e => e.Icc is not null) && r.Views?.Overall is not null ? ", and " : "")
                + (r.Views?.Overall is not null ? "practitioner–client agreement is ICC(1) within pairs rating the same meeting" : "")
                + " (one-way ANOVA; a negative ICC(1), where raters differ less than chance would make them, is printed as computed, as R gives it, and read as 0: no effect; Bliese 2000)";
        yield return "error bars and intervals of means are 95 % confidence intervals (t distribution; undefined with fewer than two values or none varying, where R's t.test refuses)";
    }

    /// <summary>
    /// Which test is primary and which exploratory, as the methods paragraph and the page say it: the test the study file
    /// names (<c>analysis.primaryTest</c>) is primary, every other test exploratory; a named test that did not run is said so.
    /// </summary>
    public static string Exploratory(PrimaryTestResult? primary) => primary switch
    {
        null => "Every test is exploratory: the study file names no primary test, and no p value is corrected for multiple testing.",
        { Ran: true } => $"The {primary.Name} is the primary test, named in the study file before analysis (analysis.primaryTest: {primary.FileValue}); every other test is exploratory, and no p value is corrected for multiple testing.",
        _ => $"The study file names the {primary.Name} as the primary test (analysis.primaryTest: {primary.FileValue}), but it did not run: {primary.NotRun}. Every test that ran is exploratory, and no p value is corrected for multiple testing.",
    };

    private static string Methods(StudyReport r)
    {
        var text = new List<string>();
        var roleName = r.RaterRole;
        if (r.Instrument is { } i)
        {
            var reversed = i.Items.Where(x => x.Reverse).Select(x => x.Number).ToArray();
            var rule = i.Global.Rule;
            // Each score's completeness rule as the instrument states it (the WAI: 10 of 12 items for the global score, 3 of 4 for a subscale).
            static string Needs(ScoreRule rule, int items) => rule.Prorate && rule.MinAnswered < items
                ? string.Create(Inv, $"at least {rule.MinAnswered} of its {items} items answered")
                : string.Create(Inv, $"all {items} of its items answered");
            var needs = new List<string> { "the global score needs " + Needs(rule, i.Items.Length) };
            foreach (var group in i.Subscales.GroupBy(sc => Needs(sc.Rule, sc.ItemIds.Length)))
                needs.Add($"{(group.Count() == i.Subscales.Length && group.Count() > 1 ? "each subscale score" : string.Join(" and ", group.Select(sc => "the " + Label(sc.Label).ToLowerInvariant() + " score")))} needs {group.Key}");
            var prorated = rule.Prorate || i.Subscales.Any(sc => sc.Rule.Prorate);
            var missing = string.Join(", ", needs) + (prorated
                ? rule.Method == ScoreMethod.Mean ? ", and is the mean of the items answered" : ", and is the sum of the items answered scaled to all items"
                : "");
            text.Add(string.Create(Inv, $"Alliance was rated with the {Label(i.Title)} ({i.Id}, version {i.Version}; {i.Items.Length} items answered on a {i.Scale.Min}–{i.Scale.Max} scale) by the {roleName}s after meetings 1–{r.Meetings}."));
            text.Add((reversed.Length == 0 ? "No item is reverse scored. " : $"Item{(reversed.Length == 1 ? "" : "s")} {string.Join(", ", reversed)} {(reversed.Length == 1 ? "is" : "are")} reverse scored (min + max − answer). ")
                + $"The {string.Join(", ", i.Subscales.Select(s => Label(s.Label).ToLowerInvariant()))} subscale scores and the global score are the {(rule.Method == ScoreMethod.Mean ? "mean" : "sum")} of their items; {missing}.");
        }
        else
        {
            text.Add($"Alliance was rated by the {roleName}s after meetings 1–{r.Meetings}; the instrument's definition was not available to this report.");
        }
        var handedOver = r.Numbers.HandedOver;
        text.Add(handedOver == 0
            ? "Every response came through the link mailed to its rater (none through a coordinator hand-over)."
            : string.Create(Inv, $"Raters answered through the link mailed to them, except {handedOver} of the {r.Input.Responses.Count} responses, given through a coordinator hand-over (a link handed to a coordinator for a rater reached another way, e.g. by phone; Provenance hand-over in responses.csv)."));
        if (r.Numbers.Imported is > 0 and var imported)
            text.Add(string.Create(Inv, $"{imported} of the {r.Input.Responses.Count} responses were imported from a file of ratings the study already had (Provenance imported in responses.csv), scored as the app scores a rater's answers."));
        text.Add($"A dyad's trajectory is its global score at meetings 1–{r.Meetings}; dyads missing a meeting are not clustered, and are counted and compared with the clustered dyads.");
        if (r.Input.Analysis is { } settings && settings != StudyAnalysis.Default) text.Add(Settings(settings));
        else text.Add(string.Create(Inv, $"The analysis settings were the defaults: raw scores; k by the relative rule (largest relative jump of the agglomeration coefficient), minimum cluster share {r.Options.Analysis.MinClusterShare * 100:0.#} % and {r.Options.Analysis.MinClusterSize} dyads, k from {r.Options.Analysis.MinK} to {r.Options.Analysis.MaxK}; dyads missing a meeting left out (complete cases); no follow-up, so no time-to-job analysis."));
        if (r.Assigned is { } assigned)
            text.Add(string.Create(Inv, $"As a sensitivity analysis beside the complete-case one (analysis.missingMeetings: assign), each dyad missing a meeting was assigned to the cluster whose centroid is nearest (Euclidean distance over the meetings it has{(r.Options.Analysis.Deviation ? ", both as deviations from their own mean over those meetings" : "")}; a dyad needs two rated meetings), and the cluster × outcome table was recomputed over every assigned dyad: {assigned.Partial.Count} assigned, {assigned.NotAssigned.Count} with a single meeting not assigned."));
        if (r.Result is { } result)
        {
            var deviation = r.Options.Analysis.Deviation;
            text.Add(string.Create(Inv, $"The {result.ClusteredDyadIds.Count} complete trajectories were clustered on {(deviation ? "deviation scores (each score minus the dyad's own mean: shape only)" : "raw scores (level and shape together)")} by Ward's minimum-variance method (Ward 1963) as R's hclust(dist(X), method = \"ward.D2\")")
                + (result.Dendrogram.CertifiedEqualToR ? ", the tree certified identical to R's, order of merges included." : ", the tree a correct Ward tree but not certified identical to R's among merges of equal cost (see the warnings)."));
            text.Add(result.Selection.Reason + " Calinski–Harabasz and mean silhouette are shown beside each candidate k.");
            if (r.Robustness?.Stability is { } stability)
                text.Add(string.Create(Inv, $"Each cluster's stability is its mean Jaccard similarity with the most similar cluster of the same Ward clustering over {stability.Resamples} bootstrap resamples of the dyads (Hennig 2007; as R's fpc::clusterboot, R's generator seeded {stability.Seed}); below 0.6 a cluster should not be trusted, 0.75 or more is stable."));
            text.Add(string.Create(Inv, $"Patterns were named from each centroid's level, change (fitted first to last meeting) and bend (fitted dip or rise of the middle meetings), with a threshold of {result.Naming.MinChange:0.##} points; a stable level of {result.Naming.HighLevel ?? double.NaN:0.00} or more is high (the mean of all scores)."));
        }
        text.Add(string.Join("; ", Ran(r)) + ".");
        text.Add(Exploratory(r.Primary));
        text.Add($"Computed by Alliance Pipeline {r.Input.SoftwareVersion} (AlliancePipeline.Analytics, every statistic checked against R 4.2.2); reproduce.R recomputes the numbers of the tables from responses.csv and dyads.csv with R and stops, naming the number, where one differs from clusters.json.");
        return string.Join(" ", text);
    }
}
