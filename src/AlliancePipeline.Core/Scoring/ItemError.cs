using System.Collections.Immutable;

namespace AlliancePipeline.Core.Scoring;

/// <summary>Why an answer was refused.</summary>
public enum ItemErrorKind
{
    /// <summary>The answer names an item the instrument does not have.</summary>
    UnknownItem,

    /// <summary>The answer is an integer outside the instrument's scale.</summary>
    OutOfRange,

    /// <summary>The submitted form value is not an integer (or the item was given two different values).</summary>
    NotAnInteger,

    /// <summary>The item is unanswered and too few items are answered for a valid score.</summary>
    Missing,
}

/// <summary>A refused answer, ready to show beside the item on the form.</summary>
/// <param name="ItemId">The item id as submitted (for an unknown item, the unknown id).</param>
/// <param name="Kind">What is wrong.</param>
/// <param name="Message">A sentence naming the item and the problem, in the requested language.</param>
public sealed record ItemError(string ItemId, ItemErrorKind Kind, string Message)
{
    /// <inheritdoc />
    public override string ToString() => Message;
}

/// <summary>Thrown by <see cref="ItemResult{T}.GetValueOrThrow"/> when answers were refused; carries every per-item error.</summary>
public sealed class ResponseRejectedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ResponseRejectedException(string instrumentId, ImmutableArray<ItemError> errors)
        : base($"Response to '{instrumentId}' refused: {string.Join(" ", errors.Select(e => e.Message))}")
    {
        Errors = errors;
    }

    /// <summary>Every refused answer.</summary>
    public ImmutableArray<ItemError> Errors { get; }
}

/// <summary>Either a value, or the list of per-item errors that prevented it.</summary>
/// <typeparam name="T">The value type.</typeparam>
public sealed class ItemResult<T>
    where T : class
{
    private readonly T? _value;

    private ItemResult(string instrumentId, T? value, ImmutableArray<ItemError> errors)
    {
        InstrumentId = instrumentId;
        _value = value;
        Errors = errors;
    }

    /// <summary>The instrument the answers were for.</summary>
    public string InstrumentId { get; }

    /// <summary>True if there are no errors and <see cref="Value"/> is set.</summary>
    public bool IsValid => Errors.IsEmpty;

    /// <summary>The value; throws if the result is invalid.</summary>
    /// <exception cref="InvalidOperationException">The result has errors.</exception>
    public T Value => _value ?? throw new InvalidOperationException("The result has errors; check IsValid or use GetValueOrThrow.");

    /// <summary>Errors in instrument item order (unknown items last, in the order submitted); empty if valid.</summary>
    public ImmutableArray<ItemError> Errors { get; }

    /// <summary>Errors keyed by item id, for showing beside each item.</summary>
    public ImmutableDictionary<string, ItemError> ErrorsByItem =>
        Errors.GroupBy(e => e.ItemId, StringComparer.Ordinal).ToImmutableDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);

    /// <summary>The value, or a <see cref="ResponseRejectedException"/> carrying the errors.</summary>
    public T GetValueOrThrow() => IsValid ? _value! : throw new ResponseRejectedException(InstrumentId, Errors);

    /// <summary>A valid result.</summary>
    public static ItemResult<T> Success(string instrumentId, T value) => new(instrumentId, value ?? throw new ArgumentNullException(nameof(value)), []);

    /// <summary>An invalid result with at least one error.</summary>
    public static ItemResult<T> Failure(string instrumentId, IEnumerable<ItemError> errors)
    {
        var list = errors.ToImmutableArray();
        return list.IsEmpty ? throw new ArgumentException("A failure needs at least one error.", nameof(errors)) : new(instrumentId, null, list);
    }
}
