using System.Globalization;
using System.Net;
using System.Text;
using AlliancePipeline.Core.Instruments;

namespace AlliancePipeline.Functions.Questionnaires;

/// <summary>What the questionnaire form shows besides the instrument: whom and which meeting it is about, and a post's outcome.</summary>
/// <param name="Form">The instrument in the page's language.</param>
/// <param name="DyadCode">The dyad's pseudonymous code (never a name).</param>
/// <param name="Meeting">The meeting number.</param>
/// <param name="Answers">Answers to keep checked, by item id (after a refused post).</param>
/// <param name="Errors">Messages to show beside items, by item id, in the page's language.</param>
public sealed record QuestionnaireView(
    InstrumentForm Form,
    string DyadCode,
    int Meeting,
    IReadOnlyDictionary<string, int> Answers,
    IReadOnlyDictionary<string, string> Errors);

/// <summary>Which message page to show instead of the form.</summary>
public enum MessagePage
{
    /// <summary>Answers received (after a post, or reopening the link with <c>?done=1</c>).</summary>
    ThankYou,
    /// <summary>Answers were already received for this assessment (409).</summary>
    AlreadyAnswered,
    /// <summary>Unknown or altered link (404).</summary>
    NotFound,
    /// <summary>Expired link (410).</summary>
    Expired,
    /// <summary>Replaced or withdrawn link (410).</summary>
    Revoked,
    /// <summary>Storage could not be reached; nothing was recorded (503).</summary>
    Unavailable,
}

/// <summary>
/// Renders the questionnaire pages as self-contained HTML (inline CSS, no script), for a phone first: one column, no
/// horizontal scrolling at 320–360 px, touch targets of at least 44 px, visible focus. Accessibility (WCAG 2.2 AA):
/// every item is a <c>fieldset</c> whose <c>legend</c> is the item text, each radio has a visible label with its value
/// and anchor, errors are listed in a summary linking to the items and written beside each item, tied to its radios by
/// <c>aria-describedby</c> and <c>aria-invalid</c>; the page's language is set on <c>html</c>. Radio groups are operated by
/// keyboard natively (Tab to a group, arrows to choose, Enter to send). Validation is the server's, in the rater's
/// language: the inputs carry no <c>required</c> attribute, whose browser bubbles are neither translated nor reliably
/// announced.
/// </summary>
public static class QuestionnairePage
{
    private const string Style = """
        :root{color-scheme:light;--ink:#1a1a1a;--muted:#4a4a4a;--line:#8a8a8a;--accent:#0b57d0;--error:#b00020;--bg:#fff;--soft:#f3f5f9}
        *{box-sizing:border-box}
        body{margin:0;background:var(--bg);color:var(--ink);font:1.0625rem/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
        main{max-width:40rem;margin:0 auto;padding:1rem}
        h1{font-size:1.375rem;line-height:1.3;margin:.5rem 0}
        p{margin:.5rem 0}
        .about{font-weight:600}
        .lang{text-align:right;margin:0}
        a{color:var(--accent)}
        a:focus-visible,button:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
        fieldset{border:1px solid var(--line);border-radius:.5rem;margin:1rem 0;padding:.75rem;min-width:0}
        fieldset.invalid{border:2px solid var(--error)}
        legend{float:left;width:100%;padding:0;margin:0 0 .25rem;font-weight:600;overflow-wrap:anywhere}
        legend+*{clear:both}
        .num{display:block;font-weight:400;color:var(--muted);font-size:.9375rem}
        .choices{display:grid;gap:.375rem;margin-top:.5rem}
        .choices label{display:flex;align-items:center;gap:.625rem;min-height:2.75rem;padding:.25rem .625rem;border:1px solid var(--line);border-radius:.375rem;cursor:pointer}
        .choices label:has(input:checked){background:var(--soft);border-color:var(--accent)}
        .choices label:has(input:focus-visible){outline:3px solid var(--accent);outline-offset:2px}
        .choices input{width:1.375rem;height:1.375rem;margin:0;flex:none;accent-color:var(--accent)}
        .value{font-weight:600;min-width:1ch}
        .error{color:var(--error);font-weight:600;margin:.25rem 0}
        .summary{border:2px solid var(--error);border-radius:.5rem;padding:.75rem;margin:1rem 0}
        .summary h2{font-size:1.125rem;margin:0 0 .25rem}
        .summary ul{margin:0;padding-left:1.25rem}
        button{font:inherit;font-weight:600;color:#fff;background:var(--accent);border:0;border-radius:.5rem;padding:.75rem 1.25rem;min-height:2.75rem;width:100%;cursor:pointer}
        footer{color:var(--muted);font-size:.8125rem;margin-top:1.5rem}
        .visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
        """;

    /// <summary>The form (200), or the form again with the errors beside the items and the answers kept (400).</summary>
    public static string RenderForm(QuestionnaireView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        var form = view.Form;
        var text = PageText.For(form.Language);
        var html = new StringBuilder();
        var title = view.Errors.Count > 0 ? $"{text.ErrorPrefix} {form.Title}" : form.Title;
        Open(html, form.Language, title);
        html.Append(CultureInfo.InvariantCulture, $"<p class=\"lang\"><a href=\"?lang={text.OtherLanguage}\" lang=\"{text.OtherLanguage}\" hreflang=\"{text.OtherLanguage}\">{E(text.OtherLanguageName)}</a></p>");
        html.Append(CultureInfo.InvariantCulture, $"<h1>{E(form.Title)}</h1>");
        html.Append(CultureInfo.InvariantCulture, $"<p class=\"about\">{E(string.Format(CultureInfo.InvariantCulture, text.AboutFormat, view.DyadCode, view.Meeting))}</p>");
        html.Append(CultureInfo.InvariantCulture, $"<p>{E(form.Instructions)}</p>");

        if (view.Errors.Count > 0)
        {
            html.Append("<div class=\"summary\" role=\"alert\" aria-labelledby=\"error-summary-title\" id=\"error-summary\" tabindex=\"-1\">")
                .Append(CultureInfo.InvariantCulture, $"<h2 id=\"error-summary-title\">{E(text.ErrorSummaryTitle)}</h2><ul>");
            foreach (var item in form.Items.Where(i => view.Errors.ContainsKey(i.Id)))
                html.Append(CultureInfo.InvariantCulture, $"<li><a href=\"#{InputId(item, form.Scale[0].Value)}\">{E(string.Format(CultureInfo.InvariantCulture, text.SummaryItemFormat, item.Number))}</a></li>");
            foreach (var (_, message) in view.Errors.Where(e => !form.Items.Any(i => i.Id == e.Key)))
                html.Append(CultureInfo.InvariantCulture, $"<li>{E(message)}</li>");
            html.Append("</ul></div>");
        }

        html.Append("<form method=\"post\" novalidate>");
        foreach (var item in form.Items)
        {
            var error = view.Errors.GetValueOrDefault(item.Id);
            var errorId = $"error-{item.FieldName}";
            html.Append(CultureInfo.InvariantCulture, $"<fieldset id=\"q-{item.FieldName}\"{(error is null ? "" : " class=\"invalid\"")}>")
                .Append(CultureInfo.InvariantCulture, $"<legend><span class=\"num\">{E(string.Format(CultureInfo.InvariantCulture, text.ItemOfFormat, item.Number, form.Items.Length))}</span>{E(item.Text)}</legend>");
            if (error is not null)
                html.Append(CultureInfo.InvariantCulture, $"<p class=\"error\" id=\"{errorId}\"><span class=\"visually-hidden\">{E(text.ErrorPrefix)} </span>{E(error)}</p>");
            html.Append("<div class=\"choices\">");
            var kept = view.Answers.TryGetValue(item.Id, out var answer) ? answer : (int?)null;
            foreach (var point in form.Scale)
            {
                var id = InputId(item, point.Value);
                html.Append(CultureInfo.InvariantCulture, $"<label for=\"{id}\"><input type=\"radio\" id=\"{id}\" name=\"{item.FieldName}\" value=\"{point.Value}\"")
                    .Append(kept == point.Value ? " checked" : "")
                    .Append(error is null ? "" : $" aria-invalid=\"true\" aria-describedby=\"{errorId}\"")
                    .Append(CultureInfo.InvariantCulture, $"><span class=\"value\">{point.Value}</span>")
                    .Append(point.Label is null ? "" : $"<span>{E(point.Label)}</span>")
                    .Append("</label>");
            }
            html.Append("</div></fieldset>");
        }
        html.Append(CultureInfo.InvariantCulture, $"<button type=\"submit\">{E(text.Submit)}</button></form>");
        // The instrument's copyright and permission note is for researchers (codebook, report), not for raters.
        return Close(html);
    }

    /// <summary>A page with a title and one message: thank you, already answered, or a refused link.</summary>
    public static string RenderMessage(MessagePage page, string? language)
    {
        var text = PageText.For(language);
        var (title, body) = page switch
        {
            MessagePage.ThankYou => (text.ThanksTitle, text.ThanksText),
            MessagePage.AlreadyAnswered => (text.AnsweredTitle, text.AnsweredText),
            MessagePage.NotFound => (text.NotFoundTitle, text.NotFoundText),
            MessagePage.Expired => (text.ExpiredTitle, text.ExpiredText),
            MessagePage.Revoked => (text.RevokedTitle, text.RevokedText),
            MessagePage.Unavailable => (text.UnavailableTitle, text.UnavailableText),
            _ => throw new ArgumentOutOfRangeException(nameof(page), page, null),
        };
        var html = new StringBuilder();
        Open(html, text.Language, title);
        html.Append(CultureInfo.InvariantCulture, $"<h1>{E(title)}</h1><p id=\"message\">{E(body)}</p>");
        return Close(html);
    }

    /// <summary>The id of one radio button: <c>item-4-3</c> for answer 3 to item 4.</summary>
    public static string InputId(FormItem item, int value) => string.Create(CultureInfo.InvariantCulture, $"{item.FieldName}-{value}");

    /// <summary>Starts a page: doctype, language, title, the shared style, <c>&lt;main&gt;</c>.</summary>
    internal static void Open(StringBuilder html, string language, string title) =>
        html.Append(CultureInfo.InvariantCulture, $"<!doctype html><html lang=\"{E(language)}\"><head><meta charset=\"utf-8\">")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><meta name=\"robots\" content=\"noindex\">")
            .Append(CultureInfo.InvariantCulture, $"<title>{E(title)}</title><style>{Style}</style></head><body><main>");

    /// <summary>Ends a page started by <see cref="Open"/>.</summary>
    internal static string Close(StringBuilder html) => html.Append("</main></body></html>").ToString();

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
