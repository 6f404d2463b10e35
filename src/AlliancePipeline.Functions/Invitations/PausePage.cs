using System.Globalization;
using AlliancePipeline.Functions.Infrastructure.Pages;
using AlliancePipeline.Functions.Questionnaires;

namespace AlliancePipeline.Functions.Invitations;

/// <summary>Which page the pause link shows.</summary>
public enum PauseView
{
    /// <summary>GET: what pausing means, and the button (a form that posts back).</summary>
    Confirm,
    /// <summary>Reminders are paused (after the post, or already).</summary>
    Paused,
    /// <summary>The questionnaire was answered or withdrawn: no reminders will come anyway.</summary>
    NothingToPause,
    /// <summary>Storage could not be reached; nothing was changed (503).</summary>
    Unavailable,
}

/// <summary>
/// The pages of the pause link (<c>/api/reminders/pause/{token}</c>), in the rater's language (English or French), from the
/// Liquid template <c>Templates/pause.liquid</c> in the pages' one layout, as the questionnaire's: self-contained, no
/// script, phone first. The confirmation is a form with one button that posts back to the same address: opening the link
/// (as mail scanners do) changes nothing.
/// </summary>
public static class PausePage
{
    /// <summary>The pause pages' template.</summary>
    internal const string Template = "Pages.Invitations.pause.liquid";

    private sealed record Words(string Language, string ConfirmTitle, string ConfirmFormat, string Button, string PausedTitle, string PausedText,
        string NothingTitle, string NothingText, string UnavailableTitle, string UnavailableText);

    private static readonly Words English = new(
        "en",
        "Pause reminders?",
        "This pauses the reminders of one questionnaire only: the {2} questionnaire on your work with {0} after meeting {1}. Reminders about your other questionnaires (other meetings, other dyads) still come. The questionnaire link in your email keeps working.",
        "Pause reminders",
        "Reminders paused",
        "No more reminders will come about the {2} questionnaire on your work with {0} after meeting {1}; only this one is paused, and reminders about your other questionnaires still come. You can still answer it from the link in your email.",
        "No reminders to pause",
        "This questionnaire was answered or withdrawn: no reminders will be sent for it.",
        "Please try again in a minute",
        "Reminders could not be paused just now, and nothing was changed. Please try again in a minute.");

    private static readonly Words French = new(
        "fr",
        "Suspendre les rappels ?",
        "Cela suspend les rappels d’un seul questionnaire : le questionnaire {2} sur votre travail avec {0} après la rencontre {1}. Les rappels de vos autres questionnaires (autres rencontres, autres dyades) continuent. Le lien du questionnaire dans votre courriel reste valide.",
        "Suspendre les rappels",
        "Rappels suspendus",
        "Vous ne recevrez plus de rappels pour le questionnaire {2} sur votre travail avec {0} après la rencontre {1} ; seul celui-ci est suspendu, et les rappels de vos autres questionnaires continuent. Vous pouvez toujours y répondre depuis le lien de votre courriel.",
        "Aucun rappel à suspendre",
        "Ce questionnaire a été rempli ou retiré : aucun rappel ne sera envoyé.",
        "Veuillez réessayer dans une minute",
        "Les rappels n’ont pas pu être suspendus pour l’instant, et rien n’a été modifié. Veuillez réessayer dans une minute.");

    /// <summary>
    /// The page of <paramref name="view"/> for the assessment of <paramref name="dyadCode"/>, <paramref name="meeting"/> and
    /// <paramref name="raterRole"/>: the confirmation and the paused page name that one form, and say that only its
    /// reminders stop.
    /// </summary>
    public static string Render(PauseView view, string? language, string dyadCode = "", int meeting = 0, string raterRole = "")
    {
        var french = PageText.For(language) == PageText.French;
        var words = french ? French : English;
        var role = (raterRole, french) switch
        {
            ("practitioner", false) => "practitioner’s",
            ("client", false) => "client’s",
            ("practitioner", true) => "du praticien",
            ("client", true) => "du client",
            _ => raterRole,
        };
        string Form(string format) => string.Format(CultureInfo.InvariantCulture, format, dyadCode, meeting, role).Replace("  ", " ", StringComparison.Ordinal);
        var (title, text) = view switch
        {
            PauseView.Confirm => (words.ConfirmTitle, Form(words.ConfirmFormat)),
            PauseView.Paused => (words.PausedTitle, Form(words.PausedText)),
            PauseView.NothingToPause => (words.NothingTitle, words.NothingText),
            PauseView.Unavailable => (words.UnavailableTitle, words.UnavailableText),
            _ => throw new ArgumentOutOfRangeException(nameof(view), view, null),
        };
        var button = view == PauseView.Confirm ? words.Button : "";
        return PageTemplates.Renderer.Render(Template, new PauseModel(title, text, button), words.Language, title, PageRenderer.Kind.Rater);
    }

    /// <summary>The template's model: the page's title and message, and the button's words on the confirmation (else empty).</summary>
    private sealed record PauseModel(string Title, string Message, string Button);
}
