using System.Globalization;
using System.Text;
using AlliancePipeline.Analytics.Analysis;
using CsvHelper;

namespace AlliancePipeline.Cli.Commands;

/// <summary>
/// A CSV file that cannot be read: every problem found, each naming its line (1-based, header = line 1); the message
/// is the problems, one a line.
/// </summary>
public sealed class CsvFormatException : Exception
{
    /// <summary>A file with one problem.</summary>
    public CsvFormatException(string message) : this([message], 1)
    {
    }

    /// <summary>A file with <paramref name="count"/> problems, of which <paramref name="problems"/> are listed.</summary>
    public CsvFormatException(IReadOnlyList<string> problems, int count) : base(string.Join("\n", problems))
    {
        Problems = problems;
        Count = count;
    }

    /// <summary>The problems listed (at most <see cref="TrajectoryCsv.MaxListedProblems"/>), by line.</summary>
    public IReadOnlyList<string> Problems { get; }

    /// <summary>How many problems there are in all.</summary>
    public int Count { get; }
}

/// <summary>
/// Reads trajectories from CSV with CsvHelper: a header, then one row per dyad: an id, then the score at each meeting in
/// order. The separator is found as the CSV imports find it (CsvHelper's detection: a comma, a semicolon or a tab);
/// with a semicolon or a tab (a French or German spreadsheet's export) a comma is also a decimal mark (6,5), with a
/// comma only the dot is. Fields may be double-quoted (a doubled quote inside is one quote) but not span lines; spaces
/// around fields do not count; blank lines are skipped; an empty score or NA is a missing meeting. Scores outside the
/// instrument's scale are refused. Every bad line is reported (up to <see cref="MaxListedProblems"/>, the others
/// counted), each naming its line (the header is line 1, blank lines count).
/// </summary>
public static class TrajectoryCsv
{
    /// <summary>How many problems a refusal lists at most (as the CSV imports, <c>StudyCsv.MaxListedErrors</c>).</summary>
    public const int MaxListedProblems = 100;

    /// <summary>Reads all rows; every score must lie on <paramref name="scale"/> (null: not checked).</summary>
    /// <exception cref="CsvFormatException">Lines are malformed or scores off the scale; every problem is listed with its line.</exception>
    public static TrajectoryMatrix Read(TextReader reader, ScoreScale? scale = null)
    {
        // Lines whose quoting cannot be read: a quote opened and not closed on its line. The reader keeps the rest of
        // a malformed record as text (a quote inside a value, text after a closing quote), as a spreadsheet shows it.
        var unclosed = new HashSet<long>();
        var options = CsvReaderOptions.Default with
        {
            HasHeader = false,
            TrackLineNumbers = true,
            SkipEmptyLines = false,
            TrimWhitespace = true,
            AllowLineBreaksInQuotes = false,
            MalformedData = CsvMalformedDataHandling.Recover,
            OnMalformedRecord = m =>
            {
                if (m.Reason is CsvMalformedReason.LineBreakInQuotes or CsvMalformedReason.UnterminatedQuote) unclosed.Add(m.LineNumber);
            },
        };
        using var csv = CsvReader.Create(reader, options, true); // the caller closes its reader
        var problems = new List<string>();
        var count = 0;
        void Problem(string problem)
        {
            count++;
            if (problems.Count < MaxListedProblems) problems.Add(problem);
        }
        string[]? Fields()
        {
            if (unclosed.Contains(csv.LineNumber))
            {
                Problem($"line {csv.LineNumber}: a quoted field is not closed.");
                return null;
            }
            var fields = new string[csv.FieldCount];
            for (var i = 0; i < fields.Length; i++) fields[i] = csv.GetString(i);
            return fields;
        }
        bool Blank() => csv.FieldCount == 1 && Encoding.UTF8.GetString(csv.RawRecord).Trim().Length == 0;

        if (!csv.Read() || Blank()) throw new CsvFormatException("line 1: the file is empty; expected a header (id, then one column per meeting).");
        var columns = Fields() ?? throw new CsvFormatException(problems, count);
        if (columns.Length < 3)
            throw new CsvFormatException($"line 1: the header has {columns.Length} column{(columns.Length == 1 ? "" : "s")}; expected an id column and at least 2 meetings.");
        var decimalComma = csv.Separator != ',';
        var decimals = decimalComma ? "a dot or a comma" : "a dot";
        int meetings = columns.Length - 1;
        var ids = new List<string>();
        var rows = new List<double[]>();
        var seen = new Dictionary<string, long>(StringComparer.Ordinal);
        while (csv.Read())
        {
            var lineNo = csv.LineNumber;
            if (Blank()) continue;
            if (Fields() is not { } fields) continue;
            if (fields.Length != columns.Length)
            {
                Problem($"line {lineNo}: {fields.Length} fields; the header has {columns.Length} (the dyad id, then one score per meeting).");
                continue;
            }
            string id = fields[0].Trim();
            var good = true;
            if (id.Length == 0)
            {
                Problem($"line {lineNo}: the id is empty.");
                good = false;
            }
            else if (seen.TryGetValue(id, out long first))
            {
                Problem($"line {lineNo}: id '{id}' already appears on line {first}.");
                good = false;
            }
            else
            {
                seen[id] = lineNo;
            }
            var scores = new double[meetings];
            for (int j = 0; j < meetings; j++)
            {
                string f = fields[j + 1].Trim();
                var number = decimalComma ? f.Replace(',', '.') : f;
                if (f.Length == 0 || f == "NA")
                {
                    scores[j] = double.NaN;
                }
                else if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out scores[j]) || !double.IsFinite(scores[j]))
                {
                    Problem($"line {lineNo}: '{f}' in column '{columns[j + 1]}' is not a number (use {decimals} for decimals; leave the cell empty or write NA for a missing meeting).");
                    good = false;
                }
                else if (scale is not null && !scale.Contains(scores[j]))
                {
                    Problem($"line {lineNo}: dyad '{id}' has {f} in column '{columns[j + 1]}', outside the scale {scale}. "
                            + "Scores are means of the instrument's items; for another scale give --scale MIN-MAX (for example --scale 1-5 for the WAI-SR).");
                    good = false;
                }
            }
            if (!good) continue;
            ids.Add(id);
            rows.Add(scores);
        }
        if (count > 0) throw new CsvFormatException(problems, count);
        if (rows.Count == 0) throw new CsvFormatException("line 2: no dyads after the header.");
        return new TrajectoryMatrix(ids, rows);
    }
}
