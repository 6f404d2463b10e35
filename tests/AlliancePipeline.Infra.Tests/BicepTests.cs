using System.Diagnostics;
using System.Reflection;
using System.Text.Json.Nodes;
using AlliancePipeline.Contracts.Storage;
using AlliancePipeline.Functions.Infrastructure.Settings;

namespace AlliancePipeline.Infra.Tests;

/// <summary>
/// <c>infra/main.bicep</c> through the Bicep CLI (restored from NuGet): it builds and lints with no warning, deploys the
/// app as dotnet-isolated on Flex Consumption, and sets the settings the app reads (identity-based storage, every
/// required <c>AlliancePipeline__</c> and <c>LinkSigning__</c> setting), and none the app does not read.
/// </summary>
public sealed class BicepTests
{
    internal static readonly string Bicep = typeof(BicepTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "BicepPath").Value!;

    internal static string Template => Path.Combine(RepositoryRoot(), "infra", "main.bicep");

    internal static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "AlliancePipeline.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("The repository root (AlliancePipeline.sln) was not found.");
    }

    internal static async Task<(int Exit, string Out, string Err)> RunAsync(params string[] args)
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

    internal static async Task<JsonNode> ArmAsync()
    {
        var (exit, json, err) = await RunAsync("build", Template, "--stdout");
        Assert.True(exit == 0, err);
        return JsonNode.Parse(json)!;
    }

    internal static JsonObject FunctionApp(JsonNode arm) =>
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
            Assert.Contains($"{SettingNames.StorageKey}__{part}", settings);
        Assert.DoesNotContain(SettingNames.StorageKey, settings);

        // Every setting the app reads, except the local-only ones and the public address (Azure's WEBSITE_HOSTNAME).
        string[] localOnly = [SettingNames.ClockAdjustableKey, SettingNames.PublicBaseUrlKey, SettingNames.WebsiteHostNameKey, SettingNames.StorageKey];
        var read = typeof(SettingNames).GetFields().Where(f => f.IsLiteral && f.Name.EndsWith("Key", StringComparison.Ordinal))
            .Select(f => (string)f.GetRawConstantValue()!).Except(localOnly).Select(SettingNames.Env).ToList();
        Assert.All(read, key => Assert.True(settings.Contains(key), $"infra/main.bicep does not set {key}"));

        // And nothing of the app's own the app does not read.
        var own = settings.Where(s => s.StartsWith("AlliancePipeline__", StringComparison.Ordinal) || s.StartsWith("LinkSigning__", StringComparison.Ordinal));
        Assert.All(own, key => Assert.True(read.Contains(key), $"infra/main.bicep sets {key}, which the app does not read"));
        Assert.Contains("APPLICATIONINSIGHTS_CONNECTION_STRING", settings);
    }

    internal static IEnumerable<JsonObject> Resources(JsonNode arm, string type) =>
        arm["resources"]!.AsArray().Select(r => r!.AsObject()).Where(r => r["type"]!.GetValue<string>() == type);

    internal static JsonArray Variable(JsonNode arm, string name) => arm["variables"]![name]!.AsArray();

    [Fact]
    public async Task Storage_refuses_shared_keys_and_public_blobs_and_holds_every_table_queue_and_container_the_app_names()
    {
        var arm = await ArmAsync();
        var account = Resources(arm, "Microsoft.Storage/storageAccounts").Single()["properties"]!;
        Assert.False(account["allowSharedKeyAccess"]!.GetValue<bool>());
        Assert.False(account["allowBlobPublicAccess"]!.GetValue<bool>());
        Assert.Equal("TLS1_2", account["minimumTlsVersion"]!.GetValue<string>());
        Assert.Equal(StorageNames.Tables.Order(StringComparer.Ordinal), Variable(arm, "tableNames").Select(t => t!.GetValue<string>()).Order(StringComparer.Ordinal));
        Assert.Equal(StorageNames.Queues.SelectMany(q => new[] { q, StorageNames.Poison(q) }).Order(StringComparer.Ordinal),
            Variable(arm, "queueNames").Select(q => q!.GetValue<string>()).Order(StringComparer.Ordinal));
        Assert.Equal(StorageNames.Containers.Order(StringComparer.Ordinal), Variable(arm, "containerNames").Select(c => c!.GetValue<string>()).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Secrets_live_in_Key_Vault_and_the_app_reads_them_through_references_with_its_identity()
    {
        var arm = await ArmAsync();
        var app = FunctionApp(arm);
        var settings = app["properties"]!["siteConfig"]!["appSettings"]!.AsArray().ToDictionary(s => s!["name"]!.GetValue<string>(), s => s!["value"]!.GetValue<string>());
        Assert.StartsWith("[format('@Microsoft.KeyVault(SecretUri={0})'", settings[SettingNames.Env(SettingNames.SigningKeysKey)], StringComparison.Ordinal);
        Assert.Contains("@Microsoft.KeyVault(SecretUri=", settings["AlliancePipeline__Smtp__Password"], StringComparison.Ordinal);
        Assert.Contains("userAssignedIdentities", app["properties"]!["keyVaultReferenceIdentity"]!.GetValue<string>(), StringComparison.Ordinal);
        var vault = Resources(arm, "Microsoft.KeyVault/vaults").Single()["properties"]!;
        Assert.True(vault["enableRbacAuthorization"]!.GetValue<bool>());
        Assert.Equal(["link-signing-keys", "smtp-password"], Resources(arm, "Microsoft.KeyVault/vaults/secrets")
            .Select(r => r["name"]!.GetValue<string>().Split('\'')[^2]).Order(StringComparer.Ordinal));
        // No secret is written into the template or its parameters file.
        Assert.All(arm["parameters"]!.AsObject().Where(p => p.Key is "linkSigningKeys" or "smtpPassword"), p => Assert.Equal("securestring", p.Value!["type"]!.GetValue<string>()));
    }

    [Fact]
    public async Task The_parameters_file_builds_and_reads_its_secrets_from_the_environment()
    {
        var parameters = Path.Combine(RepositoryRoot(), "infra", "main.bicepparam");
        var text = await File.ReadAllTextAsync(parameters);
        Assert.Contains("readEnvironmentVariable('ALLIANCE_LINK_SIGNING_KEYS')", text, StringComparison.Ordinal);
        Assert.DoesNotMatch("[A-Za-z0-9+/]{40,}={0,2}", text);
        var start = new System.Diagnostics.ProcessStartInfo(Bicep, ["build-params", parameters, "--stdout"]) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["ALLIANCE_LINK_SIGNING_KEYS"] = "k1=" + Convert.ToBase64String(new byte[32]);
        start.Environment["ALLIANCE_SMTP_HOST"] = "smtp.example.org";
        start.Environment["ALLIANCE_SMTP_FROM"] = "Alliance Pipeline <noreply@example.org>";
        using var process = System.Diagnostics.Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
        Assert.True(process.ExitCode == 0, error);
        Assert.Contains("smtp.example.org", await output, StringComparison.Ordinal);
    }
}
