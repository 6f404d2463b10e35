namespace AlliancePipeline.LocalHost.Configuration;

/// <summary>
/// The host id, as the Functions host derives it (<c>ScriptHostIdProvider</c>): the setting
/// <c>AzureFunctionsWebHost__hostid</c>, else, running locally, the machine name (letters and digits) and a stable hash
/// of the script root, at most 32 characters, lower case, without a trailing '-'.
/// </summary>
internal static class HostId
{
    /// <summary>The setting that fixes the host id.</summary>
    public const string Setting = "AzureFunctionsWebHost__hostid";

    /// <summary>The longest host id.</summary>
    public const int MaximumLength = 32;

    /// <summary>The host id for this machine and script root.</summary>
    public static string For(AppSettings settings, string scriptRoot, string? machineName = null)
    {
        if (settings[Setting] is { Length: > 0 } configured) return configured;
        var machine = new string((machineName ?? Environment.MachineName).Where(char.IsLetterOrDigit).ToArray());
        var id = $"{machine}-{Math.Abs((long)StableHash(scriptRoot))}";
        if (id.Length > MaximumLength) id = id[..MaximumLength];
        return id.ToLowerInvariant().TrimEnd('-');
    }

    /// <summary>The host's <c>Utility.GetStableHash</c>.</summary>
    public static int StableHash(string value)
    {
        unchecked
        {
            var hash = 23;
            foreach (var c in value) hash = (hash * 31) + c;
            return hash;
        }
    }
}
