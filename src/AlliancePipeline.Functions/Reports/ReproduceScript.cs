using System.Globalization;
using System.Text;
using AlliancePipeline.Analytics.Reports;
using AlliancePipeline.Core.Instruments;

namespace AlliancePipeline.Functions.Reports;

/// <summary>
/// <c>reproduce.R</c>: a base-R script (<c>stats::hclust</c>, <c>cutree</c>, <c>fisher.test</c>, <c>chisq.test</c>) that reads
/// <c>responses.csv</c>, rebuilds the trajectories with the report's rules (the role, meetings 1..T, the instrument's reverse
/// items and scoring rule, dyads missing a meeting left out, C-locale order of dyad ids), runs
/// <c>hclust(dist(X), "ward.D2")</c> on raw or deviation scores, cuts at the report's k, and recomputes the cluster × outcome
/// table with its tests and Cronbach's alpha, writing everything to a JSON file. The template is the embedded
/// <c>Templates/reproduce.R</c>; only its settings are filled in.
/// </summary>
public static class ReproduceScript
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>The script for <paramref name="report"/>.</summary>
    public static string For(StudyReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var i = report.Instrument;
        var subscales = i is null
            ? "goal = c(1, 2, 3, 4), task = c(5, 6, 7, 8), bond = c(9, 10, 11, 12)"
            : string.Join(", ", i.Subscales.Select(s => $"{Identifier(s.Id)} = c({string.Join(", ", s.ItemIds.Select(id => i.FindItem(id)!.Number))})"));
        var values = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["STUDY_ID"] = Comment(report.Input.StudyId),
            ["RUN_ID"] = Comment(report.Input.RunId),
            ["VERSION"] = Comment(report.Input.SoftwareVersion),
            ["ROLE"] = StringLiteral(report.RaterRole),
            ["MEETINGS"] = report.Meetings.ToString(Inv),
            ["K"] = report.Result?.Selection.K.ToString(Inv) ?? "NA",
            ["K_RULE"] = report.Result?.Selection.Rule.ToString() ?? "not clustered",
            ["DEVIATION"] = report.Options.Analysis.Deviation ? "TRUE" : "FALSE",
            ["SCALE_MIN"] = report.Scale.Min.ToString(Inv),
            ["SCALE_MAX"] = report.Scale.Max.ToString(Inv),
            ["REVERSE"] = i is null ? "" : string.Join(", ", i.Items.Where(x => x.Reverse).Select(x => x.Number.ToString(Inv))),
            ["METHOD"] = i?.Global.Rule.Method == ScoreMethod.Sum ? "sum" : "mean",
            ["MIN_ANSWERED"] = (i?.Global.Rule.MinAnswered ?? 12).ToString(Inv),
            ["PRORATE"] = i?.Global.Rule.Prorate == true ? "TRUE" : "FALSE",
            ["SUBSCALES"] = subscales,
        };
        var text = new StringBuilder(Template.Value);
        foreach (var (name, value) in values) text.Replace("{{" + name + "}}", value);
        return text.ToString();
    }

    private static readonly Lazy<string> Template = new(() => ReportTemplates.Read("reproduce.R"));

    /// <summary>An R string's content: backslashes and quotes escaped, control characters dropped.</summary>
    private static string StringLiteral(string s) => new string(s.Where(c => !char.IsControl(c)).ToArray()).Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal);

    /// <summary>Text for a comment line: no line breaks.</summary>
    private static string Comment(string s) => new(s.Where(c => !char.IsControl(c)).ToArray());

    /// <summary>A name usable unquoted in an R list (subscale ids are lower-case words); anything else is back-quoted.</summary>
    private static string Identifier(string id) => id.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_') && char.IsAsciiLetterLower(id[0])
        ? id
        : "`" + Comment(id).Replace("`", "", StringComparison.Ordinal) + "`";
}

/// <summary>The embedded templates of <c>Reports/Templates</c>.</summary>
internal static class ReportTemplates
{
    public static string Read(string name)
    {
        using var stream = typeof(ReportTemplates).Assembly.GetManifestResourceStream("AlliancePipeline.Functions.Reports.Templates." + name)
            ?? throw new InvalidOperationException($"The report template {name} is not embedded.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
