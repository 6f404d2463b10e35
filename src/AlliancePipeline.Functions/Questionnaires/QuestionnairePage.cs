using System.Globalization;
using AlliancePipeline.Core.Instruments;
using AlliancePipeline.Functions.Infrastructure.Pages;

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
/// Renders the questionnaire pages from the Liquid templates <c>Templates/form.liquid</c> and <c>Templates/message.liquid</c>
/// in the pages' one layout and stylesheet (<see cref="PageRenderer"/>: self-contained, no script), for a phone first: one
/// column, no horizontal scrolling at 320–360 px, touch targets of at least 44 px, visible focus. Accessibility (WCAG 2.2
/// AA): every item is a <c>fieldset</c> whose <c>legend</c> is the item text, each radio has a visible label with its value
/// and anchor, errors are listed in a summary linking to the items and written beside each item, tied to its radios by
/// <c>aria-describedby</c> and <c>aria-invalid</c>; the page's language is set on <c>html</c>. Radio groups are operated by
/// keyboard natively (Tab to a group, arrows to choose, Enter to send). Validation is the server's, in the rater's
/// language: the inputs carry no <c>required</c> attribute, whose browser bubbles are neither translated nor reliably
/// announced. The words are <see cref="PageText"/>'s and the instrument's; every value is HTML-encoded by the renderer.
/// </summary>
public static class QuestionnairePage
{
    /// <summary>The form's template.</summary>
    internal const string FormTemplate = "Pages.Questionnaires.form.liquid";

    /// <summary>The message pages' template.</summary>
    internal const string MessageTemplate = "Pages.Questionnaires.message.liquid";

    /// <summary>The form (200), or the form again with the errors beside the items and the answers kept (400).</summary>
    public static string RenderForm(QuestionnaireView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        var form = view.Form;
        var text = PageText.For(form.Language);
        var title = view.Errors.Count > 0 ? $"{text.ErrorPrefix} {form.Title}" : form.Title;
        var summary = form.Items.Where(i => view.Errors.ContainsKey(i.Id))
            .Select(i => new SummaryEntry("#" + InputId(i, form.Scale[0].Value), Format(text.SummaryItemFormat, i.Number)))
            .Concat(view.Errors.Where(e => !form.Items.Any(i => i.Id == e.Key)).Select(e => new SummaryEntry("", e.Value)))
            .ToArray();
        var items = form.Items.Select(item =>
        {
            var error = view.Errors.GetValueOrDefault(item.Id);
            var kept = view.Answers.TryGetValue(item.Id, out var answer) ? answer : (int?)null;
            return new ItemModel(item.FieldName, Format(text.ItemOfFormat, item.Number, form.Items.Length), item.Text, error is not null, error ?? "",
                form.Scale.Select(point => new ChoiceModel(InputId(item, point.Value), point.Value, point.Label ?? "", kept == point.Value)).ToArray());
        }).ToArray();
        // The instrument's copyright and permission note is for researchers (codebook, report), not for raters.
        var model = new FormModel(text.OtherLanguage, text.OtherLanguageName, form.Title, Format(text.AboutFormat, view.DyadCode, view.Meeting),
            form.Instructions, text.ErrorSummaryTitle, summary, text.ErrorPrefix, items, text.Submit);
        return PageTemplates.Renderer.Render(FormTemplate, model, form.Language, title, PageRenderer.Kind.Rater);
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
        return PageTemplates.Renderer.Render(MessageTemplate, new MessageModel(title, body), text.Language, title, PageRenderer.Kind.Rater);
    }

    /// <summary>The id of one radio button: <c>item-4-3</c> for answer 3 to item 4.</summary>
    public static string InputId(FormItem item, int value) => string.Create(CultureInfo.InvariantCulture, $"{item.FieldName}-{value}");

    private static string Format(string format, params object[] values) => string.Format(CultureInfo.InvariantCulture, format, values);

    private sealed record FormModel(string OtherLanguage, string OtherLanguageName, string Title, string About, string Instructions,
        string SummaryTitle, IReadOnlyList<SummaryEntry> Summary, string ErrorPrefix, IReadOnlyList<ItemModel> Items, string Submit);

    /// <summary>An entry of the error summary: a link to an item's first radio, or (<see cref="Href"/> empty) a message about no item.</summary>
    private sealed record SummaryEntry(string Href, string Text);

    private sealed record ItemModel(string Field, string Counter, string Text, bool Invalid, string Error, IReadOnlyList<ChoiceModel> Choices);

    private sealed record ChoiceModel(string Id, int Value, string Label, bool Checked);

    private sealed record MessageModel(string Title, string Message);
}
