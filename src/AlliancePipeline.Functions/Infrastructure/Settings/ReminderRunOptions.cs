namespace AlliancePipeline.Functions.Infrastructure.Settings;

/// <summary>
/// How long a <c>Reminders</c> run decides forms before it hands the rest on (<c>AlliancePipeline:Reminders</c>), checked
/// at start by <see cref="ReminderRunOptionsValidator"/>.
/// </summary>
public sealed class ReminderRunOptions
{
    /// <summary>The section.</summary>
    public const string Section = "AlliancePipeline:Reminders";

    /// <summary>The budget when unset: 20 seconds, well inside the 30 s a run may take and any host's function timeout.</summary>
    public const int DefaultRunSeconds = 20;

    /// <summary><c>RunSeconds</c> as configured: whole seconds from 0 to 600; unset is <see cref="DefaultRunSeconds"/>.</summary>
    public string? RunSeconds { get; set; }

    /// <summary>
    /// How long a run starts reading and deciding new forms: past it, the forms still due are left for a continuation
    /// (<c>ContinueReminders</c>). 0 reads and decides one chunk of due forms a run (<c>StudyMailings.FormsPerRead</c>; tests).
    /// </summary>
    public TimeSpan Budget => TimeSpan.FromSeconds(SettingValues.Integer(RunSeconds, 0, 600) ?? DefaultRunSeconds);
}

/// <summary>Names a <c>RunSeconds</c> that is not a whole number of seconds from 0 to 600.</summary>
public sealed class ReminderRunOptionsValidator : SettingsValidator<ReminderRunOptions>
{
    /// <inheritdoc />
    protected override void Check(ReminderRunOptions options, List<string> problems) =>
        CheckInteger(SettingNames.ReminderRunSecondsKey, options.RunSeconds, 0, 600, problems);
}
