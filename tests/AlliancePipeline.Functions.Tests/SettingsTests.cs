using System.Text.Json;
using AlliancePipeline.Core.Links;
using AlliancePipeline.Functions.Infrastructure.Settings;
using AlliancePipeline.Functions.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

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
        var e = Assert.Throws<InvalidSettingsException>(() => TestSettings.Read(Config(new Dictionary<string, string?>())));
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
        var e = Assert.Throws<InvalidSettingsException>(() => TestSettings.Read(Config(new Dictionary<string, string?>
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
        Assert.False(TestSettings.Read(Config(values)).Options<ClockOptions>().IsAdjustable);
        values["AlliancePipeline:Clock:Adjustable"] = "true";
        Assert.True(TestSettings.Read(Config(values)).Options<ClockOptions>().IsAdjustable);
    }

    [Fact]
    public void In_Azure_the_public_address_defaults_to_the_function_app_s_host_name()
    {
        var settings = TestSettings.Read(Config(new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true",
            ["LinkSigning:Keys"] = "test=" + Infrastructure.TestApp.SigningKey,
            ["LinkSigning:CurrentKeyId"] = "test",
            ["WEBSITE_HOSTNAME"] = "alliance-func.azurewebsites.net",
            ["AlliancePipeline:Smtp:Host"] = "smtp.example.org",
            ["AlliancePipeline:Smtp:From"] = "noreply@example.org",
        }));
        Assert.Equal(new Uri("https://alliance-func.azurewebsites.net"), settings.Options<PublicAddressOptions>().BaseUrl);
    }

    [Fact]
    public void The_sample_lists_every_setting_the_app_reads_and_is_valid()
    {
        var values = LocalSettingsValues(SamplePath());
        var keys = typeof(SettingNames).GetFields().Where(f => f.IsLiteral && f.Name.EndsWith("Key", StringComparison.Ordinal) && f.Name != nameof(SettingNames.WebsiteHostNameKey))
            .Select(f => (string)f.GetRawConstantValue()!).ToList();
        Assert.Equal(14, keys.Count);
        Assert.All(keys, k => Assert.True(values.ContainsKey(k), $"local.settings.sample.json lacks {SettingNames.Env(k)}"));
        Assert.Equal("dotnet-isolated", values["FUNCTIONS_WORKER_RUNTIME"]);
        // No usable key is committed: the sample's is a placeholder the first build replaces with a random one.
        Assert.Equal("local1=GENERATED-ON-FIRST-BUILD", values["LinkSigning:Keys"]);
        var refused = Assert.Throws<InvalidSettingsException>(() => TestSettings.Read(Config(values)));
        Assert.Contains(refused.Problems, p => p.Contains("LinkSigning__Keys", StringComparison.Ordinal));
        values["LinkSigning:Keys"] = "local1=" + Infrastructure.TestApp.SigningKey;
        var settings = TestSettings.Read(Config(values));
        Assert.True(settings.Options<StorageCreationOptions>().CreatesResources);
        Assert.Equal("UseDevelopmentStorage=true", settings.GetRequiredService<StorageConnection>().ConnectionString);
        Assert.Equal("local1", settings.GetRequiredService<LinkSigningKeys>().Current.Id);
        Assert.Equal(new Uri("http://localhost:7071"), settings.Options<PublicAddressOptions>().BaseUrl);
        var smtp = settings.GetRequiredService<SmtpServer>();
        Assert.Equal(("127.0.0.1", 1025, SmtpSecurity.None, null, null), (smtp.Host, smtp.Port, smtp.Security, smtp.User, smtp.Password));
        Assert.Equal("noreply@example.org", smtp.From.Address);
    }
}
