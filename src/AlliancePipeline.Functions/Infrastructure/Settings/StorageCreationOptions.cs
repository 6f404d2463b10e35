namespace AlliancePipeline.Functions.Infrastructure.Settings;

/// <summary>
/// Whether the app creates its tables, queues and containers at start (<c>AlliancePipeline:Storage</c>; locally yes, in
/// Azure the infrastructure does), checked at start by <see cref="StorageCreationOptionsValidator"/>.
/// </summary>
public sealed class StorageCreationOptions
{
    /// <summary>The section.</summary>
    public const string Section = "AlliancePipeline:Storage";

    /// <summary><c>CreateResources</c> as configured: <c>true</c> or <c>false</c>; unset is false.</summary>
    public string? CreateResources { get; set; }

    /// <summary>Whether to create tables, queues and containers at start.</summary>
    public bool CreatesResources => SettingValues.Switch(CreateResources);
}

/// <summary>Names a <c>CreateResources</c> that is neither true nor false.</summary>
public sealed class StorageCreationOptionsValidator : SettingsValidator<StorageCreationOptions>
{
    /// <inheritdoc />
    protected override void Check(StorageCreationOptions options, List<string> problems) =>
        CheckSwitch(SettingNames.CreateResourcesKey, options.CreateResources, problems);
}
