using System.CommandLine;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using AlliancePipeline.Emulators;
using AlliancePipeline.LocalHost;

namespace AlliancePipeline.Demo;

/// <summary>
/// The demo's command line (<c>dotnet run --project tools/AlliancePipeline.Demo -- [--keep-running] [--dyads N]
/// [--port P] [--out DIR]</c>): the whole pipeline on the embedded default (<see cref="DemoRun"/>); prints where to look
/// and writes the same as JSON. Ctrl+C stops everything it started.
/// </summary>
public static class DemoCommand
{
    /// <summary>Parses and runs <paramref name="args"/>; returns the exit code (0 done, 1 failed, 130 stopped).</summary>
    public static Task<int> RunAsync(string[] args, TextWriter? output = null, TextWriter? error = null) =>
        Create().Parse(args).InvokeAsync(new InvocationConfiguration
        {
            Output = output ?? Console.Out,
            Error = error ?? Console.Error,
        });

    /// <summary>Creates the command.</summary>
    public static RootCommand Create()
    {
        var keepRunning = new Option<bool>("--keep-running") { Description = "Leave the app, Azurite and MailDev running to explore; Ctrl+C stops them." };
        var dyads = new Option<int>("--dyads") { Description = "Dyads in the demo study (12 to 200; default 40).", DefaultValueFactory = _ => 40 };
        dyads.Validators.Add(r => { if (r.GetValueOrDefault<int>() is < 12 or > 200) r.AddError("--dyads: between 12 and 200."); });
        var port = new Option<int>("--port") { Description = "The app's port on localhost (default 7071).", DefaultValueFactory = _ => LocalHostOptions.DefaultHttpPort };
        var output = new Option<DirectoryInfo>("--out") { Description = "Where to write the report, the study file, demo.json and the host's log (default .local/demo)." };
        var command = new RootCommand("Run a demo study end to end on the local emulators and say where to look.") { keepRunning, dyads, port, output };
        command.SetAction(async (parse, ct) =>
        {
            var console = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            var folder = parse.GetValue(output)?.FullName ?? DefaultOutputFolder();
            var run = new DemoRun(new DemoOptions
            {
                ScriptRoot = WorkerFolder(),
                OutputFolder = folder,
                Dyads = parse.GetValue(dyads),
                HttpPort = parse.GetValue(port),
                Progress = console,
            });
            FunctionsLocalHost? host = null;
            try
            {
                (var result, host) = await run.RunAsync(ct).ConfigureAwait(false);
                await WriteAsync(console, result, Path.Combine(folder, "demo.json"), parse.GetValue(keepRunning)).ConfigureAwait(false);
                if (parse.GetValue(keepRunning))
                {
                    try
                    {
                        await host.Completion.WaitAsync(ct).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        await console.WriteLineAsync("Stopping the app and what the demo started…").ConfigureAwait(false);
                    }
                }
                return 0;
            }
            catch (OperationCanceledException)
            {
                await error.WriteLineAsync("alliance demo: stopped.").ConfigureAwait(false);
                return 130;
            }
            catch (Exception e) when (e is DemoException or WorkerConfigurationException or LocalHostConfigurationException or InvalidOperationException or HttpRequestException or Azure.RequestFailedException)
            {
                await error.WriteLineAsync($"alliance demo: {e.Message}").ConfigureAwait(false);
                return 1;
            }
            finally
            {
                if (host is not null) await host.DisposeAsync().ConfigureAwait(false);
            }
        });
        return command;
    }

    /// <summary>Prints where to look and writes it as JSON to <paramref name="jsonPath"/>.</summary>
    public static async Task WriteAsync(TextWriter console, DemoResult r, string jsonPath, bool keepRunning)
    {
        await File.WriteAllTextAsync(jsonPath, JsonSerializer.Serialize(r, new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase })).ConfigureAwait(false);
        var lines = new[]
        {
            "",
            $"Demo finished in {r.Elapsed.TotalSeconds:0} s. {r.Summary}",
            $"  Report (researcher key):     {r.ReportUrl}",
            $"  Report, local copy:          {r.LocalReport}",
            $"  Dashboard (admin key):       {r.AdminDashboardUrl}",
            $"  Dashboard ({r.SiteId} key):  {r.SiteDashboardUrl}",
            "  (Open each address above in a browser as printed: the app moves its key into a cookie and sends the browser on to",
            "   the address without it. The browser holds one key at a time; opening another address above switches to its key.)",
            $"  Mail (MailDev):              {r.MailDevUrl}  ({Count(r.Mails, "mail")} in MailDev; this run sent {Count(r.Invitations, "invitation")} and {Count(r.Reminders, "reminder")}, and digests, alerts and the report)",
            r.OpenInvitations > 0
                ? $"  Still open:                  {Count(r.OpenInvitations, "invitation")} of the dyads enrolled on the last day: open the newest in MailDev, answer it, and watch it reach the dashboard."
                : "  Still open:                  no invitation from this run (an earlier run of the demo sent them; its links still work).",
            $"  Study file:                  {r.StudyFile}",
            $"  The same as JSON:            {Path.GetFullPath(jsonPath)}",
            keepRunning
                ? "Everything stays up: open the links above. Ctrl+C stops the app, and Azurite and MailDev if the demo started them."
                : "Run with --keep-running to keep the app up and open the links; a second run works without cleaning up.",
        };
        foreach (var line in lines) await console.WriteLineAsync(line).ConfigureAwait(false);
    }

    private static string Count(int n, string noun) => string.Create(CultureInfo.InvariantCulture, $"{n} {noun}{(n == 1 ? "" : "s")}");

    /// <summary>
    /// The worker the demo runs: the build output of <c>src/AlliancePipeline.Functions</c> in the repository for the
    /// configuration the demo was built in (built with it, through the local host's project reference).
    /// </summary>
    public static string WorkerFolder()
    {
        var relative = typeof(FunctionsLocalHost).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().First(a => a.Key == "DefaultScriptRoot").Value!;
        return Path.Combine(EmulatorTools.Locate().RepositoryRoot, relative);
    }

    private static string DefaultOutputFolder()
    {
        try
        {
            return Path.Combine(EmulatorTools.Locate().RepositoryRoot, ".local", "demo");
        }
        catch (InvalidOperationException)
        {
            return Path.Combine(Environment.CurrentDirectory, "alliance-demo");
        }
    }
}
