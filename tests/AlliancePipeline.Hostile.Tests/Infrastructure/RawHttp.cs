using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace AlliancePipeline.Hostile.Tests.Infrastructure;

/// <summary>
/// An HTTP/1.1 request exactly as it goes on the wire: the request line and headers as bytes (so a target may hold raw
/// non-ASCII or NUL bytes, a header may be repeated or malformed), then the body in blocks, already framed (a chunked
/// body carries its chunk lines, right or wrong). <see cref="HttpClient"/> cannot send most of what a hostile client
/// sends, so the hostile tests speak HTTP themselves.
/// </summary>
public sealed class RawRequest
{
    /// <summary>The method as sent.</summary>
    public required string Method { get; init; }

    /// <summary>The request target as sent (path and query, percent-encoded or not).</summary>
    public required byte[] Target { get; set; }

    /// <summary>Headers in order, values as bytes; repeated names are sent repeated.</summary>
    public List<KeyValuePair<string, byte[]>> Headers { get; } = [];

    /// <summary>The body's blocks as they go on the wire (framing included); produced lazily, so a huge body costs nothing until sent.</summary>
    public IEnumerable<ReadOnlyMemory<byte>> Body { get; set; } = [];

    /// <summary>The body's payload length (before framing), for the summary.</summary>
    public long BodyLength { get; set; }

    /// <summary>The request line and headers.</summary>
    public byte[] Head()
    {
        var head = new MemoryStream();
        void Write(string s) => head.Write(Encoding.ASCII.GetBytes(s));
        Write(Method);
        Write(" ");
        head.Write(Target);
        Write(" HTTP/1.1\r\n");
        foreach (var (name, value) in Headers)
        {
            Write(name);
            Write(": ");
            head.Write(value);
            Write("\r\n");
        }
        Write("\r\n");
        return head.ToArray();
    }

    /// <summary>The target as text (bytes outside ASCII shown as %XX), for reports.</summary>
    public string TargetText => string.Concat(Target.Select(b => b is >= 0x21 and < 0x7f ? ((char)b).ToString() : $"%{b:X2}"));

    /// <summary>The first value of a header, as ASCII text.</summary>
    public string? Header(string name) =>
        Headers.Where(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Select(h => Encoding.Latin1.GetString(h.Value)).FirstOrDefault();
}

/// <summary>What came back: the status (0 when nothing did), headers by lower-case name, the body, how long it took.</summary>
public sealed record RawResponse(int Status, IReadOnlyDictionary<string, string> Headers, byte[] Body, TimeSpan Elapsed, long BodyBytesSent, string? Error)
{
    /// <summary>The media type of Content-Type, lower case, without parameters; empty when none.</summary>
    public string MediaType => Headers.TryGetValue("content-type", out var v) ? v.Split(';')[0].Trim().ToLowerInvariant() : "";

    /// <summary>The body as UTF-8 text.</summary>
    public string Text => Encoding.UTF8.GetString(Body);

    /// <summary>A header's value, or null.</summary>
    public string? Header(string name) => Headers.TryGetValue(name.ToLowerInvariant(), out var v) ? v : null;
}

/// <summary>
/// One keep-alive HTTP/1.1 connection that sends <see cref="RawRequest"/>s and reads the answers (Content-Length, chunked,
/// or until close; 1xx skipped). The body is written while the answer is read: when the server answers before the body is
/// all sent (a 413 on a declared length), sending stops there and the connection is dropped, as a client would.
/// </summary>
public sealed class RawHttpConnection(IPEndPoint server) : IDisposable
{
    private const int MaxBodyKept = 8 * 1024 * 1024;
    private Socket? _socket;
    private NetworkStream? _stream;
    private readonly byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;

    /// <summary>Sends one request and reads its answer within <paramref name="timeout"/>.</summary>
    public async Task<RawResponse> SendAsync(RawRequest request, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(request);
        var clock = Stopwatch.StartNew();
        using var cts = new CancellationTokenSource(timeout);
        long sent = 0;
        try
        {
            if (_stream is null) await ConnectAsync(cts.Token);
            var stream = _stream!;
            var reading = ReadResponseAsync(stream, request.Method == "HEAD", cts.Token);
            var interrupted = false;
            try
            {
                await stream.WriteAsync(request.Head(), cts.Token);
                foreach (var block in request.Body)
                {
                    if (reading.IsCompleted)
                    {
                        interrupted = true;
                        break;
                    }
                    await stream.WriteAsync(block, cts.Token);
                    sent += block.Length;
                }
            }
            catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
            {
                interrupted = true; // the server stopped reading (and may have answered): read what it said
            }
            var (status, headers, body) = await reading;
            var close = interrupted || (headers.TryGetValue("connection", out var c) && c.Contains("close", StringComparison.OrdinalIgnoreCase));
            if (close) Drop();
            return new RawResponse(status, headers, body, clock.Elapsed, sent, null);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException or InvalidDataException)
        {
            Drop();
            return new RawResponse(0, new Dictionary<string, string>(), [], clock.Elapsed, sent,
                e is OperationCanceledException ? $"no answer within {timeout.TotalSeconds:0} s" : $"{e.GetType().Name}: {e.Message}");
        }
    }

    /// <inheritdoc />
    public void Dispose() => Drop();

    private async Task ConnectAsync(CancellationToken ct)
    {
        var socket = new Socket(server.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(server, ct);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _start = _end = 0;
    }

    private void Drop()
    {
        _stream?.Dispose();
        _socket?.Dispose();
        _stream = null;
        _socket = null;
        _start = _end = 0;
    }

    private async Task<(int Status, Dictionary<string, string> Headers, byte[] Body)> ReadResponseAsync(NetworkStream stream, bool head, CancellationToken ct)
    {
        while (true)
        {
            var statusLine = await ReadLineAsync(stream, ct) ?? throw new IOException("the server closed the connection without an answer");
            var parts = statusLine.Split(' ', 3);
            if (parts.Length < 2 || !parts[0].StartsWith("HTTP/", StringComparison.Ordinal) || !int.TryParse(parts[1], out var status))
                throw new InvalidDataException($"not a status line: {statusLine}");
            var headers = new Dictionary<string, string>(StringComparer.Ordinal);
            while (await ReadLineAsync(stream, ct) is { Length: > 0 } line)
            {
                var colon = line.IndexOf(':', StringComparison.Ordinal);
                if (colon <= 0) continue;
                var name = line[..colon].Trim().ToLowerInvariant();
                var value = line[(colon + 1)..].Trim();
                headers[name] = headers.TryGetValue(name, out var earlier) ? earlier + ", " + value : value;
            }
            if (status is >= 100 and < 200) continue;
            if (head || status is 204 or 304) return (status, headers, []);
            if (headers.TryGetValue("transfer-encoding", out var te) && te.Contains("chunked", StringComparison.OrdinalIgnoreCase))
                return (status, headers, await ReadChunkedAsync(stream, ct));
            if (headers.TryGetValue("content-length", out var cl) && long.TryParse(cl, out var length))
                return (status, headers, await ReadExactlyAsync(stream, length, ct));
            return (status, headers, await ReadToCloseAsync(stream, ct));
        }
    }

    private async Task<byte[]> ReadChunkedAsync(NetworkStream stream, CancellationToken ct)
    {
        var body = new MemoryStream();
        while (true)
        {
            var sizeLine = await ReadLineAsync(stream, ct) ?? throw new IOException("the chunked answer broke off");
            var size = Convert.ToInt64(sizeLine.Split(';')[0].Trim(), 16);
            if (size == 0)
            {
                while (await ReadLineAsync(stream, ct) is { Length: > 0 })
                {
                    // trailers
                }
                return body.ToArray();
            }
            var chunk = await ReadExactlyAsync(stream, size, ct);
            if (body.Length < MaxBodyKept) body.Write(chunk);
            await ReadLineAsync(stream, ct);
        }
    }

    private async Task<byte[]> ReadExactlyAsync(NetworkStream stream, long length, CancellationToken ct)
    {
        var body = new MemoryStream();
        while (length > 0)
        {
            if (_start == _end && !await FillAsync(stream, ct)) throw new IOException("the answer broke off");
            var take = (int)Math.Min(length, _end - _start);
            if (body.Length < MaxBodyKept) body.Write(_buffer, _start, take);
            _start += take;
            length -= take;
        }
        return body.ToArray();
    }

    private async Task<byte[]> ReadToCloseAsync(NetworkStream stream, CancellationToken ct)
    {
        var body = new MemoryStream();
        while (true)
        {
            if (_start == _end && !await FillAsync(stream, ct)) return body.ToArray();
            if (body.Length < MaxBodyKept) body.Write(_buffer, _start, _end - _start);
            _start = _end;
        }
    }

    private async Task<string?> ReadLineAsync(NetworkStream stream, CancellationToken ct)
    {
        var line = new StringBuilder();
        while (true)
        {
            if (_start == _end && !await FillAsync(stream, ct)) return line.Length == 0 ? null : line.ToString();
            var b = _buffer[_start++];
            if (b == '\n') return line.ToString().TrimEnd('\r');
            if (line.Length > 64 * 1024) throw new InvalidDataException("an answer line over 64 KiB");
            line.Append((char)b);
        }
    }

    private async Task<bool> FillAsync(NetworkStream stream, CancellationToken ct)
    {
        _start = 0;
        _end = 0;
        int read;
        try
        {
            read = await stream.ReadAsync(_buffer, ct);
        }
        catch (IOException) when (!ct.IsCancellationRequested)
        {
            return false; // reset after the answer: what was read stands
        }
        _end = read;
        return read > 0;
    }
}
