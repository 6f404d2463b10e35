using AlliancePipeline.Functions.Settings;
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

    private static IConfiguration Config(IReadOnlyDictionary<string, string?> values) => new ConfigurationBuilder().AddInMemoryCollection(values).Build();

    [Fact]
    public void Missing_settings_are_each_named()
    {
        var e = Assert.Throws<InvalidSettingsException>(() => AppSettings.Read(Config(new Dictionary<string, string?>())));
        Assert.Equal(4, e.Problems.Count);
        Assert.StartsWith("AzureWebJobsStorage is missing", e.Problems[0], StringComparison.Ordinal);
        Assert.StartsWith("FUNCTIONS_CUSTOMHANDLER_PORT is missing", e.Problems[1], StringComparison.Ordinal);
        Assert.StartsWith("LinkSigning__Keys is missing", e.Problems[2], StringComparison.Ordinal);
        Assert.StartsWith("LinkSigning__CurrentKeyId is missing", e.Problems[3], StringComparison.Ordinal);
        Assert.Contains(" - AzureWebJobsStorage is missing", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Wrong_settings_are_each_named_with_the_value_found()
    {
        var e = Assert.Throws<InvalidSettingsException>(() => AppSettings.Read(Config(new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = "just-a-word",
            ["FUNCTIONS_CUSTOMHANDLER_PORT"] = "70000",
            ["LinkSigning:Keys"] = "k1=" + Convert.ToBase64String(new byte[16]),
            ["LinkSigning:CurrentKeyId"] = "k1",
            ["AlliancePipeline:LocalDriver:Enabled"] = "yes",
            ["AlliancePipeline:LocalDriver:MessageLease"] = "-00:01:00",
        })));
        Assert.StartsWith("Setting LinkSigning__Keys, entry 1", e.Problems[2], StringComparison.Ordinal);
        Assert.Contains("32", e.Problems[2], StringComparison.Ordinal);
        Assert.StartsWith("AzureWebJobsStorage is not a usable connection string: ", e.Problems[0], StringComparison.Ordinal);
        Assert.Equal(
        [
            e.Problems[0],
            "FUNCTIONS_CUSTOMHANDLER_PORT is '70000': expected an integer from 1 to 65535.",
            e.Problems[2],
            "AlliancePipeline__LocalDriver__Enabled is 'yes': expected true or false.",
            "AlliancePipeline__LocalDriver__MessageLease is '-00:01:00': expected a positive time span such as 00:10:00.",
        ], e.Problems);
    }

    [Fact]
    public void The_sample_lists_every_setting_the_app_reads_and_is_valid()
    {
        var values = LocalSettingsFile.Read(SamplePath());
        var keys = typeof(AppSettings).GetFields().Where(f => f.IsLiteral && f.Name.EndsWith("Key", StringComparison.Ordinal))
            .Select(f => (string)f.GetRawConstantValue()!).ToList();
        Assert.Equal(13, keys.Count);
        Assert.All(keys, k => Assert.True(values.ContainsKey(k), $"local.settings.sample.json lacks {AppSettings.Env(k)}"));
        var settings = AppSettings.Read(Config(values));
        Assert.True(settings.LocalDriver.Enabled);
        Assert.Equal(7071, settings.LocalDriver.Port);
        Assert.Equal("devstoreaccount1", settings.StorageAccount.AccountName);
        Assert.Equal("local1", settings.SigningKeys.Current.Id);
    }

    [Fact]
    public void The_driver_and_the_handler_cannot_share_a_port()
    {
        var e = Assert.Throws<InvalidSettingsException>(() => AppSettings.Read(Config(new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true",
            ["FUNCTIONS_CUSTOMHANDLER_PORT"] = "7071",
            ["LinkSigning:Keys"] = "test=" + Infrastructure.TestApp.SigningKey,
            ["LinkSigning:CurrentKeyId"] = "test",
            ["AlliancePipeline:LocalDriver:Enabled"] = "true",
        })));
        Assert.Contains("both 7071", Assert.Single(e.Problems), StringComparison.Ordinal);
    }
}
