using System.Globalization;
using Microsoft.Extensions.Options;

namespace AlliancePipeline.Functions.Infrastructure.Settings;

/// <summary>
/// Checks one settings section at start (<c>ValidateOnStart</c>): every missing or wrong setting of the section is named,
/// in its environment-variable spelling and with the value found, one sentence each, so that all of them are reported at
/// once. The options classes take the values whose format the app checks (numbers, switches, time spans, addresses) as
/// the text configured: the configuration binder would stop at the first value it cannot convert, naming neither that
/// setting as the app's users know it nor any other.
/// </summary>
/// <typeparam name="TOptions">The options class of the section.</typeparam>
public abstract class SettingsValidator<TOptions> : IValidateOptions<TOptions>
    where TOptions : class
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = new List<string>();
        Check(options, problems);
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    /// <summary>Adds a sentence to <paramref name="problems"/> for each missing or wrong setting of <paramref name="options"/>.</summary>
    protected abstract void Check(TOptions options, List<string> problems);

    /// <summary>Whether <paramref name="text"/> is unset (then the setting's default holds).</summary>
    protected static bool IsUnset(string? text) => string.IsNullOrWhiteSpace(text);

    /// <summary>A switch: unset, <c>true</c> or <c>false</c> (any case).</summary>
    protected static void CheckSwitch(string key, string? text, List<string> problems)
    {
        ArgumentNullException.ThrowIfNull(problems);
        if (!IsUnset(text) && !bool.TryParse(text, out _))
            problems.Add($"{SettingNames.Env(key)} is '{text}': expected true or false.");
    }

    /// <summary>An integer from <paramref name="min"/> to <paramref name="max"/>, or unset.</summary>
    protected static void CheckInteger(string key, string? text, int min, int max, List<string> problems)
    {
        ArgumentNullException.ThrowIfNull(problems);
        if (!IsUnset(text) && SettingValues.Integer(text, min, max) is null)
            problems.Add($"{SettingNames.Env(key)} is '{text}': expected an integer from {min} to {max}.");
    }

    /// <summary>A positive time span such as <c>00:10:00</c>, or unset.</summary>
    protected static void CheckPositiveTimeSpan(string key, string? text, List<string> problems)
    {
        ArgumentNullException.ThrowIfNull(problems);
        if (!IsUnset(text) && SettingValues.PositiveTimeSpan(text) is null)
            problems.Add($"{SettingNames.Env(key)} is '{text}': expected a positive time span such as 00:10:00.");
    }
}

/// <summary>
/// The values of checked settings, as the options classes read them once <see cref="SettingsValidator{TOptions}"/> has
/// accepted them: unset gives the default.
/// </summary>
public static class SettingValues
{
    /// <summary>A switch's value: <c>true</c> or <c>false</c> (any case); unset or anything else is <paramref name="fallback"/>.</summary>
    public static bool Switch(string? text, bool fallback = false) => bool.TryParse(text, out var value) ? value : fallback;

    /// <summary>The integer <paramref name="text"/> holds when it is from <paramref name="min"/> to <paramref name="max"/>, else null.</summary>
    public static int? Integer(string? text, int min, int max) =>
        int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max ? value : null;

    /// <summary>The positive time span <paramref name="text"/> holds, else null.</summary>
    public static TimeSpan? PositiveTimeSpan(string? text) =>
        TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var value) && value > TimeSpan.Zero ? value : null;
}
