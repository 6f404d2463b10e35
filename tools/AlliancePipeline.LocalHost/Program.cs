using System.Globalization;
using System.Reflection;
using System.Runtime.InteropServices;
using AlliancePipeline.Emulators;
using AlliancePipeline.LocalHost;

// dotnet run --project tools/AlliancePipeline.LocalHost -- [--script-root DIR] [--port 7071] [--no-emulators] ...
// What `func start` does for a .NET isolated worker: Ctrl+C stops everything it started.
const string Usage = """
    Usage: AlliancePipeline.LocalHost [options]
      --script-root DIR       the worker's build output (worker.config.json, functions.metadata, host.json);
                              default: the build output of src/AlliancePipeline.Functions for this configuration
      --port N                HTTP port on localhost (default: Host.LocalHttpPort of local.settings.json, else 7071)
      --settings FILE         the settings file (default: <script root>/local.settings.json)
      --no-emulators          do not start Azurite or MailDev
      --no-maildev            do not start MailDev
      --maildev-smtp-port N   MailDev's SMTP port (default 1025)
      --maildev-web-port N    MailDev's web port (default 1080)
    """;

string? scriptRoot = null;
var options = new LocalHostOptions { ScriptRoot = "" };
for (var i = 0; i < args.Length; i++)
{
    string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
    int Port() => int.TryParse(Value(), NumberStyles.None, CultureInfo.InvariantCulture, out var p) && p is >= 0 and <= 65535 ? p : throw new ArgumentException($"{args[i]} needs a port number (0-65535).");
    try
    {
        switch (args[i])
        {
            case "--script-root": scriptRoot = Value(); break;
            case "--port": options.HttpPort = Port(); break;
            case "--settings": options.SettingsFile = Path.GetFullPath(Value()); break;
            case "--no-emulators": options.StartEmulators = false; break;
            case "--no-maildev": options.StartMailDev = false; break;
            case "--maildev-smtp-port": options.MailDevSmtpPort = Port(); break;
            case "--maildev-web-port": options.MailDevWebPort = Port(); break;
            case "-h" or "--help":
                Console.WriteLine(Usage);
                return 0;
            default: throw new ArgumentException($"Unknown option '{args[i]}'.");
        }
    }
    catch (ArgumentException e)
    {
        await Console.Error.WriteLineAsync(e.Message + Environment.NewLine + Usage);
        return 64;
    }
}

options.ScriptRoot = scriptRoot is not null ? Path.GetFullPath(scriptRoot) : DefaultScriptRoot();

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c =>
{
    c.Cancel = true;
    stop.Cancel();
});

FunctionsLocalHost host;
try
{
    host = await FunctionsLocalHost.StartAsync(options, stop.Token);
}
catch (WorkerConfigurationException e)
{
    await Console.Error.WriteLineAsync(e.Message);
    return 2;
}
catch (LocalHostConfigurationException e)
{
    await Console.Error.WriteLineAsync(e.Message + (scriptRoot is null ? $"{Environment.NewLine}(That is the default script root; pass --script-root DIR for another worker's build output.)" : ""));
    return 1;
}
catch (OperationCanceledException)
{
    return 130;
}

await using (host)
{
    try
    {
        await host.Completion.WaitAsync(stop.Token);
    }
    catch (OperationCanceledException)
    {
        // Ctrl+C: stop below.
    }
    catch (WorkerConfigurationException e)
    {
        await Console.Error.WriteLineAsync(e.Message);
        return 2;
    }
    catch (LocalHostConfigurationException e)
    {
        await Console.Error.WriteLineAsync(e.Message);
        return 1;
    }

    await host.StopAsync(CancellationToken.None);
}

return 0;

// The build output of src/AlliancePipeline.Functions for the configuration this host was built in (the project
// reference builds it first), found from the repository root.
static string DefaultScriptRoot()
{
    var relative = typeof(FunctionsLocalHost).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .First(a => a.Key == "DefaultScriptRoot").Value!;
    try
    {
        return Path.Combine(EmulatorTools.Locate().RepositoryRoot, relative);
    }
    catch (InvalidOperationException)
    {
        return Path.GetFullPath(relative);
    }
}
