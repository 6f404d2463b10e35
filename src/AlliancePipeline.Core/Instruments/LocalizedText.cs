using System.Collections.Immutable;

namespace AlliancePipeline.Core.Instruments;

/// <summary>
/// A text in several languages, keyed by lower-case language code ("en", "fr").
/// An instrument's loader guarantees that every <see cref="LocalizedText"/> in it has an entry for each of the
/// instrument's declared languages, so <see cref="Get"/> never falls back for a resolved language.
/// </summary>
public sealed class LocalizedText
{
    private readonly ImmutableDictionary<string, string> _texts;

    /// <summary>Creates a localized text from language code / text pairs (codes are compared case-insensitively).</summary>
    public LocalizedText(IEnumerable<KeyValuePair<string, string>> texts)
    {
        ArgumentNullException.ThrowIfNull(texts);
        _texts = texts.ToImmutableDictionary(p => p.Key.ToLowerInvariant(), p => p.Value, StringComparer.Ordinal);
    }

    /// <summary>The languages this text is available in (lower-case codes).</summary>
    public IEnumerable<string> Languages => _texts.Keys;

    /// <summary>True if a text exists for <paramref name="language"/> (case-insensitive).</summary>
    public bool Has(string language) => _texts.ContainsKey(language.ToLowerInvariant());

    /// <summary>The text in <paramref name="language"/>; throws if the language is missing.</summary>
    /// <exception cref="KeyNotFoundException">The text has no entry for the language.</exception>
    public string Get(string language) =>
        _texts.TryGetValue(language.ToLowerInvariant(), out var text)
            ? text
            : throw new KeyNotFoundException($"No text in language '{language}'.");
}
