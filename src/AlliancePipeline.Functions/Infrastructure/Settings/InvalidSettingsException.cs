namespace AlliancePipeline.Functions.Infrastructure.Settings;

/// <summary>One or more settings are missing or wrong; the message names each.</summary>
public sealed class InvalidSettingsException(IReadOnlyList<string> problems)
    : Exception("The app's settings are incomplete or wrong:" + Environment.NewLine + string.Join(Environment.NewLine, problems.Select(p => " - " + p)))
{
    /// <summary>Each problem, one per setting.</summary>
    public IReadOnlyList<string> Problems { get; } = problems;
}
