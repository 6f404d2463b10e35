using System.Net;
using System.Text;
using AlliancePipeline.Functions.Services;
using AlliancePipeline.Functions.Tests.Infrastructure;

namespace AlliancePipeline.Functions.Tests;

/// <summary>Nothing acknowledged may be lost: without a queue to put it on, a submission is not answered 202.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class NothingLostTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task When_the_queue_cannot_take_the_submission_the_rater_gets_500_not_202()
    {
        foreach (var table in StorageNames.Tables) await azurite.Tables.GetTableClient(table).CreateIfNotExistsAsync();
        var deadPort = TestApp.FreePort();
        // Tables and blobs on this run's Azurite, queues on a closed port.
        var a = azurite.Account;
        var connection = $"DefaultEndpointsProtocol=http;AccountName={a.AccountName};AccountKey={a.SharedKey!.AccountKey};" +
            $"BlobEndpoint={a.BlobEndpoint};QueueEndpoint=http://127.0.0.1:{deadPort}/devstoreaccount1;TableEndpoint={a.TableEndpoint}";
        await using var app = await TestApp.StartAsync(azurite, driver: true, s =>
        {
            s["AzureWebJobsStorage"] = connection;
            s["AlliancePipeline:Storage:CreateResources"] = "false";
        });
        var links = await app.SeedAsync(AzuriteFixture.UniqueName("lost"), 1, 1);
        var json = $"{{\"items\":[{string.Join(',', Enumerable.Repeat(4, 12))}]}}";
        using var post = await app.Driver.PostAsync($"/api/q/{links[0].Token}", new StringContent(json, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.InternalServerError, post.StatusCode);
    }
}
