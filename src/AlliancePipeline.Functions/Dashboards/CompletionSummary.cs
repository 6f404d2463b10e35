using System.Text.Json;
using AlliancePipeline.Contracts.Storage;
using AlliancePipeline.Core.Studies;

namespace AlliancePipeline.Functions.Dashboards;

/// <summary>
/// What a <see cref="CompletionReport"/> is made of, for a set of assessments at a moment, in a form that adds up: the
/// summaries of two sets merged are the summary of their union (<see cref="Merge"/>). Counts are kept as counts, days to
/// answer as a histogram (so a merged median is exact), the trend as counts per ISO week (answers by the week of their
/// time, forms by the week of their due day, and answered forms by both), the overdue forms as a list. The report of a
/// study is the report of its sites' summaries merged: the ground for keeping one summary per site
/// (<c>docs/architecture.md</c>, "Assessment views").
/// </summary>
public sealed class CompletionSummary
{
    private CompletionSummary(DateTimeOffset now) => Now = now;

    /// <summary>The moment the figures are for.</summary>
    public DateTimeOffset Now { get; }

    internal Tally Totals { get; } = new();
    internal Dictionary<string, Tally> BySite { get; } = new(StringComparer.Ordinal);
    internal Dictionary<(string Site, string Rater, string Role), Tally> ByRater { get; } = [];
    internal Dictionary<int, Tally> ByMeeting { get; } = [];
    /// <summary>By arm; the empty key for assessments with no arm recorded.</summary>
    internal Dictionary<string, Tally> ByArm { get; } = new(StringComparer.Ordinal);
    internal List<OverdueAssessment> Overdue { get; } = [];
    internal Dictionary<string, int> Paused { get; } = new(StringComparer.Ordinal);
    /// <summary>The first day of the trend: the earliest answer (its time, at most now) or passed due day, of forms not withdrawn.</summary>
    internal DateOnly? FirstDay { get; private set; }
    /// <summary>Answers by the Monday of the week of their time (at most now).</summary>
    internal Dictionary<DateOnly, int> AnsweredInWeek { get; } = [];
    /// <summary>Forms not withdrawn by the Monday of the week of their due day.</summary>
    internal Dictionary<DateOnly, int> DueInWeek { get; } = [];
    /// <summary>Answered forms by the Mondays of their due day's week and their answer's week.</summary>
    internal Dictionary<(DateOnly Due, DateOnly Answered), int> AnsweredByWeeks { get; } = [];
    /// <summary>Forms not withdrawn, not answered, whose due day is before today.</summary>
    internal int UnansweredPastDue { get; private set; }

    /// <summary>The summary of <paramref name="assessments"/> at <paramref name="now"/> (rows of every study and site given are counted).</summary>
    public static CompletionSummary Of(IEnumerable<AssessmentEntity> assessments, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(assessments);
        var summary = new CompletionSummary(now);
        var today = StudyCalendar.Day(now);
        foreach (var a in assessments) summary.Add(a, today);
        return summary;
    }

    /// <summary>The summary of the union of the sets <paramref name="parts"/> summarise (each at <paramref name="now"/>).</summary>
    /// <exception cref="ArgumentException">A part is for another moment.</exception>
    public static CompletionSummary Merge(IEnumerable<CompletionSummary> parts, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(parts);
        var merged = new CompletionSummary(now);
        foreach (var part in parts)
        {
            if (part.Now != now) throw new ArgumentException($"A summary for {part.Now:O} cannot be merged into one for {now:O}.", nameof(parts));
            merged.Totals.Add(part.Totals);
            MergeInto(merged.BySite, part.BySite);
            MergeInto(merged.ByRater, part.ByRater);
            MergeInto(merged.ByMeeting, part.ByMeeting);
            MergeInto(merged.ByArm, part.ByArm);
            merged.Overdue.AddRange(part.Overdue);
            Sum(merged.Paused, part.Paused);
            Sum(merged.AnsweredInWeek, part.AnsweredInWeek);
            Sum(merged.DueInWeek, part.DueInWeek);
            Sum(merged.AnsweredByWeeks, part.AnsweredByWeeks);
            merged.UnansweredPastDue += part.UnansweredPastDue;
            merged.Earliest(part.FirstDay);
        }
        return merged;
    }

    /// <summary>
    /// The summary as compact JSON, to be kept and read back by <see cref="FromJson"/> for another moment of the same UTC
    /// day (every figure of a summary depends on its moment through its day only).
    /// </summary>
    public string ToJson() => JsonSerializer.Serialize(new Stored(
        Totals.Pack(),
        BySite.ToDictionary(p => p.Key, p => p.Value.Pack(), StringComparer.Ordinal),
        [.. ByRater.Select(p => new StoredRater(p.Key.Site, p.Key.Rater, p.Key.Role, p.Value.Pack()))],
        ByMeeting.ToDictionary(p => p.Key, p => p.Value.Pack()),
        ByArm.ToDictionary(p => p.Key, p => p.Value.Pack(), StringComparer.Ordinal),
        Overdue,
        Paused,
        FirstDay?.DayNumber,
        AnsweredInWeek.ToDictionary(p => p.Key.DayNumber, p => p.Value),
        DueInWeek.ToDictionary(p => p.Key.DayNumber, p => p.Value),
        [.. AnsweredByWeeks.Select(p => new[] { p.Key.Due.DayNumber, p.Key.Answered.DayNumber, p.Value })],
        UnansweredPastDue));

    /// <summary>A summary written by <see cref="ToJson"/>, for <paramref name="now"/> (a moment of the day it was made for).</summary>
    /// <exception cref="JsonException">Not such a summary.</exception>
    public static CompletionSummary FromJson(string json, DateTimeOffset now)
    {
        var stored = JsonSerializer.Deserialize<Stored>(json) ?? throw new JsonException("No summary.");
        var summary = new CompletionSummary(now);
        summary.Totals.Add(Tally.Unpack(stored.T));
        foreach (var (site, tally) in stored.S) summary.BySite[site] = Tally.Unpack(tally);
        foreach (var r in stored.R) summary.ByRater[(r.S, r.R, r.Role)] = Tally.Unpack(r.T);
        foreach (var (meeting, tally) in stored.M) summary.ByMeeting[meeting] = Tally.Unpack(tally);
        foreach (var (arm, tally) in stored.A) summary.ByArm[arm] = Tally.Unpack(tally);
        summary.Overdue.AddRange(stored.O);
        Sum(summary.Paused, stored.P);
        summary.Earliest(stored.F is { } f ? DateOnly.FromDayNumber(f) : null);
        foreach (var (day, count) in stored.Aw) summary.AnsweredInWeek[DateOnly.FromDayNumber(day)] = count;
        foreach (var (day, count) in stored.Dw) summary.DueInWeek[DateOnly.FromDayNumber(day)] = count;
        foreach (var w in stored.Bw) summary.AnsweredByWeeks[(DateOnly.FromDayNumber(w[0]), DateOnly.FromDayNumber(w[1]))] = w[2];
        summary.UnansweredPastDue = stored.U;
        return summary;
    }

    private sealed record Stored(
        int[] T,
        Dictionary<string, int[]> S,
        List<StoredRater> R,
        Dictionary<int, int[]> M,
        Dictionary<string, int[]> A,
        List<OverdueAssessment> O,
        Dictionary<string, int> P,
        int? F,
        Dictionary<int, int> Aw,
        Dictionary<int, int> Dw,
        List<int[]> Bw,
        int U);

    private sealed record StoredRater(string S, string R, string Role, int[] T);

    private static void MergeInto<TKey>(Dictionary<TKey, Tally> into, Dictionary<TKey, Tally> from) where TKey : notnull
    {
        foreach (var (key, tally) in from) Get(into, key).Add(tally);
    }

    private static void Sum<TKey>(Dictionary<TKey, int> into, Dictionary<TKey, int> from) where TKey : notnull
    {
        foreach (var (key, count) in from) into[key] = into.GetValueOrDefault(key) + count;
    }

    private static Tally Get<TKey>(Dictionary<TKey, Tally> tallies, TKey key) where TKey : notnull =>
        tallies.TryGetValue(key, out var tally) ? tally : tallies[key] = new Tally();

    private void Earliest(DateOnly? day)
    {
        if (day is { } d && (FirstDay is not { } first || d < first)) FirstDay = d;
    }

    private void Add(AssessmentEntity e, DateOnly today)
    {
        var status = Enum.TryParse<AssessmentStatus>(e.Status, ignoreCase: false, out var s) && Enum.IsDefined(s) ? s : AssessmentStatus.Pending;
        var dueOn = StudyCalendar.Day(e.DueDate);
        var row = new Row(status, status == AssessmentStatus.Pending && StudyCalendar.IsOverdue(dueOn, Now),
            e.SubmittedAt ?? e.CompletedAt, e.MeetingDate);
        Totals.Add(row);
        Get(BySite, e.SiteId).Add(row);
        Get(ByRater, (e.SiteId, e.RaterId, e.RaterRole)).Add(row);
        Get(ByMeeting, e.Meeting).Add(row);
        Get(ByArm, string.IsNullOrEmpty(e.Arm) ? "" : e.Arm).Add(row);
        if (row.Overdue)
        {
            Overdue.Add(new OverdueAssessment(e.RowKey, e.SiteId, e.DyadId, e.Meeting, e.RaterRole, e.RaterId,
                dueOn, today.DayNumber - dueOn.DayNumber, e.RemindersSent, e.LastReminderAt, e.RemindersPaused));
        }
        if (status == AssessmentStatus.Pending && e.RemindersPaused) Paused[e.SiteId] = Paused.GetValueOrDefault(e.SiteId) + 1;
        if (status == AssessmentStatus.Withdrawn) return;

        var dueWeek = IsoWeek.Of(dueOn).Monday;
        DueInWeek[dueWeek] = DueInWeek.GetValueOrDefault(dueWeek) + 1;
        if (dueOn < today) Earliest(dueOn);
        if (row.Answered)
        {
            // When it counts as answered for the trend: its time, at most now (unknown: now).
            var at = row.AnsweredAt is { } t && t <= Now ? t : Now;
            var answeredWeek = IsoWeek.Of(at).Monday;
            AnsweredInWeek[answeredWeek] = AnsweredInWeek.GetValueOrDefault(answeredWeek) + 1;
            AnsweredByWeeks[(dueWeek, answeredWeek)] = AnsweredByWeeks.GetValueOrDefault((dueWeek, answeredWeek)) + 1;
            Earliest(StudyCalendar.Day(at));
        }
        else if (dueOn < today)
        {
            UnansweredPastDue++;
        }
    }

    /// <summary>The weekly trend (see <see cref="CompletionReport"/>).</summary>
    internal List<WeeklyCompletion> Trend()
    {
        if (FirstDay is not { } firstDay) return [];
        var current = IsoWeek.Of(Now);
        var week = IsoWeek.Of(firstDay);
        var weeks = new List<IsoWeek>();
        while (week.CompareTo(current) <= 0)
        {
            weeks.Add(week);
            week = IsoWeek.Of(week.Monday.AddDays(7));
        }
        var trend = new List<WeeklyCompletion>(Math.Min(weeks.Count, CompletionReport.MaxWeeks));
        foreach (var w in weeks.Count > CompletionReport.MaxWeeks ? weeks[^CompletionReport.MaxWeeks..] : weeks)
        {
            var monday = w.Monday;
            int answeredToDate, dueToDate;
            if (w.Equals(current))
            {
                // Up to now: every answer, and every form answered or past its due day.
                answeredToDate = Totals.Answered;
                dueToDate = Totals.Answered + UnansweredPastDue;
            }
            else
            {
                // At the end of the week: answered by then, and due = answered by then + due by then and not answered by then.
                answeredToDate = AnsweredInWeek.Where(p => p.Key <= monday).Sum(p => p.Value);
                var dueByThen = DueInWeek.Where(p => p.Key <= monday).Sum(p => p.Value);
                var bothByThen = AnsweredByWeeks.Where(p => p.Key.Due <= monday && p.Key.Answered <= monday).Sum(p => p.Value);
                dueToDate = answeredToDate + dueByThen - bothByThen;
            }
            trend.Add(new WeeklyCompletion(w.ToString(), monday, AnsweredInWeek.GetValueOrDefault(monday), DueInWeek.GetValueOrDefault(monday),
                dueToDate, answeredToDate, dueToDate == 0 ? null : (double)answeredToDate / dueToDate));
        }
        return trend;
    }

    internal sealed record Row(AssessmentStatus Status, bool Overdue, DateTimeOffset? AnsweredAt, DateTimeOffset? MeetingDate)
    {
        public bool Answered => Status is AssessmentStatus.Submitted or AssessmentStatus.Completed;
    }

    /// <summary>The figures of a group, as counts and a histogram of days to answer.</summary>
    internal sealed class Tally
    {
        private readonly SortedDictionary<int, int> _days = [];
        private int _assessments, _overdue, _withdrawn;

        public int Answered { get; private set; }

        public void Add(Row row)
        {
            if (row.Status == AssessmentStatus.Withdrawn)
            {
                _withdrawn++;
                return;
            }
            _assessments++;
            if (row.Overdue) _overdue++;
            if (!row.Answered) return;
            Answered++;
            if (row.AnsweredAt is { } at && row.MeetingDate is { } meeting)
            {
                var days = StudyCalendar.Day(at).DayNumber - StudyCalendar.Day(meeting).DayNumber;
                _days[days] = _days.GetValueOrDefault(days) + 1;
            }
        }

        public void Add(Tally other)
        {
            _assessments += other._assessments;
            _overdue += other._overdue;
            _withdrawn += other._withdrawn;
            Answered += other.Answered;
            foreach (var (days, count) in other._days) _days[days] = _days.GetValueOrDefault(days) + count;
        }

        /// <summary>The tally as numbers: assessments, overdue, withdrawn, answered, then pairs of days to answer and count.</summary>
        public int[] Pack() => [_assessments, _overdue, _withdrawn, Answered, .. _days.SelectMany(p => new[] { p.Key, p.Value })];

        /// <summary>A tally written by <see cref="Pack"/>.</summary>
        public static Tally Unpack(int[] packed)
        {
            var tally = new Tally { _assessments = packed[0], _overdue = packed[1], _withdrawn = packed[2], Answered = packed[3] };
            for (var i = 4; i + 1 < packed.Length; i += 2) tally._days[packed[i]] = packed[i + 1];
            return tally;
        }

        public CompletionFigures Figures()
        {
            var due = Answered + _overdue;
            return new CompletionFigures(_assessments, due, Answered, _overdue, _assessments - due, _withdrawn,
                due == 0 ? null : (double)Answered / due, Median());
        }

        /// <summary>The median of the histogram: the middle value, or the mean of the middle two.</summary>
        private double? Median()
        {
            var n = _days.Values.Sum();
            if (n == 0) return null;
            int? At(int index)
            {
                var seen = 0;
                foreach (var (days, count) in _days)
                {
                    seen += count;
                    if (index < seen) return days;
                }
                return null;
            }
            var mid = n / 2;
            return n % 2 == 1 ? At(mid) : (At(mid - 1)!.Value + At(mid)!.Value) / 2.0;
        }
    }
}
