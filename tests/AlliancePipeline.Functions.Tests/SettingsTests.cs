using System.Text.Json;
using AlliancePipeline.Functions.Infrastructure.Settings;
using Microsoft.Extensions.Configuration;

namespace AlliancePipeline.Functions.Tests;

public sealed class SettingsTests
{
    private static string SamplePath()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var path = Path.Combine(dir.FullName, "local.settings.sample.json");
            if (File.Exists(path)) return path;
        }
        throw new FileNotFoundException("local.settings.sample.json is not at the repository root.");
    }

    /// <summary>A local.settings.json's Values as configuration keys, as the host passes them (environment variables).</summary>
    public static Dictionary<string, string?> LocalSettingsValues(string path)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        return doc.RootElement.GetProperty("Values").EnumerateObject()
            .ToDictionary(p => p.Name.Replace("__", ":", StringComparison.Ordinal), p => p.Value.GetString(), StringComparer.OrdinalIgnoreCase);
    }

    private static IConfiguration Config(IReadOnlyDictionary<string, string?> values) => new ConfigurationBuilder().AddInMemoryCollection(values).Build();

    [Fact]
    public void Missing_settings_are_each_named()
    {
        var e = Assert.Throws<InvalidSettingsException>(() => AppSettings.Read(Config(new Dictionary<string, string?>())));
        Assert.Equal(6, e.Problems.Count);
        Assert.StartsWith("AzureWebJobsStorage is missing", e.Problems[0], StringComparison.Ordinal);
        Assert.StartsWith("LinkSigning__Keys is missing", e.Problems[1], StringComparison.Ordinal);
        Assert.StartsWith("LinkSigning__CurrentKeyId is missing", e.Problems[2], StringComparison.Ordinal);
        Assert.StartsWith("AlliancePipeline__PublicBaseUrl is missing", e.Problems[3], StringComparison.Ordinal);
        Assert.StartsWith("AlliancePipeline__Smtp__Host is missing", e.Problems[4], StringComparison.Ordinal);
        Assert.StartsWith("AlliancePipeline__Smtp__From is missing", e.Problems[5], StringComparison.Ordinal);
        Assert.Contains(" - AzureWebJobsStorage is missing", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Wrong_settings_are_each_named_with_the_value_found()
    {
        var e = Assert.Throws<InvalidSettingsException>(() => AppSettings.Read(Config(new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = "just-a-word",
            ["LinkSigning:Keys"] = "k1=" + Convert.ToBase64String(new byte[16]),
            ["LinkSigning:CurrentKeyId"] = "k1",
            ["AlliancePipeline:PublicBaseUrl"] = "localhost:7071/x?y",
            ["AlliancePipeline:Links:Lifetime"] = "-1.00:00:00",
            ["AlliancePipeline:Clock:Adjustable"] = "yes",
            ["AlliancePipeline:Smtp:Host"] = "smtp.example.org",
            ["AlliancePipeline:Smtp:From"] = "noreply@example.org",
        })));
        Assert.StartsWith("AzureWebJobsStorage is not a usable storage connection string: ", e.Problems[0], StringComparison.Ordinal);
        Assert.StartsWith("Setting LinkSigning__Keys, entry 1", e.Problems[1], StringComparison.Ordinal);
        Assert.Contains("32", e.Problems[1], StringComparison.Ordinal);
        Assert.Equal(
        [
            e.Problems[0],
            e.Problems[1],
            "AlliancePipeline__Links__Lifetime is '-1.00:00:00': expected a positive time span such as 00:10:00.",
            "AlliancePipeline__PublicBaseUrl is 'localhost:7071/x?y': expected an absolute http(s) address without a query, such as https://alliance.example.org.",
            "AlliancePipeline__Clock__Adjustable is 'yes': expected true or false.",
        ], e.Problems);
    }

    [Fact]
    public void The_clock_is_adjustable_only_when_asked()
    {
        var values = new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true",
            ["LinkSigning:Keys"] = "test=" + Infrastructure.TestApp.SigningKey,
            ["LinkSigning:CurrentKeyId"] = "test",
            ["AlliancePipeline:PublicBaseUrl"] = "http://localhost:7071",
            ["AlliancePipeline:Smtp:Host"] = "127.0.0.1",
            ["AlliancePipeline:Smtp:Security"] = "none",
            ["AlliancePipeline:Smtp:From"] = "noreply@example.org",
        };
        Assert.False(AppSettings.Read(Config(values)).ClockAdjustable);
        values["AlliancePipeline:Clock:Adjustable"] = "true";
        Assert.True(AppSettings.Read(Config(values)).ClockAdjustable);
    }

    [Fact]
    public void In_Azure_the_public_address_defaults_to_the_function_app_s_host_name()
    {
        var settings = AppSettings.Read(Config(new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true",
            ["LinkSigning:Keys"] = "test=" + Infrastructure.TestApp.SigningKey,
            ["LinkSigning:CurrentKeyId"] = "test",
            ["WEBSITE_HOSTNAME"] = "alliance-func.azurewebsites.net",
            ["AlliancePipeline:Smtp:Host"] = "smtp.example.org",
            ["AlliancePipeline:Smtp:From"] = "noreply@example.org",
        }));
        Assert.Equal(new Uri("https://alliance-func.azurewebsites.net"), settings.PublicBaseUrl);
    }

    [Fact]
    public void The_sample_lists_every_setting_the_app_reads_and_is_valid()
    {
        var values = LocalSettingsValues(SamplePath());
        var keys = typeof(AppSettings).GetFields().Where(f => f.IsLiteral && f.Name.EndsWith("Key", StringComparison.Ordinal) && f.Name != nameof(AppSettings.WebsiteHostNameKey))
            .Select(f => (string)f.GetRawConstantValue()!).ToList();
        Assert.Equal(13, keys.Count);
        Assert.All(keys, k => Assert.True(values.ContainsKey(k), $"local.settings.sample.json lacks {AppSettings.Env(k)}"));
        Assert.Equal("dotnet-isolated", values["FUNCTIONS_WORKER_RUNTIME"]);
        // No usable key is committed: the sample's is a placeholder the first build replaces with a random one.
        Assert.Equal("local1=GENERATED-ON-FIRST-BUILD", values["LinkSigning:Keys"]);
        var refused = Assert.Throws<InvalidSettingsException>(() => AppSettings.Read(Config(values)));
        Assert.Contains(refused.Problems, p => p.Contains("LinkSigning__Keys", StringComparison.Ordinal));
        values["LinkSigning:Keys"] = "local1=" + Infrastructure.TestApp.SigningKey;
        var settings = AppSettings.Read(Config(values));
        Assert.True(settings.CreateResources);
        Assert.Equal("UseDevelopmentStorage=true", settings.Storage.ConnectionString);
        Assert.Equal("local1", settings.SigningKeys.Current.Id);
        Assert.Equal(new Uri("http://localhost:7071"), settings.PublicBaseUrl);
        Assert.Equal(("127.0.0.1", 1025, SmtpSecurity.None, null, null), (settings.Smtp.Host, settings.Smtp.Port, settings.Smtp.Security, settings.Smtp.User, settings.Smtp.Password));
        Assert.Equal("noreply@example.org", settings.Smtp.From.Address);
    }
}
