using System.Collections.Immutable;
using System.Globalization;
using CsvHelper;

namespace AlliancePipeline.Core.Studies;

/// <summary>One problem in a CSV import.</summary>
/// <param name="Line">1-based line of the text (the header is line 1).</param>
/// <param name="Message">What is wrong, in plain words.</param>
public sealed record CsvLineError(int Line, string Message)
{
    /// <inheritdoc />
    public override string ToString() => $"line {Line}: {Message}";
}

/// <summary>
/// The outcome of a CSV import: the rows read, and the problems found. Import the rows only when there is no error,
/// so a file is never half-imported. However many lines are bad, only the first <see cref="StudyCsv.MaxListedErrors"/>
/// problems are kept (the rest are counted): what a file of bad lines costs is bounded by its size (the good rows are
/// at most its lines, and with a study at most its dyads' meetings), and what is answered about it by a constant.
/// </summary>
/// <param name="Rows">The good rows, in file order.</param>
/// <param name="Errors">The first <see cref="StudyCsv.MaxListedErrors"/> problems, by line.</param>
public sealed record CsvImport<T>(ImmutableArray<T> Rows, ImmutableArray<CsvLineError> Errors)
{
    /// <summary>True when the whole file is good.</summary>
    public bool IsValid => Errors.IsEmpty;

    /// <summary>Every problem found, those listed in <see cref="Errors"/> and those only counted.</summary>
    public int ErrorCount { get; init; }

    /// <summary>How many lines have a problem.</summary>
    public int RefusedLines { get; init; }

    /// <summary>
    /// Whether a line names a dyad that is not in the study it was read against (with a site's view of a study, a
    /// dyad of another site is not in it either).
    /// </summary>
    public bool NamesUnknownDyad { get; init; }
}

/// <summary>
/// Pure parsers for the CSV files a coordinator imports (text in, rows or errors naming the line out). The first line
/// is the header, naming the columns in any order (case and surrounding spaces do not matter); values are separated by
/// commas (or semicolons or tabs, as spreadsheet exports in some locales write them); empty lines are skipped; dates
/// are written YYYY-MM-DD.
/// </summary>
public static class StudyCsv
{
    /// <summary>How many problems an import lists at most; the others are counted (<see cref="CsvImport{T}.ErrorCount"/>).</summary>
    public const int MaxListedErrors = 100;

    /// <summary>Columns of an outcome file.</summary>
    public static readonly ImmutableArray<string> OutcomeColumns = ["dyad", "employed", "date"];

    /// <summary>
    /// Columns an outcome file may add: <c>recorded</c>, the day the outcome was recorded (empty: the day of the import);
    /// <c>daysWorked</c> and <c>tenureDays</c>, the continuous outcomes (whole days; empty: not recorded).
    /// </summary>
    public static readonly ImmutableArray<string> OutcomeOptionalColumns = ["recorded", StudyInputs.DaysWorkedField, StudyInputs.TenureDaysField];

    /// <summary>Columns of a meeting dates file.</summary>
    public static readonly ImmutableArray<string> MeetingDateColumns = ["dyad", "meeting", "date"];

    /// <summary>
    /// Reads outcomes: <c>dyad,employed,date</c>, and if wished <c>recorded</c> (the day the outcome was recorded; empty or
    /// left out: <paramref name="today"/>). <c>employed</c> is yes/no, oui/non, true/false or 1/0 (<see cref="StudyInputs.ParseEmployed"/>); <c>date</c> (the day the
    /// job started) is required when employed and must be empty otherwise, and may not be after the recorded day nor
    /// after the end of the study's follow-up. With <paramref name="study"/> the dyad must be
    /// in it and the date within its years in the study (<see cref="StudyInputs.CheckOutcome"/>). A dyad may appear once.
    /// A dyad's presence is checked before anything else about it, so that a study narrowed to what a caller may see
    /// (a site's dyads) answers for a dyad outside it exactly as for one that does not exist.
    /// </summary>
    /// <param name="text">The file.</param>
    /// <param name="study">The study (as the caller may see it), or null to read the file alone.</param>
    /// <param name="today">The day it is imported: a job date after it is refused (<see cref="StudyInputs.CheckOutcomeDateRules"/>).</param>
    /// <param name="firstMeetings">Each dyad's first meeting date, where follow-up counts from it.</param>
    public static CsvImport<DyadOutcome> ParseOutcomes(string text, StudyDefinition? study = null, DateOnly? today = null,
        IReadOnlyDictionary<string, DateOnly>? firstMeetings = null) =>
        Parse(text, OutcomeColumns, study, new RowRules<DyadOutcome>(
            Read: (values, problems) =>
            {
                var (dyad, employedText, dateText) = (values[0], values[1], values[2]);
                CheckDyadCode(dyad, problems);
                var employed = StudyInputs.ParseEmployed(employedText);
                if (employed is null)
                {
                    problems.Add($"employed must be {StudyInputs.EmployedWords}, not '{employedText}'");
                }

                var date = dateText.Length == 0 ? null : ParseDate(dateText, "date", problems);
                var recorded = values[3].Length == 0 ? null : ParseDate(values[3], "recorded", problems);
                var daysWorked = ParseDays(values[4], StudyInputs.DaysWorkedField, problems);
                var tenure = ParseDays(values[5], StudyInputs.TenureDaysField, problems);
                return problems.Count == 0 ? new DyadOutcome(dyad, employed!.Value, date) { RecordedOn = recorded, DaysWorked = daysWorked, TenureDays = tenure } : null;
            },
            Check: outcome => today is { } day
                ? StudyInputs.CheckOutcomeOn(study, outcome, day, firstMeetings) switch { var (wrong, broken) => wrong ?? broken?.Message }
                : StudyInputs.CheckOutcome(study, outcome, null, firstMeetings),
            Dyad: outcome => outcome.DyadId,
            Key: outcome => outcome.DyadId,
            Duplicate: (outcome, first) => $"dyad '{outcome.DyadId}' is already on line {first}"),
            OutcomeOptionalColumns);

    /// <summary>
    /// Reads dyad covariates: <c>dyad</c> and one column per covariate of the study's <c>covariates</c> (any of them, in
    /// any order, named as the study file names them, any case). A value is a level of a categorical covariate (any
    /// case) or a number of a numeric one (a dot as decimal mark) within its min and max; an empty cell records nothing
    /// for that covariate (what was recorded before stays). Each bad value is named with its covariate and what it allows;
    /// the dyad must be in <paramref name="study"/> (checked first, as for outcomes) and appear once.
    /// </summary>
    /// <param name="text">The file.</param>
    /// <param name="study">The study (as the caller may see it): its covariates are the file's columns.</param>
    public static CsvImport<DyadCovariates> ParseCovariates(string text, StudyDefinition study)
    {
        ArgumentNullException.ThrowIfNull(study);
        var covariates = study.Covariates.IsDefault ? [] : study.Covariates;
        if (covariates.IsEmpty)
        {
            return new CsvImport<DyadCovariates>([], [new CsvLineError(1, $"study '{study.Id}' declares no covariates (add covariates: to its study file)")]) { ErrorCount = 1, RefusedLines = 1 };
        }

        return Parse(text, ["dyad"], study, new RowRules<DyadCovariates>(
            Read: (values, problems) =>
            {
                CheckDyadCode(values[0], problems);
                var read = ImmutableSortedDictionary.CreateBuilder<string, CovariateValue>(StringComparer.Ordinal);
                for (var c = 0; c < covariates.Length; c++)
                {
                    if (values[c + 1].Length == 0) continue;
                    var (value, problem) = covariates[c].Read(values[c + 1]);
                    if (problem is not null) problems.Add(problem);
                    else read[covariates[c].Name] = value!;
                }

                if (problems.Count == 0 && read.Count == 0)
                {
                    problems.Add($"no covariate value is given for dyad '{values[0]}': fill in at least one of {string.Join(", ", covariates.Select(c => c.Name))}");
                }

                return problems.Count == 0 ? new DyadCovariates(values[0], read.ToImmutable()) : null;
            },
            Check: row => CovariateInputs.Check(study, row),
            Dyad: row => row.DyadId,
            Key: row => row.DyadId,
            Duplicate: (row, first) => $"dyad '{row.DyadId}' is already on line {first}"),
            [.. covariates.Select(c => c.Name)]);
    }

    /// <summary>
    /// Reads recorded meeting dates: <c>dyad,meeting,date</c>. <c>meeting</c> is a whole number from 1. With
    /// <paramref name="study"/> the dyad must be in it (checked first, as for outcomes), the meeting in its schedule and
    /// the date within the dyad's years in the study (<see cref="StudyInputs.CheckMeetingDate"/>). A dyad's meeting may
    /// appear once.
    /// </summary>
    /// <param name="text">The file.</param>
    /// <param name="study">The study (as the caller may see it), or null to read the file alone.</param>
    /// <param name="today">
    /// The day it is imported: then the date rules apply too (<see cref="StudyInputs.CheckMeetingDateRules"/>): no date
    /// after today, and each dyad's meetings in order, against the dates <paramref name="recorded"/> before and the file's
    /// other lines (which replace them): every line out of order is reported.
    /// </param>
    /// <param name="recorded">The meeting dates recorded so far, by dyad and meeting.</param>
    public static CsvImport<RecordedMeeting> ParseMeetingDates(string text, StudyDefinition? study = null, DateOnly? today = null,
        IReadOnlyDictionary<string, IReadOnlyDictionary<int, DateOnly>>? recorded = null)
    {
        if (today is not { } day || study is null)
        {
            return ParseMeetingDates(text, study, _ => null);
        }

        // The dates each dyad will have: those recorded, replaced by the file's (read once alone for them).
        var dates = new Dictionary<string, Dictionary<int, DateOnly>>(StringComparer.Ordinal);
        foreach (var (dyad, meetings) in recorded ?? new Dictionary<string, IReadOnlyDictionary<int, DateOnly>>())
        {
            dates[dyad] = new Dictionary<int, DateOnly>(meetings);
        }

        foreach (var row in ParseMeetingDates(text, study, _ => null).Rows)
        {
            if (!dates.TryGetValue(row.DyadId, out var meetings))
            {
                dates[row.DyadId] = meetings = [];
            }

            meetings[row.Meeting] = row.Date;
        }

        return ParseMeetingDates(text, study, row =>
            StudyInputs.CheckMeetingDateRules(row, day, dates[row.DyadId].Where(p => p.Key != row.Meeting).ToDictionary(p => p.Key, p => p.Value))?.Message);
    }

    private static CsvImport<RecordedMeeting> ParseMeetingDates(string text, StudyDefinition? study, Func<RecordedMeeting, string?> rules) =>
        Parse(text, MeetingDateColumns, study, new RowRules<RecordedMeeting>(
            Read: (values, problems) =>
            {
                var (dyad, meetingText, dateText) = (values[0], values[1], values[2]);
                CheckDyadCode(dyad, problems);
                if (!int.TryParse(meetingText, NumberStyles.None, CultureInfo.InvariantCulture, out var meeting) || meeting < 1)
                {
                    problems.Add($"meeting must be a meeting number such as 1, 2 or 3, not '{meetingText}'");
                }

                var date = dateText.Length == 0 ? null : ParseDate(dateText, "date", problems);
                if (dateText.Length == 0)
                {
                    problems.Add("the date is missing");
                }

                return problems.Count == 0 ? new RecordedMeeting(dyad, meeting, date!.Value) : null;
            },
            Check: recorded => study is null ? null : StudyInputs.CheckMeetingDate(study, recorded) ?? rules(recorded),
            Dyad: recorded => recorded.DyadId,
            Key: recorded => string.Create(CultureInfo.InvariantCulture, $"{recorded.DyadId} {recorded.Meeting}"),
            Duplicate: (recorded, first) => $"meeting {recorded.Meeting} of dyad '{recorded.DyadId}' is already on line {first}"));

    /// <summary>
    /// How one kind of row is read: its values (format problems added to the list), its dyad looked up in the study,
    /// then checked, then keyed for duplicates.
    /// </summary>
    private sealed record RowRules<T>(
        Func<string[], List<string>, T?> Read,
        Func<T, string?> Check,
        Func<T, string> Dyad,
        Func<T, string> Key,
        Func<T, int, string> Duplicate)
        where T : class;

    /// <summary>The first <see cref="MaxListedErrors"/> problems, a count of all, of the lines refused, and whether a dyad was unknown.</summary>
    internal sealed class Problems
    {
        private readonly List<CsvLineError> _listed = [];
        private int _lastLine = -1;

        public int Count { get; private set; }

        public int Lines { get; private set; }

        public bool UnknownDyad { get; set; }

        public void Add(CsvLineError error)
        {
            Count++;
            if (error.Line != _lastLine)
            {
                Lines++;
                _lastLine = error.Line;
            }

            if (_listed.Count < MaxListedErrors)
            {
                _listed.Add(error);
            }
        }

        public ImmutableArray<CsvLineError> Listed => [.. _listed.OrderBy(e => e.Line)];
    }

    /// <summary>
    /// How an import is read: a header, values trimmed, empty lines skipped, line numbers kept, the separator found by
    /// CsvHelper (a comma, a semicolon or a tab); a line whose quotes cannot be read is a problem of its own line.
    /// </summary>
    internal static CsvReaderOptions ReaderOptions(Problems errors) => CsvReaderOptions.Default with
    {
        HasHeader = true,
        TrackLineNumbers = true,
        SkipEmptyLines = true,
        TrimWhitespace = true,
        AllowLineBreaksInQuotes = false, // one unbalanced quote spoils its own line, not the rest of the file
        MalformedData = CsvMalformedDataHandling.Skip,
        OnMalformedRecord = m => errors.Add(new CsvLineError((int)m.LineNumber, m.Reason switch
        {
            CsvMalformedReason.LineBreakInQuotes or CsvMalformedReason.UnterminatedQuote => "a quote (\") opens a value that is not closed on this line",
            _ => "a quote (\") stands inside a value: put the whole value in quotes and double the quote (\"\")",
        })),
    };

    private static CsvImport<T> Parse<T>(string text, ImmutableArray<string> columns, StudyDefinition? study, RowRules<T> rules,
        ImmutableArray<string> optional = default)
        where T : class
    {
        optional = optional.IsDefault ? [] : optional;
        ArgumentNullException.ThrowIfNull(text);
        var errors = new Problems();
        var rows = ImmutableArray.CreateBuilder<T>();
        using var reader = CsvReader.FromText(text, ReaderOptions(errors));
        var header = reader.Headers.Select(h => h.Trim().ToLowerInvariant()).ToArray();
        if (header.Length == 0 || header is [""])
        {
            errors.Add(new CsvLineError(1, $"the file is empty: its first line must name the columns {string.Join(",", columns)}"));
            return Result(rows, errors);
        }

        var index = new int[columns.Length];
        for (var c = 0; c < columns.Length; c++)
        {
            index[c] = Array.IndexOf(header, columns[c].ToLowerInvariant());
            if (index[c] < 0)
            {
                errors.Add(new CsvLineError(1, $"column '{columns[c]}' is missing: the first line must name the columns {string.Join(",", columns)}"));
            }
        }

        var optionalIndex = optional.Select(c => Array.IndexOf(header, c.ToLowerInvariant())).ToArray();
        var known = columns.Concat(optional).Select(c => c.ToLowerInvariant()).ToArray();
        foreach (var name in header.Where(h => !known.Contains(h)).Distinct())
        {
            errors.Add(new CsvLineError(1, $"'{name}' is not a column of this file: the columns are {string.Join(",", columns)}"
                + (optional.IsEmpty ? "" : $" (and, if you wish, {string.Join(",", optional)})")));
        }

        foreach (var name in header.Where(h => known.Contains(h)).GroupBy(h => h).Where(g => g.Count() > 1))
        {
            errors.Add(new CsvLineError(1, $"column '{name.Key}' is named twice"));
        }

        if (errors.Count > 0)
        {
            return Result(rows, errors);
        }

        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var line in Records(reader, errors))
        {
            var problems = new List<string>();
            var row = rules.Read(index.Concat(optionalIndex).Select(i => i < 0 ? "" : reader.GetString(i).Trim()).ToArray(), problems);
            if (row is not null && study is not null && study.FindDyad(rules.Dyad(row)) is null)
            {
                problems.Add(StudyInputs.NotInStudy(study, rules.Dyad(row)));
                errors.UnknownDyad = true;
            }
            else if (row is not null && rules.Check(row) is { } problem)
            {
                problems.Add(problem);
            }
            else if (row is not null && !seen.TryAdd(rules.Key(row), line))
            {
                problems.Add(rules.Duplicate(row, seen[rules.Key(row)]));
            }
            else if (row is not null)
            {
                rows.Add(row);
            }

            foreach (var p in problems)
            {
                errors.Add(new CsvLineError(line, p));
            }
        }

        if (rows.Count == 0 && errors.Count == 0)
        {
            errors.Add(new CsvLineError(1, "the file has a header but no rows"));
        }

        return Result(rows, errors);
    }

    /// <summary>The line of each record after the header with as many values as the header; any other is a problem of its line.</summary>
    internal static IEnumerable<int> Records(CsvReader reader, Problems errors)
    {
        while (reader.Read())
        {
            var line = (int)reader.LineNumber;
            if (reader.FieldCount == reader.Headers.Count)
                yield return line;
            else
                errors.Add(new CsvLineError(line, $"has {reader.FieldCount} values; expected {reader.Headers.Count} ({string.Join(",", reader.Headers)})"));
        }
    }

    internal static CsvImport<T> Result<T>(ImmutableArray<T>.Builder rows, Problems errors) =>
        new(rows.ToImmutable(), errors.Listed)
        {
            ErrorCount = errors.Count,
            RefusedLines = errors.Lines,
            NamesUnknownDyad = errors.UnknownDyad,
        };

    internal static void CheckDyadCode(string dyad, List<string> problems)
    {
        if (dyad.Length == 0)
        {
            problems.Add("the dyad code is missing");
        }
        else if (!StudyIds.IsValid(dyad))
        {
            problems.Add($"'{dyad}' is not a dyad code (lower-case letters, digits and hyphens, e.g. d-001)");
        }
    }

    /// <summary>Whole days, 0 or more; empty: not given.</summary>
    private static int? ParseDays(string text, string column, List<string> problems)
    {
        if (text.Length == 0) return null;
        if (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var days) && days >= 0) return days;
        problems.Add($"{column} '{text}' is not a number of days: write a whole number, 0 or more (empty when not recorded)");
        return null;
    }

    internal static DateOnly? ParseDate(string text, string column, List<string> problems)
    {
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            return date;
        }

        problems.Add($"{column} '{text}' is not a date: write it as YYYY-MM-DD, e.g. 2026-03-31");
        return null;
    }
}
