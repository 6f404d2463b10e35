using System.Reflection;
using System.Runtime.InteropServices;
using AlliancePipeline.Emulators;
using AlliancePipeline.LocalHost;

// dotnet run --project tools/AlliancePipeline.LocalHost -- [--script-root DIR] [--port 7071] [--no-emulators] ...
// What `func start` does for a .NET isolated worker: Ctrl+C stops everything it started. The options: LocalHostCommand.
return await LocalHostCommand.RunAsync(args, Console.Out, Console.Error, RunAsync);

static async Task<int> RunAsync(LocalHostOptions options, bool defaultScriptRoot)
{
    if (defaultScriptRoot) options.ScriptRoot = DefaultScriptRoot();

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
        await Console.Error.WriteLineAsync(e.Message + (defaultScriptRoot ? $"{Environment.NewLine}(That is the default script root; pass --script-root DIR for another worker's build output.)" : ""));
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
}

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
