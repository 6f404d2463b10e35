namespace AlliancePipeline.Functions.Questionnaires;

/// <summary>Why a rater's link (questionnaire or pause) opens nothing.</summary>
public enum LinkRefusal
{
    /// <summary>Malformed, altered, or signed with an unknown key (404).</summary>
    NotValid,
    /// <summary>Genuine, but what it names does not exist (404).</summary>
    Unknown,
    /// <summary>Genuine but past its expiry (410).</summary>
    Expired,
    /// <summary>Replaced by a newer link, or its dyad withdrawn (410).</summary>
    Revoked,
}

/// <summary>The languages the raters' pages are written in (<see cref="PageText"/>).</summary>
public static class PageLanguages
{
    /// <summary>Whether the pages are written in <paramref name="tag"/>'s language (<c>fr-CA</c>: French, yes; <c>de</c>: no).</summary>
    public static bool Supports(string tag)
    {
        ArgumentNullException.ThrowIfNull(tag);
        var primary = tag.Split('-', 2)[0];
        return string.Equals(PageText.For(tag).Language, primary, StringComparison.OrdinalIgnoreCase);
    }
}
