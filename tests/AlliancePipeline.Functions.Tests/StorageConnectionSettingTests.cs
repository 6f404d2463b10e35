using AlliancePipeline.Functions.Infrastructure.Settings;
using AlliancePipeline.Functions.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;

namespace AlliancePipeline.Functions.Tests;

/// <summary>The AzureWebJobsStorage setting, read as the Functions host reads it: connection string or identity-based.</summary>
public sealed class StorageConnectionSettingTests
{
    private static IConfiguration Config(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();

    /// <summary>The section as the app binds it, checked by its validator: the connection, or null and each problem.</summary>
    private static StorageConnection? Read(IConfiguration configuration, List<string> errors)
    {
        var (options, problems) = TestSettings.Check<StorageConnectionOptions>(configuration);
        errors.AddRange(problems);
        return problems.Count == 0 ? options.ToConnection() : null;
    }

    [Fact]
    public void A_connection_string_is_kept_for_the_SDK_clients()
    {
        var errors = new List<string>();
        var connection = Read(Config(("AzureWebJobsStorage", "UseDevelopmentStorage=true")), errors);
        Assert.Empty(errors);
        Assert.False(connection!.IsIdentityBased);
        Assert.Equal("UseDevelopmentStorage=true", connection.ConnectionString);
        Assert.DoesNotContain("UseDevelopmentStorage", connection.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void An_account_name_with_a_managed_identity_gives_token_credential_endpoints()
    {
        var errors = new List<string>();
        var connection = Read(Config(
            ("AzureWebJobsStorage:accountName", "alliancedata"),
            ("AzureWebJobsStorage:credential", "managedidentity"),
            ("AzureWebJobsStorage:clientId", "00000000-0000-0000-0000-000000000001")), errors);
        Assert.Empty(errors);
        Assert.True(connection!.IsIdentityBased);
        Assert.IsType<Azure.Identity.ManagedIdentityCredential>(connection.Credential);
        Assert.Equal(new Uri("https://alliancedata.table.core.windows.net/"), connection.TableServiceUri);
        Assert.Equal(new Uri("https://alliancedata.queue.core.windows.net/"), connection.QueueServiceUri);
        Assert.Equal(new Uri("https://alliancedata.blob.core.windows.net/"), connection.BlobServiceUri);
    }

    [Fact]
    public void Explicit_service_uris_win_over_the_account_name()
    {
        var errors = new List<string>();
        var connection = Read(Config(
            ("AzureWebJobsStorage:accountName", "alliancedata"),
            ("AzureWebJobsStorage:tableServiceUri", "https://tables.example.test/")), errors);
        Assert.Empty(errors);
        Assert.Equal(new Uri("https://tables.example.test/"), connection!.TableServiceUri);
        Assert.Equal(new Uri("https://alliancedata.blob.core.windows.net/"), connection.BlobServiceUri);
        Assert.IsType<Azure.Identity.DefaultAzureCredential>(connection.Credential);
    }

    [Fact]
    public void Wrong_identity_settings_are_named()
    {
        var errors = new List<string>();
        Assert.Null(Read(Config(
            ("AzureWebJobsStorage:accountName", "alliancedata"),
            ("AzureWebJobsStorage:credential", "password")), errors));
        Assert.Equal("AzureWebJobsStorage__credential is 'password': the only value understood is 'managedidentity'.", Assert.Single(errors));

        errors.Clear();
        Assert.Null(Read(Config(("AzureWebJobsStorage:blobServiceUri", "not a uri")), errors));
        Assert.Contains(errors, e => e.StartsWith("AzureWebJobsStorage__blobServiceUri is 'not a uri'", StringComparison.Ordinal));

        errors.Clear();
        Assert.Null(Read(Config(("AzureWebJobsStorage:blobServiceUri", "https://b.example.test/")), errors));
        Assert.StartsWith("AzureWebJobsStorage: an identity-based connection needs", Assert.Single(errors), StringComparison.Ordinal);
    }
}
