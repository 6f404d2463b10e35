using AlliancePipeline.Cli.Commands;

namespace AlliancePipeline.Cli.Tests;

/// <summary>
/// What <c>alliance cluster</c> accepts as CSV and how it refuses the rest, pinned on the reader itself: quoting as a
/// spreadsheet writes it, blank lines, line endings, the separators (a comma; a semicolon or a tab with decimal commas, as
/// the CSV imports read them), and the line each error names.
/// </summary>
public sealed class TrajectoryCsvTests
{
    private static Analytics.Analysis.TrajectoryMatrix Read(string text) => TrajectoryCsv.Read(new StringReader(text));

    private static string Refusal(string text) => Assert.Throws<CsvFormatException>(() => Read(text)).Message;

    [Fact]
    public void Quoted_fields_escaped_quotes_spaces_and_both_line_endings_are_read()
    {
        var m = Read("\"dyad id\",m1,\"m,2\"\r\n  \"d \"\"1\"\"\" , 6.5 ,\"6\"\r\n\"d,2\",NA,\r\n");
        Assert.Equal(["d \"1\"", "d,2"], m.DyadIds);
        Assert.Equal([6.5, 6.0], m.Scores[0]);
        Assert.True(double.IsNaN(m.Scores[1][0]) && double.IsNaN(m.Scores[1][1]));
    }

    [Fact]
    public void Blank_lines_are_skipped_but_counted()
    {
        var m = Read("id,m1,m2\n\na,1,2\n   \nb,3,4\n");
        Assert.Equal(["a", "b"], m.DyadIds);
        Assert.StartsWith("line 5: ", Refusal("id,m1,m2\n\na,1,2\n   \nb,3,x\n"), StringComparison.Ordinal);
    }

    [Fact]
    public void Text_after_a_closing_quote_and_a_quote_inside_a_value_are_kept_as_text()
    {
        var m = Read("id,m1,m2\n\"a\"b,1,2\nc\"d,3,4\n");
        Assert.Equal(["ab", "c\"d"], m.DyadIds);
    }

    [Theory]
    [InlineData("id;m1;m2\na;6,5;6\nb;NA;5,25\n")]
    [InlineData("id\tm1\tm2\na\t6,5\t6\nb\t\t5.25\n")]
    [InlineData("id,m1,m2\na,6.5,6\nb,,\"5.25\"\n")]
    public void Semicolons_and_tabs_take_decimal_commas_commas_take_dots(string text)
    {
        var m = Read(text);
        Assert.Equal(["a", "b"], m.DyadIds);
        Assert.Equal([6.5, 6.0], m.Scores[0]);
        Assert.True(double.IsNaN(m.Scores[1][0]));
        Assert.Equal(5.25, m.Scores[1][1]);
    }

    [Fact]
    public void A_comma_file_refuses_a_decimal_comma_naming_the_dot() =>
        Assert.Equal("line 2: '6,5' in column 'm1' is not a number (use a dot for decimals; leave the cell empty or write NA for a missing meeting).",
            Refusal("id,m1,m2\na,\"6,5\",6\n"));

    [Theory]
    [InlineData("id,m1,m2\na,\"1,2\n", "line 2: a quoted field is not closed.")]
    [InlineData("id,m1,m2\na,1,2\nb,\"3\n4\",5\n", "line 3: a quoted field is not closed.\nline 4: 2 fields; the header has 3 (the dyad id, then one score per meeting).")]
    [InlineData("\"id,m1,m2\na,1,2\n", "line 1: a quoted field is not closed.")]
    [InlineData("id m1 m2\na 1 2\n", "line 1: the header has 1 column; expected an id column and at least 2 meetings.")]
    [InlineData("id,m1,m2\n\"\"\n", "line 2: 1 fields; the header has 3 (the dyad id, then one score per meeting).")]
    [InlineData("\nid,m1,m2\na,1,2\n", "line 1: the file is empty; expected a header (id, then one column per meeting).")]
    [InlineData("id,m1,m2\n ,1,2\n", "line 2: the id is empty.")]
    [InlineData("id,m1,m2\n\n  \n", "line 2: no dyads after the header.")]
    [InlineData("id,m1,m2\na,1,Infinity\n", "line 2: 'Infinity' in column 'm2' is not a number (use a dot for decimals; leave the cell empty or write NA for a missing meeting).")]
    public void Malformed_files_are_refused_naming_the_line(string text, string message) =>
        Assert.Equal(message, Refusal(text));
}
