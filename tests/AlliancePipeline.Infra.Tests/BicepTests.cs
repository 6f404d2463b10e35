using System.Diagnostics;
using System.Reflection;
using System.Text.Json.Nodes;
using AlliancePipeline.Functions.Settings;

namespace AlliancePipeline.Infra.Tests;

/// <summary>
/// <c>infra/main.bicep</c> through the Bicep CLI (restored from NuGet): it builds and lints with no warning, deploys the
/// app as dotnet-isolated on Flex Consumption, and sets the settings the app reads (identity-based storage, every
/// required <c>AlliancePipeline__</c> and <c>LinkSigning__</c> setting), and none the app does not read.
/// </summary>
public sealed class BicepTests
{
    private static readonly string Bicep = typeof(BicepTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "BicepPath").Value!;

    private static string Template => Path.Combine(RepositoryRoot(), "infra", "main.bicep");

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "AlliancePipeline.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("The repository root (AlliancePipeline.sln) was not found.");
    }

    private static async Task<(int Exit, string Out, string Err)> RunAsync(params string[] args)
    {
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(Bicep, File.GetUnixFileMode(Bicep) | UnixFileMode.UserExecute);
        var start = new ProcessStartInfo(Bicep, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
        return (process.ExitCode, await stdout, await stderr);
    }

    private static async Task<JsonNode> ArmAsync()
    {
        var (exit, json, err) = await RunAsync("build", Template, "--stdout");
        Assert.True(exit == 0, err);
        return JsonNode.Parse(json)!;
    }

    private static JsonObject FunctionApp(JsonNode arm) =>
        arm["resources"]!.AsArray().Select(r => r!).Single(r => r["type"]!.GetValue<string>() == "Microsoft.Web/sites").AsObject();

    [Fact]
    public async Task The_template_builds_and_lints_with_no_warning()
    {
        var (exit, _, err) = await RunAsync("build", Template, "--stdout");
        Assert.Equal(0, exit);
        Assert.Equal("", err.Trim());
        var (lintExit, lintOut, lintErr) = await RunAsync("lint", Template);
        Assert.Equal(0, lintExit);
        Assert.Equal("", (lintOut + lintErr).Trim());
    }

    [Fact]
    public async Task The_app_runs_dotnet_isolated_10_on_Flex_Consumption()
    {
        var app = FunctionApp(await ArmAsync());
        var runtime = app["properties"]!["functionAppConfig"]!["runtime"]!;
        Assert.Equal("dotnet-isolated", runtime["name"]!.GetValue<string>());
        Assert.Equal("10.0", runtime["version"]!.GetValue<string>());
        Assert.Equal("functionapp,linux", app["kind"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_app_settings_and_the_settings_the_app_reads_agree()
    {
        var settings = FunctionApp(await ArmAsync())["properties"]!["siteConfig"]!["appSettings"]!.AsArray()
            .Select(s => s!["name"]!.GetValue<string>()).ToHashSet(StringComparer.Ordinal);

        // Storage: identity-based, as the host and the worker read it.
        foreach (var part in new[] { "accountName", "credential", "clientId", "blobServiceUri", "queueServiceUri", "tableServiceUri" })
            Assert.Contains($"{AppSettings.StorageKey}__{part}", settings);
        Assert.DoesNotContain(AppSettings.StorageKey, settings);

        // Every setting the app reads, except the local-only ones and the public address (Azure's WEBSITE_HOSTNAME).
        string[] localOnly = [AppSettings.ClockAdjustableKey, AppSettings.PublicBaseUrlKey, AppSettings.WebsiteHostNameKey, AppSettings.StorageKey];
        var read = typeof(AppSettings).GetFields().Where(f => f.IsLiteral && f.Name.EndsWith("Key", StringComparison.Ordinal))
            .Select(f => (string)f.GetRawConstantValue()!).Except(localOnly).Select(AppSettings.Env).ToList();
        Assert.All(read, key => Assert.True(settings.Contains(key), $"infra/main.bicep does not set {key}"));

        // And nothing of the app's own the app does not read.
        var own = settings.Where(s => s.StartsWith("AlliancePipeline__", StringComparison.Ordinal) || s.StartsWith("LinkSigning__", StringComparison.Ordinal));
        Assert.All(own, key => Assert.True(read.Contains(key), $"infra/main.bicep sets {key}, which the app does not read"));
        Assert.Contains("APPLICATIONINSIGHTS_CONNECTION_STRING", settings);
    }
}
