using System.Collections.Immutable;

namespace AlliancePipeline.Core.Instruments;

/// <summary>One problem found in an instrument definition, located by a JSON path such as <c>$.items[3].text.fr</c>.</summary>
/// <param name="Path">JSON path of the offending value.</param>
/// <param name="Message">What is wrong, naming the item or subscale id where there is one.</param>
public sealed record DefinitionError(string Path, string Message)
{
    /// <inheritdoc />
    public override string ToString() => $"{Path}: {Message}";
}

/// <summary>Thrown when an instrument definition is not valid JSON or breaks the format's rules; lists every problem found.</summary>
public sealed class InstrumentDefinitionException : Exception
{
    /// <summary>Creates the exception from the list of problems.</summary>
    public InstrumentDefinitionException(string source, IReadOnlyList<DefinitionError> errors)
        : base($"Instrument definition '{source}' is invalid:{Environment.NewLine}" +
               string.Join(Environment.NewLine, errors.Select(e => "  " + e)))
    {
        Errors = errors.ToImmutableArray();
    }

    /// <summary>Every problem found, in the order the definition is read (each object's missing and unknown fields first, then its fields).</summary>
    public ImmutableArray<DefinitionError> Errors { get; }
}
