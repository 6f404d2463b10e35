using System.Collections.Immutable;
using System.Globalization;
using AlliancePipeline.Core.Instruments;
using CsvHelper;

namespace AlliancePipeline.Core.Studies;

/// <summary>One response read from an import: whose form, when it was answered, the answers in item order.</summary>
/// <param name="Line">Its line in the file (the header is line 1).</param>
/// <param name="DyadId">The dyad.</param>
/// <param name="Meeting">The meeting number.</param>
/// <param name="RaterRole"><c>practitioner</c> or <c>client</c>.</param>
/// <param name="SubmittedAt">When it was answered (a day alone: its start, UTC).</param>
/// <param name="Items">One answer per item of the role's instrument, in item-number order, as given.</param>
public sealed record ImportedResponse(int Line, string DyadId, int Meeting, string RaterRole, DateTimeOffset SubmittedAt, ImmutableArray<int> Items)
{
    /// <summary>The assessment it answers (<see cref="EnrolmentPlan.AssessmentId"/>).</summary>
    public string AssessmentId => EnrolmentPlan.AssessmentId(DyadId, Meeting, RaterRole);

    /// <summary>The same form, its meeting and rater role, as refusals name it.</summary>
    public string Form => $"meeting {Meeting} of dyad '{DyadId}' ({RaterRole})";
}

/// <summary>
/// Reads ratings a study already has into it (<c>alliance responses import</c>), pure: text in, responses or errors
/// naming the line out. Two forms are read, and any mixture of their column names:
/// <list type="bullet">
/// <item>the product's own export, <c>responses.csv</c> of the report set or <c>alliance export --format csv</c>: its
/// <c>DyadId</c>, <c>Meeting</c>, <c>RaterRole</c>, <c>SubmittedAt</c> and <c>Item01</c>..<c>ItemNN</c> are read; its
/// other columns (<see cref="ExportColumns"/>, the score columns of the study's instruments) are known and not read:
/// the scores are computed again from the answers, ids from the study;</item>
/// <item>the minimal form: <c>dyad,meeting,role,date</c> and one column per item, <c>item1</c>..<c>itemN</c> (or
/// <c>item01</c>); <c>date</c> is <c>YYYY-MM-DD</c>.</item>
/// </list>
/// Column names are read without regard to case, spaces, hyphens or underscores (<c>Rater role</c> is <c>raterrole</c>);
/// values are separated by commas, semicolons or tabs (CsvHelper's detection, as the other imports). Every line is checked
/// whole against the study and the instruments: the dyad in the study, the meeting in its schedule, the role one of the
/// study's with a rater in the dyad, the date within the dyad's years in the study (<see cref="StudyInputs.LastDay"/>)
/// and not after today, every item of the role's instrument answered on its scale, no answer for an item it does not
/// have, each form once. A column the study cannot place is named on line 1.
/// </summary>
public static class ResponseCsv
{
    /// <summary>Columns of the export read for what they hold, by their name as read (lower case, no separators).</summary>
    private static readonly ImmutableDictionary<string, string> Keys = new Dictionary<string, string>
    {
        ["dyad"] = "dyad",
        ["dyadid"] = "dyad",
        ["meeting"] = "meeting",
        ["role"] = "role",
        ["raterrole"] = "role",
        ["date"] = "date",
        ["submittedat"] = "date",
    }.ToImmutableDictionary(StringComparer.Ordinal);

    /// <summary>The minimal form's columns besides the items, in the order refusals list them.</summary>
    public static readonly ImmutableArray<string> Columns = ["dyad", "meeting", "role", "date"];

    /// <summary>The export's columns that are known and not read (names as read: lower case, no separators).</summary>
    public static readonly ImmutableArray<string> ExportColumns =
        ["studyid", "assessmentid", "siteid", "armid", "raterid", "provenance", "cluster", "clusterlabel", "employed", "jobdate", "daystojob"];

    private static readonly string[] Instants =
        ["yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", "yyyy-MM-dd HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm"];

    /// <summary>
    /// Reads responses for <paramref name="study"/>, whose roles answer <paramref name="instruments"/>, imported on
    /// <paramref name="today"/>. Import the rows only when the result is valid: a file is never half-imported.
    /// </summary>
    /// <param name="text">The file.</param>
    /// <param name="study">The study.</param>
    /// <param name="instruments">The instrument each rater role of the study answers.</param>
    /// <param name="today">The day of the import (the study calendar's): no response is dated after it.</param>
    public static CsvImport<ImportedResponse> Parse(string text, StudyDefinition study, IReadOnlyDictionary<string, InstrumentDefinition> instruments, DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(study);
        ArgumentNullException.ThrowIfNull(instruments);
        var errors = new StudyCsv.Problems();
        var rows = ImmutableArray.CreateBuilder<ImportedResponse>();
        using var reader = CsvReader.FromText(text, StudyCsv.ReaderOptions(errors));
        var header = reader.Headers.Select(Name).ToArray();
        var expected = $"{string.Join(",", Columns)},item1..itemN (or the columns of the app's own export)";
        if (header.Length == 0 || header is [""])
        {
            errors.Add(new CsvLineError(1, $"the file is empty: its first line must name the columns {expected}"));
            return StudyCsv.Result(rows, errors);
        }

        var maxItems = instruments.Values.Select(i => i.Items.Length).DefaultIfEmpty(0).Max();
        var scoreColumns = instruments.Values.SelectMany(i => i.Subscales.Select(s => s.Column).Append(i.Global.Column)).Select(Name).ToHashSet(StringComparer.Ordinal);
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var items = new Dictionary<int, int>();
        for (var c = 0; c < header.Length; c++)
        {
            var name = header[c];
            string? twice = null;
            if (Keys.TryGetValue(name, out var key))
            {
                if (!index.TryAdd(key, c)) twice = $"columns '{reader.Headers[index[key]].Trim()}' and '{reader.Headers[c].Trim()}' both give the {key}";
            }
            else if (ItemNumber(name) is { } number)
            {
                if (number > maxItems)
                    errors.Add(new CsvLineError(1, $"'{reader.Headers[c].Trim()}' is not a column of this study: its instruments have {maxItems} items at most ({Describe(instruments)})"));
                else if (!items.TryAdd(number, c))
                    twice = $"item {number} is named twice ('{reader.Headers[items[number]].Trim()}' and '{reader.Headers[c].Trim()}')";
            }
            else if (!ExportColumns.Contains(name) && !scoreColumns.Contains(name))
            {
                errors.Add(new CsvLineError(1, $"'{reader.Headers[c].Trim()}' is not a column of this file: the columns are {expected}"));
            }

            if (twice is not null) errors.Add(new CsvLineError(1, twice));
        }

        foreach (var key in Columns.Where(k => !index.ContainsKey(k)))
            errors.Add(new CsvLineError(1, $"column '{key}' is missing: the first line must name the columns {expected}"));
        if (items.Count == 0)
            errors.Add(new CsvLineError(1, $"no item columns: name one per item, item1..item{maxItems} (or Item01..Item{maxItems:00})"));
        if (errors.Count > 0) return StudyCsv.Result(rows, errors);

        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var line in StudyCsv.Records(reader, errors))
        {
            var problems = new List<string>();
            string Value(int column) => reader.GetString(column).Trim();
            var row = ReadRow(line, Value(index["dyad"]), Value(index["meeting"]), Value(index["role"]), Value(index["date"]),
                items.ToDictionary(p => p.Key, p => Value(p.Value)), study, instruments, today, problems, out var unknownDyad);
            errors.UnknownDyad |= unknownDyad;
            if (row is not null && !seen.TryAdd(row.AssessmentId, line))
                problems.Add($"{row.Form} is already on line {seen[row.AssessmentId]}");
            else if (row is not null)
                rows.Add(row);

            foreach (var p in problems) errors.Add(new CsvLineError(line, p));
        }

        if (rows.Count == 0 && errors.Count == 0) errors.Add(new CsvLineError(1, "the file has a header but no rows"));
        return StudyCsv.Result(rows, errors);
    }

    private static ImportedResponse? ReadRow(int line, string dyadId, string meetingText, string roleText, string dateText, Dictionary<int, string> answers,
        StudyDefinition study, IReadOnlyDictionary<string, InstrumentDefinition> instruments, DateOnly today, List<string> problems, out bool unknownDyad)
    {
        unknownDyad = false;
        StudyCsv.CheckDyadCode(dyadId, problems);
        var dyad = problems.Count == 0 ? study.FindDyad(dyadId) : null;
        if (problems.Count == 0 && dyad is null)
        {
            problems.Add(StudyInputs.NotInStudy(study, dyadId));
            unknownDyad = true;
        }

        if (!int.TryParse(meetingText, NumberStyles.None, CultureInfo.InvariantCulture, out var meeting) || meeting < 1)
            problems.Add($"meeting must be a meeting number such as 1, 2 or 3, not '{meetingText}'");
        else if (study.FindMeeting(meeting) is null)
            problems.Add($"meeting {meeting} is not in the study's schedule (meetings 1 to {study.Meetings.Length})");

        var role = roleText.ToLowerInvariant();
        var instrument = instruments.GetValueOrDefault(role);
        if (instrument is null)
            problems.Add($"role must be {string.Join(" or ", instruments.Keys.Order(StringComparer.Ordinal))} (the study's rater roles), not '{roleText}'");
        else if (dyad is not null && role == RaterRoles.Client && dyad.ClientId is null)
            problems.Add($"dyad '{dyad.Id}' has no client rater: only its practitioner rates");

        var submittedAt = ReadDate(dateText, problems);
        if (submittedAt is { } at && dyad is not null)
        {
            var day = StudyCalendar.Day(at);
            var date = StudyDefinition.Format(day);
            if (day < dyad.Enrolled)
                problems.Add($"date {date} is before the enrolment of dyad '{dyad.Id}' on {StudyDefinition.Format(dyad.Enrolled)}");
            else if (day > StudyInputs.LastDay(dyad))
                problems.Add($"date {date} is more than {StudyInputs.YearsInStudy} years after the enrolment of dyad '{dyad.Id}' on {StudyDefinition.Format(dyad.Enrolled)}");
            else if (day > today)
                problems.Add($"date {date} is after today ({StudyDefinition.Format(today)}): a response is imported once it was given");
        }

        var values = ImmutableArray.CreateBuilder<int>();
        if (instrument is not null)
        {
            foreach (var item in instrument.Items.OrderBy(i => i.Number))
            {
                if (!answers.TryGetValue(item.Number, out var text))
                    problems.Add($"item {item.Number} of {instrument.Id} has no column (item{item.Number})");
                else if (text.Length == 0)
                    problems.Add($"item {item.Number} is not answered: every item of {instrument.Id} is");
                else if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var answer))
                    problems.Add($"item {item.Number}: '{text}' is not a whole number");
                else if (!instrument.Scale.Contains(answer))
                    problems.Add($"item {item.Number}: {answer} is off the scale of {instrument.Id} ({instrument.Scale.Min} to {instrument.Scale.Max})");
                else
                    values.Add(answer);
            }

            foreach (var (number, text) in answers.Where(a => a.Key > instrument.Items.Length && a.Value.Length > 0).OrderBy(a => a.Key))
                problems.Add($"item {number} is answered ('{text}'), but {instrument.Id} has {instrument.Items.Length} items: leave it empty");
        }

        return problems.Count == 0 ? new ImportedResponse(line, dyadId, meeting, role, submittedAt!.Value, values.ToImmutable()) : null;
    }

    private static DateTimeOffset? ReadDate(string text, List<string> problems)
    {
        if (text.Length == 0)
        {
            problems.Add("the date is missing");
            return null;
        }

        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)) return StudyCalendar.StartOf(day);
        if (DateTimeOffset.TryParseExact(text, Instants, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at)) return at;
        problems.Add($"date '{text}' is not a date: write it as YYYY-MM-DD, e.g. 2026-03-31 (or as the export writes it, 2026-03-31T14:05:00Z)");
        return null;
    }

    /// <summary>A column name as read: lower case, without spaces, hyphens or underscores.</summary>
    private static string Name(string header) =>
        string.Concat(header.Trim().ToLowerInvariant().Where(c => c is not (' ' or '-' or '_')));

    /// <summary>The item number of <c>itemN</c> or <c>item0N</c> (1 to <see cref="ResponseColumns.MaxItems"/>), else null.</summary>
    private static int? ItemNumber(string name) =>
        name.StartsWith("item", StringComparison.Ordinal) && name.Length is > 4 and <= 7
        && int.TryParse(name.AsSpan(4), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= ResponseColumns.MaxItems
            ? n
            : null;

    private static string Describe(IReadOnlyDictionary<string, InstrumentDefinition> instruments) =>
        string.Join("; ", instruments.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}: {p.Value.Id}, {p.Value.Items.Length} items"));
}
