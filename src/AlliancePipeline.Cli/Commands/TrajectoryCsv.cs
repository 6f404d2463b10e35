using System.Globalization;
using AlliancePipeline.Analytics.Analysis;

namespace AlliancePipeline.Cli.Commands;

/// <summary>A CSV line that cannot be read; the message names the line (1-based, header = line 1).</summary>
public sealed class CsvFormatException(string message) : Exception(message);

/// <summary>
/// Reads trajectories from CSV: a header, then one row per dyad: an id, then the score at each meeting in order.
/// Separator comma; fields may be double-quoted; numbers use a dot as decimal mark; an empty score or NA is a missing
/// meeting. Scores outside the instrument's scale are refused.
/// </summary>
public static class TrajectoryCsv
{
    /// <summary>Reads all rows; every score must lie on <paramref name="scale"/> (null: not checked).</summary>
    /// <exception cref="CsvFormatException">A line is malformed or a score is off the scale; the message names the line.</exception>
    public static TrajectoryMatrix Read(TextReader reader, ScoreScale? scale = null)
    {
        string? header = reader.ReadLine();
        if (header is null || header.Trim().Length == 0) throw new CsvFormatException("line 1: the file is empty; expected a header (id, then one column per meeting).");
        var columns = Split(header, 1);
        if (columns.Count < 3)
            throw new CsvFormatException($"line 1: the header has {columns.Count} column{(columns.Count == 1 ? "" : "s")}; expected an id column and at least 2 meetings.");
        int meetings = columns.Count - 1;
        var ids = new List<string>();
        var rows = new List<double[]>();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        int lineNo = 1;
        for (string? line = reader.ReadLine(); line != null; line = reader.ReadLine())
        {
            lineNo++;
            if (line.Trim().Length == 0) continue;
            var fields = Split(line, lineNo);
            if (fields.Count != columns.Count)
                throw new CsvFormatException($"line {lineNo}: {fields.Count} fields; the header has {columns.Count} (the dyad id, then one score per meeting).");
            string id = fields[0].Trim();
            if (id.Length == 0) throw new CsvFormatException($"line {lineNo}: the id is empty.");
            if (seen.TryGetValue(id, out int first)) throw new CsvFormatException($"line {lineNo}: id '{id}' already appears on line {first}.");
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

    private static List<string> Split(string line, int lineNo)
    {
        var fields = new List<string>();
        var current = new System.Text.StringBuilder();
        bool quoted = false;
        for (int i = 0; i < line.Length; i++)
        {
            char ch = line[i];
            if (quoted)
            {
                if (ch == '"' && i + 1 < line.Length && line[i + 1] == '"') { current.Append('"'); i++; }
                else if (ch == '"') quoted = false;
                else current.Append(ch);
            }
            else if (ch == '"' && current.ToString().Trim().Length == 0) { current.Clear(); quoted = true; }
            else if (ch == ',') { fields.Add(current.ToString()); current.Clear(); }
            else current.Append(ch);
        }
        if (quoted) throw new CsvFormatException($"line {lineNo}: a quoted field is not closed.");
        fields.Add(current.ToString());
        return fields;
    }
}
