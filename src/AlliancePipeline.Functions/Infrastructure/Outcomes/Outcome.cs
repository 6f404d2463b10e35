using System.Diagnostics.CodeAnalysis;

namespace AlliancePipeline.Functions.Infrastructure.Outcomes;

/// <summary>
/// A value, or the <see cref="Outcomes.Refusal"/> given instead: a service's answer (what it did, or why not), and what the
/// edge read from a request (a meeting date, a CSV import, or why the body is not one) when the service decides when to
/// say so. Either converts to it.
/// </summary>
/// <typeparam name="T">The value.</typeparam>
public sealed class Outcome<T>
    where T : notnull
{
    private readonly T? _value;

    private Outcome(T? value, Refusal? refusal) => (_value, Refusal) = (value, refusal);

    /// <summary>The value.</summary>
    /// <exception cref="InvalidOperationException">Refused: there is none.</exception>
    public T Value => IsRefused ? throw new InvalidOperationException($"Refused ({Refusal.Title}): there is no value.") : _value!;

    /// <summary>Why not, when refused.</summary>
    public Refusal? Refusal { get; }

    /// <summary>Whether it was refused (then <see cref="Refusal"/> is set, else <see cref="Value"/>).</summary>
    [MemberNotNullWhen(true, nameof(Refusal))]
    public bool IsRefused => Refusal is not null;

    /// <summary>Done, with <paramref name="value"/>.</summary>
    public static implicit operator Outcome<T>(T value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return new(value, null);
    }

    /// <summary>Refused.</summary>
    public static implicit operator Outcome<T>(Refusal refusal) => new(default, refusal ?? throw new ArgumentNullException(nameof(refusal)));

    /// <inheritdoc />
    public override string ToString() => IsRefused ? $"refused: {Refusal.Title}" : $"done: {Value}";
}
