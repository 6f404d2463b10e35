using System.Globalization;
using AlliancePipeline.Functions.Infrastructure.Pages;

namespace AlliancePipeline.Functions.Dashboards;

/// <summary>What the dashboard page shows besides the report.</summary>
/// <param name="Report">The completion report (already limited to what the key may see).</param>
/// <param name="AllSitesVisible">Whether the key sees every site (then the page links each site's view and back).</param>
/// <param name="CanCloseAlerts">Whether alerts get a Close button.</param>
/// <param name="ClosedAlert">An alert just closed, to confirm.</param>
public sealed record DashboardView(CompletionReport Report, bool AllSitesVisible, bool CanCloseAlerts, string? ClosedAlert);

/// <summary>
/// Renders the coordinator dashboard as one self-contained page (inline CSS, no script, no outside request), in English,
/// from the Liquid template <c>Templates/dashboard.liquid</c> in the pages' one layout (<see cref="PageRenderer"/>, which
/// HTML-encodes every value). Tables have a caption and header cells with <c>scope</c>; each sits in a labelled region
/// that scrolls sideways on its own when it is wider than the screen, so the page itself never scrolls horizontally
/// (checked at 360 px). Numbers are shown with their counts, so nothing hides behind a percentage. This class says what
/// the page shows (sections, tables, cells, every number formatted in the invariant culture); the template how.
/// </summary>
public static class DashboardPage
{
    /// <summary>The dashboard's template.</summary>
    internal const string Template = "Pages.Dashboards.dashboard.liquid";

    /// <summary>The message pages' template.</summary>
    internal const string MessageTemplate = "Pages.Dashboards.message.liquid";

    /// <summary>The dashboard.</summary>
    public static string Render(DashboardView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        var r = view.Report;
        var where = r.Site is null ? "all sites" : SiteName(r, r.Site);
        var nav = new List<NavLink>();
        if (view.AllSitesVisible && r.Site is not null) nav.Add(new(Link(null), "All sites"));
        nav.Add(new(Link(r.Site, "completion"), "These figures as JSON"));
        var t = r.Totals;
        Figure[] figures =
        [
            new("Completion", Rate(t.CompletionRate)),
            new("Answered", Num(t.Answered)),
            new("Due", Num(t.Due)),
            new("Overdue", Num(t.Overdue)),
            new("Not yet due", Num(t.Upcoming)),
            new("Median days, meeting to answer", Days(t.MedianDaysToAnswer)),
            new("Open alerts", Num(r.OpenAlerts.Count)),
            new("Reminders paused", Num(r.RemindersPausedTotal) + (r.Site is null && r.RemindersPaused.Count > 0
                ? " (" + string.Join(", ", r.RemindersPaused.Select(p => Inv($"{p.Name} {p.Forms}"))) + ")" : "")),
        ];
        Section groups = new("h-groups", "Completion by site, meeting, arm and rater",
        [
            CompletionTable("t-site", "By site", "Site", r.BySite.Select(s => (
                view.AllSitesVisible && r.Site is null ? new Cell(s.Name) { Href = Link(s.SiteId) } : new Cell(s.Name), s.Figures))),
            CompletionTable("t-meeting", "By meeting", "Meeting", r.ByMeeting.Select(m => (new Cell(Inv($"Meeting {m.Meeting}")), m.Figures))),
            CompletionTable("t-arm", "By arm", "Arm", r.ByArm.Select(a => (a.Arm is null ? new Cell("") { Note = "not recorded" } : new Cell(a.Arm), a.Figures))),
            CompletionTable("t-rater", "By rater (pseudonymous id)", "Rater", r.ByRater.Select(x => (
                new Cell(x.RaterId) { Note = x.Role + (r.Site is null ? ", " + SiteName(r, x.SiteId) : "") }, x.Figures))),
        ]);
        var model = new DashboardModel(r.StudyId, r.StudyName, r.Site is null, where, Time(r.GeneratedAt), nav, view.ClosedAlert ?? "", figures,
            [groups, OverdueSection(r), TrendSection(r), AlertsSection(view)]);
        return PageTemplates.Renderer.Render(Template, model, "en", $"Completion: {r.StudyName} ({where})", PageRenderer.Kind.Dashboard);
    }

    /// <summary>A page with a title and one message (401, 403, 404, 429, 503); with a key form for 401.</summary>
    public static string RenderMessage(string title, string message, bool keyForm = false) =>
        PageTemplates.Renderer.Render(MessageTemplate, new MessageModel(title, message, keyForm), "en", title, PageRenderer.Kind.Dashboard);

    private static Table CompletionTable(string id, string caption, string what, IEnumerable<(Cell Label, CompletionFigures Figures)> rows) =>
        Tabulate(id, caption,
            [new(what), new("Completion", true), new("Answered", true), new("Due", true), new("Overdue", true), new("Not yet due", true), new("Median days", true)],
            rows.Select(r => new[]
            {
                r.Label, new Cell(Rate(r.Figures.CompletionRate)) { Bar = Bar(r.Figures.CompletionRate) }, new(Num(r.Figures.Answered)), new(Num(r.Figures.Due)),
                new(Num(r.Figures.Overdue)) { Late = r.Figures.Overdue > 0 }, new(Num(r.Figures.Upcoming)), new(Days(r.Figures.MedianDaysToAnswer)),
            }),
            "No assessments.");

    private static Section OverdueSection(CompletionReport r) =>
        new("h-overdue", Inv($"Overdue ({r.Overdue.Count})"),
        [
            Tabulate("t-overdue", "Overdue forms, most overdue first",
                [new("Form"), new("Rater"), new("Due"), new("Days overdue", true), new("Reminders sent", true)],
                r.Overdue.Select(o => new[]
                {
                    new Cell(Inv($"{o.DyadId}, meeting {o.Meeting}")) { Note = o.RaterRole + (r.Site is null ? ", " + SiteName(r, o.SiteId) : "") },
                    new(o.RaterId), new(Date(o.DueOn)), new(Num(o.DaysOverdue)) { Late = true },
                    new(Num(o.RemindersSent)) { Note = (o.LastReminderAt is { } last ? "(last " + Date(DateOnly.FromDateTime(last.UtcDateTime)) + ")" : "") + (o.RemindersPaused ? (o.LastReminderAt is null ? "" : " ") + "paused" : "") },
                }),
                "Nothing is overdue."),
        ]);

    private static Section TrendSection(CompletionReport r) =>
        new("h-trend", "Weekly trend",
        [
            Tabulate("t-trend", "Answers per ISO week, and completion up to the end of each week (the current week: up to now)",
                [new("Week"), new("Answered", true), new("Due in week", true), new("Completion to date", true)],
                r.Weekly.Reverse().Select(w => new[]
                {
                    new Cell(w.Week) { Note = "from " + Date(w.Monday) }, new(Num(w.Answered)), new(Num(w.DueInWeek)),
                    new(Rate(w.CompletionRate)) { Bar = Bar(w.CompletionRate), Note = Inv($"({w.AnsweredToDate} of {w.DueToDate})") },
                }),
                "Nothing due or answered yet."),
        ]);

    private static Section AlertsSection(DashboardView view)
    {
        var r = view.Report;
        List<Column> columns = [new("Dyad"), new("Raised"), new("Why"), new("Previous", true), new("Current", true)];
        if (view.CanCloseAlerts) columns.Add(new("Action"));
        return new("alerts", Inv($"Open alerts ({r.OpenAlerts.Count})"),
        [
            Tabulate("t-alerts", "Open rupture alerts, newest first", columns,
                r.OpenAlerts.Select(a =>
                {
                    List<Cell> cells =
                    [
                        new(Inv($"{a.DyadId}, meeting {a.Meeting}")) { Note = $"{a.RaterRole} {a.RaterId}" + (r.Site is null ? ", " + SiteName(r, a.SiteId) : "") },
                        new(Time(a.RaisedAt)), new(Why(a)), new(Score(a.Previous)), new(Score(a.Current)),
                    ];
                    if (view.CanCloseAlerts)
                    {
                        cells.Add(new Cell("")
                        {
                            Close = $"alerts/{Uri.EscapeDataString(a.AssessmentId)}/close",
                            CloseLabel = Inv($"Close the alert of {a.DyadId}, meeting {a.Meeting}, {a.RaterRole}"),
                        });
                    }
                    return cells.ToArray();
                }),
                "No open alerts."),
        ]);
    }

    /// <summary>A table: each row's cells take their column's name (the narrow layout shows it beside each value) and alignment.</summary>
    private static Table Tabulate(string id, string caption, IReadOnlyList<Column> columns, IEnumerable<Cell[]> rows, string empty) =>
        new(id, caption, columns, rows.Select(cells => cells.Select((c, i) => c with { Label = columns[i].Header, Numeric = columns[i].Numeric }).ToArray()).ToArray(), empty);

    private static string Why(OpenAlert a)
    {
        var parts = new List<string>();
        foreach (var kind in a.Kinds.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            parts.Add(kind switch
            {
                "drop" => a.DropThreshold is { } d ? Inv($"dropped by more than {Score(d)}") : "dropped",
                "below" => a.Cutoff is { } c ? Inv($"below {Score(c)}") : "below the cutoff",
                _ => kind,
            });
        }
        return parts.Count == 0 ? "alert" : string.Join("; ", parts);
    }

    private static string Link(string? site, string page = "dashboard") => page + (site is null ? "" : "?site=" + Uri.EscapeDataString(site));

    private static string SiteName(CompletionReport r, string siteId) => r.BySite.FirstOrDefault(s => s.SiteId == siteId)?.Name ?? siteId;

    /// <summary>A completion bar's width in rem (3 rem for 100 %), or empty for no bar.</summary>
    private static string Bar(double? rate) => rate is { } v ? Math.Round(v * 3, 2).ToString(CultureInfo.InvariantCulture) : "";

    private static string Rate(double? rate) => rate is { } v ? Inv($"{Math.Round(v * 100, MidpointRounding.AwayFromZero)}%") : "–";

    private static string Days(double? days) => days is { } v ? v.ToString("0.#", CultureInfo.InvariantCulture) : "–";

    private static string Score(double? score) => score is { } v ? v.ToString("0.##", CultureInfo.InvariantCulture) : "–";

    private static string Num(int n) => n.ToString(CultureInfo.InvariantCulture);

    private static string Date(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);

    private static string Inv(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private sealed record DashboardModel(string StudyId, string StudyName, bool AllSites, string SiteName, string GeneratedAt,
        IReadOnlyList<NavLink> Nav, string ClosedAlert, IReadOnlyList<Figure> Figures, IReadOnlyList<Section> Sections);

    private sealed record NavLink(string Href, string Text);

    private sealed record Figure(string Label, string Value);

    private sealed record Section(string Id, string Heading, IReadOnlyList<Table> Tables);

    private sealed record Table(string Id, string Caption, IReadOnlyList<Column> Columns, IReadOnlyList<Cell[]> Rows, string Empty);

    private sealed record Column(string Header, bool Numeric = false);

    /// <summary>
    /// One cell: its text, and maybe a link (<see cref="Href"/>), the overdue colour (<see cref="Late"/>), a completion bar
    /// before it (<see cref="Bar"/>, its width in rem), a muted note after it (<see cref="Note"/>), or the form closing an
    /// alert (<see cref="Close"/>, the form's action, and its button's accessible name); <see cref="Label"/> and
    /// <see cref="Numeric"/> come from its column.
    /// </summary>
    private sealed record Cell(string Text)
    {
        public string Href { get; init; } = "";
        public bool Late { get; init; }
        public string Bar { get; init; } = "";
        public string Note { get; init; } = "";
        public string Close { get; init; } = "";
        public string CloseLabel { get; init; } = "";
        public string Label { get; init; } = "";
        public bool Numeric { get; init; }
    }

    private sealed record MessageModel(string Title, string Message, bool KeyForm);
}
