using System.Text.RegularExpressions;

namespace AlliancePipeline.Cli.Commands;

/// <summary>
/// The app's refusals in the command line's terms: the JSON fields its problem details name (<c>studyId</c>,
/// <c>validDays</c>, <c>{"date": "yyyy-MM-dd"}</c>…) become the options that carry them (<c>--study</c>, <c>--days</c>,
/// <c>--date</c>…), and the app's defaults the command line's. Only the title and detail are translated; the errors a
/// refusal lists speak of a file (its lines, fields and columns) and stay as they are.
/// </summary>
public static partial class ApiTerms
{
    /// <summary>The API's camel-case fields, by the option each command gives them with.</summary>
    private static readonly (string Field, string Option)[] Fields =
    [
        ("studyId", "--study"), ("siteId", "--site"), ("dyadId", "--dyad"), ("assessmentId", "--assessment"), ("validDays", "--days"),
    ];

    /// <summary><paramref name="text"/> in the command line's terms.</summary>
    public static string Translate(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        // validDays has the app's default (90); keys issue has its own (KeysCommand.DefaultDays).
        text = ValidDaysDefault().Replace(text, m => $"--days is {m.Groups[1].Value} (default {KeysCommand.DefaultDays})");
        // Send {"date": "yyyy-MM-dd"}: → give --date as yyyy-MM-dd; Send {"reason": "…"}: → give --reason: …
        text = SendBody().Replace(text, m => m.Groups[2].Success && m.Groups[2].Value != "…"
            ? $"Give --{m.Groups[1].Value} as {m.Groups[2].Value}"
            : $"Give --{m.Groups[1].Value}");
        text = QuotedField().Replace(text, m => $"--{m.Groups[1].Value}");
        foreach (var (field, option) in Fields) text = Regex.Replace(text, $@"\b{field}\b", option, RegexOptions.CultureInvariant);
        return text;
    }

    [GeneratedRegex(@"\bvalidDays is (\d+ to \d+) \(default \d+\)")]
    private static partial Regex ValidDaysDefault();

    [GeneratedRegex(@"[Ss]end \{""([a-z]+)"": (?:""([^""]*)""|[^}]*)\}")]
    private static partial Regex SendBody();

    [GeneratedRegex(@"""(date|employed|reason|now)""")]
    private static partial Regex QuotedField();
}
