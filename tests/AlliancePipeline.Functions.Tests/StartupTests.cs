using System.Diagnostics;

namespace AlliancePipeline.Functions.Tests;

/// <summary>The built worker, started without a host, refuses to run without its settings and names them.</summary>
public sealed class StartupTests
{
    private static readonly string[] AppSettingNames = ["AzureWebJobsStorage", "LinkSigning__Keys", "LinkSigning__CurrentKeyId", "AlliancePipeline__PublicBaseUrl", "WEBSITE_HOSTNAME"];

    /// <summary>Runs the built worker with <paramref name="settings"/> (and none of the app's settings from this process); its exit code and output.</summary>
    private static async Task<(int ExitCode, string Stderr, string Stdout)> RunWorkerAsync(IReadOnlyDictionary<string, string> settings)
    {
        var empty = Directory.CreateTempSubdirectory("no-settings").FullName;
        try
        {
            var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "AlliancePipeline.Functions.dll")])
            {
                WorkingDirectory = empty,
                RedirectStandardError = true,
                RedirectStandardOutput = true,
            };
            foreach (var name in AppSettingNames)
                start.Environment.Remove(name);
            foreach (var (name, value) in settings)
                start.Environment[name] = value;
            using var process = Process.Start(start)!;
            var stderr = process.StandardError.ReadToEndAsync();
            var stdout = process.StandardOutput.ReadToEndAsync();
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            return (process.ExitCode, await stderr, await stdout);
        }
        finally
        {
            Directory.Delete(empty, true);
        }
    }

    [Fact]
    public async Task Without_settings_the_worker_exits_2_naming_each_missing_setting()
    {
        var (exitCode, text, stdout) = await RunWorkerAsync(new Dictionary<string, string>());
        Assert.Equal(2, exitCode);
        Assert.Contains(" - AzureWebJobsStorage is missing", text, StringComparison.Ordinal);
        Assert.Contains(" - LinkSigning__Keys is missing", text, StringComparison.Ordinal);
        Assert.Contains(" - LinkSigning__CurrentKeyId is missing", text, StringComparison.Ordinal);
        Assert.Contains(" - AlliancePipeline__PublicBaseUrl is missing", text, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", text + stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_one_wrong_setting_the_worker_exits_2_at_start_naming_it_alone()
    {
        var settings = Infrastructure.TestApp.Settings("UseDevelopmentStorage=true")
            .ToDictionary(s => s.Key.Replace(":", "__", StringComparison.Ordinal), s => s.Value!);
        settings["AlliancePipeline__Smtp__Port"] = "x";
        var (exitCode, text, stdout) = await RunWorkerAsync(settings);
        Assert.Equal(2, exitCode);
        Assert.Equal(
            "The app's settings are incomplete or wrong:" + Environment.NewLine + " - AlliancePipeline__Smtp__Port is 'x': expected an integer from 1 to 65535.",
            text.Trim());
        Assert.DoesNotContain("   at ", text + stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_the_signing_key_published_in_the_repository_s_history_the_worker_exits_2_naming_it()
    {
        var settings = Infrastructure.TestApp.Settings("UseDevelopmentStorage=true")
            .ToDictionary(s => s.Key.Replace(":", "__", StringComparison.Ordinal), s => s.Value!);
        var leaked = Security.CompromisedKey.Read();
        settings["LinkSigning__Keys"] = "local1=" + leaked;
        settings["LinkSigning__CurrentKeyId"] = "local1";
        var (exitCode, text, stdout) = await RunWorkerAsync(settings);
        Assert.Equal(2, exitCode);
        Assert.Contains(" - LinkSigning__Keys: key 'local1' is known to be compromised (published in the repository's history (commit 7f8c686", text, StringComparison.Ordinal);
        Assert.DoesNotContain(leaked, text + stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", text + stdout, StringComparison.Ordinal);
    }
}
