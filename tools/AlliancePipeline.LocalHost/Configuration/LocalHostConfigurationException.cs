namespace AlliancePipeline.LocalHost;

/// <summary>
/// The app cannot be hosted as configured: a missing or wrong setting, host.json value or binding. The message names
/// what to fix.
/// </summary>
public sealed class LocalHostConfigurationException : Exception
{
    /// <summary>Creates the exception.</summary>
    public LocalHostConfigurationException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its cause.</summary>
    public LocalHostConfigurationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
