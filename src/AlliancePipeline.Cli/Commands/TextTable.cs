using System.Text;

namespace AlliancePipeline.Cli.Commands;

/// <summary>
/// A plain text table for people: a header, then one line per row, columns padded to their widest cell and two spaces
/// apart (the last column not padded). Scripts read <c>--json</c> instead.
/// </summary>
public static class TextTable
{
    /// <summary>The table of <paramref name="rows"/> under <paramref name="header"/>, one line each.</summary>
    public static string Format(IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows)
    {
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(rows);
        var all = new List<IReadOnlyList<string>> { header };
        all.AddRange(rows);
        var widths = new int[header.Count];
        foreach (var row in all)
            for (var c = 0; c < widths.Length; c++) widths[c] = Math.Max(widths[c], c < row.Count ? row[c].Length : 0);
        var text = new StringBuilder();
        foreach (var row in all)
        {
            var line = new StringBuilder();
            for (var c = 0; c < widths.Length; c++)
            {
                var cell = c < row.Count ? row[c] : "";
                line.Append(c == widths.Length - 1 ? cell : cell.PadRight(widths[c] + 2));
            }
            text.Append(line.ToString().TrimEnd()).Append('\n');
        }
        return text.ToString();
    }
}
