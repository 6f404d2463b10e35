namespace AlliancePipeline.Functions.Questionnaires;

/// <summary>
/// The questionnaire pages' own words (the item text comes from the instrument file), in English and French.
/// <see cref="For"/> picks the language; anything but French gets English.
/// </summary>
public sealed record PageText
{
    /// <summary>The BCP 47 code these words are in.</summary>
    public required string Language { get; init; }
    /// <summary>What the form is about: "{0}" = dyad code, "{1}" = meeting number.</summary>
    public required string AboutFormat { get; init; }
    /// <summary>The submit button.</summary>
    public required string Submit { get; init; }
    /// <summary>Heading of the error summary.</summary>
    public required string ErrorSummaryTitle { get; init; }
    /// <summary>Message for an unanswered item.</summary>
    public required string Unanswered { get; init; }
    /// <summary>Prefix read before an error message beside an item.</summary>
    public required string ErrorPrefix { get; init; }
    /// <summary>Item counter: "{0}" = number, "{1}" = total.</summary>
    public required string ItemOfFormat { get; init; }
    /// <summary>Thank-you page title.</summary>
    public required string ThanksTitle { get; init; }
    /// <summary>Thank-you page text.</summary>
    public required string ThanksText { get; init; }
    /// <summary>Already-answered page title.</summary>
    public required string AnsweredTitle { get; init; }
    /// <summary>Already-answered page text.</summary>
    public required string AnsweredText { get; init; }
    /// <summary>Unknown or altered link: title.</summary>
    public required string NotFoundTitle { get; init; }
    /// <summary>Unknown or altered link: text.</summary>
    public required string NotFoundText { get; init; }
    /// <summary>Expired link: title.</summary>
    public required string ExpiredTitle { get; init; }
    /// <summary>Expired link: text.</summary>
    public required string ExpiredText { get; init; }
    /// <summary>Revoked or withdrawn link: title.</summary>
    public required string RevokedTitle { get; init; }
    /// <summary>Revoked or withdrawn link: text.</summary>
    public required string RevokedText { get; init; }
    /// <summary>Storage unavailable (503): title.</summary>
    public required string UnavailableTitle { get; init; }
    /// <summary>Storage unavailable (503): text.</summary>
    public required string UnavailableText { get; init; }
    /// <summary>An entry of the error summary: "{0}" = statement number.</summary>
    public required string SummaryItemFormat { get; init; }
    /// <summary>Name of the other language, as a link to switch to it.</summary>
    public required string OtherLanguageName { get; init; }
    /// <summary>The other language's code.</summary>
    public required string OtherLanguage { get; init; }

    /// <summary>English.</summary>
    public static PageText English { get; } = new()
    {
        Language = "en",
        AboutFormat = "About your work with {0}, after meeting {1}.",
        Submit = "Send my answers",
        ErrorSummaryTitle = "Please check these answers",
        Unanswered = "Please choose an answer for this statement.",
        ErrorPrefix = "Error:",
        ItemOfFormat = "Statement {0} of {1}",
        ThanksTitle = "Thank you",
        ThanksText = "Your answers have been received. You can close this page.",
        AnsweredTitle = "Already answered",
        AnsweredText = "We already have your answers for this meeting; the first answers stand. There is nothing more to do.",
        NotFoundTitle = "This link does not work",
        NotFoundText = "The link is incomplete or was changed. Please open it again from the email, or ask your study coordinator for a new one.",
        ExpiredTitle = "This link has expired",
        ExpiredText = "Please ask your study coordinator for a new link.",
        RevokedTitle = "This link is no longer valid",
        RevokedText = "A newer link replaced it, or the questionnaire was withdrawn. Please use the most recent email, or ask your study coordinator.",
        UnavailableTitle = "Please try again in a minute",
        UnavailableText = "Your answers could not be confirmed just now. Please go back and send them again in a minute: if they did arrive, the link will say so.",
        SummaryItemFormat = "Statement {0}: please choose an answer.",
        OtherLanguageName = "Français",
        OtherLanguage = "fr",
    };

    /// <summary>French.</summary>
    public static PageText French { get; } = new()
    {
        Language = "fr",
        AboutFormat = "À propos de votre travail avec {0}, après la rencontre {1}.",
        Submit = "Envoyer mes réponses",
        ErrorSummaryTitle = "Veuillez vérifier ces réponses",
        Unanswered = "Veuillez choisir une réponse pour cet énoncé.",
        ErrorPrefix = "Erreur :",
        ItemOfFormat = "Énoncé {0} sur {1}",
        ThanksTitle = "Merci",
        ThanksText = "Vos réponses ont bien été reçues. Vous pouvez fermer cette page.",
        AnsweredTitle = "Déjà répondu",
        AnsweredText = "Nous avons déjà vos réponses pour cette rencontre ; les premières réponses sont conservées. Il n’y a rien d’autre à faire.",
        NotFoundTitle = "Ce lien ne fonctionne pas",
        NotFoundText = "Le lien est incomplet ou a été modifié. Ouvrez-le de nouveau depuis le courriel, ou demandez un nouveau lien à la personne qui coordonne l’étude.",
        ExpiredTitle = "Ce lien a expiré",
        ExpiredText = "Demandez un nouveau lien à la personne qui coordonne l’étude.",
        RevokedTitle = "Ce lien n’est plus valide",
        RevokedText = "Un lien plus récent l’a remplacé, ou le questionnaire a été retiré. Utilisez le courriel le plus récent, ou adressez-vous à la personne qui coordonne l’étude.",
        UnavailableTitle = "Veuillez réessayer dans une minute",
        UnavailableText = "Vos réponses n’ont pas pu être confirmées pour l’instant. Revenez en arrière et envoyez-les de nouveau dans une minute : si elles sont bien arrivées, le lien vous le dira.",
        SummaryItemFormat = "Énoncé {0} : veuillez choisir une réponse.",
        OtherLanguageName = "English",
        OtherLanguage = "en",
    };

    /// <summary>The words for a language code (<c>fr</c>, <c>fr-CA</c> → French; anything else → English).</summary>
    public static PageText For(string? language) =>
        language is not null && (language.Equals("fr", StringComparison.OrdinalIgnoreCase) || language.StartsWith("fr-", StringComparison.OrdinalIgnoreCase))
            ? French
            : English;
}
