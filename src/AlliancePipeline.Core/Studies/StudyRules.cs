using System.Text.RegularExpressions;
using AlliancePipeline.Core.Instruments;

namespace AlliancePipeline.Core.Studies;

/// <summary>The checks a study file applies to language tags and email addresses, for callers that take them elsewhere (API, CSV).</summary>
public static partial class StudyRules
{
    /// <summary>The longest email address accepted (RFC 5321's path limit less the brackets).</summary>
    public const int MaxEmailLength = 254;

    [GeneratedRegex(@"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*\z")]
    private static partial Regex LanguageTagPattern();

    [GeneratedRegex(@"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+\z")]
    private static partial Regex EmailPattern();

    /// <summary>
    /// Whether <paramref name="tag"/> is a BCP 47 language tag in the usual spelling: a lower-case language of 2–3
    /// letters, then optional subtags of 2–8 letters or digits (<c>en</c>, <c>fr</c>, <c>fr-CA</c>, <c>zh-Hant-TW</c>).
    /// </summary>
    public static bool IsLanguageTag(string? tag) => tag is not null && LanguageTagPattern().IsMatch(tag);

    /// <summary>
    /// A sane email check: a local part of the characters RFC 5322 allows unquoted (no spaces, no quotes), one '@', and
    /// a domain of dot-separated labels (at least two), at most <see cref="MaxEmailLength"/> characters in all. It
    /// does not prove the address exists.
    /// </summary>
    public static bool IsEmail(string? email) =>
        email is not null && email.Length <= MaxEmailLength && EmailPattern().IsMatch(email) &&
        !email.StartsWith('.') && !email.Contains("..", StringComparison.Ordinal) && !email.Contains(".@", StringComparison.Ordinal);

    /// <summary>
    /// Whether <paramref name="instrument"/> has text in <paramref name="tag"/> itself or in its primary language
    /// (<c>fr-CA</c> is served by <c>fr</c>): otherwise the rater would silently get the instrument's default language.
    /// </summary>
    public static bool Serves(InstrumentDefinition instrument, string tag)
    {
        ArgumentNullException.ThrowIfNull(instrument);
        ArgumentNullException.ThrowIfNull(tag);
        var code = tag.ToLowerInvariant();
        var cut = code.IndexOf('-', StringComparison.Ordinal);
        return instrument.Languages.Contains(code) || (cut > 0 && instrument.Languages.Contains(code[..cut]));
    }
}
