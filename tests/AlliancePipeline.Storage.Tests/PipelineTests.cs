using System.Net;
using System.Net.Sockets;
using AlliancePipeline.Storage.Common;
using AlliancePipeline.Storage.Queues;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;

namespace AlliancePipeline.Storage.Tests;

/// <summary>The pipeline's retry and authorisation behaviour, against a local HTTP listener (no storage semantics).</summary>
public sealed class PipelineTests
{
    private static StorageClientOptions FastRetries(HttpPipelineTransport? transport = null)
    {
        var options = new StorageClientOptions();
        options.Retry.Delay = TimeSpan.FromMilliseconds(5);
        options.Retry.MaxDelay = TimeSpan.FromMilliseconds(20);
        options.Retry.MaxRetries = 3;
        if (transport is not null) options.Transport = transport;
        return options;
    }

    private static StorageAccount SharedKeyAccount(Uri endpoint)
        => StorageAccount.Parse($"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={Convert.ToBase64String(new byte[64])};QueueEndpoint={endpoint};TableEndpoint={endpoint};BlobEndpoint={endpoint}");

    [Theory]
    [InlineData(408)]
    [InlineData(429)]
    [InlineData(500)]
    [InlineData(502)]
    [InlineData(503)]
    [InlineData(504)]
    public async Task Transient_statuses_are_retried_until_success(int status)
    {
        await using var server = new LocalHttpServer([status, status, 200]);
        var queue = new QueueServiceClient(SharedKeyAccount(server.BaseUri), FastRetries()).GetQueueClient("work");
        Assert.Equal(7, (await queue.GetApproximateMessageCountAsync()).Value);
        Assert.Equal(3, server.Requests.Count);
        // Each attempt is signed afresh.
        Assert.All(server.Requests, r => Assert.StartsWith("SharedKey devstoreaccount1:", r["authorization"]));
    }

    [Theory]
    [InlineData(400)]
    [InlineData(403)]
    [InlineData(404)]
    [InlineData(409)]
    [InlineData(412)]
    [InlineData(501)]
    public async Task Other_errors_are_not_retried_and_carry_status_and_error_code(int status)
    {
        await using var server = new LocalHttpServer([status, 200]);
        var queue = new QueueServiceClient(SharedKeyAccount(server.BaseUri), FastRetries()).GetQueueClient("work");
        var e = await Assert.ThrowsAsync<RequestFailedException>(() => queue.GetApproximateMessageCountAsync());
        Assert.Equal(status, e.Status);
        Assert.Equal($"Scripted{status}", e.ErrorCode);
        Assert.Contains("Get Queue Metadata of 'work'", e.Message);
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task Retries_give_up_after_the_configured_count()
    {
        await using var server = new LocalHttpServer([503, 503, 503, 503, 503]);
        var queue = new QueueServiceClient(SharedKeyAccount(server.BaseUri), FastRetries()).GetQueueClient("work");
        var e = await Assert.ThrowsAsync<RequestFailedException>(() => queue.GetApproximateMessageCountAsync());
        Assert.Equal(503, e.Status);
        Assert.Equal(4, server.Requests.Count);
    }

    [Fact]
    public async Task A_refused_connection_is_retried_then_surfaces_as_status_0()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop(); // nothing listens on the port now: connections are refused

        var attempts = new CountingPolicy();
        var options = FastRetries();
        options.AddPolicy(attempts, HttpPipelinePosition.PerRetry);
        var queue = new QueueServiceClient(SharedKeyAccount(new Uri($"http://127.0.0.1:{port}/devstoreaccount1")), options).GetQueueClient("work");
        var e = await Assert.ThrowsAnyAsync<Exception>(() => queue.GetApproximateMessageCountAsync());
        Assert.Equal(4, attempts.Count);
        var failure = e as RequestFailedException ?? (e as AggregateException)?.InnerExceptions.OfType<RequestFailedException>().Last();
        Assert.NotNull(failure);
        Assert.Equal(0, failure.Status);
    }

    [Fact]
    public void The_classifier_marks_exactly_the_transient_statuses()
    {
        var transient = Enumerable.Range(100, 500).Where(StorageResponseClassifier.IsTransientStatus);
        Assert.Equal([408, 429, 500, 502, 503, 504], transient);
    }

    [Fact]
    public async Task A_token_credential_sends_a_bearer_token_for_the_storage_scope()
    {
        await using var server = new LocalHttpServer([200], tls: true);
        var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true };
        var credential = new FakeManagedIdentity();
        var account = StorageAccount.FromEndpoints(server.BaseUri, server.BaseUri, server.BaseUri, credential);
        var queue = new QueueServiceClient(account, FastRetries(new HttpClientTransport(handler))).GetQueueClient("work");

        Assert.Equal(7, (await queue.GetApproximateMessageCountAsync()).Value);
        var request = Assert.Single(server.Requests);
        Assert.Equal("Bearer token-for-https://storage.azure.com/.default", request["authorization"]);
        Assert.Equal(StorageClientOptions.DefaultServiceVersion, request["x-ms-version"]);
        Assert.True(request.ContainsKey("x-ms-date"));
        Assert.Equal(["https://storage.azure.com/.default"], credential.Scopes.Distinct());
    }

    [Fact]
    public async Task Shared_key_requests_carry_version_date_and_signature()
    {
        await using var server = new LocalHttpServer([200]);
        var queue = new QueueServiceClient(SharedKeyAccount(server.BaseUri), FastRetries()).GetQueueClient("work");
        await queue.GetApproximateMessageCountAsync();
        var request = Assert.Single(server.Requests);
        Assert.Equal("/devstoreaccount1/work?comp=metadata", request[":path"]);
        Assert.Equal("2025-05-05", request["x-ms-version"]);
        Assert.Matches("^SharedKey devstoreaccount1:[A-Za-z0-9+/]{43}=$", request["authorization"]);
    }

    private sealed class CountingPolicy : HttpPipelineSynchronousPolicy
    {
        private int _count;

        public int Count => _count;

        public override void OnSendingRequest(HttpMessage message) => Interlocked.Increment(ref _count);
    }

    /// <summary>Stands in for managed identity: hands out a token naming the scope it was asked for.</summary>
    private sealed class FakeManagedIdentity : TokenCredential
    {
        public List<string> Scopes { get; } = [];

        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            lock (Scopes) Scopes.AddRange(requestContext.Scopes);
            return new AccessToken("token-for-" + string.Join(' ', requestContext.Scopes), DateTimeOffset.UtcNow.AddHours(1));
        }

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken)
            => ValueTask.FromResult(GetToken(requestContext, cancellationToken));
    }
}
