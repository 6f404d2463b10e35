using System.Globalization;
using AlliancePipeline.Functions.Infrastructure.Pages;

namespace AlliancePipeline.Functions.Dashboards;

/// <summary>What the dashboard page shows besides the report.</summary>
/// <param name="Report">The completion report (already limited to what the key may see).</param>
/// <param name="AllSitesVisible">Whether the key sees every site (then the page links each site's view and back).</param>
/// <param name="CanCloseAlerts">Whether alerts get a Close button.</param>
/// <param name="ClosedAlert">An alert just closed, to confirm.</param>
/// <param name="Language">The page's language (<see cref="ConsoleText.For"/>: <c>en</c> or <c>fr</c>).</param>
public sealed record DashboardView(CompletionReport Report, bool AllSitesVisible, bool CanCloseAlerts, string? ClosedAlert, string Language = "en");

/// <summary>
/// Renders the coordinator dashboard as one self-contained page (inline CSS, no script, no outside request), in English
/// or French (<see cref="ConsoleText"/>),
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

    /// <summary>
    /// Rows of a list (raters, overdue forms) the all-sites page shows at most: a study of 10,000 dyads has over 10,000
    /// raters, a page no one reads and that takes seconds to send. The rest is on each site's page (linked from the
    /// site table) and in the completion JSON; the page says how many it leaves out.
    /// </summary>
    public const int AllSitesListLimit = 200;

    /// <summary>The dashboard.</summary>
    public static string Render(DashboardView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        var r = view.Report;
        var x = ConsoleText.For(view.Language);
        var where = r.Site is null ? x["all sites"] : SiteName(r, r.Site);
        var nav = new List<NavLink>();
        if (view.AllSitesVisible && r.Site is not null) nav.Add(new(Link(null), x["All sites"]));
        nav.Add(new(Link(r.Site, "completion"), x["These figures as JSON"]));
        var t = r.Totals;
        Figure[] figures =
        [
            new(x["Completion"], Rate(t.CompletionRate)),
            new(x["Answered"], Num(t.Answered)),
            new(x["Due"], Num(t.Due)),
            new(x["Overdue"], Num(t.Overdue)),
            new(x["Not yet due"], Num(t.Upcoming)),
            new(x["Median days, meeting to answer"], Days(t.MedianDaysToAnswer)),
            new(x["Open alerts"], Num(r.OpenAlerts.Count)),
            new(x["Reminders paused"], Num(r.RemindersPausedTotal) + (r.Site is null && r.RemindersPaused.Count > 0
                ? " (" + string.Join(", ", r.RemindersPaused.Select(p => Inv($"{p.Name} {p.Forms}"))) + ")" : "")),
        ];
        Section groups = new("h-groups", x["Completion by site, meeting, arm and rater"],
        [
            CompletionTable(x, "t-site", x["By site"], x["Site"], r.BySite.Select(s => (
                view.AllSitesVisible && r.Site is null ? new Cell(s.Name) { Href = Link(s.SiteId) } : new Cell(s.Name), s.Figures))),
            CompletionTable(x, "t-meeting", x["By meeting"], x["Meeting"], r.ByMeeting.Select(m => (new Cell(x.Format("Meeting {0}", m.Meeting)), m.Figures))),
            CompletionTable(x, "t-arm", x["By arm"], x["Arm"], r.ByArm.Select(a => (a.Arm is null ? new Cell("") { Note = x["not recorded"] } : new Cell(a.Arm), a.Figures))),
            CompletionTable(x, "t-rater", x["By rater (pseudonymous id)"], x["Rater"], Limit(r, r.ByRater).Select(w => (
                new Cell(w.RaterId) { Note = x[w.Role] + (r.Site is null ? ", " + SiteName(r, w.SiteId) : "") }, w.Figures))) with { More = More(x, r, r.ByRater.Count) },
        ]);
        var words = new Words(x.Format("Study {0}", r.StudyId), x.Format("Completion: {0}", r.StudyName),
            r.Site is null ? x["All sites."] : x.Format("Site: {0}.", where), x.Format("Figures at {0}. Dates are UTC.", Time(r.GeneratedAt)),
            x["Views"], view.ClosedAlert is null ? "" : x.Format("Alert {0} closed.", view.ClosedAlert), x["Summary"],
            x["Due means answered, or past its due day unanswered; completion is answered ÷ due. Forms not yet past their due day are not counted as due. Withdrawn forms count nowhere."],
            x["Close"]);
        var model = new DashboardModel(words, nav, figures, [groups, OverdueSection(x, r), TrendSection(x, r), AlertsSection(x, view)]);
        return PageTemplates.Renderer.Render(Template, model, x.Language, x.Format("Completion: {0} ({1})", r.StudyName, where), PageRenderer.Kind.Dashboard);
    }

    /// <summary>A page with a title and one message (401, 403, 404, 429, 503); with a key form for 401.</summary>
    public static string RenderMessage(string title, string message, bool keyForm = false) =>
        PageTemplates.Renderer.Render(MessageTemplate, new MessageModel(title, message, keyForm), "en", title, PageRenderer.Kind.Dashboard);

    private static Table CompletionTable(ConsoleText x, string id, string caption, string what, IEnumerable<(Cell Label, CompletionFigures Figures)> rows) =>
        Tabulate(id, caption,
            [new(what), new(x["Completion"], true), new(x["Answered"], true), new(x["Due"], true), new(x["Overdue"], true), new(x["Not yet due"], true), new(x["Median days"], true)],
            rows.Select(r => new[]
            {
                r.Label, new Cell(Rate(r.Figures.CompletionRate)) { Bar = Bar(r.Figures.CompletionRate) }, new(Num(r.Figures.Answered)), new(Num(r.Figures.Due)),
                new(Num(r.Figures.Overdue)) { Late = r.Figures.Overdue > 0 }, new(Num(r.Figures.Upcoming)), new(Days(r.Figures.MedianDaysToAnswer)),
            }),
            x["No assessments."]);

    private static Section OverdueSection(ConsoleText x, CompletionReport r) =>
        new("h-overdue", x.Format("Overdue ({0})", r.Overdue.Count),
        [
            Tabulate("t-overdue", x["Overdue forms, most overdue first"],
                [new(x["Form"]), new(x["Rater"]), new(x["Due"]), new(x["Days overdue"], true), new(x["Reminders sent"], true)],
                Limit(r, r.Overdue).Select(o => new[]
                {
                    new Cell(x.Format("{0}, meeting {1}", o.DyadId, o.Meeting)) { Href = DyadLink(o.DyadId), Note = x[o.RaterRole] + (r.Site is null ? ", " + SiteName(r, o.SiteId) : "") },
                    new(o.RaterId), new(Date(o.DueOn)), new(Num(o.DaysOverdue)) { Late = true },
                    new(Num(o.RemindersSent)) { Note = (o.LastReminderAt is { } last ? x.Format("(last {0})", Date(DateOnly.FromDateTime(last.UtcDateTime))) : "") + (o.RemindersPaused ? (o.LastReminderAt is null ? "" : " ") + x["paused"] : "") },
                }),
                x["Nothing is overdue."]) with { More = More(x, r, r.Overdue.Count) },
        ]);

    private static Section TrendSection(ConsoleText x, CompletionReport r) =>
        new("h-trend", x["Weekly trend"],
        [
            Tabulate("t-trend", x["Answers per ISO week, and completion up to the end of each week (the current week: up to now)"],
                [new(x["Week"]), new(x["Answered"], true), new(x["Due in week"], true), new(x["Completion to date"], true)],
                r.Weekly.Reverse().Select(w => new[]
                {
                    new Cell(w.Week) { Note = x.Format("from {0}", Date(w.Monday)) }, new(Num(w.Answered)), new(Num(w.DueInWeek)),
                    new(Rate(w.CompletionRate)) { Bar = Bar(w.CompletionRate), Note = x.Format("({0} of {1})", w.AnsweredToDate, w.DueToDate) },
                }),
                x["Nothing due or answered yet."]),
        ]);

    private static Section AlertsSection(ConsoleText x, DashboardView view)
    {
        var r = view.Report;
        List<Column> columns = [new(x["Dyad"]), new(x["Raised"]), new(x["Why"]), new(x["Previous"], true), new(x["Current"], true)];
        if (view.CanCloseAlerts) columns.Add(new(x["Action"]));
        return new("alerts", x.Format("Open alerts ({0})", r.OpenAlerts.Count),
        [
            Tabulate("t-alerts", x["Open rupture alerts, newest first"], columns,
                r.OpenAlerts.Select(a =>
                {
                    List<Cell> cells =
                    [
                        new(x.Format("{0}, meeting {1}", a.DyadId, a.Meeting)) { Href = DyadLink(a.DyadId), Note = $"{x[a.RaterRole]} {a.RaterId}" + (r.Site is null ? ", " + SiteName(r, a.SiteId) : "") },
                        new(Time(a.RaisedAt)), new(Why(x, a)), new(Score(a.Previous)), new(Score(a.Current)),
                    ];
                    if (view.CanCloseAlerts)
                    {
                        cells.Add(new Cell("")
                        {
                            Close = $"alerts/{Uri.EscapeDataString(a.AssessmentId)}/close",
                            CloseLabel = x.Format("Close the alert of {0}, meeting {1}, {2}", a.DyadId, a.Meeting, x[a.RaterRole]),
                        });
                    }
                    return cells.ToArray();
                }),
                x["No open alerts."]),
        ]);
    }

    /// <summary>The rows the page shows of a list: all on a site's page, the first <see cref="AllSitesListLimit"/> on the all-sites page.</summary>
    private static IEnumerable<T> Limit<T>(CompletionReport r, IEnumerable<T> rows) => r.Site is null ? rows.Take(AllSitesListLimit) : rows;

    /// <summary>What the all-sites page says under a list it cut, or nothing.</summary>
    private static string More(ConsoleText x, CompletionReport r, int count) =>
        r.Site is null && count > AllSitesListLimit ? x.Format("The first {0} of {1} are shown: each site's page lists its own, and the figures as JSON list all.", AllSitesListLimit, count) : "";

    /// <summary>A table: each row's cells take their column's name (the narrow layout shows it beside each value) and alignment.</summary>
    private static Table Tabulate(string id, string caption, IReadOnlyList<Column> columns, IEnumerable<Cell[]> rows, string empty) =>
        new(id, caption, columns, rows.Select(cells => cells.Select((c, i) => c with { Label = columns[i].Header, Numeric = columns[i].Numeric }).ToArray()).ToArray(), empty);

    private static string Why(ConsoleText x, OpenAlert a)
    {
        var parts = new List<string>();
        foreach (var kind in a.Kinds.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            parts.Add(kind switch
            {
                "drop" => a.DropThreshold is { } d ? x.Format("dropped by more than {0}", Score(d)) : x["dropped"],
                "below" => a.Cutoff is { } c ? x.Format("below {0}", Score(c)) : x["below the cutoff"],
                _ => kind,
            });
        }
        return parts.Count == 0 ? x["alert"] : string.Join("; ", parts);
    }

    private static string Link(string? site, string page = "dashboard") => page + (site is null ? "" : "?site=" + Uri.EscapeDataString(site));

    /// <summary>The console's page of a dyad, relative to the dashboard.</summary>
    private static string DyadLink(string dyadId) => "dyads/" + Uri.EscapeDataString(dyadId);

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

    private sealed record DashboardModel(Words Words, IReadOnlyList<NavLink> Nav, IReadOnlyList<Figure> Figures, IReadOnlyList<Section> Sections);

    /// <summary>The page's own sentences, in its language.</summary>
    private sealed record Words(string Study, string Heading, string Where, string At, string Views, string Closed, string Summary, string DueMeans, string Close);

    private sealed record NavLink(string Href, string Text);

    private sealed record Figure(string Label, string Value);

    private sealed record Section(string Id, string Heading, IReadOnlyList<Table> Tables);

    private sealed record Table(string Id, string Caption, IReadOnlyList<Column> Columns, IReadOnlyList<Cell[]> Rows, string Empty)
    {
        /// <summary>What is said under the table when it shows part of a list.</summary>
        public string More { get; init; } = "";
    }

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
