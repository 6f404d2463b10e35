using System.Security.Cryptography;
using AlliancePipeline.Storage.Blobs;
using Azure;

namespace AlliancePipeline.Storage.Tests;

[Collection(AzuriteCollection.Name)]
public sealed class BlobContainerClientTests(AzuriteFixture azurite)
{
    private async Task<BlobContainerClient> NewContainerAsync()
    {
        var container = (BlobContainerClient)azurite.Blobs.GetBlobContainerClient(AzuriteFixture.UniqueName("c"));
        await container.CreateIfNotExistsAsync();
        return container;
    }

    [Fact]
    public async Task Create_is_idempotent_and_a_missing_container_is_a_404()
    {
        var container = await NewContainerAsync();
        await container.CreateIfNotExistsAsync();
        await container.DeleteIfExistsAsync();
        await container.DeleteIfExistsAsync();
        var e = await Assert.ThrowsAsync<RequestFailedException>(() => container.UploadAsync("a.txt", new MemoryStream([1])));
        Assert.Equal(404, e.Status);
        Assert.Equal("ContainerNotFound", e.ErrorCode);
    }

    [Fact]
    public async Task Upload_download_exists_and_delete_round_trip_content_and_content_type()
    {
        var container = await NewContainerAsync();
        var bytes = "study,site\nS1,Zürich\n"u8.ToArray();
        var uploaded = (await container.UploadAsync("exports/2024/report ü.csv", new MemoryStream(bytes), new BlobUploadOptions { ContentType = "text/csv; charset=utf-8" })).Value;
        Assert.Equal(bytes.Length, uploaded.ContentLength);
        Assert.NotEqual(default, uploaded.ETag);

        Assert.True((await container.ExistsAsync("exports/2024/report ü.csv")).Value);
        Assert.False((await container.ExistsAsync("exports/2024/other.csv")).Value);

        var downloaded = (await container.DownloadContentAsync("exports/2024/report ü.csv")).Value;
        Assert.Equal(bytes, downloaded.Content.ToArray());
        Assert.Equal("text/csv; charset=utf-8", downloaded.Properties.ContentType);
        Assert.Equal(uploaded.ETag, downloaded.Properties.ETag);
        Assert.Equal(bytes.Length, downloaded.Properties.ContentLength);

        Assert.True((await container.DeleteIfExistsAsync("exports/2024/report ü.csv")).Value);
        Assert.False((await container.DeleteIfExistsAsync("exports/2024/report ü.csv")).Value);
        var missing = await Assert.ThrowsAsync<RequestFailedException>(() => container.DownloadContentAsync("exports/2024/report ü.csv"));
        Assert.Equal(404, missing.Status);
        Assert.Equal("BlobNotFound", missing.ErrorCode);
    }

    [Fact]
    public async Task Overwrite_replaces_and_only_if_absent_refuses_a_taken_name()
    {
        var container = await NewContainerAsync();
        await container.UploadAsync("x", new MemoryStream([1, 2, 3]), new BlobUploadOptions { Overwrite = false });
        await container.UploadAsync("x", new MemoryStream([4, 5]));
        Assert.Equal(new byte[] { 4, 5 }, (await container.DownloadContentAsync("x")).Value.Content.ToArray());

        var e = await Assert.ThrowsAsync<RequestFailedException>(() => container.UploadAsync("x", new MemoryStream([6]), new BlobUploadOptions { Overwrite = false }));
        Assert.Equal(409, e.Status);
        Assert.Equal("BlobAlreadyExists", e.ErrorCode);
        Assert.Equal(new byte[] { 4, 5 }, (await container.DownloadContentAsync("x")).Value.Content.ToArray());
    }

    [Fact]
    public async Task A_20_MiB_blob_round_trips_by_content_hash()
    {
        var container = await NewContainerAsync();
        var data = new byte[20 * 1024 * 1024];
        new Random(20240229).NextBytes(data);
        var expected = SHA256.HashData(data);

        // A forward-only stream, as a pipe or network source would be.
        await using (var source = new ForwardOnlyStream(new MemoryStream(data)))
        {
            await container.UploadAsync("big.bin", source);
        }

        var whole = (await container.DownloadContentAsync("big.bin")).Value;
        Assert.Equal(data.Length, whole.Properties.ContentLength);
        Assert.Equal(expected, SHA256.HashData(whole.Content.ToArray()));

        using var streaming = (await container.DownloadStreamingAsync("big.bin")).Value;
        Assert.Equal(data.Length, streaming.Properties.ContentLength);
        Assert.Equal(expected, await SHA256.HashDataAsync(streaming.Content));
    }

    [Fact]
    public async Task Listing_by_prefix_follows_continuation_markers()
    {
        var container = await NewContainerAsync();
        for (var i = 0; i < 12; i++) await container.UploadAsync($"runs/{i:D2}.json", new MemoryStream([(byte)i]), new BlobUploadOptions { ContentType = "application/json" });
        await container.UploadAsync("other/readme.txt", new MemoryStream([0]));

        var pages = await container.GetBlobsAsync("runs/", pageSizeHint: 5).AsPages().ToListAsync();
        Assert.Equal([5, 5, 2], pages.Select(p => p.Values.Count));
        var items = pages.SelectMany(p => p.Values).ToList();
        Assert.Equal(Enumerable.Range(0, 12).Select(i => $"runs/{i:D2}.json"), items.Select(b => b.Name));
        Assert.All(items, b => Assert.Equal("application/json", b.Properties.ContentType));
        Assert.All(items, b => Assert.Equal(1, b.Properties.ContentLength));
        Assert.Equal(13, await container.GetBlobsAsync().CountAsync());
    }

    [Fact]
    public async Task Invalid_container_and_blob_names_are_refused()
    {
        Assert.Contains("'Upper'", Assert.Throws<ArgumentException>(() => azurite.Blobs.GetBlobContainerClient("Upper")).Message);
        var container = azurite.Blobs.GetBlobContainerClient("valid-name");
        Assert.Contains("ends-with-dot.", (await Assert.ThrowsAsync<ArgumentException>(() => container.ExistsAsync("ends-with-dot."))).Message);
        await Assert.ThrowsAsync<ArgumentException>(() => container.ExistsAsync("a//b"));
    }

    /// <summary>A stream that cannot seek or tell its length.</summary>
    private sealed class ForwardOnlyStream(Stream inner) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
