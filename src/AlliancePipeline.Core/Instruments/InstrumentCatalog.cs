using System.Collections.Immutable;
using System.Reflection;
using AlliancePipeline.Core.Schemas;

namespace AlliancePipeline.Core.Instruments;

/// <summary>
/// The instruments a deployment knows: the shipped WAI short forms (embedded in this assembly) plus any instrument a
/// study supplies as JSON text. Immutable: <see cref="WithStudyInstrument"/> returns a new catalog.
/// </summary>
/// <remarks>
/// Shipped instruments: <c>wai-s-practitioner</c>, <c>wai-s-client</c> (WAI-S, Tracey &amp; Kokotovic 1989, 1–7) and
/// <c>wai-sr-practitioner</c>, <c>wai-sr-client</c> (WAI-SR, Hatcher &amp; Gillaspy 2006, 1–5), in English and French.
/// A study instrument may not reuse a shipped id (give it its own id, e.g. "study-x-wai-s-client").
/// </remarks>
public sealed class InstrumentCatalog
{
    private const string ResourcePrefix = "AlliancePipeline.Core.Instruments.Definitions.";

    private static readonly Lazy<InstrumentCatalog> ShippedCatalog = new(LoadShipped);

    private readonly ImmutableSortedDictionary<string, InstrumentDefinition> _byId;

    private InstrumentCatalog(ImmutableSortedDictionary<string, InstrumentDefinition> byId, ImmutableHashSet<string> shippedIds)
    {
        _byId = byId;
        ShippedIds = shippedIds;
    }

    /// <summary>The catalog of shipped instruments only (loaded once from embedded resources).</summary>
    public static InstrumentCatalog Shipped => ShippedCatalog.Value;

    /// <summary>Ids of the shipped instruments.</summary>
    public ImmutableHashSet<string> ShippedIds { get; }

    /// <summary>All instruments, ordered by id.</summary>
    public IEnumerable<InstrumentDefinition> All => _byId.Values;

    /// <summary>The instrument with this id.</summary>
    /// <exception cref="KeyNotFoundException">No instrument has this id; the message lists the known ids.</exception>
    public InstrumentDefinition Get(string id) =>
        _byId.TryGetValue(id, out var definition)
            ? definition
            : throw new KeyNotFoundException($"Unknown instrument '{id}'. Known instruments: {string.Join(", ", _byId.Keys)}.");

    /// <summary>Looks an instrument up by id.</summary>
    public bool TryGet(string id, out InstrumentDefinition definition) => _byId.TryGetValue(id, out definition!);

    /// <summary>
    /// Returns a catalog that also holds a study's own instrument, parsed and validated from <paramref name="json"/>.
    /// </summary>
    /// <param name="json">The instrument definition (same format as the shipped files).</param>
    /// <param name="sourceName">Name used in error messages, e.g. the study file and property.</param>
    /// <exception cref="InstrumentDefinitionException">The definition is invalid, or its id is already in the catalog.</exception>
    public InstrumentCatalog WithStudyInstrument(string json, string sourceName)
    {
        var definition = InstrumentLoader.Parse(json, sourceName);
        if (_byId.ContainsKey(definition.Id))
        {
            var why = ShippedIds.Contains(definition.Id) ? "a shipped instrument" : "an instrument already in the catalog";
            throw new InstrumentDefinitionException(sourceName,
                [new DefinitionError("$.id", $"'{definition.Id}' is the id of {why}: give the study's instrument its own id")]);
        }

        return new InstrumentCatalog(_byId.Add(definition.Id, definition), ShippedIds);
    }

    /// <summary>The JSON texts of the shipped definitions, keyed by resource file name (e.g. "wai-s-client.json").</summary>
    public static IReadOnlyDictionary<string, string> ShippedDefinitionTexts()
    {
        var assembly = typeof(InstrumentCatalog).Assembly;
        return assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToImmutableSortedDictionary(n => n[ResourcePrefix.Length..], n => ReadResource(assembly, n), StringComparer.Ordinal);
    }

    /// <summary>
    /// The JSON Schema (draft 2020-12) of the instrument format, as shipped in this assembly:
    /// <see cref="InstrumentLoader.Parse"/> validates every definition against it.
    /// </summary>
    public static string SchemaText() => SchemaSet.InstrumentText();

    private static InstrumentCatalog LoadShipped()
    {
        var builder = ImmutableSortedDictionary.CreateBuilder<string, InstrumentDefinition>(StringComparer.Ordinal);
        foreach (var (name, json) in ShippedDefinitionTexts())
        {
            var definition = InstrumentLoader.Parse(json, name);
            if (!builder.TryAdd(definition.Id, definition))
            {
                throw new InvalidOperationException($"Two shipped instrument files use the id '{definition.Id}' ({name}).");
            }
        }

        return new InstrumentCatalog(builder.ToImmutable(), builder.Keys.ToImmutableHashSet(StringComparer.Ordinal));
    }

    private static string ReadResource(Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"Embedded resource '{name}' is missing from {assembly.GetName().Name}.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
