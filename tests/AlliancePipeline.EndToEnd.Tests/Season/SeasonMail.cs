using System.Text.RegularExpressions;
using AlliancePipeline.Functions.Questionnaires;

namespace AlliancePipeline.EndToEnd.Tests.Season;

/// <summary>
/// One mail MailDev caught during the season, as the test reads it: the recipient and <c>Message-Id</c> from the mail's
/// headers, the questionnaire link's token and what it opens (read from the token itself), the pause link, and for a
/// report mail its attached <c>report.html</c>.
/// </summary>
public sealed partial record SeasonMail(int Day, string To, string MessageId, string Subject, string Text, string? Token, LinkClaims? Link, string? PauseToken, string? ReportHtml)
{
    /// <summary>The app's mail id, from <c>&lt;{mailId}.{studyId}@…&gt;</c>.</summary>
    public string MailId => MailIdPattern().Match(MessageId) is { Success: true } m ? m.Groups[1].Value : MessageId;

    /// <summary><c>invitation</c>, <c>reminder</c>, <c>digest</c>, <c>alert</c>, <c>report</c>…</summary>
    public string Kind => MailId.Split('-')[0];

    /// <summary>What makes two mails the same mail: the recipient, the kind (a reminder with its number), the form and the link version.</summary>
    public string Identity => Link is { } l
        ? $"{To}|{(Kind == "reminder" ? MailId[MailId.LastIndexOf('-')..] : "")}{Kind}|{l.AssessmentId}|v{l.LinkVersion}"
        : $"{To}|{MailId}";

    public static string? FormToken(string text) => FormLink().Match(text) is { Success: true } m ? m.Groups[1].Value : null;

    public static string? PauseLinkToken(string text) => PauseLink().Match(text) is { Success: true } m ? m.Groups[1].Value : null;

    [GeneratedRegex(@"^<?([a-z0-9._-]+?)\.season@")]
    private static partial Regex MailIdPattern();

    [GeneratedRegex(@"/api/q/([A-Za-z0-9_-]+)")]
    private static partial Regex FormLink();

    [GeneratedRegex(@"/api/reminders/pause/([A-Za-z0-9_-]+)")]
    private static partial Regex PauseLink();
}
