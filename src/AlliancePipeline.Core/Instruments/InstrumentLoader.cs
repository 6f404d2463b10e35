using System.Collections.Immutable;

namespace AlliancePipeline.Core.Instruments;

/// <summary>
/// Parses and validates an instrument definition from JSON text (no I/O), in three stages: the text read as JSON
/// (<see cref="InstrumentJson"/>); the definition validated against <c>Instruments/instrument.schema.json</c>
/// (JSON Schema draft 2020-12) by JsonSchema.Net (<see cref="InstrumentSchema"/>); what the schema accepted mapped to
/// the model with the cross-references a schema cannot express (<see cref="InstrumentReader"/>): every item's subscale
/// exists, every subscale has items, every text exists in every declared language, anchors lie on the scale, and score
/// rules are satisfiable.
/// </summary>
public static class InstrumentLoader
{
    /// <summary>What loading found: the definition, or the problems (each with the line it concerns), or why the text is not JSON.</summary>
    /// <param name="Definition">The definition, when there is no problem.</param>
    /// <param name="Errors">Every problem, in the order the definition is read, with the line of the value it concerns.</param>
    /// <param name="NotJson">Why the text is not JSON, or null.</param>
    internal sealed record Loaded(InstrumentDefinition? Definition, ImmutableArray<(DefinitionError Error, int Line)> Errors, InstrumentJson.NotJson? NotJson);

    /// <summary>Parses and validates a definition.</summary>
    /// <param name="json">The JSON text.</param>
    /// <param name="sourceName">A name for error messages (file or study instrument name).</param>
    /// <exception cref="InstrumentDefinitionException">The text is not JSON or breaks a rule; every problem is listed.</exception>
    public static InstrumentDefinition Parse(string json, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(json);
        var loaded = Load(json);
        if (loaded.NotJson is { } notJson)
        {
            throw new InstrumentDefinitionException(sourceName, [new DefinitionError($"line {notJson.Line}", $"not valid JSON: {notJson.Message}")]);
        }

        return loaded.Definition ?? throw new InstrumentDefinitionException(sourceName, loaded.Errors.Select(e => e.Error).ToList());
    }

    /// <summary>Reads, validates and maps a definition; never throws for bad input.</summary>
    internal static Loaded Load(string json)
    {
        var (document, notJson) = InstrumentJson.Read(json);
        if (document is null)
        {
            return new Loaded(null, [], notJson);
        }

        var reader = new InstrumentReader(document, InstrumentSchema.Check(document));
        var definition = reader.Read();
        var errors = reader.Errors.Select(e => (e.Error, document.LineOf(e.Pointer))).ToImmutableArray();
        return new Loaded(definition, errors, null);
    }
}
