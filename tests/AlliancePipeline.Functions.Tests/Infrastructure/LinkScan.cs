using AlliancePipeline.Functions.Questionnaires;

namespace AlliancePipeline.Functions.Tests.Infrastructure;

/// <summary>
/// Finds questionnaire links in a text an answer or a command printed: a questionnaire path, or any word the app's own
/// link tokens accept (valid or expired), whatever the tokens look like. What a test of "no answer hands a key holder a
/// live link" (security finding 3) searches.
/// </summary>
public static class LinkScan
{
    private static readonly char[] Separators = [' ', '\t', '\r', '\n', '"', '\'', '/', '?', '&', '=', ',', ':', ';', '{', '}', '[', ']', '(', ')', '<', '>', '\\'];

    /// <summary>The questionnaire paths and link tokens in <paramref name="text"/> (none: the list is empty).</summary>
    public static IReadOnlyList<string> Links(string text, ILinkTokens tokens, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(tokens);
        var found = new List<string>();
        if (text.Contains("/q/", StringComparison.Ordinal)) found.Add("a questionnaire path (/q/)");
        foreach (var word in text.Split(Separators, StringSplitOptions.RemoveEmptyEntries).Where(w => w.Length >= 16).Distinct(StringComparer.Ordinal))
        {
            if (tokens.Validate(word, now, out var problem) is not null || problem == LinkProblem.Expired) found.Add(word);
        }
        return found;
    }
}
