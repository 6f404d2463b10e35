using System.CommandLine;
using System.Globalization;

namespace AlliancePipeline.LocalHost;

/// <summary>
/// The local host's command line (System.CommandLine): <c>[--script-root DIR] [--port N] [--settings FILE]
/// [--no-emulators] [--no-maildev] [--maildev-smtp-port N] [--maildev-web-port N]</c>, read into
/// <see cref="LocalHostOptions"/>. <c>-h</c>/<c>--help</c> prints the options and exits 0; a wrong option prints what is
/// wrong and the options to standard error and exits <see cref="WrongOption"/>.
/// </summary>
internal static class LocalHostCommand
{
    /// <summary>The exit code of a wrong option (EX_USAGE).</summary>
    public const int WrongOption = 64;

    /// <summary>
    /// Parses <paramref name="args"/> and, unless they ask for help or are wrong, runs <paramref name="run"/> with the
    /// options they describe and whether the script root is the default one; returns the exit code.
    /// </summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, Func<LocalHostOptions, bool, Task<int>> run)
    {
        var command = Create(run);
        var parse = command.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var e in parse.Errors) await error.WriteLineAsync(e.Message).ConfigureAwait(false);
            await error.WriteLineAsync().ConfigureAwait(false);
            command.Parse(["--help"]).Invoke(new InvocationConfiguration { Output = error, Error = error });
            return WrongOption;
        }
        // Ctrl+C and SIGTERM are the host's own to handle (it stops what it started, however long that takes), not the
        // command line's, which would end the process after a timeout.
        return await parse.InvokeAsync(new InvocationConfiguration { Output = output, Error = error, ProcessTerminationTimeout = null }).ConfigureAwait(false);
    }

    /// <summary>The root command, whose action reads the options and hands them to <paramref name="run"/>.</summary>
    public static RootCommand Create(Func<LocalHostOptions, bool, Task<int>> run)
    {
        var scriptRoot = new Option<string>("--script-root")
        {
            HelpName = "DIR",
            Description = "The worker's build output (worker.config.json, functions.metadata, host.json); default: the build output of src/AlliancePipeline.Functions for this configuration.",
        };
        var port = Port("--port", "HTTP port on localhost (default: Host.LocalHttpPort of local.settings.json, else 7071; 0: a free one).");
        var settings = new Option<string>("--settings")
        {
            HelpName = "FILE",
            Description = "The settings file (default: <script root>/local.settings.json).",
        };
        var noEmulators = new Option<bool>("--no-emulators") { Description = "Do not start Azurite or MailDev." };
        var noMailDev = new Option<bool>("--no-maildev") { Description = "Do not start MailDev." };
        var smtpPort = Port("--maildev-smtp-port", $"MailDev's SMTP port (default {Emulators.MailDev.DefaultSmtpPort}).");
        var webPort = Port("--maildev-web-port", $"MailDev's web port (default {Emulators.MailDev.DefaultWebPort}).");

        var command = new RootCommand("What `func start` does for a .NET isolated worker: launches it, speaks the host-worker gRPC protocol, "
                                      + "serves HTTP under /api, polls queues, fires timers. Ctrl+C stops everything it started. "
                                      + "Exit codes: 0 after a stop, 2 when the worker's settings are wrong, 1 for another configuration error, 64 for a wrong option.")
        {
            scriptRoot, port, settings, noEmulators, noMailDev, smtpPort, webPort,
        };
        command.SetAction((parse, _) =>
        {
            var root = parse.GetValue(scriptRoot);
            var options = new LocalHostOptions
            {
                ScriptRoot = root is null ? "" : Path.GetFullPath(root),
                HttpPort = parse.GetValue(port),
                SettingsFile = parse.GetValue(settings) is { } file ? Path.GetFullPath(file) : null,
                StartEmulators = !parse.GetValue(noEmulators),
                StartMailDev = !parse.GetValue(noMailDev),
            };
            if (parse.GetValue(smtpPort) is { } smtp) options.MailDevSmtpPort = smtp;
            if (parse.GetValue(webPort) is { } web) options.MailDevWebPort = web;
            return run(options, root is null);
        });
        return command;
    }

    /// <summary>A port option: a whole number from 0 to 65535 (as written, no sign), else the option's error.</summary>
    private static Option<int?> Port(string name, string description) => new(name)
    {
        HelpName = "N",
        Description = description,
        CustomParser = r =>
        {
            if (r.Tokens is [var token] && int.TryParse(token.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port <= 65535) return port;
            r.AddError($"{name} needs a port number (0-65535).");
            return null;
        },
    };
}
