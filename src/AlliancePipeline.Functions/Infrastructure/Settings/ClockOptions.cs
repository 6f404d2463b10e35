namespace AlliancePipeline.Functions.Infrastructure.Settings;

/// <summary>
/// The app's clock (<c>AlliancePipeline:Clock</c>): whether an admin may move it (<c>PUT /api/manage/clock</c>; local demos
/// and trials only, never in Azure), checked at start by <see cref="ClockOptionsValidator"/>.
/// </summary>
public sealed class ClockOptions
{
    /// <summary>The section.</summary>
    public const string Section = "AlliancePipeline:Clock";

    /// <summary><c>Adjustable</c> as configured: <c>true</c> or <c>false</c>; unset is false.</summary>
    public string? Adjustable { get; set; }

    /// <summary>Whether the clock can be moved.</summary>
    public bool IsAdjustable => SettingValues.Switch(Adjustable);
}

/// <summary>Names an <c>Adjustable</c> that is neither true nor false.</summary>
public sealed class ClockOptionsValidator : SettingsValidator<ClockOptions>
{
    /// <inheritdoc />
    protected override void Check(ClockOptions options, List<string> problems) =>
        CheckSwitch(SettingNames.ClockAdjustableKey, options.Adjustable, problems);
}
