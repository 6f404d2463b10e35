using AlliancePipeline.Storage.Common;
using AlliancePipeline.Storage.Queues;
using AlliancePipeline.Storage.Tables;
using Azure;

namespace AlliancePipeline.Storage.Tests;

/// <summary>
/// With the client's own checks turned off, what the service itself refuses surfaces as a
/// <see cref="RequestFailedException"/> naming the operation, the status and the service's error code.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class ServiceRefusalTests(AzuriteFixture azurite)
{
    private async Task<ITableClient> UncheckedTableAsync()
    {
        var tables = new TableServiceClient(azurite.Account, new StorageClientOptions { ValidateEntitiesBeforeSending = false });
        var table = tables.GetTableClient(AzuriteFixture.UniqueTableName("raw"));
        await table.CreateIfNotExistsAsync();
        return table;
    }

    [Fact]
    public async Task The_service_refuses_an_entity_over_1_MiB()
    {
        var table = await UncheckedTableAsync();
        var large = new TableEntity("p", "r");
        // 40 × 32K characters: over 1 MiB however it is measured (Azurite counts the UTF-8 payload; Azure, UTF-16).
        for (var i = 0; i < 40; i++) large[$"S{i}"] = new string('x', 32 * 1024);
        // Azurite 3.35 checks the size on Insert Or Merge (not on Insert); Azure checks it on every write.
        var e = await Assert.ThrowsAsync<RequestFailedException>(() => table.UpsertEntityAsync(large));
        Assert.Equal(400, e.Status);
        Assert.Equal("EntityTooLarge", e.ErrorCode);
        Assert.Contains("Insert Or Merge Entity", e.Message);
        Assert.Contains("EntityTooLarge", e.Message);
    }

    // Azurite does not enforce the 252-property limit (Azure does), so that rule is guarded by the client's own check
    // only (TableClientTests.More_than_252_properties_and_entities_over_1_MiB_are_refused_with_a_clear_message).

    [Theory]
    [InlineData("string")]
    [InlineData("binary")]
    public async Task The_service_refuses_a_property_value_over_64_KiB(string kind)
    {
        var table = await UncheckedTableAsync();
        var entity = new TableEntity("p", "r") { ["V"] = kind == "string" ? new string('x', 40_000) : new byte[70_000] };
        var e = await Assert.ThrowsAsync<RequestFailedException>(() => table.UpsertEntityAsync(entity));
        Assert.Equal(400, e.Status);
        Assert.Equal("PropertyValueTooLarge", e.ErrorCode);
        Assert.Contains("64KB", e.Message);
    }

    [Theory]
    [InlineData("a/b")]
    [InlineData("a#b")]
    [InlineData("a?b")]
    [InlineData("a\\b")]
    [InlineData("a\u0001b")]
    public async Task The_service_refuses_a_forbidden_key_character(string rowKey)
    {
        var table = await UncheckedTableAsync();
        // Insert sends the keys in the body, where the service judges them (in a URL path a '/' never reaches it intact).
        var e = await Assert.ThrowsAsync<RequestFailedException>(() => table.AddEntityAsync(new TableEntity("p", rowKey)));
        Assert.Equal(400, e.Status);
        Assert.NotNull(e.ErrorCode);
        Assert.Contains("Insert Entity", e.Message);
        Assert.Contains("400", e.Message);
    }

    [Fact]
    public async Task The_client_check_says_more_than_the_service()
    {
        var table = azurite.Tables.GetTableClient(AzuriteFixture.UniqueTableName("t"));
        var e = await Assert.ThrowsAsync<ArgumentException>(() => table.UpsertEntityAsync(new TableEntity("p", "a\u0001b")));
        Assert.Contains("U+0001 at position 1", e.Message);
    }

    [Fact]
    public async Task A_wrong_account_key_is_refused_with_403_AuthenticationFailed()
    {
        var wrongKey = StorageAccount.Parse(
            $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={Convert.ToBase64String(new byte[64])};" +
            $"TableEndpoint={azurite.Account.TableEndpoint};QueueEndpoint={azurite.Account.QueueEndpoint};BlobEndpoint={azurite.Account.BlobEndpoint}");
        var queue = new QueueServiceClient(wrongKey).GetQueueClient(AzuriteFixture.UniqueName("q"));
        var e = await Assert.ThrowsAsync<RequestFailedException>(() => queue.CreateIfNotExistsAsync());
        Assert.Equal(403, e.Status);
        Assert.Equal("AuthenticationFailed", e.ErrorCode);

        var table = new TableServiceClient(wrongKey).GetTableClient(AzuriteFixture.UniqueTableName("t"));
        var tableError = await Assert.ThrowsAsync<RequestFailedException>(() => table.CreateIfNotExistsAsync());
        Assert.Equal(403, tableError.Status);
    }
}
