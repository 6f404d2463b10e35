namespace AlliancePipeline.Core.Scoring;

/// <summary>
/// Per-item error messages in English and French (any other language gets English). Messages name the item the way the
/// form shows it ("Statement 4", « Énoncé 4 »), or by the submitted id for an unknown item.
/// </summary>
public static class ScoringMessages
{
    private static bool French(string? language) =>
        language is not null && language.StartsWith("fr", StringComparison.OrdinalIgnoreCase);

    /// <summary>Message for an answer to an item the instrument does not have.</summary>
    public static string UnknownItem(string itemId, string instrumentId, string? language) => French(language)
        ? $"L'énoncé « {itemId} » n'existe pas dans le questionnaire {instrumentId}."
        : $"Statement '{itemId}' does not exist in questionnaire {instrumentId}.";

    /// <summary>Message for an answer outside the scale.</summary>
    public static string OutOfRange(int number, string answer, int min, int max, string? language) => French(language)
        ? $"Énoncé {number} : la réponse {answer} n'est pas permise ; choisissez une valeur de {min} à {max}."
        : $"Statement {number}: answer {answer} is not allowed; choose a value from {min} to {max}.";

    /// <summary>Message for a form value that is not an integer.</summary>
    public static string NotAnInteger(int number, int min, int max, string? language) => French(language)
        ? $"Énoncé {number} : choisissez une réponse de {min} à {max}."
        : $"Statement {number}: choose an answer from {min} to {max}.";

    /// <summary>Message for an unanswered item when too few items are answered.</summary>
    public static string Missing(int number, string? language) => French(language)
        ? $"Énoncé {number} : veuillez choisir une réponse."
        : $"Statement {number}: please choose an answer.";
}
