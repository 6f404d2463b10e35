using System.Globalization;
using System.Net;
using System.Text;

namespace AlliancePipeline.Functions.Dashboards;

/// <summary>What the dashboard page shows besides the report.</summary>
/// <param name="Report">The completion report (already limited to what the key may see).</param>
/// <param name="KeyInQuery">The key, when it came in <c>?key=</c>: links and forms carry it on (a page opened from a printed URL keeps working); null when it came in a header.</param>
/// <param name="AllSitesVisible">Whether the key sees every site (then the page links each site's view and back).</param>
/// <param name="CanCloseAlerts">Whether alerts get a Close button.</param>
/// <param name="ClosedAlert">An alert just closed, to confirm.</param>
public sealed record DashboardView(CompletionReport Report, string? KeyInQuery, bool AllSitesVisible, bool CanCloseAlerts, string? ClosedAlert);

/// <summary>
/// Renders the coordinator dashboard as one self-contained HTML page (inline CSS, no script, no outside request), in
/// English. Every value is HTML-encoded. Tables have a caption and header cells with <c>scope</c>; each sits in a
/// labelled region that scrolls sideways on its own when it is wider than the screen, so the page itself never scrolls
/// horizontally (checked at 360 px). Numbers are shown with their counts, so nothing hides behind a percentage.
/// </summary>
public static class DashboardPage
{
    private const string Style = """
        :root{color-scheme:light;--ink:#1a1a1a;--muted:#4a4a4a;--line:#b8b8b8;--accent:#0b57d0;--bg:#fff;--soft:#f3f5f9;--warn:#8a4b00;--bad:#b00020}
        *{box-sizing:border-box}
        body{margin:0;background:var(--bg);color:var(--ink);font:1rem/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
        main{max-width:80rem;margin:0 auto;padding:1rem}
        h1{font-size:1.5rem;line-height:1.25;margin:.25rem 0 .5rem;overflow-wrap:anywhere}
        h2{font-size:1.1875rem;margin:2rem 0 .5rem}
        p{margin:.5rem 0}
        a{color:var(--accent)}
        a:focus-visible,button:focus-visible,.wrap:focus-visible,input:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
        .muted{color:var(--muted);font-size:.9375rem}
        nav ul{list-style:none;display:flex;flex-wrap:wrap;gap:.25rem 1rem;padding:0;margin:.5rem 0}
        .figures{display:grid;grid-template-columns:repeat(auto-fit,minmax(9.5rem,1fr));gap:.5rem;margin:1rem 0;padding:0}
        .figures div{background:var(--soft);border-radius:.5rem;padding:.5rem .75rem}
        .figures dt{font-size:.875rem;color:var(--muted)}
        .figures dd{margin:0;font-size:1.375rem;font-weight:600}
        .wrap{max-width:100%;overflow-x:auto;margin:.25rem 0 1rem;border:1px solid var(--line);border-radius:.375rem}
        table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums}
        caption{text-align:left;font-weight:600;padding:.5rem .625rem;background:var(--soft)}
        th,td{padding:.375rem .625rem;border-top:1px solid var(--line);text-align:left;vertical-align:top}
        td.n,th.n{text-align:right;white-space:nowrap}
        thead th{font-size:.875rem;color:var(--muted);white-space:nowrap}
        tbody th{font-weight:600;overflow-wrap:break-word}
        .bar{display:inline-block;height:.625rem;background:var(--accent);border-radius:.125rem;vertical-align:middle;margin-right:.375rem}
        .late{color:var(--bad);font-weight:600}
        .status{border:2px solid var(--accent);border-radius:.5rem;padding:.5rem .75rem;margin:1rem 0}
        form{margin:0}
        button{font:inherit;font-size:.9375rem;color:#fff;background:var(--accent);border:0;border-radius:.375rem;padding:.375rem .75rem;min-height:2.75rem;min-width:2.75rem;cursor:pointer}
        .keyform{display:flex;flex-wrap:wrap;gap:.5rem;align-items:end;margin:1rem 0}
        .keyform label{display:flex;flex-direction:column;font-weight:600;flex:1 1 14rem}
        .keyform input{font:inherit;padding:.5rem;border:1px solid var(--line);border-radius:.375rem;min-height:2.75rem;width:100%}
        @media (max-width:40rem){
        main{padding:.75rem}.figures dd{font-size:1.1875rem}
        .wrap{border:0;overflow:visible}
        table,caption,tbody,tr,th,td{display:block}
        caption{border-radius:.375rem}
        thead{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
        tbody tr{border:1px solid var(--line);border-radius:.375rem;margin:.5rem 0}
        tbody th{border-top:0;padding:.5rem .625rem .25rem}
        td,td.n{display:flex;justify-content:space-between;align-items:center;gap:1rem;text-align:right;white-space:normal;border-top:1px solid #e3e3e3;padding:.3125rem .625rem}
        td[data-label]::before{content:attr(data-label);color:var(--muted);font-weight:400;text-align:left}
        td form{margin-left:auto}
        }
        """;

    /// <summary>The dashboard.</summary>
    public static string Render(DashboardView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        var r = view.Report;
        var html = new StringBuilder();
        var where = r.Site is null ? "all sites" : SiteName(r, r.Site);
        Open(html, $"Completion: {r.StudyName} ({where})");
        html.Append(Inv($"<header><p class=\"muted\">Study {E(r.StudyId)}</p><h1>Completion: {E(r.StudyName)}</h1>"))
            .Append(Inv($"<p>{(r.Site is null ? "All sites." : "Site: " + E(where) + ".")} Figures at {E(Time(r.GeneratedAt))}. Dates are UTC.</p>"));
        var nav = new List<string>();
        if (view.AllSitesVisible && r.Site is not null) nav.Add($"<a href=\"{E(Link(view, null))}\">All sites</a>");
        nav.Add($"<a href=\"{E(Link(view, r.Site, "completion"))}\">These figures as JSON</a>");
        html.Append("<nav aria-label=\"Views\"><ul>").AppendJoin("", nav.Select(n => "<li>" + n + "</li>")).Append("</ul></nav></header>");

        if (view.ClosedAlert is not null)
            html.Append(Inv($"<p class=\"status\" role=\"status\">Alert {E(view.ClosedAlert)} closed.</p>"));

        var t = r.Totals;
        html.Append("<section aria-labelledby=\"h-summary\"><h2 id=\"h-summary\">Summary</h2><dl class=\"figures\">")
            .Append(Figure("Completion", Rate(t.CompletionRate)))
            .Append(Figure("Answered", Num(t.Answered)))
            .Append(Figure("Due", Num(t.Due)))
            .Append(Figure("Overdue", Num(t.Overdue)))
            .Append(Figure("Not yet due", Num(t.Upcoming)))
            .Append(Figure("Median days, meeting to answer", Days(t.MedianDaysToAnswer)))
            .Append(Figure("Open alerts", Num(r.OpenAlerts.Count)))
            .Append("</dl>")
            .Append("<p class=\"muted\">Due means answered, or past its due day unanswered; completion is answered ÷ due. ")
            .Append("Forms not yet past their due day are not counted as due. Withdrawn forms count nowhere.</p></section>");

        html.Append("<section aria-labelledby=\"h-groups\"><h2 id=\"h-groups\">Completion by site, meeting, arm and rater</h2>");
        CompletionTable(html, "t-site", "By site", "Site", r.BySite.Select(s => (
            view.AllSitesVisible && r.Site is null ? $"<a href=\"{E(Link(view, s.SiteId))}\">{E(s.Name)}</a>" : E(s.Name), s.Figures)));
        CompletionTable(html, "t-meeting", "By meeting", "Meeting", r.ByMeeting.Select(m => (Inv($"Meeting {m.Meeting}"), m.Figures)));
        CompletionTable(html, "t-arm", "By arm", "Arm", r.ByArm.Select(a => (a.Arm is null ? "<span class=\"muted\">not recorded</span>" : E(a.Arm), a.Figures)));
        CompletionTable(html, "t-rater", "By rater (pseudonymous id)", "Rater", r.ByRater.Select(x => (
            $"{E(x.RaterId)} <span class=\"muted\">{E(x.Role)}{(r.Site is null ? ", " + E(SiteName(r, x.SiteId)) : "")}</span>", x.Figures)));
        html.Append("</section>");

        OverdueTable(html, r);
        TrendTable(html, r);
        AlertsTable(html, view);
        return Close(html);
    }

    /// <summary>A page with a title and one message (401, 403, 404, 429, 503); with a key form for 401.</summary>
    public static string RenderMessage(string title, string message, bool keyForm = false)
    {
        var html = new StringBuilder();
        Open(html, title);
        html.Append(Inv($"<h1>{E(title)}</h1><p id=\"message\">{E(message)}</p>"));
        if (keyForm)
        {
            // A GET form: the key goes in ?key=, as on a printed link. No script.
            html.Append("<form class=\"keyform\" method=\"get\"><label for=\"key\">Access key")
                .Append("<input id=\"key\" name=\"key\" type=\"password\" autocomplete=\"off\" spellcheck=\"false\" autocapitalize=\"none\"></label>")
                .Append("<button type=\"submit\">Open</button></form>");
        }
        return Close(html);
    }

    private static void CompletionTable(StringBuilder html, string id, string caption, string what, IEnumerable<(string Label, CompletionFigures Figures)> rows) =>
        Table(html, id, caption,
            [new(what), new("Completion", true), new("Answered", true), new("Due", true), new("Overdue", true), new("Not yet due", true), new("Median days", true)],
            rows.Select(r => new[]
            {
                r.Label, Bar(r.Figures.CompletionRate) + Rate(r.Figures.CompletionRate), Num(r.Figures.Answered), Num(r.Figures.Due),
                r.Figures.Overdue > 0 ? Late(Num(r.Figures.Overdue)) : Num(r.Figures.Overdue), Num(r.Figures.Upcoming), Days(r.Figures.MedianDaysToAnswer),
            }),
            "No assessments.");

    private static void OverdueTable(StringBuilder html, CompletionReport r)
    {
        html.Append(Inv($"<section aria-labelledby=\"h-overdue\"><h2 id=\"h-overdue\">Overdue ({r.Overdue.Count})</h2>"));
        Table(html, "t-overdue", "Overdue forms, most overdue first",
            [new("Form"), new("Rater"), new("Due"), new("Days overdue", true), new("Reminders sent", true)],
            r.Overdue.Select(o => new[]
            {
                Inv($"{E(o.DyadId)}, meeting {o.Meeting} <span class=\"muted\">{E(o.RaterRole)}{(r.Site is null ? ", " + E(SiteName(r, o.SiteId)) : "")}</span>"),
                E(o.RaterId), E(Date(o.DueOn)), Late(Num(o.DaysOverdue)),
                Num(o.RemindersSent) + (o.LastReminderAt is { } last ? " <span class=\"muted\">(last " + E(Date(DateOnly.FromDateTime(last.UtcDateTime))) + ")</span>" : ""),
            }),
            "Nothing is overdue.");
        html.Append("</section>");
    }

    private static void TrendTable(StringBuilder html, CompletionReport r)
    {
        html.Append("<section aria-labelledby=\"h-trend\"><h2 id=\"h-trend\">Weekly trend</h2>");
        Table(html, "t-trend", "Answers per ISO week, and completion up to the end of each week (the current week: up to now)",
            [new("Week"), new("Answered", true), new("Due in week", true), new("Completion to date", true)],
            r.Weekly.Reverse().Select(w => new[]
            {
                Inv($"{E(w.Week)} <span class=\"muted\">from {E(Date(w.Monday))}</span>"), Num(w.Answered), Num(w.DueInWeek),
                Inv($"{Bar(w.CompletionRate)}{Rate(w.CompletionRate)} <span class=\"muted\">({w.AnsweredToDate} of {w.DueToDate})</span>"),
            }),
            "Nothing due or answered yet.");
        html.Append("</section>");
    }

    private static void AlertsTable(StringBuilder html, DashboardView view)
    {
        var r = view.Report;
        html.Append(Inv($"<section aria-labelledby=\"alerts\"><h2 id=\"alerts\">Open alerts ({r.OpenAlerts.Count})</h2>"));
        var key = view.KeyInQuery is null ? "" : "?key=" + Uri.EscapeDataString(view.KeyInQuery);
        List<Column> columns = [new("Dyad"), new("Raised"), new("Why"), new("Previous", true), new("Current", true)];
        if (view.CanCloseAlerts) columns.Add(new("Action"));
        Table(html, "t-alerts", "Open rupture alerts, newest first", columns,
            r.OpenAlerts.Select(a =>
            {
                List<string> cells =
                [
                    Inv($"{E(a.DyadId)}, meeting {a.Meeting} <span class=\"muted\">{E(a.RaterRole)} {E(a.RaterId)}{(r.Site is null ? ", " + E(SiteName(r, a.SiteId)) : "")}</span>"),
                    E(Time(a.RaisedAt)), E(Why(a)), Score(a.Previous), Score(a.Current),
                ];
                if (view.CanCloseAlerts)
                {
                    cells.Add(Inv($"<form method=\"post\" action=\"alerts/{E(Uri.EscapeDataString(a.AssessmentId))}/close{E(key)}\">")
                        + Inv($"<button type=\"submit\" aria-label=\"Close the alert of {E(a.DyadId)}, meeting {a.Meeting}, {E(a.RaterRole)}\">Close</button></form>"));
                }
                return cells.ToArray();
            }),
            "No open alerts.");
        html.Append("</section>");
    }

    private sealed record Column(string Header, bool Numeric = false);

    /// <summary>
    /// A captioned table in a labelled region. The first cell of a row is its header (<c>th scope="row"</c>); the others
    /// carry their column's name in <c>data-label</c>, which the narrow layout shows beside each value when rows stack.
    /// Roles are written out so the stacked layout keeps the table's semantics for screen readers.
    /// </summary>
    private static void Table(StringBuilder html, string id, string caption, IReadOnlyList<Column> columns, IEnumerable<string[]> rows, string empty)
    {
        html.Append(Inv($"<div class=\"wrap\" role=\"region\" aria-labelledby=\"{id}-caption\" tabindex=\"0\"><table id=\"{id}\" role=\"table\"><caption id=\"{id}-caption\">{E(caption)}</caption>"))
            .Append("<thead role=\"rowgroup\"><tr role=\"row\">");
        foreach (var c in columns)
            html.Append(Inv($"<th scope=\"col\" role=\"columnheader\"{(c.Numeric ? " class=\"n\"" : "")}>{E(c.Header)}</th>"));
        html.Append("</tr></thead><tbody role=\"rowgroup\">");
        var any = false;
        foreach (var cells in rows)
        {
            any = true;
            html.Append(Inv($"<tr role=\"row\"><th scope=\"row\" role=\"rowheader\">{cells[0]}</th>"));
            for (var i = 1; i < cells.Length; i++)
                html.Append(Inv($"<td role=\"cell\" data-label=\"{E(columns[i].Header)}\"{(columns[i].Numeric ? " class=\"n\"" : "")}>{cells[i]}</td>"));
            html.Append("</tr>");
        }
        if (!any) html.Append(Inv($"<tr role=\"row\"><td role=\"cell\" colspan=\"{columns.Count}\">{E(empty)}</td></tr>"));
        html.Append("</tbody></table></div>");
    }

    private static string Late(string value) => "<span class=\"late\">" + value + "</span>";

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

    private static string Figure(string label, string value) => $"<div><dt>{E(label)}</dt><dd>{value}</dd></div>";

    private static string Link(DashboardView view, string? site, string page = "dashboard")
    {
        var query = new List<string>();
        if (site is not null) query.Add("site=" + Uri.EscapeDataString(site));
        if (view.KeyInQuery is not null) query.Add("key=" + Uri.EscapeDataString(view.KeyInQuery));
        return page + (query.Count == 0 ? "" : "?" + string.Join('&', query));
    }

    private static string SiteName(CompletionReport r, string siteId) => r.BySite.FirstOrDefault(s => s.SiteId == siteId)?.Name ?? siteId;

    private static string Bar(double? rate) =>
        rate is { } v ? Inv($"<span class=\"bar\" style=\"width:{Math.Round(v * 3, 2)}rem\" aria-hidden=\"true\"></span>") : "";

    private static string Rate(double? rate) => rate is { } v ? Inv($"{Math.Round(v * 100, MidpointRounding.AwayFromZero)}%") : "–";

    private static string Days(double? days) => days is { } v ? v.ToString("0.#", CultureInfo.InvariantCulture) : "–";

    private static string Score(double? score) => score is { } v ? v.ToString("0.##", CultureInfo.InvariantCulture) : "–";

    private static string Num(int n) => n.ToString(CultureInfo.InvariantCulture);

    private static string Date(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);

    private static void Open(StringBuilder html, string title) =>
        html.Append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><meta name=\"robots\" content=\"noindex\">")
            .Append(Inv($"<title>{E(title)}</title><style>{Style}</style></head><body><main>"));

    private static string Close(StringBuilder html) => html.Append("</main></body></html>").ToString();

    private static string E(string? text) => WebUtility.HtmlEncode(text ?? "");

    private static string Inv(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
