namespace AlliancePipeline.Storage.Emulator;

/// <summary>
/// MailDev, the local SMTP server with a web page of the mail it caught, started like Azurite from the repository's
/// pinned npm tools (<c>maildev --smtp 1025 --web 1080</c>).
/// </summary>
public static class MailDev
{
    /// <summary>
    /// Makes sure MailDev answers on <paramref name="smtpPort"/> and <paramref name="webPort"/>; the returned process
    /// (null when one was already running) stops it on dispose.
    /// </summary>
    public static async Task<EmulatorProcess?> EnsureRunningAsync(int smtpPort = 1025, int webPort = 1080, Action<string>? log = null, CancellationToken cancellationToken = default)
    {
        int[] ports = [smtpPort, webPort];
        if (await EmulatorProcess.AllAnswerAsync(ports, cancellationToken).ConfigureAwait(false))
        {
            log?.Invoke($"MailDev already answers on ports {smtpPort}, {webPort}: reusing it.");
            return null;
        }

        var tools = EmulatorTools.Locate();
        await tools.EnsureInstalledAsync(log, cancellationToken).ConfigureAwait(false);
        string[] arguments =
        [
            "--smtp", smtpPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--web", webPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--ip", "127.0.0.1",
        ];
        return await EmulatorProcess.StartAsync(tools, "maildev", arguments, ports, TimeSpan.FromSeconds(60), cancellationToken).ConfigureAwait(false);
    }
}
