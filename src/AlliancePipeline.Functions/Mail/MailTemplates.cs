using System.Collections.Frozen;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.RegularExpressions;
using AlliancePipeline.Core.Studies;
using AlliancePipeline.Functions.Infrastructure.Pages;
using Fluid;

namespace AlliancePipeline.Functions.Mail;

/// <summary>
/// Renders mails with Fluid (Liquid templates): one embedded template per kind and language
/// (<c>Mail/Templates/{kind}.{language}.liquid</c>, English and French; other languages get English), each with a
/// <c>--- subject ---</c>, a <c>--- text ---</c> and an <c>--- html ---</c> section; the HTML section is placed in
/// <c>layout.html.liquid</c>, the mails' own layout (mail clients want inline styles on the elements). The HTML part is
/// rendered with the pages' HTML encoder (<see cref="PageRenderer.Encoder"/>), so everything a study controls (study and
/// site names, codes) is escaped; the text part and the subject are plain text (the subject on one line). Values are
/// formatted here per language (dates, decimals, role names), since the app runs with invariant globalization.
/// Templates are read strictly: an unknown variable is an error, found by the tests that render every kind in every
/// language. Every template is read and parsed when the instance is built (<see cref="Shared"/>, registered at start).
/// </summary>
public sealed partial class MailTemplates
{
    /// <summary>The languages with templates of their own.</summary>
    public static readonly IReadOnlyList<string> Languages = ["en", "fr"];

    /// <summary>Most lines a digest lists; the rest are counted ("and 12 more").</summary>
    public const int MaxDigestLines = 100;

    /// <summary>The kinds with templates, each in every one of <see cref="Languages"/>.</summary>
    private static readonly string[] Kinds = [MailKinds.Invitation, MailKinds.Reminder, MailKinds.Digest, MailKinds.Alert, MailKinds.Report];

    private static readonly TextEncoder Html = PageRenderer.Encoder;

    /// <summary>The shared instance (templates are parsed once).</summary>
    public static MailTemplates Shared { get; } = new();
    private readonly FrozenDictionary<string, ParsedTemplate> _templates;
    private readonly TemplateOptions _options;
    private readonly IFluidTemplate _layout;

    /// <summary>Reads and parses the layout and every kind in every language: a template missing or broken fails here, at start.</summary>
    public MailTemplates()
    {
        _options = new TemplateOptions { StrictVariables = true, StrictFilters = true, CultureInfo = CultureInfo.InvariantCulture };
        _layout = Parse(Resource("layout.html"), "layout.html");
        _templates = Kinds.SelectMany(kind => Languages.Select(language => $"{kind}.{language}"))
            .ToFrozenDictionary(name => name, ParsedTemplate.Load, StringComparer.Ordinal);
    }

    /// <summary>The language a mail is written in for <paramref name="language"/>: <c>fr</c> for French (<c>fr</c>, <c>fr-CA</c>, …), else <c>en</c>.</summary>
    public static string LanguageFor(string? language)
    {
        var primary = (language ?? "").Split('-')[0].Trim().ToLowerInvariant();
        return Languages.Contains(primary) ? primary : "en";
    }

    /// <summary>A rater's invitation: study, dyad, meeting, due date, the questionnaire link and the pause link.</summary>
    public MailContent Invitation(InvitationModel model, string? language)
    {
        ArgumentNullException.ThrowIfNull(model);
        var lang = LanguageFor(language);
        return Render(MailKinds.Invitation, lang, LinkValues(model.StudyName, model.DyadCode, model.Meeting, model.DueOn, model.QuestionnaireLink, model.PauseLink, lang));
    }

    /// <summary>A reminder: as the invitation, and which reminder of how many.</summary>
    public MailContent Reminder(ReminderModel model, string? language)
    {
        ArgumentNullException.ThrowIfNull(model);
        var lang = LanguageFor(language);
        var values = LinkValues(model.StudyName, model.DyadCode, model.Meeting, model.DueOn, model.QuestionnaireLink, model.PauseLink, lang);
        values["number"] = model.Number;
        values["of"] = model.Of;
        return Render(MailKinds.Reminder, lang, values);
    }

    private static Dictionary<string, object?> LinkValues(string study, string dyad, int meeting, DateOnly dueOn, Uri link, Uri pause, string lang) => new()
    {
        ["study"] = study,
        ["dyad"] = dyad,
        ["meeting"] = meeting,
        ["due"] = FormatDate(dueOn, lang),
        ["link"] = link.AbsoluteUri,
        ["pause_link"] = pause.AbsoluteUri,
    };

    /// <summary>A coordinator's weekly digest: the site's overdue list (dyad, meeting, rater role, days overdue, reminders sent).</summary>
    public MailContent Digest(DigestModel model, string? language)
    {
        ArgumentNullException.ThrowIfNull(model);
        var lang = LanguageFor(language);
        var listed = Math.Clamp(model.Listed, 0, MaxDigestLines);
        var lines = model.Overdue.Take(listed).Select(l => (object?)new Dictionary<string, object?>
        {
            ["dyad"] = l.DyadCode,
            ["meeting"] = l.Meeting,
            ["role"] = RoleName(l.RaterRole, lang),
            ["days"] = l.DaysOverdue,
            ["reminders"] = l.RemindersSent,
            ["paused"] = l.RemindersPaused,
        }).ToList();
        return Render(MailKinds.Digest, lang, new Dictionary<string, object?>
        {
            ["study"] = model.StudyName,
            ["site"] = model.SiteName,
            ["week"] = model.Week.ToString(),
            ["week_start"] = FormatDate(model.Week.Monday, lang),
            ["lines"] = lines,
            ["count"] = model.Overdue.Count,
            ["more"] = Math.Max(0, model.Overdue.Count - listed),
            ["dashboard_link"] = model.DashboardLink?.AbsoluteUri ?? "",
        });
    }

    /// <summary>A rupture alert: dyad, meeting, rater role, the scores that triggered it, and the dashboard link.</summary>
    public MailContent Alert(AlertModel model, string? language)
    {
        ArgumentNullException.ThrowIfNull(model);
        var lang = LanguageFor(language);
        var alert = model.Alert;
        return Render(MailKinds.Alert, lang, new Dictionary<string, object?>
        {
            ["study"] = model.StudyName,
            ["site"] = model.SiteName,
            ["dyad"] = model.DyadCode,
            ["meeting"] = model.Meeting,
            ["rater"] = RaterPhrase(model.RaterRole, lang),
            ["current"] = FormatScore(alert.Current, lang),
            ["previous"] = alert.Previous is { } p ? FormatScore(p, lang) : "",
            ["has_drop"] = alert.Drop is not null,
            ["drop"] = alert.Drop is { } d ? FormatScore(d.Drop, lang) : "",
            ["threshold"] = alert.Drop is { } t ? FormatScore(t.Threshold, lang) : "",
            ["below"] = alert.BelowCutoff is not null,
            ["cutoff"] = alert.BelowCutoff is { } c ? FormatScore(c.Cutoff, lang) : "",
            ["dashboard_link"] = model.DashboardLink.AbsoluteUri,
        });
    }

    /// <summary>A report mail: study, run, the report's link and the attachment's name.</summary>
    public MailContent Report(ReportModel model, string? language)
    {
        ArgumentNullException.ThrowIfNull(model);
        var lang = LanguageFor(language);
        return Render(MailKinds.Report, lang, new Dictionary<string, object?>
        {
            ["study"] = model.StudyName,
            ["run"] = model.RunId,
            ["link"] = model.ReportLink.AbsoluteUri,
            ["attachment"] = model.AttachmentName ?? "",
        });
    }

    /// <summary>A day in words: <c>10 March 2026</c>, <c>10 mars 2026</c> (<c>1er mars 2026</c>).</summary>
    public static string FormatDate(DateOnly day, string? language) => LanguageFor(language) switch
    {
        "fr" => string.Create(CultureInfo.InvariantCulture, $"{(day.Day == 1 ? "1er" : day.Day.ToString(CultureInfo.InvariantCulture))} {FrenchMonths[day.Month - 1]} {day.Year}"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{day.Day} {EnglishMonths[day.Month - 1]} {day.Year}"),
    };

    /// <summary>A score with two decimals: <c>4.92</c>, <c>4,92</c>.</summary>
    public static string FormatScore(double score, string? language)
    {
        var text = score.ToString("0.00", CultureInfo.InvariantCulture);
        return LanguageFor(language) == "fr" ? text.Replace('.', ',') : text;
    }

    /// <summary>A rater role in words.</summary>
    public static string RoleName(string role, string? language) => (LanguageFor(language), role) switch
    {
        ("fr", RaterRoles.Practitioner) => "intervenant",
        ("fr", RaterRoles.Client) => "client",
        (_, RaterRoles.Practitioner) => "practitioner",
        (_, RaterRoles.Client) => "client",
        _ => role,
    };

    /// <summary>Who rated, as a sentence names them: <c>the practitioner</c>, <c>l’intervenant</c>, <c>le client</c>.</summary>
    public static string RaterPhrase(string role, string? language) => (LanguageFor(language), role) switch
    {
        ("fr", RaterRoles.Practitioner) => "l’intervenant",
        ("fr", RaterRoles.Client) => "le client",
        ("fr", _) => role,
        (_, RaterRoles.Practitioner or RaterRoles.Client) => "the " + role,
        _ => role,
    };

    private static readonly string[] EnglishMonths = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
    private static readonly string[] FrenchMonths = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"];

    private MailContent Render(string kind, string language, Dictionary<string, object?> values)
    {
        var template = _templates.TryGetValue($"{kind}.{language}", out var parsed)
            ? parsed
            : throw new InvalidOperationException($"The mail kind {kind} has no templates: add them, and the kind to MailTemplates.Kinds.");
        var subject = OneLine(Render(template.Subject, values, NullEncoder.Default));
        var text = BlankLines().Replace(Render(template.Text, values, NullEncoder.Default).Trim(), "\n\n") + "\n";
        var body = Render(template.Html, values, Html).Trim();
        var html = Render(_layout, new Dictionary<string, object?> { ["lang"] = language, ["title"] = subject, ["body"] = body }, Html);
        return new MailContent(subject, text, html);
    }

    private string Render(IFluidTemplate template, Dictionary<string, object?> values, TextEncoder encoder)
    {
        var context = new TemplateContext(_options);
        foreach (var (name, value) in values) context.SetValue(name, value);
        return template.Render(context, encoder);
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    [GeneratedRegex(@"\n[ \t]*(\n[ \t]*)+\n")]
    private static partial Regex BlankLines();

    private static string OneLine(string text) => Whitespace().Replace(text, " ").Trim();

    private static IFluidTemplate Parse(string source, string name) => PageRenderer.Parse(source, $"Mail.Templates.{name}.liquid");

    private static string Resource(string name) => PageRenderer.Read(typeof(MailTemplates).Assembly, $"Mail.Templates.{name}.liquid");

    private sealed record ParsedTemplate(IFluidTemplate Subject, IFluidTemplate Text, IFluidTemplate Html)
    {
        public static ParsedTemplate Load(string name)
        {
            var sections = new Dictionary<string, string>(StringComparer.Ordinal);
            string? current = null;
            var lines = new List<string>();
            foreach (var line in Resource(name).Split('\n'))
            {
                var trimmed = line.TrimEnd('\r');
                if (trimmed.StartsWith("--- ", StringComparison.Ordinal) && trimmed.EndsWith(" ---", StringComparison.Ordinal) && trimmed.Length > 8)
                {
                    if (current is not null) sections[current] = string.Join('\n', lines);
                    current = trimmed[4..^4];
                    lines.Clear();
                }
                else if (current is not null)
                {
                    lines.Add(trimmed);
                }
            }
            if (current is not null) sections[current] = string.Join('\n', lines);
            string Section(string section) => sections.TryGetValue(section, out var text)
                ? text
                : throw new InvalidOperationException($"Mail template {name} has no '--- {section} ---' section.");
            return new ParsedTemplate(Parse(Section("subject"), name), Parse(Section("text"), name), Parse(Section("html"), name));
        }
    }
}
