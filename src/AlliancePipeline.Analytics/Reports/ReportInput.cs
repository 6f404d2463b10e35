using AlliancePipeline.Core.Instruments;
using AlliancePipeline.Core.Studies;

namespace AlliancePipeline.Analytics.Reports;

/// <summary>
/// One stored response, as read back from <c>Responses</c>: the answers as given (before reverse scoring) and the scores
/// (after it) by the columns its instrument names.
/// </summary>
/// <param name="StudyId">The study.</param>
/// <param name="AssessmentId">The assessment it answers (the <c>Responses</c> row key).</param>
/// <param name="SiteId">The dyad's site.</param>
/// <param name="DyadId">The dyad's pseudonymous code.</param>
/// <param name="Meeting">The meeting, 1-based.</param>
/// <param name="RaterRole">Who rated.</param>
/// <param name="Items">The answers as given, in item-number order (before reverse scoring): as many as the instrument has items.</param>
/// <param name="Scores">Every score by its column: the instrument's subscales' and its global score's (the WAI's: Goal, Task, Bond, Global).</param>
/// <param name="Global">The global score (the instrument's global column; NaN when the row has none).</param>
/// <param name="SubmittedAt">When the answers were taken (UTC).</param>
/// <param name="Provenance">
/// How the answers came (<see cref="ResponseProvenance"/>): through the link mailed to the rater, or through a link a
/// coordinator was handed (<c>hand-over</c>).
/// </param>
public sealed record StoredResponse(
    string StudyId, string AssessmentId, string SiteId, string DyadId, int Meeting, string RaterRole,
    IReadOnlyList<int> Items, IReadOnlyDictionary<string, double> Scores, double Global, DateTimeOffset SubmittedAt,
    string Provenance = ResponseProvenance.RaterLink)
{
    /// <summary>Whether the answers came through a link a coordinator was handed.</summary>
    public bool HandedOver => Provenance == ResponseProvenance.HandOver;

    /// <summary>The score in <paramref name="column"/>, NaN when the response has none.</summary>
    public double Score(string column) => Scores.TryGetValue(column, out var score) ? score : double.NaN;
}

/// <summary>A site as the report names it.</summary>
/// <param name="Id">Site id.</param>
/// <param name="Name">Display name (user text: always escaped when rendered).</param>
public sealed record ReportSite(string Id, string Name);

/// <summary>An arm as the report names it.</summary>
/// <param name="Id">Arm id.</param>
/// <param name="Name">Display name (user text).</param>
public sealed record ReportArm(string Id, string Name);

/// <summary>A dyad of the study (from <c>Participants</c>, or only its code when the study was seeded without a study file).</summary>
/// <param name="Id">Pseudonymous dyad code.</param>
/// <param name="SiteId">Its site.</param>
/// <param name="ArmId">Its arm, when known.</param>
/// <param name="Enrolled">Enrolment date, when known: days to job count from it.</param>
/// <param name="Withdrawn">Whether it was withdrawn (its data stays in the report).</param>
public sealed record ReportDyad(string Id, string SiteId, string? ArmId, DateOnly? Enrolled, bool Withdrawn);

/// <summary>One planned questionnaire, for completion and response rates and for who rated (rater effects).</summary>
/// <param name="Id">Assessment id (<c>{dyad}-m{n}-{role}</c>).</param>
/// <param name="SiteId">The dyad's site.</param>
/// <param name="DyadId">The dyad.</param>
/// <param name="Meeting">Meeting number.</param>
/// <param name="RaterRole">Who rates.</param>
/// <param name="RaterId">Pseudonymous rater id.</param>
/// <param name="ArmId">The dyad's arm, when known.</param>
/// <param name="Status"><c>Pending</c>, <c>Submitted</c>, <c>Completed</c> or <c>Withdrawn</c>.</param>
/// <param name="InviteOn">When the invitation goes out (the meeting date), when known.</param>
/// <param name="DueDate">When the answer is due.</param>
public sealed record ReportAssessment(
    string Id, string SiteId, string DyadId, int Meeting, string RaterRole, string RaterId, string? ArmId, string Status,
    DateTimeOffset? InviteOn, DateTimeOffset DueDate)
{
    /// <summary>Answers were received (queued or scored).</summary>
    public bool Answered => Status is "Submitted" or "Completed";

    /// <summary>Withdrawn: out of every rate.</summary>
    public bool Withdrawn => Status == "Withdrawn";
}

/// <summary>A dyad's recorded outcome.</summary>
/// <param name="DyadId">The dyad.</param>
/// <param name="Employed">Whether the client got a job.</param>
/// <param name="JobDate">The day the job started, when employed.</param>
/// <param name="Enrolled">The dyad's enrolment date, when known.</param>
/// <param name="RecordedAt">When the outcome was recorded.</param>
public sealed record ReportOutcome(string DyadId, bool Employed, DateOnly? JobDate, DateOnly? Enrolled, DateTimeOffset RecordedAt)
{
    /// <summary>The day the researcher recorded the outcome (its <c>recorded</c> date), when given.</summary>
    public DateOnly? RecordedOn { get; init; }

    /// <summary>The day the outcome was known: <see cref="RecordedOn"/>, else the UTC day of <see cref="RecordedAt"/>.</summary>
    public DateOnly RecordedDay => RecordedOn ?? DateOnly.FromDateTime(RecordedAt.UtcDateTime);

    /// <summary>Days of paid work during follow-up (<c>daysWorked</c>), when recorded.</summary>
    public int? DaysWorked { get; init; }

    /// <summary>Days the job had lasted on the recorded day (<c>tenureDays</c>), when recorded.</summary>
    public int? TenureDays { get; init; }

    /// <summary>Days from enrolment to the job's start (job date − enrolment date), when both are known.</summary>
    public int? DaysToJob => Employed && JobDate is { } job && Enrolled is { } enrolled ? job.DayNumber - enrolled.DayNumber : null;
}

/// <summary>
/// A dyad's time to job within the study's follow-up (<c>analysis.followUp</c>), ready for a Kaplan–Meier estimate
/// censored at the end of follow-up: from the time origin, <see cref="Days"/> to the job's start when <see cref="Event"/>,
/// else to the last day the dyad is known without a job (the day its outcome was recorded, at most the end of follow-up).
/// Only dyads with a recorded outcome and a known origin have one; an employed dyad without a job date has none.
/// </summary>
/// <param name="DyadId">The dyad.</param>
/// <param name="Origin">The time origin: its enrolment date, or its first meeting's date (<c>followUp.from</c>).</param>
/// <param name="FollowUpEnd">Origin + the follow-up days: the last day of follow-up.</param>
/// <param name="Days">Days from the origin to the event, or to censoring.</param>
/// <param name="Event">True: the job started on day <see cref="Days"/>; false: censored on that day.</param>
public sealed record TimeToJob(string DyadId, DateOnly Origin, DateOnly FollowUpEnd, int Days, bool Event)
{
    /// <summary>
    /// The follow-up of each dyad with an outcome: event at the job's start when it is within follow-up, else censored
    /// at the outcome's recorded day or the end of follow-up, whichever comes first. <paramref name="firstMeetings"/>
    /// gives each dyad's first meeting date (for <see cref="FollowUpOrigin.FirstMeeting"/>).
    /// </summary>
    public static IReadOnlyList<TimeToJob> Of(FollowUp followUp, IReadOnlyList<ReportDyad> dyads, IReadOnlyList<ReportOutcome> outcomes,
        IReadOnlyDictionary<string, DateOnly> firstMeetings)
    {
        ArgumentNullException.ThrowIfNull(followUp);
        ArgumentNullException.ThrowIfNull(dyads);
        ArgumentNullException.ThrowIfNull(outcomes);
        ArgumentNullException.ThrowIfNull(firstMeetings);
        var enrolled = dyads.Where(d => d.Enrolled is not null).ToDictionary(d => d.Id, d => d.Enrolled!.Value, StringComparer.Ordinal);
        var list = new List<TimeToJob>();
        foreach (var o in outcomes.GroupBy(o => o.DyadId, StringComparer.Ordinal).Select(g => g.OrderBy(o => o.RecordedAt).Last()).OrderBy(o => o.DyadId, StringComparer.Ordinal))
        {
            DateOnly? origin = followUp.From == FollowUpOrigin.FirstMeeting
                ? firstMeetings.TryGetValue(o.DyadId, out var first) ? first : null
                : enrolled.TryGetValue(o.DyadId, out var e) ? e : o.Enrolled;
            if (origin is not { } start) continue;
            var end = start.AddDays(followUp.Days);
            if (o.Employed && o.JobDate is { } job && job <= end)
                list.Add(new TimeToJob(o.DyadId, start, end, job.DayNumber - start.DayNumber, true));
            else if (!o.Employed || o.JobDate is not null)
            {
                var last = o.RecordedDay < end ? o.RecordedDay : end;
                list.Add(new TimeToJob(o.DyadId, start, end, Math.Max(0, last.DayNumber - start.DayNumber), false));
            }
        }
        return list;
    }
}

/// <summary>A rupture alert (from <c>Alerts</c>).</summary>
/// <param name="AssessmentId">The response that raised it.</param>
/// <param name="DyadId">The dyad.</param>
/// <param name="SiteId">Its site.</param>
/// <param name="RaterRole">Whose rating.</param>
/// <param name="Meeting">The meeting.</param>
/// <param name="Kinds"><c>drop</c>, <c>below</c> or <c>drop,below</c>.</param>
/// <param name="Previous">The global score at the previous meeting, if any.</param>
/// <param name="Current">The global score that raised it.</param>
/// <param name="DropThreshold">The drop threshold in force.</param>
/// <param name="Cutoff">The cutoff in force.</param>
/// <param name="RaisedAt">When it was raised.</param>
/// <param name="Status"><c>open</c> or closed.</param>
public sealed record ReportAlert(
    string AssessmentId, string DyadId, string SiteId, string RaterRole, int Meeting, string Kinds, double? Previous, double Current,
    double? DropThreshold, double? Cutoff, DateTimeOffset RaisedAt, string Status);

/// <summary>
/// Everything a study report is computed from, gathered from storage by the worker's <c>Reports/ReportSource</c> (or
/// built by a test): no I/O happens after this. Personal data stays out: raters and dyads appear only by pseudonymous
/// code, never an address.
/// </summary>
public sealed record ReportInput
{
    /// <summary>Study id.</summary>
    public required string StudyId { get; init; }

    /// <summary>Display name (user text).</summary>
    public required string StudyName { get; init; }

    /// <summary>The run this report belongs to (<c>yyyyMMddTHHmmssZ-xxxxxxxx</c>).</summary>
    public required string RunId { get; init; }

    /// <summary>When the report is made.</summary>
    public required DateTimeOffset GeneratedAt { get; init; }

    /// <summary>Start of the period the report covers for alerts: the previous run's time (null: since the study began).</summary>
    public DateTimeOffset? PeriodStart { get; init; }

    /// <summary>The instrument each rater role answers, as far as the catalog knows it (scale, items, reverse items, rules).</summary>
    public IReadOnlyDictionary<string, InstrumentDefinition> Instruments { get; init; } = new Dictionary<string, InstrumentDefinition>();

    /// <summary>Sites with their names (from the definition, else the ids the study lists).</summary>
    public IReadOnlyList<ReportSite> Sites { get; init; } = [];

    /// <summary>Arms with their names (empty when unknown).</summary>
    public IReadOnlyList<ReportArm> Arms { get; init; } = [];

    /// <summary>Meetings planned per dyad (T), when the definition says; else the highest meeting seen.</summary>
    public int? PlannedMeetings { get; init; }

    /// <summary>Every stored response of the study.</summary>
    public IReadOnlyList<StoredResponse> Responses { get; init; } = [];

    /// <summary>Every assessment of the study.</summary>
    public IReadOnlyList<ReportAssessment> Assessments { get; init; } = [];

    /// <summary>Every dyad (enrolled, including withdrawn ones).</summary>
    public IReadOnlyList<ReportDyad> Dyads { get; init; } = [];

    /// <summary>Recorded outcomes.</summary>
    public IReadOnlyList<ReportOutcome> Outcomes { get; init; } = [];

    /// <summary>Every alert of the study (the report shows those raised in the period).</summary>
    public IReadOnlyList<ReportAlert> Alerts { get; init; } = [];

    /// <summary>
    /// The study file's analysis settings (<c>analysis</c>), which override the report builder's clustering options;
    /// null (a study without a study file, or a test) keeps the builder's options.
    /// </summary>
    public StudyAnalysis? Analysis { get; init; }

    /// <summary>
    /// Per dyad, its follow-up for time to job (<see cref="Reports.TimeToJob"/>), when the study sets a follow-up
    /// (<c>analysis.followUp</c>); empty otherwise.
    /// </summary>
    public IReadOnlyList<TimeToJob> TimeToJob { get; init; } = [];

    /// <summary>
    /// The dyad covariates the study file declares (<c>covariates</c>), in file order: name, type, levels (the report's
    /// order) or range, labels. Empty for a study without them.
    /// </summary>
    public IReadOnlyList<StudyCovariate> Covariates { get; init; } = [];

    /// <summary>
    /// Per dyad id, its recorded covariate values: covariate name (as <see cref="Covariates"/> spells it) → a level
    /// (<see cref="CovariateValue.Level"/>) or a number (<see cref="CovariateValue.Number"/>). A dyad with none recorded,
    /// or a covariate not recorded for a dyad, is absent (missing). For regressions: <see cref="ReportCovariates.Value"/>.
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, CovariateValue>> CovariateValues { get; init; } =
        new Dictionary<string, IReadOnlyDictionary<string, CovariateValue>>();

    /// <summary>
    /// Per dyad id, its continuous outcomes in days: <c>daysWorked</c> (days of paid work during follow-up) and
    /// <c>tenureDays</c> (days the job had lasted on the recorded day), those recorded (from <see cref="Outcomes"/>).
    /// For regressions: <see cref="ReportCovariates.Days"/>.
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, int>> ContinuousOutcomes { get; init; } =
        new Dictionary<string, IReadOnlyDictionary<string, int>>();

    /// <summary>The app's version, for the methods paragraph (every assembly of the app carries the same one).</summary>
    public string SoftwareVersion { get; init; } = typeof(ReportInput).Assembly.GetName().Version?.ToString() ?? "unknown";

    /// <summary>The name of a site (its id when no name is known).</summary>
    public string SiteName(string siteId) => Sites.FirstOrDefault(s => s.Id == siteId)?.Name ?? siteId;

    /// <summary>The name of an arm (its id when no name is known).</summary>
    public string ArmName(string armId) => Arms.FirstOrDefault(a => a.Id == armId)?.Name ?? armId;
}
