using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Globalization;

namespace AlliancePipeline.Functions.Dashboards;

/// <summary>
/// The words of the coordinators' console (the dashboard and the dyad pages), in English and French. The English text
/// is the key: <c>text["Overdue"]</c> is "Overdue" in English and "En retard" in French; formats take their values in
/// the invariant culture (<see cref="Format"/>). A French word asked for and missing falls back to English and is kept
/// in <see cref="Missing"/>, which the page tests check is empty after rendering every page in French.
/// </summary>
public sealed class ConsoleText
{
    private static readonly ConcurrentDictionary<string, byte> MissingWords = new(StringComparer.Ordinal);

    private readonly FrozenDictionary<string, string>? _words;

    private ConsoleText(string language, FrozenDictionary<string, string>? words) => (Language, _words) = (language, words);

    /// <summary>English.</summary>
    public static ConsoleText English { get; } = new("en", null);

    /// <summary>French.</summary>
    public static ConsoleText French { get; } = new("fr", ConsoleWords.French.ToFrozenDictionary(StringComparer.Ordinal));

    /// <summary>The BCP 47 code of the words: <c>en</c> or <c>fr</c>.</summary>
    public string Language { get; }

    /// <summary>English words asked for in French with no French yet (for the tests).</summary>
    public static IReadOnlyCollection<string> Missing => [.. MissingWords.Keys];

    /// <summary>The words of <paramref name="tag"/>'s language: French for <c>fr</c> and its regions, else English.</summary>
    public static ConsoleText For(string? tag) => tag is not null && Supports(tag) && Primary(tag) == "fr" ? French : English;

    /// <summary>Whether the console is written in <paramref name="tag"/>'s language (<c>en</c>, <c>fr</c>, with any region).</summary>
    public static bool Supports(string tag)
    {
        ArgumentNullException.ThrowIfNull(tag);
        return Primary(tag) is "en" or "fr";
    }

    /// <summary><paramref name="english"/> in this language.</summary>
    public string this[string english]
    {
        get
        {
            if (_words is null) return english;
            if (_words.TryGetValue(english, out var word)) return word;
            MissingWords.TryAdd(english, 0);
            return english;
        }
    }

    /// <summary>
    /// <paramref name="english"/> in this language when the console has words for it (a refusal of the console's own
    /// forms), else as given (a refusal written by the service the API shares, in English): never counted as missing.
    /// </summary>
    public string Known(string english) => _words is not null && _words.TryGetValue(english, out var word) ? word : english;

    /// <summary>The format <paramref name="english"/> in this language, with <paramref name="values"/> (invariant culture).</summary>
    public string Format(string english, params object?[] values) => string.Format(CultureInfo.InvariantCulture, this[english], values);

    private static string Primary(string tag) => tag.Split('-', 2)[0].Trim().ToLowerInvariant();
}
