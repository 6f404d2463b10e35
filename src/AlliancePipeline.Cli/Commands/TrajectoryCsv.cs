using System.Globalization;
using System.Text;
using AlliancePipeline.Analytics.Analysis;
using CsvHelper;

namespace AlliancePipeline.Cli.Commands;

/// <summary>A CSV line that cannot be read; the message names the line (1-based, header = line 1).</summary>
public sealed class CsvFormatException(string message) : Exception(message);

/// <summary>
/// Reads trajectories from CSV with CsvHelper: a header, then one row per dyad: an id, then the score at each meeting in
/// order. Separator comma (only); fields may be double-quoted (a doubled quote inside is one quote) but not span lines;
/// spaces around fields do not count; blank lines are skipped; numbers use a dot as decimal mark; an empty score or NA
/// is a missing meeting. Scores outside the instrument's scale are refused. Every error names its line (the header is
/// line 1, blank lines count).
/// </summary>
public static class TrajectoryCsv
{
    /// <summary>Reads all rows; every score must lie on <paramref name="scale"/> (null: not checked).</summary>
    /// <exception cref="CsvFormatException">A line is malformed or a score is off the scale; the message names the line.</exception>
    public static TrajectoryMatrix Read(TextReader reader, ScoreScale? scale = null)
    {
        // Lines whose quoting cannot be read: a quote opened and not closed on its line. The reader keeps the rest of
        // a malformed record as text (a quote inside a value, text after a closing quote), as a spreadsheet shows it.
        var unclosed = new HashSet<long>();
        var options = CsvReaderOptions.Default with
        {
            Separator = ',',
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
        string[] Fields()
        {
            if (unclosed.Contains(csv.LineNumber)) throw new CsvFormatException($"line {csv.LineNumber}: a quoted field is not closed.");
            var fields = new string[csv.FieldCount];
            for (var i = 0; i < fields.Length; i++) fields[i] = csv.GetString(i);
            return fields;
        }
        bool Blank() => csv.FieldCount == 1 && Encoding.UTF8.GetString(csv.RawRecord).Trim().Length == 0;

        if (!csv.Read() || Blank()) throw new CsvFormatException("line 1: the file is empty; expected a header (id, then one column per meeting).");
        var columns = Fields();
        if (columns.Length < 3)
            throw new CsvFormatException($"line 1: the header has {columns.Length} column{(columns.Length == 1 ? "" : "s")}; expected an id column and at least 2 meetings.");
        int meetings = columns.Length - 1;
        var ids = new List<string>();
        var rows = new List<double[]>();
        var seen = new Dictionary<string, long>(StringComparer.Ordinal);
        while (csv.Read())
        {
            var lineNo = csv.LineNumber;
            if (Blank()) continue;
            var fields = Fields();
            if (fields.Length != columns.Length)
                throw new CsvFormatException($"line {lineNo}: {fields.Length} fields; the header has {columns.Length} (the dyad id, then one score per meeting).");
            string id = fields[0].Trim();
            if (id.Length == 0) throw new CsvFormatException($"line {lineNo}: the id is empty.");
            if (seen.TryGetValue(id, out long first)) throw new CsvFormatException($"line {lineNo}: id '{id}' already appears on line {first}.");
            seen[id] = lineNo;
            var scores = new double[meetings];
            for (int j = 0; j < meetings; j++)
            {
                string f = fields[j + 1].Trim();
                if (f.Length == 0 || f == "NA") scores[j] = double.NaN;
                else if (!double.TryParse(f, NumberStyles.Float, CultureInfo.InvariantCulture, out scores[j]) || !double.IsFinite(scores[j]))
                    throw new CsvFormatException($"line {lineNo}: '{f}' in column '{columns[j + 1]}' is not a number (use a dot for decimals; leave the cell empty or write NA for a missing meeting).");
                else if (scale is not null && !scale.Contains(scores[j]))
                    throw new CsvFormatException($"line {lineNo}: dyad '{id}' has {f} in column '{columns[j + 1]}', outside the scale {scale}. "
                                                 + "Scores are means of the instrument's items; for another scale give --scale MIN-MAX (for example --scale 1-5 for the WAI-SR).");
            }
            ids.Add(id);
            rows.Add(scores);
        }
        if (rows.Count == 0) throw new CsvFormatException("line 2: no dyads after the header.");
        return new TrajectoryMatrix(ids, rows);
    }
}
