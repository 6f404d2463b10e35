using System.Globalization;
using System.Text;
using AlliancePipeline.Functions.Services;

namespace AlliancePipeline.Functions.Reports;

/// <summary>
/// The long responses table (one row per response, the <c>Responses</c> table's column names) and its codebook, as
/// RFC 4180 CSV: comma separated, CRLF line ends, fields quoted when they hold a comma, quote or line break.
/// </summary>
public static class ResponseTables
{
    /// <summary>The columns of <c>responses.csv</c>, in order.</summary>
    public static readonly IReadOnlyList<string> Columns =
        ["StudyId", "AssessmentId", "SiteId", "DyadId", "Meeting", "RaterRole",
         "Item01", "Item02", "Item03", "Item04", "Item05", "Item06", "Item07", "Item08", "Item09", "Item10", "Item11", "Item12",
         "Goal", "Task", "Bond", "Global", "SubmittedAt"];

    /// <summary>responses.csv: sorted by dyad, meeting and rater role; doubles round-trip exactly.</summary>
    public static string ResponsesCsv(IEnumerable<StoredResponse> responses)
    {
        static string F(double x) => x.ToString("R", CultureInfo.InvariantCulture);
        var csv = new StringBuilder().AppendJoin(',', Columns).Append("\r\n");
        foreach (var r in responses.OrderBy(r => r.DyadId, StringComparer.Ordinal).ThenBy(r => r.Meeting).ThenBy(r => r.RaterRole, StringComparer.Ordinal))
        {
            csv.AppendJoin(',', new[] { r.StudyId, r.AssessmentId, r.SiteId, r.DyadId, r.Meeting.ToString(CultureInfo.InvariantCulture), r.RaterRole }
                .Concat(r.Items.Select(i => i.ToString(CultureInfo.InvariantCulture)))
                .Concat([F(r.Goal), F(r.Task), F(r.Bond), F(r.Global), r.SubmittedAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)])
                .Select(Field)).Append("\r\n");
        }
        return csv.ToString();
    }

    /// <summary>codebook.csv: each column of responses.csv with its type and meaning.</summary>
    public static string CodebookCsv()
    {
        var codebook = new StringBuilder("variable,type,description\r\n")
            .Append("StudyId,string,study id\r\nAssessmentId,string,assessment id (one per dyad x meeting x rater role)\r\n")
            .Append("SiteId,string,site id\r\nDyadId,string,practitioner-client pair (pseudonymous code)\r\nMeeting,integer,meeting number (1-based)\r\n")
            .Append("RaterRole,string,who rated (practitioner or client)\r\n");
        for (var i = 1; i <= 12; i++) codebook.Append(CultureInfo.InvariantCulture, $"Item{i:00},integer,answer to item {i} as given (before reverse scoring)\r\n");
        return codebook.Append("Goal,double,goal subscale score (after reverse scoring)\r\nTask,double,task subscale score\r\nBond,double,bond subscale score\r\n")
            .Append("Global,double,global score: mean of the 12 items after reverse scoring\r\nSubmittedAt,datetime,when the answers were accepted (UTC)\r\n")
            .ToString();
    }

    /// <summary>One CSV field, quoted when it must be.</summary>
    public static string Field(string s) => s.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? "\"" + s.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : s;
}
