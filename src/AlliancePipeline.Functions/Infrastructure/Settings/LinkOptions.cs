namespace AlliancePipeline.Functions.Infrastructure.Settings;

/// <summary>Questionnaire links (<c>AlliancePipeline:Links</c>), checked at start by <see cref="LinkOptionsValidator"/>.</summary>
public sealed class LinkOptions
{
    /// <summary>The section.</summary>
    public const string Section = "AlliancePipeline:Links";

    /// <summary>How long a link stays valid when the study file does not say.</summary>
    public static readonly TimeSpan DefaultLifetime = TimeSpan.FromDays(30);

    /// <summary><c>Lifetime</c> as configured: a positive time span such as <c>30.00:00:00</c>; unset is 30 days.</summary>
    public string? Lifetime { get; set; }

    /// <summary>How long an issued link stays valid (the study file's own lifetime wins).</summary>
    public TimeSpan ValidFor => SettingValues.PositiveTimeSpan(Lifetime) ?? DefaultLifetime;
}

/// <summary>Names a <c>Lifetime</c> that is not a positive time span.</summary>
public sealed class LinkOptionsValidator : SettingsValidator<LinkOptions>
{
    /// <inheritdoc />
    protected override void Check(LinkOptions options, List<string> problems) =>
        CheckPositiveTimeSpan(SettingNames.LinkLifetimeKey, options.Lifetime, problems);
}
