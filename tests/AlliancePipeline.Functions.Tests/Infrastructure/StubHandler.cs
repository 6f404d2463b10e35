using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace AlliancePipeline.Functions.Tests.Infrastructure;

/// <summary>One invocation a stub handler received.</summary>
public sealed record ReceivedInvocation(string Function, JsonObject Payload, DateTimeOffset At)
{
    public string? MessageText(string binding = "message") => Payload["Data"]?[binding]?.GetValue<string>();
    public long DequeueCount => Payload["Metadata"]?["DequeueCount"]?.GetValue<long>() ?? -1;
}

/// <summary>
/// A custom handler speaking the protocol over real HTTP, whose answer per invocation the test decides: lets the
/// driver's queue semantics be tested against Azurite without the app's own functions.
/// </summary>
public sealed class StubHandler : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _running;
    private int _maxRunning;

    public ConcurrentQueue<ReceivedInvocation> Received { get; } = new();
    public int MaxConcurrent => _maxRunning;
    public Uri Address { get; }

    private StubHandler(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    /// <summary>Starts a handler whose <paramref name="behave"/> returns the status to answer with (after any delay it wants).</summary>
    public static async Task<StubHandler> StartAsync(Func<ReceivedInvocation, Task<int>> behave)
    {
        var port = TestApp.FreePort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        StubHandler? self = null;
        app.MapGet("/", () => "ready");
        app.MapPost("/{name}", async (string name, HttpContext context) =>
        {
            var payload = (JsonObject)(await JsonNode.ParseAsync(context.Request.Body))!;
            var invocation = new ReceivedInvocation(name, payload, DateTimeOffset.UtcNow);
            self!.Received.Enqueue(invocation);
            var now = Interlocked.Increment(ref self._running);
            int seen;
            while ((seen = self._maxRunning) < now && Interlocked.CompareExchange(ref self._maxRunning, now, seen) != seen) { }
            try
            {
                var status = await behave(invocation);
                var logs = status is >= 200 and < 300 ? new JsonArray() : new JsonArray("stub failure for test");
                return Results.Json(new JsonObject { ["Outputs"] = new JsonObject(), ["Logs"] = logs, ["ReturnValue"] = null }, statusCode: status);
            }
            finally
            {
                Interlocked.Decrement(ref self._running);
            }
        });
        await app.StartAsync();
        self = new StubHandler(app, new Uri($"http://127.0.0.1:{port}"));
        return self;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
