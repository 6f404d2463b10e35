using System.Globalization;
using AlliancePipeline.Core.Studies;
using AlliancePipeline.Functions.Dyads;
using AlliancePipeline.Functions.Infrastructure.Pages;

namespace AlliancePipeline.Functions.Dashboards;

/// <summary>What the console's dyad page shows besides the schedule.</summary>
/// <param name="Schedule">The dyad's schedule (already one the key may see).</param>
/// <param name="Language">The page's language (<c>en</c> or <c>fr</c>).</param>
/// <param name="Done">The action just done (<see cref="DyadPage.Actions"/>), to confirm; or null.</param>
/// <param name="Error">Why the action just asked for was refused, or null.</param>
public sealed record DyadView(DyadSchedule Schedule, string Language, string? Done = null, string? Error = null)
{
    /// <summary>The covariates the study declares with the dyad's values (its form), or null when it declares none.</summary>
    public DyadCovariateValues? Covariates { get; init; }
}

/// <summary>
/// Renders the console's page of one dyad (<c>GET /api/studies/{study}/dyads/{dyad}</c> in a browser): its meetings
/// (planned or recorded dates), each form's invitation, due day, reminders (sent, paused), link version and expiry,
/// answer, and the dyad's withdrawal; and the forms a coordinator acts with (record a meeting date or an outcome with its
/// days worked and tenure, the dyad's covariates as the study file declares them, import meeting dates from CSV, reissue
/// and send a link, pause and resume reminders, withdraw and reinstate), each a POST to
/// <c>{dyad}/console/{action}</c> (<see cref="Actions"/>). In English or French (<see cref="ConsoleText"/>), in the
/// pages' one layout, from <c>Templates/dyad.liquid</c>. Raters appear by their pseudonymous id only: no address.
/// </summary>
public static class DyadPage
{
    /// <summary>The page's template.</summary>
    internal const string Template = "Pages.Dashboards.dyad.liquid";

    /// <summary>The actions of the page's forms, as the last segment of their address.</summary>
    public static IReadOnlyList<string> Actions { get; } = ["meeting", "meetings", "outcome", "covariates", "reissue", "pause", "resume", "withdraw", "reinstate"];

    /// <summary>The page.</summary>
    public static string Render(DyadView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        var s = view.Schedule;
        var x = ConsoleText.For(view.Language);
        var post = Uri.EscapeDataString(s.DyadId) + "/console/";
        var facts = new List<string> { x.Format("Site: {0}.", s.SiteName) };
        if (s.Arm is { Length: > 0 } arm) facts.Add(x.Format("Arm: {0}.", arm));
        if (s.EnrolledOn is { } enrolled) facts.Add(x.Format("Enrolled on {0}.", Date(enrolled)));
        facts.Add(x["Dates are UTC."]);
        var withdrawn = !s.Withdrawn ? ""
            : s.WithdrawnAt is { } at ? x.Format("Withdrawn on {0}: its links and reminders are stopped.", Date(DateOnly.FromDateTime(at.UtcDateTime)))
            : x["Withdrawn: its links and reminders are stopped."];
        var rows = s.Meetings.SelectMany(m => m.Forms.Select(f => Row(x, post, m, f))).ToList();
        var meetings = s.Meetings.Select(m => new Option(m.Meeting.ToString(CultureInfo.InvariantCulture), x.Format("Meeting {0}", m.Meeting))).ToList();
        var words = new Words(
            x.Format("Study {0}", s.StudyId), x.Format("Dyad {0}", s.DyadId), string.Join(" ", facts), withdrawn, x["Views"], x["Dashboard"],
            view.Done is { } done ? x[DoneText(done)] : "", view.Error is { } error ? x["Not done:"] + " " + x.Known(error) : "",
            x["Meetings and forms"], x["One row per form: its invitation, due day, reminders, link and answer."],
            x["Record a meeting date"], x["Meeting"], x["Date it took place"], x["Record"],
            x["Import meeting dates (CSV: dyad,meeting,date)"], x["CSV file"], x["Import"],
            x["Record the outcome"], x["Client employed"], x["yes"], x["no"], x["Job start date (when employed)"],
            s.Withdrawn ? x["Reinstate the dyad"] : x["Withdraw the dyad"],
            s.Withdrawn
                ? (s.WithdrawnBy == "file" ? x["The study file withdraws this dyad: change the file to reinstate it."] : x["Its unanswered forms become pending again; each gets a new link, mailed by the next Reminders run."])
                : x["Its links stop and its reminders stop; its answers stay."],
            s.Withdrawn ? x["Reinstate"] : x["Withdraw"],
            s.Withdrawn && s.WithdrawnBy == "file")
        {
            DaysWorked = x["Days worked during follow-up (any job)"],
            TenureDays = x["Days in the job so far (when employed)"],
            CovariatesHeading = x["Record the covariates"],
            CovariatesNote = x["As the study file declares them; a field left empty keeps what was recorded."],
            NotRecorded = x["not recorded"],
        };
        var table = new Table(x.Format("Forms of dyad {0}", s.DyadId),
            [x["Form"], x["Meeting date"], x["Status"], x["Invitation"], x["Due day"], x["Reminders"], x["Link"], x["Actions"]], rows, x["No forms planned."]);
        var model = new DyadModel(words, post, s.Withdrawn ? "reinstate" : "withdraw", meetings, table, Covariates(view.Covariates, x));
        return PageTemplates.Renderer.Render(Template, model, x.Language, x.Format("Dyad {0}: {1}", s.DyadId, s.StudyName), PageRenderer.Kind.Dashboard);
    }

    private static Cell[] Row(ConsoleText x, string post, DyadMeeting m, DyadForm f)
    {
        var role = x[f.RaterRole];
        var status = f.Status switch
        {
            "submitted" or "completed" => new Cell(f.AnsweredAt is { } at ? x.Format("answered {0}", Time(at)) : x["answered"]),
            "withdrawn" => new Cell(x["withdrawn"]),
            _ when f.Overdue => new Cell(x["overdue"]) { Late = true },
            _ => new Cell(x["awaiting answer"]),
        };
        var invitation = f.InvitationSentAt is { } sent ? new Cell(x.Format("sent {0}", Time(sent)))
            : f.HandedOver ? new Cell(x["handed over, not mailed"])
            : f.Status != "pending" ? new Cell("–")
            : f.InviteOn is { } on ? new Cell(x.Format("not sent yet (from {0})", Date(DateOnly.FromDateTime(on.UtcDateTime)))) : new Cell(x["not sent yet"]);
        var reminders = new Cell(f.RemindersSent.ToString(CultureInfo.InvariantCulture))
        {
            Note = string.Join(" ", new[]
            {
                f.LastReminderAt is { } last ? x.Format("(last {0})", Date(DateOnly.FromDateTime(last.UtcDateTime))) : "",
                f.RemindersPaused ? x["paused"] : "",
            }.Where(n => n.Length > 0)),
        };
        var link = new Cell(x.Format("version {0}", f.LinkVersion))
        {
            Note = f.LinkExpiresAt is { } expires ? x.Format("expires {0}", Date(DateOnly.FromDateTime(expires.UtcDateTime))) : "",
        };
        var about = x.Format("meeting {0}, {1}", m.Meeting, role);
        var actions = new List<FormAction>();
        if (f.Status == "pending")
        {
            actions.Add(new(post + "reissue", f.AssessmentId, x["Reissue and send"], x.Format("Reissue and send the link of {0}", about)));
            actions.Add(f.RemindersPaused
                ? new(post + "resume", f.AssessmentId, x["Resume reminders"], x.Format("Resume the reminders of {0}", about))
                : new(post + "pause", f.AssessmentId, x["Pause reminders"], x.Format("Pause the reminders of {0}", about)));
        }
        var date = m.Date is { } d ? new Cell(Date(d)) { Note = m.DateRecorded ? x["recorded"] : x["planned"] } : new Cell("–");
        Cell[] cells =
        [
            new(x.Format("Meeting {0}, {1}", m.Meeting, role)) { Note = f.RaterId },
            date, status, invitation, new(Date(f.DueOn)) { Late = f.Overdue }, reminders, link, new("") { Forms = actions },
        ];
        return cells;
    }

    /// <summary>A field per declared covariate: a select of its levels, or a number within its range; the value recorded chosen.</summary>
    private static IReadOnlyList<CovariateField> Covariates(DyadCovariateValues? covariates, ConsoleText x)
    {
        if (covariates is null) return [];
        static string Number(double? v) => v is { } n ? n.ToString("R", CultureInfo.InvariantCulture) : "";
        return [.. covariates.Declared.Select(c =>
        {
            var recorded = covariates.Values.GetValueOrDefault(c.Name);
            return new CovariateField(c.Name, c.LabelIn(x.Language), c.Type == CovariateType.Categorical,
                [.. c.Levels.Select(l => new LevelOption(l, recorded?.Level == l))], Number(recorded?.Number), Number(c.Min), Number(c.Max),
                recorded is null ? x["not recorded"] : x.Format("recorded: {0}", recorded));
        })];
    }

    private static string DoneText(string action) => action switch
    {
        "meeting" => "Meeting date recorded.",
        "meetings" => "Meeting dates imported.",
        "outcome" => "Outcome recorded.",
        "covariates" => "Covariates recorded.",
        "reissue" => "New link issued: the next Reminders run mails it to the rater; earlier links no longer open.",
        "pause" => "Reminders paused.",
        "resume" => "Reminders resumed.",
        "withdraw" => "Dyad withdrawn.",
        "reinstate" => "Dyad reinstated.",
        _ => "Done.",
    };

    private static string Date(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);

    private sealed record DyadModel(Words Words, string Post, string DyadAction, IReadOnlyList<Option> Meetings, Table Table, IReadOnlyList<CovariateField> Covariates);

    /// <summary>A covariate's field: its name (the field's), label, levels or range, the value recorded and a note saying it.</summary>
    private sealed record CovariateField(string Name, string Label, bool Categorical, IReadOnlyList<LevelOption> Levels, string Value, string Min, string Max, string Recorded);

    private sealed record LevelOption(string Value, bool Selected);

    private sealed record Words(
        string Study, string Heading, string Facts, string Withdrawn, string Views, string Dashboard, string Done, string Error,
        string FormsHeading, string FormsNote, string MeetingHeading, string Meeting, string MeetingDate, string Record,
        string ImportHeading, string CsvFile, string Import,
        string OutcomeHeading, string Employed, string Yes, string No, string JobDate,
        string DyadHeading, string DyadNote, string DyadButton, bool DyadActionClosed)
    {
        public string DaysWorked { get; init; } = "";
        public string TenureDays { get; init; } = "";
        public string CovariatesHeading { get; init; } = "";
        public string CovariatesNote { get; init; } = "";
        public string NotRecorded { get; init; } = "";
    }

    private sealed record Option(string Value, string Text);

    private sealed record Table(string Caption, IReadOnlyList<string> Columns, IReadOnlyList<Cell[]> Rows, string Empty);

    /// <summary>A form of a row: its address, the assessment it acts on, its button's text and accessible name.</summary>
    private sealed record FormAction(string Action, string Assessment, string Text, string Label);

    private sealed record Cell(string Text)
    {
        public string Note { get; init; } = "";
        public bool Late { get; init; }
        public IReadOnlyList<FormAction> Forms { get; init; } = [];
    }
}
