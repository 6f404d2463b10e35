using System.Collections.Immutable;
using System.Globalization;

namespace AlliancePipeline.Core.Studies;

/// <summary>The kind of a dyad covariate (<c>covariates[].type</c>).</summary>
public enum CovariateType
{
    /// <summary>One of the covariate's <see cref="StudyCovariate.Levels"/> (e.g. education: primary, secondary, tertiary).</summary>
    Categorical,

    /// <summary>A number, within the covariate's <see cref="StudyCovariate.Min"/> and <see cref="StudyCovariate.Max"/> when given (e.g. age).</summary>
    Numeric,
}

/// <summary>
/// A characteristic of a dyad the study records once (<c>covariates[]</c> in the study file): the client's age,
/// education, prior work. Recorded by the CLI, the CSV import and the console; described by pattern in the report and
/// available to its regressions (<c>ReportInput.Covariates</c>).
/// </summary>
/// <param name="Name">
/// The covariate's name (<see cref="IsValidName"/>): the CSV column, the API's field and the report's row, e.g.
/// <c>age</c>, <c>education</c>, <c>priorWork</c>.
/// </param>
/// <param name="Type">Categorical or numeric.</param>
/// <param name="Levels">The levels of a categorical covariate, in the file's order (the report's order); empty for a numeric one.</param>
/// <param name="Min">The smallest value of a numeric covariate, when the file gives one.</param>
/// <param name="Max">The largest value of a numeric covariate, when the file gives one.</param>
public sealed record StudyCovariate(string Name, CovariateType Type, ImmutableArray<string> Levels, double? Min = null, double? Max = null)
{
    /// <summary>The label (<c>label</c>: the one given, else the English one, else the first), or null when the file gives none.</summary>
    public string? Label { get; init; }

    /// <summary>The covariate's label per language (BCP 47 tag → text), when the file gives one per language; empty otherwise.</summary>
    public ImmutableSortedDictionary<string, string> Labels { get; init; } = ImmutableSortedDictionary<string, string>.Empty;

    /// <summary>The label in <paramref name="language"/> (as a study's name: the tag's, its primary subtag's, else <see cref="Label"/>), else <see cref="Name"/>.</summary>
    public string LabelIn(string? language) => StudyNames.In(Labels, Label ?? Name, language);

    /// <summary>A covariate name: a letter, then letters, digits or underscores, at most 40 characters (e.g. <c>priorWork</c>), not <c>dyad</c>.</summary>
    public static bool IsValidName(string? name) =>
        name is { Length: > 0 and <= 40 } && char.IsAsciiLetter(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_')
        && !string.Equals(name, "dyad", StringComparison.OrdinalIgnoreCase);

    /// <summary>What the covariate takes, for messages: <c>one of primary, secondary, tertiary</c>, <c>a number from 18 to 70</c>.</summary>
    public string Allowed => Type == CovariateType.Categorical
        ? $"one of {string.Join(", ", Levels)}"
        : (Min, Max) switch
        {
            ({ } lo, { } hi) => string.Create(CultureInfo.InvariantCulture, $"a number from {lo} to {hi}"),
            ({ } lo, null) => string.Create(CultureInfo.InvariantCulture, $"a number, {lo} or more"),
            (null, { } hi) => string.Create(CultureInfo.InvariantCulture, $"a number, {hi} or less"),
            _ => "a number",
        };

    /// <summary>
    /// Reads a value as written (CSV cell, command line, form field, text of the API): a level of a categorical covariate
    /// (any case; the level as the study file spells it is kept), a number of a numeric one (a dot as decimal mark) within
    /// its range. Gives the value, or the problem naming the covariate and what it allows.
    /// </summary>
    public (CovariateValue? Value, string? Problem) Read(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var trimmed = text.Trim();
        if (Type == CovariateType.Categorical)
        {
            var level = Levels.FirstOrDefault(l => string.Equals(l, trimmed, StringComparison.OrdinalIgnoreCase));
            return level is null ? (null, $"covariate '{Name}' must be {Allowed}, not '{trimmed}'") : (CovariateValue.OfLevel(level), null);
        }

        return double.TryParse(trimmed, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number)
            ? Check(number, $"'{trimmed}'")
            : (null, $"covariate '{Name}' must be {Allowed}, not '{trimmed}'");
    }

    /// <summary>A number for this covariate: refused for a categorical one, or outside its range (<paramref name="written"/>: as the caller wrote it).</summary>
    public (CovariateValue? Value, string? Problem) Check(double number, string? written = null)
    {
        written ??= number.ToString("R", CultureInfo.InvariantCulture);
        if (Type == CovariateType.Categorical) return (null, $"covariate '{Name}' must be {Allowed}, not {written}");
        return !double.IsFinite(number) || (Min is { } lo && number < lo) || (Max is { } hi && number > hi)
            ? (null, $"covariate '{Name}' must be {Allowed}, not {written}")
            : (CovariateValue.OfNumber(number), null);
    }
}

/// <summary>A covariate's value for one dyad: a level, or a number.</summary>
/// <param name="Level">The level of a categorical covariate, as the study file spells it; else null.</param>
/// <param name="Number">The value of a numeric covariate; else null.</param>
public sealed record CovariateValue(string? Level, double? Number)
{
    /// <summary>A level.</summary>
    public static CovariateValue OfLevel(string level) => new(level, null);

    /// <summary>A number.</summary>
    public static CovariateValue OfNumber(double number) => new(null, number);

    /// <inheritdoc />
    public override string ToString() => Level ?? Number?.ToString("R", CultureInfo.InvariantCulture) ?? "";
}

/// <summary>Covariate values recorded for one dyad (those given; the others stay as recorded before).</summary>
/// <param name="DyadId">The dyad code.</param>
/// <param name="Values">Covariate name → value.</param>
public sealed record DyadCovariates(string DyadId, ImmutableSortedDictionary<string, CovariateValue> Values);

/// <summary>Checks of covariate values against the study's <c>covariates</c>.</summary>
public static class CovariateInputs
{
    /// <summary>
    /// Every value must name a covariate of the study and be what it allows; with <paramref name="study"/>'s dyads the dyad
    /// must be in it. Gives the first problem, or null.
    /// </summary>
    public static string? Check(StudyDefinition study, DyadCovariates covariates)
    {
        ArgumentNullException.ThrowIfNull(study);
        ArgumentNullException.ThrowIfNull(covariates);
        if (study.FindDyad(covariates.DyadId) is null) return StudyInputs.NotInStudy(study, covariates.DyadId);
        if (covariates.Values.Count == 0) return $"no covariate is given: give at least one of {Names(study)}";
        foreach (var (name, value) in covariates.Values)
        {
            if (study.FindCovariate(name) is not { } covariate) return Unknown(study, name);
            var (_, problem) = value.Level is { } level ? covariate.Read(level) : covariate.Check(value.Number ?? double.NaN);
            if (problem is not null) return problem;
        }

        return null;
    }

    /// <summary>What is said of a name that is not a covariate of the study.</summary>
    public static string Unknown(StudyDefinition study, string name)
    {
        ArgumentNullException.ThrowIfNull(study);
        return study.Covariates.IsDefaultOrEmpty
            ? $"'{name}' is not a covariate: study '{study.Id}' declares no covariates (add covariates: to its study file)"
            : $"'{name}' is not a covariate of study '{study.Id}': its covariates are {Names(study)}";
    }

    private static string Names(StudyDefinition study) => string.Join(", ", study.Covariates.Select(c => c.Name));
}
