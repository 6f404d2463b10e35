using System.Globalization;

namespace AlliancePipeline.Emulators;

/// <summary>
/// MailDev, the local SMTP server with a web page of the mail it caught, started like Azurite from the repository's
/// pinned npm tools (<c>maildev --smtp 1025 --web 1080 --ip 127.0.0.1</c>) when nothing answers on its ports.
/// </summary>
public static class MailDev
{
    /// <summary>The default SMTP port.</summary>
    public const int DefaultSmtpPort = 1025;

    /// <summary>The default web port.</summary>
    public const int DefaultWebPort = 1080;

    /// <summary>
    /// Makes sure MailDev answers on <paramref name="smtpPort"/> and <paramref name="webPort"/> of 127.0.0.1; the
    /// handle stops it on dispose only if this call started it.
    /// </summary>
    public static async Task<MailDevHandle> EnsureRunningAsync(int smtpPort = DefaultSmtpPort, int webPort = DefaultWebPort, Action<string>? log = null, CancellationToken cancellationToken = default)
    {
        int[] ports = [smtpPort, webPort];
        if (await EmulatorProcess.AllAnswerAsync(ports, cancellationToken).ConfigureAwait(false))
        {
            log?.Invoke($"MailDev already answers on ports {smtpPort}, {webPort}: reusing it.");
            return new MailDevHandle(smtpPort, webPort, null, log);
        }

        var tools = EmulatorTools.Locate();
        await tools.EnsureInstalledAsync(log, cancellationToken).ConfigureAwait(false);
        return new MailDevHandle(smtpPort, webPort, await StartProcessAsync(tools, smtpPort, webPort, log, cancellationToken).ConfigureAwait(false), log);
    }

    /// <summary>Starts the pinned MailDev on these ports of 127.0.0.1.</summary>
    internal static async Task<EmulatorProcess> StartProcessAsync(EmulatorTools tools, int smtpPort, int webPort, Action<string>? log, CancellationToken cancellationToken)
    {
        string[] arguments =
        [
            "--smtp", smtpPort.ToString(CultureInfo.InvariantCulture),
            "--web", webPort.ToString(CultureInfo.InvariantCulture),
            "--ip", "127.0.0.1",
        ];
        log?.Invoke($"Starting MailDev (SMTP {smtpPort}, web http://127.0.0.1:{webPort}/).");
        var process = await EmulatorProcess.StartAsync(tools, "maildev", arguments, [smtpPort, webPort], TimeSpan.FromSeconds(60), cancellationToken).ConfigureAwait(false);
        log?.Invoke($"MailDev started (pid {process.ProcessId}).");
        return process;
    }
}

/// <summary>
/// A running MailDev: its ports, and the process if this handle started it (stopped on dispose). One this handle started
/// can be stopped (<see cref="StopAsync"/>) and started again on the same ports (<see cref="StartAgainAsync"/>); MailDev
/// keeps the mail it caught in memory, so a new process starts with none.
/// </summary>
public sealed class MailDevHandle : IAsyncDisposable
{
    private readonly Action<string>? _log;
    private EmulatorProcess? _process;

    internal MailDevHandle(int smtpPort, int webPort, EmulatorProcess? process, Action<string>? log)
    {
        SmtpPort = smtpPort;
        WebPort = webPort;
        _process = process;
        _log = log;
    }

    /// <summary>Stops the MailDev this handle started (SIGTERM, or SIGKILL when <paramref name="kill"/>): SMTP connections are refused until it starts again.</summary>
    public async Task StopAsync(bool kill = false)
    {
        var process = _process ?? throw new InvalidOperationException("This handle did not start MailDev: it cannot stop it.");
        if (!await process.SignalAsync(kill ? "KILL" : "TERM", TimeSpan.FromSeconds(20)).ConfigureAwait(false))
            await process.SignalAsync("KILL", TimeSpan.FromSeconds(10)).ConfigureAwait(false);
    }

    /// <summary>Starts MailDev again on the same ports, after <see cref="StopAsync"/>.</summary>
    public async Task StartAgainAsync(CancellationToken cancellationToken = default)
    {
        var process = _process ?? throw new InvalidOperationException("This handle did not start MailDev: it cannot start it again.");
        if (!process.HasExited) throw new InvalidOperationException($"MailDev (pid {process.ProcessId}) is still running.");
        await process.DisposeAsync().ConfigureAwait(false);
        _process = await MailDev.StartProcessAsync(EmulatorTools.Locate(), SmtpPort, WebPort, _log, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The SMTP port.</summary>
    public int SmtpPort { get; }

    /// <summary>The port of the web page that lists the mail.</summary>
    public int WebPort { get; }

    /// <summary>The web page that lists the mail.</summary>
    public Uri WebAddress => new($"http://127.0.0.1:{WebPort.ToString(CultureInfo.InvariantCulture)}/");

    /// <summary>Whether this handle started MailDev (and so stops it).</summary>
    public bool StartedHere => _process is not null;

    /// <summary>The process id of the MailDev this handle started, or null.</summary>
    public int? ProcessId => _process?.ProcessId;

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _process?.DisposeAsync() ?? ValueTask.CompletedTask;
}
