using AlliancePipeline.Storage.Common;
using Azure.Core;

namespace AlliancePipeline.Storage.Tests;

public sealed class StorageAccountTests
{
    private const string Key = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    [Fact]
    public void UseDevelopmentStorage_is_Azurite_devstoreaccount1_on_the_default_ports()
    {
        var account = StorageAccount.Parse("UseDevelopmentStorage=true");
        Assert.Equal("devstoreaccount1", account.AccountName);
        Assert.Equal(new Uri("http://127.0.0.1:10000/devstoreaccount1"), account.BlobEndpoint);
        Assert.Equal(new Uri("http://127.0.0.1:10001/devstoreaccount1"), account.QueueEndpoint);
        Assert.Equal(new Uri("http://127.0.0.1:10002/devstoreaccount1"), account.TableEndpoint);
        Assert.Equal(new StorageSharedKeyCredential("devstoreaccount1", Key), account.SharedKey);
        Assert.Null(account.TokenCredential);
        Assert.Same(account, StorageAccount.Parse(" usedevelopmentstorage = TRUE ; "));
    }

    [Fact]
    public void Account_name_and_key_derive_the_endpoints_from_protocol_and_suffix()
    {
        var account = StorageAccount.Parse($"DefaultEndpointsProtocol=https;AccountName=alliancedata;AccountKey={Key};EndpointSuffix=core.chinacloudapi.cn");
        Assert.Equal(new Uri("https://alliancedata.table.core.chinacloudapi.cn"), account.TableEndpoint);
        Assert.Equal(new Uri("https://alliancedata.queue.core.chinacloudapi.cn"), account.QueueEndpoint);
        Assert.Equal(new Uri("https://alliancedata.blob.core.chinacloudapi.cn"), account.BlobEndpoint);
        Assert.Equal("alliancedata", account.SharedKey!.AccountName);

        var defaults = StorageAccount.Parse($"AccountName=alliancedata;AccountKey={Key}");
        Assert.Equal(new Uri("https://alliancedata.blob.core.windows.net"), defaults.BlobEndpoint);
    }

    [Fact]
    public void Explicit_endpoints_win_over_derived_ones()
    {
        var account = StorageAccount.Parse(
            $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={Key};BlobEndpoint=http://127.0.0.1:20000/devstoreaccount1;QueueEndpoint=http://127.0.0.1:20001/devstoreaccount1;TableEndpoint=http://127.0.0.1:20002/devstoreaccount1;");
        Assert.Equal(new Uri("http://127.0.0.1:20000/devstoreaccount1"), account.BlobEndpoint);
        Assert.Equal(new Uri("http://127.0.0.1:20001/devstoreaccount1"), account.QueueEndpoint);
        Assert.Equal(new Uri("http://127.0.0.1:20002/devstoreaccount1"), account.TableEndpoint);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("UseDevelopmentStorage=false", "must be 'true'")]
    [InlineData("UseDevelopmentStorage=true;AccountName=x", "cannot be combined")]
    [InlineData("AccountKey=" + Key, "no AccountName")]
    [InlineData("AccountName=x", "no AccountKey")]
    [InlineData("AccountName=x;AccountKey=not base64!", "not valid base64")]
    [InlineData("AccountName=x;AccountKey=" + Key + ";DefaultEndpointsProtocol=ftp", "'http' or 'https'")]
    [InlineData("AccountName=x;AccountKey=" + Key + ";BlobEndpoint=not a uri", "BlobEndpoint 'not a uri'")]
    [InlineData("AccountName=x;AccountKey=" + Key + ";Colour=blue", "unknown setting 'Colour'")]
    [InlineData("AccountName=x;AccountName=y;AccountKey=" + Key, "sets 'AccountName' twice")]
    [InlineData("AccountName=x;SharedAccessSignature=sv=2020", "Shared access signatures are not supported")]
    [InlineData("AccountName", "without 'key=value'")]
    public void Bad_connection_strings_say_what_is_wrong(string connectionString, string expected)
    {
        var e = Assert.Throws<FormatException>(() => StorageAccount.Parse(connectionString));
        Assert.Contains(expected, e.Message);
        Assert.DoesNotContain(Key, e.Message);
    }

    [Fact]
    public void Endpoints_with_a_token_credential_make_a_managed_identity_account()
    {
        var credential = new NoCredential();
        var account = StorageAccount.FromEndpoints(new Uri("https://a.table.core.windows.net"), new Uri("https://a.queue.core.windows.net"), new Uri("https://a.blob.core.windows.net"), credential);
        Assert.Same(credential, account.TokenCredential);
        Assert.Null(account.SharedKey);
        var clients = new StorageClients(account);
        Assert.Equal(new Uri("https://a.table.core.windows.net"), clients.Tables.Endpoint);
        Assert.Equal(new Uri("https://a.queue.core.windows.net"), clients.Queues.Endpoint);
        Assert.Equal(new Uri("https://a.blob.core.windows.net"), clients.Blobs.Endpoint);
    }

    private sealed class NoCredential : TokenCredential
    {
        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) => throw new InvalidOperationException("not called");

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) => throw new InvalidOperationException("not called");
    }
}
