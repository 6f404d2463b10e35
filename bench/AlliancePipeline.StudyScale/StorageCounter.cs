using System.Net;
using AlliancePipeline.Emulators;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace AlliancePipeline.StudyScale;

/// <summary>Storage requests by service at one moment (each a billed transaction on Azure Storage).</summary>
/// <param name="Blob">Blob requests.</param>
/// <param name="Queue">Queue requests.</param>
/// <param name="Table">Table requests (an entity group transaction is one).</param>
public readonly record struct StorageCount(long Blob, long Queue, long Table)
{
    /// <summary>All of them.</summary>
    public long Total => Blob + Queue + Table;

    /// <summary>The requests of two operations together.</summary>
    public static StorageCount operator +(StorageCount a, StorageCount b) => new(a.Blob + b.Blob, a.Queue + b.Queue, a.Table + b.Table);

    /// <summary>The requests between two counts.</summary>
    public static StorageCount operator -(StorageCount after, StorageCount before) =>
        new(after.Blob - before.Blob, after.Queue - before.Queue, after.Table - before.Table);
}

/// <summary>
/// A counting reverse proxy in front of an Azurite: one loopback port per service, every request forwarded as it came
/// (method, raw path and query, headers, body: the shared-key signatures stay valid) and counted. The app under test
/// (the local host and its worker) is given <see cref="ConnectionString"/>, so every storage request it makes is counted
/// wherever in the app it is made; the benchmark's own reads go to Azurite directly and are not.
/// </summary>
public sealed class StorageCounter : IAsyncDisposable
{
    private readonly long[] _counts = new long[3];
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> _kinds = new(StringComparer.Ordinal);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> _failed = new(StringComparer.Ordinal);
    private readonly List<WebApplication> _apps = [];
    private readonly HttpClient _upstream = new(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false, MaxConnectionsPerServer = 256 })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    private StorageCounter()
    {
    }

    /// <summary>The connection string of the proxy (Azurite's account and key, the proxy's ports).</summary>
    public string ConnectionString { get; private set; } = "";

    /// <summary>The requests forwarded so far.</summary>
    public StorageCount Read() => new(Interlocked.Read(ref _counts[0]), Interlocked.Read(ref _counts[1]), Interlocked.Read(ref _counts[2]));

    /// <summary>The requests forwarded so far by kind: method and resource (a table, <c>Table(key)</c> for a point operation, a queue's messages, <c>$batch</c>).</summary>
    public IReadOnlyDictionary<string, long> Kinds() => new Dictionary<string, long>(_kinds, StringComparer.Ordinal);

    /// <summary>The requests storage answered with a server error (5xx) so far, by method, resource and status.</summary>
    public IReadOnlyDictionary<string, long> ServerErrors() => new Dictionary<string, long>(_failed, StringComparer.Ordinal);

    /// <summary>What <paramref name="after"/> counts more than <paramref name="before"/>, most first, as <c>kind ×n</c>.</summary>
    public static string Difference(IReadOnlyDictionary<string, long> before, IReadOnlyDictionary<string, long> after, int top = 8) =>
        string.Join(", ", after.Select(k => (k.Key, N: k.Value - before.GetValueOrDefault(k.Key))).Where(k => k.N > 0).OrderByDescending(k => k.N).Take(top).Select(k => $"{k.Key} ×{k.N}"));

    /// <summary>Starts a proxy for each of <paramref name="azurite"/>'s services on <paramref name="ports"/> (blob, queue, table).</summary>
    public static async Task<StorageCounter> StartAsync(AzuriteHandle azurite, IReadOnlyList<int> ports, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(azurite);
        ArgumentNullException.ThrowIfNull(ports);
        var counter = new StorageCounter();
        int[] upstream = [azurite.BlobPort, azurite.QueuePort, azurite.TablePort];
        for (var service = 0; service < 3; service++)
            counter._apps.Add(await counter.StartOneAsync(service, ports[service], upstream[service], ct).ConfigureAwait(false));
        counter.ConnectionString = Azurite.ConnectionString(ports[0], ports[1], ports[2]);
        return counter;
    }

    private async Task<WebApplication> StartOneAsync(int service, int port, int upstreamPort, CancellationToken ct)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, port);
            k.Limits.MaxRequestBodySize = null;
        });
        var app = builder.Build();
        var origin = $"http://127.0.0.1:{upstreamPort}";
        app.Run(context => ForwardAsync(context, service, origin));
        await app.StartAsync(ct).ConfigureAwait(false);
        return app;
    }

    private async Task ForwardAsync(HttpContext context, int service, string origin)
    {
        Interlocked.Increment(ref _counts[service]);
        var target = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? (context.Request.Path + context.Request.QueryString).ToString();
        _kinds.AddOrUpdate($"{context.Request.Method} {Kind(target)}", 1, (_, n) => n + 1);
        using var request = new HttpRequestMessage(new HttpMethod(context.Request.Method), origin + target);
        var hasBody = context.Request.ContentLength > 0 || context.Request.Headers.TransferEncoding.Count > 0;
        if (hasBody) request.Content = new StreamContent(context.Request.Body);
        foreach (var (name, values) in context.Request.Headers)
        {
            if (name.Equals("Host", StringComparison.OrdinalIgnoreCase) || name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase)) continue;
            if (!request.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values)) request.Content?.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
        }

        using var response = await _upstream.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, context.RequestAborted).ConfigureAwait(false);
        context.Response.StatusCode = (int)response.StatusCode;
        if (context.Response.StatusCode >= 500) _failed.AddOrUpdate($"{context.Request.Method} {Kind(target)} {context.Response.StatusCode}", 1, (_, n) => n + 1);
        foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
        {
            if (name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase)) continue;
            context.Response.Headers[name] = values.ToArray();
        }

        await response.Content.CopyToAsync(context.Response.Body, context.RequestAborted).ConfigureAwait(false);
    }

    private static string Kind(string target)
    {
        var path = Uri.UnescapeDataString(target.Split('?')[0]);
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var name = string.Join('/', segments.Skip(1));
        var paren = name.IndexOf('(', StringComparison.Ordinal);
        return paren < 0 ? name : name[..paren] + (name.Contains("RowKey", StringComparison.Ordinal) ? "(key)" : "()");
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        foreach (var app in _apps) await app.DisposeAsync().ConfigureAwait(false);
        _upstream.Dispose();
    }
}
