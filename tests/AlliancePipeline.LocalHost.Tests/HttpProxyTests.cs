using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using AlliancePipeline.Functions.Tests.Infrastructure;
using AlliancePipeline.LocalHost.Tests.Infrastructure;

namespace AlliancePipeline.LocalHost.Tests;

/// <summary>HTTP under /api, proxied to the worker's ASP.NET Core server as the host does it.</summary>
[Collection(SharedHostCollection.Name)]
public sealed class HttpProxyTests(LocalHostFixture fixture)
{
    private HttpClient Http => fixture.Http;

    [Fact]
    public async Task Status_headers_and_body_come_back_as_the_worker_wrote_them()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/echo?status=201") { Content = new StringContent("hello ✓", Encoding.UTF8, "text/plain") };
        request.Headers.Add("x-echo-color", "blue");
        using var response = await Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("blue", Assert.Single(response.Headers.GetValues("x-echoed-color")));
        Assert.Equal("POST", Assert.Single(response.Headers.GetValues("x-method")));
        Assert.True(Guid.TryParse(Assert.Single(response.Headers.GetValues("x-invocation-id")), out _), "the worker got x-ms-invocation-id");
        Assert.Equal(["first=1; path=/", "second=2; path=/"], response.Headers.GetValues("Set-Cookie"));
        Assert.Equal("text/plain; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.Equal("hello ✓", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData(200)]
    [InlineData(202)]
    [InlineData(204)]
    [InlineData(400)]
    [InlineData(404)]
    [InlineData(409)]
    [InlineData(503)]
    public async Task Any_status_code_of_the_worker_is_passed_on(int status)
    {
        using var response = await Http.GetAsync($"api/echo?status={status}");
        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal("GET", Assert.Single(response.Headers.GetValues("x-method")));
    }

    [Fact]
    public async Task Binary_bodies_go_through_byte_for_byte_both_ways()
    {
        var bytes = new byte[300_000];
        new Random(7).NextBytes(bytes);
        for (var i = 0; i < 256; i++) bytes[i] = (byte)i;
        using var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        using var response = await Http.PutAsync("api/echo", content);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("PUT", Assert.Single(response.Headers.GetValues("x-method")));
        Assert.Equal(bytes, await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task A_large_body_is_streamed_whole()
    {
        const int size = 24 * 1024 * 1024;
        using var response = await Http.GetAsync($"api/large?size={size}", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(size, response.Content.Headers.ContentLength);
        await using var body = await response.Content.ReadAsStreamAsync();
        var buffer = new byte[81920];
        long total = 0;
        for (int read; (read = await body.ReadAsync(buffer)) > 0;)
        {
            for (var i = 0; i < read; i++)
            {
                if (buffer[i] != (byte)((total + i) % 251)) Assert.Fail($"byte {total + i} is {buffer[i]}, not {(total + i) % 251}");
            }

            total += read;
        }

        Assert.Equal(size, total);
    }

    [Fact]
    public async Task A_redirect_is_passed_on_not_followed()
    {
        using var response = await Http.GetAsync("api/redirect");
        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        Assert.Equal("/api/echo?from=redirect", response.Headers.Location?.OriginalString);
    }

    [Theory]
    [InlineData("GET", "api/nothing-here")]
    [InlineData("GET", "echo")]
    [InlineData("GET", "api/items/books/not-a-number")]
    [InlineData("DELETE", "api/redirect")]
    [InlineData("GET", "api/submit")]
    public async Task No_route_or_a_wrong_method_is_a_404(string method, string path)
    {
        using var response = await Http.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(404, problem.RootElement.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task A_malformed_chunked_body_is_the_clients_fault_400_with_problem_details_not_a_502()
    {
        // "zz" is not a chunk size: the host's server refuses the body while it is forwarded.
        var answer = await RawHttp.SendAsync(fixture.Host.BaseAddress,
            "POST /api/echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Type: text/plain\r\n\r\nzz\r\nabc\r\n0\r\n\r\n"u8.ToArray());
        Assert.StartsWith("HTTP/1.1 400 ", answer, StringComparison.Ordinal);
        Assert.Contains("application/problem+json", answer, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("GET /api/echo HTTP/1.1\r\nHost: x\r\nx-echo-name: caf\u00c3\u00a9\r\n\r\n", 0)]                                   // UTF-8 bytes in a value
    [InlineData("GET /api/echo HTTP/1.1\r\nHost: x\r\nx-echo-name: \u00ff\r\n\r\n", 0)]                                          // a Latin-1 byte
    [InlineData("POST /api/echo HTTP/1.1\r\nHost: x\r\nx-echo-name: \u00e9\r\nContent-Length: 8000000\r\n\r\n", 8_000_000)]   // with a large body
    [InlineData("GET /api/items/a\\b/1 HTTP/1.1\r\nHost: x\r\n\r\n", 0)]                                                      // a backslash in a route value
    [InlineData("POST /api/items/a\\b/1 HTTP/1.1\r\nHost: x\r\nContent-Length: 8000000\r\n\r\n", 8_000_000)]                 // ... with a large body
    [InlineData("POST /api/echo\\ HTTP/1.1\r\nHost: x\r\nContent-Length: 8000000\r\n\r\n", 8_000_000)]
    public async Task Non_ASCII_header_bytes_and_backslashes_in_the_path_are_the_clients_fault_400_at_once(string head, long body)
    {
        // Latin-1 carries each char of the head as the one byte it stands for (the header bytes the client sends).
        var (status, took) = await RawUpload.SendAsync(fixture.Host.BaseAddress, Encoding.Latin1.GetBytes(head), body, TimeSpan.FromSeconds(15));
        Assert.True(status is not null, $"no answer within {took.TotalSeconds:0.0} s");
        Assert.StartsWith("HTTP/1.1 400 ", status, StringComparison.Ordinal);
        Assert.True(took < TimeSpan.FromSeconds(2), $"answered after {took.TotalSeconds:0.0} s");
    }

    [Fact]
    public async Task Route_values_are_bound_to_the_function_parameters()
    {
        using var response = await Http.GetAsync("api/items/books/42");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("books", json.RootElement.GetProperty("category").GetString());
        Assert.Equal(42, json.RootElement.GetProperty("id").GetInt32());
    }

    [Theory]
    [InlineData("DELETE")]
    [InlineData("PATCH")]
    public async Task Each_declared_method_reaches_the_function(string method)
    {
        using var response = await Http.SendAsync(new HttpRequestMessage(new HttpMethod(method), "api/echo"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(method, Assert.Single(response.Headers.GetValues("x-method")));
    }

    [Fact]
    public async Task The_query_string_is_forwarded_as_sent()
    {
        using var response = await Http.GetAsync("api/echo?a=1&b=%20x&c=%C3%A9");
        Assert.Equal("?a=1&b=%20x&c=%C3%A9", Assert.Single(response.Headers.GetValues("x-query")));
    }

    [Fact]
    public async Task Hop_by_hop_headers_are_not_forwarded()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/echo");
        request.Headers.Add("x-echo-kept", "yes");
        request.Headers.Add("x-echo-private", "no");
        request.Headers.Connection.Add("x-echo-private");
        using var response = await Http.SendAsync(request);

        Assert.Equal("yes", Assert.Single(response.Headers.GetValues("x-echoed-kept")));
        Assert.False(response.Headers.Contains("x-echoed-private"), "a header named in Connection must not reach the worker");
        Assert.False(response.Headers.TransferEncodingChunked == true && response.Content.Headers.ContentLength is not null);
    }

    [Fact]
    public async Task A_function_that_throws_answers_500_and_its_invocation_is_logged_as_failed()
    {
        using var response = await Http.GetAsync("api/throw");
        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.True(await fixture.Log.WaitForAsync(r => r.Level == LogLevel.Error && r.Says("Executed 'Functions.Throw' (Failed"), TimeSpan.FromSeconds(5)), fixture.Log.Tail());
        Assert.Contains(fixture.Log.GetSnapshot(), r => r.Says("Boom from Throw"));
    }

    [Fact]
    public async Task A_client_that_goes_away_cancels_the_invocation()
    {
        var key = AzuriteFixture.NewKey("cancel");
        using var giveUp = new CancellationTokenSource(TimeSpan.FromSeconds(1.5));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Http.GetAsync($"api/slow?ms=60000&key={key}", giveUp.Token));

        Assert.True(await Wait.UntilAsync(async () => (await fixture.RecordsAsync(key, "Cancelled")).Count == 1, TimeSpan.FromSeconds(15)), fixture.Log.Tail());
        Assert.True(await fixture.Log.WaitForAsync(r => r.Level == LogLevel.Information && r.Says("(Cancelled, Id="), TimeSpan.FromSeconds(5)), fixture.Log.Tail());
    }

    [Fact]
    public async Task Parallel_requests_each_get_their_own_answer()
    {
        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(async i =>
        {
            using var response = await Http.PostAsync($"api/echo?status={200 + (i % 3)}", new StringContent($"body {i}"));
            return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
        }));
        for (var i = 0; i < 20; i++) Assert.Equal((200 + (i % 3), $"body {i}"), responses[i]);
    }
}
