using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using AlliancePipeline.Core.Studies;

namespace AlliancePipeline.Cli.Commands;

/// <summary>
/// Reading option values the command line's way: a value that is not one (<c>--k abc</c>, <c>--days abc</c>) or out of
/// range is an error naming the option, the value and what is expected, collected with the command's other errors and
/// printed with them, never an exception. Numbers take a dot or a comma as decimal mark.
/// </summary>
public static class OptionValues
{
    /// <summary>
    /// A whole number from <paramref name="min"/> to <paramref name="max"/>; otherwise an error
    /// <c>{option} {value}: {expected}</c> (<paramref name="below"/> instead when a number under <paramref name="min"/> is given).
    /// </summary>
    public static int? Whole(ArgumentResult result, int min, int max, string expected, string? below = null)
    {
        ArgumentNullException.ThrowIfNull(result);
        var text = Token(result);
        if (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            if (value >= min && value <= max) return value;
            if (value < min && below is not null) return Refused(result, text, below);
        }
        return Refused(result, text, expected);
    }

    /// <summary>A finite number above zero (a dot or a comma as decimal mark); otherwise <c>{option} {value}: {expected}</c>.</summary>
    public static double? Positive(ArgumentResult result, string expected)
    {
        ArgumentNullException.ThrowIfNull(result);
        var text = Token(result);
        if (double.TryParse(text.Replace(',', '.'), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value) && value > 0) return value;
        Refused(result, text, expected);
        return null;
    }

    /// <summary>Checks that <paramref name="option"/>, when given, is a day written yyyy-MM-dd.</summary>
    public static Option<string> Date(Option<string> option)
    {
        ArgumentNullException.ThrowIfNull(option);
        option.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<string>() is { } text && !DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
                r.AddError($"{option.Name} '{text}' is not a date: write it as yyyy-MM-dd, e.g. 2026-03-31.");
        });
        return option;
    }

    /// <summary>Checks that <paramref name="option"/> says yes or no in a way <see cref="StudyInputs.ParseEmployed"/> reads, as the CSV import does.</summary>
    public static Option<string> YesNo(Option<string> option)
    {
        ArgumentNullException.ThrowIfNull(option);
        option.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<string>() is { } text && StudyInputs.ParseEmployed(text) is null)
                r.AddError($"{option.Name} '{text}': give {StudyInputs.EmployedWords}.");
        });
        return option;
    }

    /// <summary>
    /// Accepts only <paramref name="values"/> for <paramref name="option"/> (tab completion offers them); anything else is
    /// <c>{option} {value}: give a, b or c.</c>
    /// </summary>
    public static Option<string> OneOf(Option<string> option, params string[] values)
    {
        ArgumentNullException.ThrowIfNull(option);
        option.CompletionSources.Add(values);
        var words = values.Length == 1 ? values[0] : string.Join(", ", values[..^1]) + " or " + values[^1];
        option.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<string>() is { } text && !values.Contains(text, StringComparer.Ordinal))
                r.AddError($"{option.Name} {text}: give {words}.");
        });
        return option;
    }

    private static string Token(ArgumentResult result) => result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";

    private static int? Refused(ArgumentResult result, string text, string expected)
    {
        var name = (result.Parent as OptionResult)?.Option.Name ?? result.Argument.Name;
        result.AddError($"{name} {text}: {expected}");
        return null;
    }
}
