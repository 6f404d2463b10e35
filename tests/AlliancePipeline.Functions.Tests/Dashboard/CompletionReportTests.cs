using AlliancePipeline.Contracts.Storage;
using AlliancePipeline.Functions.Dashboards;

namespace AlliancePipeline.Functions.Tests.Dashboard;

/// <summary>
/// <see cref="CompletionReport.Build"/> on nine assessments over two sites, with every number computed by hand in the
/// comments. Now is Wednesday 18 March 2026, 12:00 UTC (ISO week 2026-W12, Monday 16 March).
/// </summary>
public sealed class CompletionReportTests
{
    private const string Study = "study-x";
    private static readonly DateTimeOffset Now = At("2026-03-18T12:00");

    private static DateTimeOffset At(string text) => DateTimeOffset.Parse(text + "Z", System.Globalization.CultureInfo.InvariantCulture);

    private static AssessmentEntity A(string id, string site, string dyad, int meeting, string role, string rater, string? arm, string status,
        string? meetingOn, string dueOn, string? submittedAt = null, string? completedAt = null, int reminders = 0, string? lastReminder = null) => new()
        {
            PartitionKey = Study,
            RowKey = id,
            SiteId = site,
            DyadId = dyad,
            Meeting = meeting,
            RaterRole = role,
            RaterId = rater,
            Arm = arm,
            Status = status,
            MeetingDate = meetingOn is null ? null : At(meetingOn + "T00:00"),
            DueDate = At(dueOn + "T00:00"),
            SubmittedAt = submittedAt is null ? null : At(submittedAt),
            CompletedAt = completedAt is null ? null : At(completedAt),
            RemindersSent = reminders,
            LastReminderAt = lastReminder is null ? null : At(lastReminder),
        };

    //  id   site    dyad meet role          rater arm   status     meeting     due         answered            days to answer
    //  a1   site-a  d1   1    practitioner  p1    ips   Completed  2026-03-02  2026-03-09  03-04 (submitted)   2
    //  a2   site-a  d1   2    practitioner  p1    ips   Pending    2026-03-09  2026-03-16  overdue 2 days, 1 reminder
    //  a3   site-a  d2   1    practitioner  p2    tvs   Submitted  2026-03-03  2026-03-10  03-10               7
    //  a4   site-a  d2   2    practitioner  p2    tvs   Pending    2026-03-17  2026-03-24  not yet due
    //  a5   site-a  d2   1    client        c2    tvs   Withdrawn  –           2026-03-10  counted nowhere
    //  b1   site-b  d3   1    practitioner  p3    ips   Completed  2026-02-23  2026-03-02  03-05 (completed)   10
    //  b2   site-b  d3   2    practitioner  p3    ips   Pending    2026-03-02  2026-03-09  overdue 9 days, 2 reminders
    //  b3   site-b  d4   1    practitioner  p4    –     Completed  2026-03-16  2026-03-23  03-17 (early)       1
    //  b4   site-b  d4   2    practitioner  p4    –     Pending    2026-03-18  2026-03-18  due today: not yet overdue
    private static readonly AssessmentEntity[] Rows =
    [
        A("a1", "site-a", "d1", 1, "practitioner", "p1", "ips", "Completed", "2026-03-02", "2026-03-09", submittedAt: "2026-03-04T10:00", completedAt: "2026-03-04T10:01"),
        A("a2", "site-a", "d1", 2, "practitioner", "p1", "ips", "Pending", "2026-03-09", "2026-03-16", reminders: 1, lastReminder: "2026-03-17T06:00"),
        A("a3", "site-a", "d2", 1, "practitioner", "p2", "tvs", "Submitted", "2026-03-03", "2026-03-10", submittedAt: "2026-03-10T08:00"),
        A("a4", "site-a", "d2", 2, "practitioner", "p2", "tvs", "Pending", "2026-03-17", "2026-03-24"),
        A("a5", "site-a", "d2", 1, "client", "c2", "tvs", "Withdrawn", null, "2026-03-10"),
        A("b1", "site-b", "d3", 1, "practitioner", "p3", "ips", "Completed", "2026-02-23", "2026-03-02", completedAt: "2026-03-05T09:00"),
        A("b2", "site-b", "d3", 2, "practitioner", "p3", "ips", "Pending", "2026-03-02", "2026-03-09", reminders: 2, lastReminder: "2026-03-16T06:00"),
        A("b3", "site-b", "d4", 1, "practitioner", "p4", null, "Completed", "2026-03-16", "2026-03-23", submittedAt: "2026-03-17T20:00"),
        A("b4", "site-b", "d4", 2, "practitioner", "p4", null, "Pending", "2026-03-18", "2026-03-18"),
    ];

    private static readonly AlertEntity[] Alerts =
    [
        new() { PartitionKey = Study, RowKey = "a3", SiteId = "site-a", DyadId = "d2", RaterId = "p2", RaterRole = "practitioner", Meeting = 1, Kinds = "drop", Previous = 5.5, Current = 4.0, DropThreshold = 1.0, RaisedAt = At("2026-03-10T09:00") },
        new() { PartitionKey = Study, RowKey = "b3", SiteId = "site-b", DyadId = "d4", RaterId = "p4", RaterRole = "practitioner", Meeting = 1, Kinds = "below", Current = 3.0, Cutoff = 3.5, RaisedAt = At("2026-03-17T21:00") },
        new() { PartitionKey = Study, RowKey = "b1", SiteId = "site-b", DyadId = "d3", RaterId = "p3", RaterRole = "practitioner", Meeting = 1, Kinds = "below", Current = 3.0, Cutoff = 3.5, RaisedAt = At("2026-03-05T10:00"), Status = "closed" },
    ];

    private static readonly Dictionary<string, string> Names = new() { ["site-a"] = "Site A", ["site-b"] = "Site B", ["site-c"] = "Site C" };

    private static CompletionReport Build(string? site = null) =>
        CompletionReport.Build(new CompletionInput(Study, "Study X", site, Names, Rows, Alerts), Now);

    private static void Figures(CompletionFigures f, int assessments, int due, int answered, int overdue, int upcoming, int withdrawn, double? rate, double? median)
    {
        Assert.Equal((assessments, due, answered, overdue, upcoming, withdrawn), (f.Assessments, f.Due, f.Answered, f.Overdue, f.Upcoming, f.Withdrawn));
        if (rate is null) Assert.Null(f.CompletionRate);
        else Assert.Equal(rate.Value, f.CompletionRate!.Value, 12);
        Assert.Equal(median, f.MedianDaysToAnswer);
    }

    [Fact]
    public void Totals_count_answered_and_overdue_as_due_and_take_the_median_of_days_from_meeting_to_answer()
    {
        // 8 not withdrawn; answered a1 a3 b1 b3 = 4; overdue a2 b2 = 2; due 6; upcoming a4 b4 = 2; rate 4/6;
        // days 2, 7, 10, 1 → sorted 1 2 7 10 → (2 + 7) / 2 = 4.5.
        Figures(Build().Totals, 8, 6, 4, 2, 2, 1, 4.0 / 6, 4.5);
    }

    [Fact]
    public void Per_site_meeting_arm_and_rater()
    {
        var r = Build();
        Assert.Equal(["site-a", "site-b", "site-c"], r.BySite.Select(s => s.SiteId));
        Assert.Equal(["Site A", "Site B", "Site C"], r.BySite.Select(s => s.Name));
        Figures(r.BySite[0].Figures, 4, 3, 2, 1, 1, 1, 2.0 / 3, 4.5);   // a1 a3 answered (2, 7), a2 overdue, a4 upcoming, a5 withdrawn
        Figures(r.BySite[1].Figures, 4, 3, 2, 1, 1, 0, 2.0 / 3, 5.5);   // b1 b3 answered (10, 1), b2 overdue, b4 upcoming
        Figures(r.BySite[2].Figures, 0, 0, 0, 0, 0, 0, null, null);     // named in Participants, no assessments yet

        Assert.Equal([1, 2], r.ByMeeting.Select(m => m.Meeting));
        Figures(r.ByMeeting[0].Figures, 4, 4, 4, 0, 0, 1, 1.0, 4.5);    // a1 a3 b1 b3 answered; a5 withdrawn
        Figures(r.ByMeeting[1].Figures, 4, 2, 0, 2, 2, 0, 0.0, null);   // a2 b2 overdue; a4 b4 upcoming

        Assert.Equal(["ips", "tvs", null], r.ByArm.Select(a => a.Arm));
        Figures(r.ByArm[0].Figures, 4, 4, 2, 2, 0, 0, 0.5, 6);          // a1 b1 answered (2, 10); a2 b2 overdue
        Figures(r.ByArm[1].Figures, 2, 1, 1, 0, 1, 1, 1.0, 7);          // a3 answered; a4 upcoming; a5 withdrawn
        Figures(r.ByArm[2].Figures, 2, 1, 1, 0, 1, 0, 1.0, 1);          // b3 answered early; b4 due today

        Assert.Equal(["site-a/c2/client", "site-a/p1/practitioner", "site-a/p2/practitioner", "site-b/p3/practitioner", "site-b/p4/practitioner"],
            r.ByRater.Select(x => $"{x.SiteId}/{x.RaterId}/{x.Role}"));
        Figures(r.ByRater[0].Figures, 0, 0, 0, 0, 0, 1, null, null);
        Figures(r.ByRater[1].Figures, 2, 2, 1, 1, 0, 0, 0.5, 2);
        Figures(r.ByRater[2].Figures, 2, 1, 1, 0, 1, 0, 1.0, 7);
        Figures(r.ByRater[3].Figures, 2, 2, 1, 1, 0, 0, 0.5, 10);
        Figures(r.ByRater[4].Figures, 2, 1, 1, 0, 1, 0, 1.0, 1);
    }

    [Fact]
    public void Overdue_lists_pending_forms_past_their_due_day_most_overdue_first_with_reminders()
    {
        var overdue = Build().Overdue;
        Assert.Equal(2, overdue.Count);
        Assert.Equal(("b2", "site-b", "d3", 2, new DateOnly(2026, 3, 9), 9, 2), (overdue[0].AssessmentId, overdue[0].SiteId, overdue[0].DyadId, overdue[0].Meeting, overdue[0].DueOn, overdue[0].DaysOverdue, overdue[0].RemindersSent));
        Assert.Equal(("a2", "p1", new DateOnly(2026, 3, 16), 2, 1, At("2026-03-17T06:00")), (overdue[1].AssessmentId, overdue[1].RaterId, overdue[1].DueOn, overdue[1].DaysOverdue, overdue[1].RemindersSent, overdue[1].LastReminderAt!.Value));
    }

    [Fact]
    public void Paused_reminders_are_counted_per_site_for_pending_forms_only_and_shown_on_the_page()
    {
        // a2 (site-a, overdue), b2 (site-b, overdue) and b4 (site-b, due today) paused; a1 (answered) and a5 (withdrawn)
        // paused too but no reminder would go for them: not counted.
        string[] paused = ["a1", "a2", "a5", "b2", "b4"];
        var rows = Rows.Select(a => { var copy = A(a.RowKey, a.SiteId, a.DyadId, a.Meeting, a.RaterRole, a.RaterId, a.Arm, a.Status, null, a.DueDate.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)); copy.RemindersPaused = paused.Contains(a.RowKey); return copy; }).ToArray();
        var r = CompletionReport.Build(new CompletionInput(Study, "Study X", null, Names, rows, Alerts), Now);
        Assert.Equal(["site-a Site A 1", "site-b Site B 2"], r.RemindersPaused.Select(p => $"{p.SiteId} {p.Name} {p.Forms}"));
        Assert.Equal(3, r.RemindersPausedTotal);
        Assert.All(r.Overdue, o => Assert.True(o.RemindersPaused));
        Assert.Equal(1, CompletionReport.Build(new CompletionInput(Study, "Study X", "site-a", Names, rows, Alerts), Now).RemindersPausedTotal);

        var page = new AngleSharp.Html.Parser.HtmlParser().ParseDocument(DashboardPage.Render(new DashboardView(r, true, false, null)));
        var figure = page.QuerySelectorAll("dl.figures div").Single(d => d.QuerySelector("dt")!.TextContent == "Reminders paused");
        Assert.Equal("3 (Site A 1, Site B 2)", figure.QuerySelector("dd")!.TextContent);
        Assert.All(page.QuerySelectorAll("#t-overdue tbody tr"), tr => Assert.EndsWith("paused", tr.Children.Last().TextContent.Trim(), StringComparison.Ordinal));
    }

    [Fact]
    public void The_all_sites_page_lists_the_first_raters_and_overdue_forms_and_says_how_many_a_site_page_lists_all()
    {
        // 130 dyads a site, each with its own overdue form and rater: 260 raters and 260 overdue forms in the study.
        var rows = Enumerable.Range(0, 260).Select(i => A($"x{i:000}", i % 2 == 0 ? "site-a" : "site-b", $"d{i:000}", 1, "practitioner", $"p{i:000}", "ips", "Pending",
            "2026-03-02", "2026-03-09")).ToArray();
        var all = CompletionReport.Build(new CompletionInput(Study, "Study X", null, Names, rows, []), Now);
        Assert.Equal((260, 260), (all.ByRater.Count, all.Overdue.Count));
        var page = new AngleSharp.Html.Parser.HtmlParser().ParseDocument(DashboardPage.Render(new DashboardView(all, true, false, null)));
        Assert.Equal(DashboardPage.AllSitesListLimit, page.QuerySelectorAll("#t-rater tbody tr").Length);
        Assert.Equal(DashboardPage.AllSitesListLimit, page.QuerySelectorAll("#t-overdue tbody tr").Length);
        Assert.Equal($"The first {DashboardPage.AllSitesListLimit} of 260 are shown: each site's page lists its own, and the figures as JSON list all.", page.QuerySelector("#t-rater-more")!.TextContent);
        Assert.NotNull(page.QuerySelector("#t-overdue-more"));
        Assert.Equal(["dashboard?site=site-a", "dashboard?site=site-b", "dashboard?site=site-c"], page.QuerySelectorAll("#t-site tbody a").Select(a => a.GetAttribute("href")));

        var site = CompletionReport.Build(new CompletionInput(Study, "Study X", "site-a", Names, rows, []), Now);
        page = new AngleSharp.Html.Parser.HtmlParser().ParseDocument(DashboardPage.Render(new DashboardView(site, true, false, null, "fr")));
        Assert.Equal(130, page.QuerySelectorAll("#t-rater tbody tr").Length);
        Assert.Equal(130, page.QuerySelectorAll("#t-overdue tbody tr").Length);
        Assert.Null(page.QuerySelector("#t-rater-more"));

        // Under the limit, nothing is said.
        var small = CompletionReport.Build(new CompletionInput(Study, "Study X", null, Names, Rows, Alerts), Now);
        Assert.Null(new AngleSharp.Html.Parser.HtmlParser().ParseDocument(DashboardPage.Render(new DashboardView(small, true, false, null))).QuerySelector("p[id$='-more']"));
    }

    [Fact]
    public void A_form_due_today_is_not_overdue_and_becomes_overdue_at_midnight_UTC()
    {
        Assert.DoesNotContain(Build().Overdue, o => o.AssessmentId == "b4");
        var tomorrow = CompletionReport.Build(new CompletionInput(Study, "Study X", null, Names, Rows, Alerts), At("2026-03-19T00:00"));
        Assert.Equal(1, tomorrow.Overdue.Single(o => o.AssessmentId == "b4").DaysOverdue);
    }

    [Fact]
    public void The_weekly_trend_runs_from_the_first_answer_or_passed_due_day_to_this_week_and_ends_at_the_totals()
    {
        var weeks = Build().Weekly;
        Assert.Equal(["2026-W10", "2026-W11", "2026-W12"], weeks.Select(w => w.Week));
        Assert.Equal(new DateOnly(2026, 3, 2), weeks[0].Monday);
        // W10 (2–8 March): answered a1 (4th), b1 (5th); due in week b1 (2nd). By Monday 9th: answered a1 b1, due a1 b1 → 2/2.
        Assert.Equal((2, 1, 2, 2, 1.0), (weeks[0].Answered, weeks[0].DueInWeek, weeks[0].DueToDate, weeks[0].AnsweredToDate, weeks[0].CompletionRate!.Value));
        // W11 (9–15): answered a3 (10th); due in week a1 (9th) a3 (10th) b2 (9th). By Monday 16th: answered a1 a3 b1; due those + b2 → 3/4.
        Assert.Equal((1, 3, 4, 3, 0.75), (weeks[1].Answered, weeks[1].DueInWeek, weeks[1].DueToDate, weeks[1].AnsweredToDate, weeks[1].CompletionRate!.Value));
        // W12 (16–22, now): answered b3 (17th); due in week a2 (16th) b4 (18th). Up to now: 4 answered of 6 due = the totals.
        Assert.Equal((1, 2, 6, 4), (weeks[2].Answered, weeks[2].DueInWeek, weeks[2].DueToDate, weeks[2].AnsweredToDate));
        Assert.Equal(4.0 / 6, weeks[2].CompletionRate!.Value, 12);
    }

    [Fact]
    public void Open_alerts_newest_first_and_closed_ones_left_out()
    {
        var alerts = Build().OpenAlerts;
        Assert.Equal(["b3", "a3"], alerts.Select(a => a.AssessmentId));
        Assert.Equal(("d2", 1, "practitioner", 5.5, 4.0, "drop"), (alerts[1].DyadId, alerts[1].Meeting, alerts[1].RaterRole, alerts[1].Previous!.Value, alerts[1].Current, alerts[1].Kinds));
    }

    [Fact]
    public void A_site_report_drops_every_other_sites_row_before_computing_even_when_given_them()
    {
        var r = Build("site-a");
        Assert.Equal("site-a", r.Site);
        Figures(r.Totals, 4, 3, 2, 1, 1, 1, 2.0 / 3, 4.5);
        Assert.Equal(["site-a"], r.BySite.Select(s => s.SiteId));
        Assert.All(r.ByRater, x => Assert.Equal("site-a", x.SiteId));
        Assert.Equal(["ips", "tvs"], r.ByArm.Select(a => a.Arm));
        Assert.Equal(["a2"], r.Overdue.Select(o => o.AssessmentId));
        Assert.Equal(["a3"], r.OpenAlerts.Select(a => a.AssessmentId));
        // Trend of site A alone: W10 a1 answered (due by then: a1); W11 a3 answered, a1 a3 due in week; W12 a2 due → 2 of 3.
        Assert.Equal(["2026-W10", "2026-W11", "2026-W12"], r.Weekly.Select(w => w.Week));
        Assert.Equal([(1, 0, 1, 1), (1, 2, 2, 2), (0, 1, 3, 2)], r.Weekly.Select(w => (w.Answered, w.DueInWeek, w.DueToDate, w.AnsweredToDate)));
        var text = System.Text.Json.JsonSerializer.Serialize(r);
        Assert.DoesNotContain("site-b", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Site B", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Site C", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Rows_of_another_study_are_ignored_and_an_empty_study_has_no_rates_and_no_trend()
    {
        var stray = A("z1", "site-a", "dz", 1, "practitioner", "pz", "ips", "Completed", "2026-03-01", "2026-03-02", submittedAt: "2026-03-02T00:00");
        stray.PartitionKey = "study-y";
        var r = CompletionReport.Build(new CompletionInput(Study, "Study X", null, new Dictionary<string, string>(), [stray], []), Now);
        Figures(r.Totals, 0, 0, 0, 0, 0, 0, null, null);
        Assert.Empty(r.BySite);
        Assert.Empty(r.Weekly);
        Assert.Empty(r.Overdue);
    }

    [Fact]
    public void An_answer_dated_after_now_or_without_a_time_counts_now_in_the_trend()
    {
        var late = A("f1", "site-a", "df", 1, "practitioner", "pf", "ips", "Submitted", "2026-03-16", "2026-03-20", submittedAt: "2026-03-25T00:00");
        var timeless = A("f2", "site-a", "df", 2, "practitioner", "pf", "ips", "Completed", "2026-03-16", "2026-03-20");
        var r = CompletionReport.Build(new CompletionInput(Study, "Study X", null, Names, [late, timeless], []), Now);
        Figures(r.Totals, 2, 2, 2, 0, 0, 0, 1.0, 9);   // f1: 25th − 16th = 9 days; f2 has no answer time → no days
        Assert.Equal(["2026-W12"], r.Weekly.Select(w => w.Week));
        Assert.Equal(2, r.Weekly[0].Answered);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void The_sites_summaries_merged_give_the_report_of_the_whole_study(int seed)
    {
        // Random rows over four sites (seeded): every status, arms missing or empty, answers before, on and after now or
        // with no time, meeting dates missing, due days over nearly four years (so the trend is cut to its last weeks), paused.
        var random = new Random(seed);
        string[] statuses = ["Pending", "Pending", "Submitted", "Completed", "Withdrawn", "Unknown"];
        string?[] arms = ["ips", "tvs", null, ""];
        var rows = Enumerable.Range(0, 600).Select(i =>
        {
            var due = Now.AddDays(random.Next(-1400, 60));
            var status = statuses[random.Next(statuses.Length)];
            var row = A($"x{i:000}", $"site-{(char)('a' + random.Next(4))}", $"d{random.Next(150)}", 1 + random.Next(4), random.Next(2) == 0 ? "practitioner" : "client",
                $"r{random.Next(20)}", arms[random.Next(arms.Length)], status,
                random.Next(10) == 0 ? null : due.AddDays(-7).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
                due.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), reminders: random.Next(3));
            if (status is "Submitted" or "Completed" && random.Next(8) != 0) row.SubmittedAt = due.AddDays(random.Next(-20, 20)).AddMinutes(random.Next(1440));
            row.RemindersPaused = random.Next(5) == 0;
            return row;
        }).ToList();
        var names = new Dictionary<string, string> { ["site-a"] = "Site A", ["site-e"] = "Site E (no forms yet)" };
        var input = new CompletionInput(Study, "Study X", null, names, rows, []);

        var whole = CompletionReport.Build(input, Now);
        var parts = rows.GroupBy(r => r.SiteId).Select(g => CompletionSummary.Of(g, Now));
        var merged = CompletionReport.Of(input, CompletionSummary.Merge(parts, Now));

        Assert.Equal(System.Text.Json.JsonSerializer.Serialize(whole), System.Text.Json.JsonSerializer.Serialize(merged));
        // Summaries kept as JSON, made at midnight and at the last moment of the day, read back at any moment of it.
        var midnight = Core.Studies.StudyCalendar.StartOf(Core.Studies.StudyCalendar.Day(Now));
        foreach (var made in new[] { midnight, midnight.AddDays(1).AddTicks(-1) })
        {
            var kept = rows.GroupBy(r => r.SiteId).Select(g => CompletionSummary.FromJson(CompletionSummary.Of(g, made).ToJson(), Now));
            Assert.Equal(System.Text.Json.JsonSerializer.Serialize(whole),
                System.Text.Json.JsonSerializer.Serialize(CompletionReport.Of(input, CompletionSummary.Merge(kept, Now))));
        }
        Assert.Equal(CompletionReport.MaxWeeks, whole.Weekly.Count);
        Assert.Equal(rows.Count(r => r.Status == "Withdrawn"), whole.Totals.Withdrawn);
        // Each site's own report is its summary's.
        foreach (var site in new[] { "site-a", "site-b" })
        {
            var one = input with { Site = site };
            Assert.Equal(System.Text.Json.JsonSerializer.Serialize(CompletionReport.Build(one, Now)),
                System.Text.Json.JsonSerializer.Serialize(CompletionReport.Of(one, CompletionSummary.Of(rows.Where(r => r.SiteId == site), Now))));
        }
    }
}
