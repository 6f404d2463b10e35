using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace AlliancePipeline.Storage.Tests;

/// <summary>
/// A tiny HTTP/1.1 server on 127.0.0.1 (optionally over TLS with a throw-away self-signed certificate) that answers
/// each request with the next status of a script and records the request lines and headers. It tests the pipeline's
/// retry and authorisation behaviour, not storage semantics.
/// </summary>
public sealed class LocalHttpServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Queue<int> _statuses;
    private readonly X509Certificate2? _certificate;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<IReadOnlyDictionary<string, string>> _requests = [];
    private readonly Task _loop;

    public LocalHttpServer(IEnumerable<int> statuses, bool tls = false)
    {
        _statuses = new Queue<int>(statuses);
        if (tls) _certificate = SelfSigned();
        _listener.Start();
        _loop = Task.Run(AcceptLoopAsync);
    }

    public Uri BaseUri => new($"{(_certificate is null ? "http" : "https")}://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/devstoreaccount1");

    /// <summary>Each request's headers (lower-case names), plus ":method" and ":path".</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, string>> Requests { get { lock (_requests) return _requests.ToList(); } }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }

            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            Stream stream = client.GetStream();
            if (_certificate is not null)
            {
                var ssl = new SslStream(stream);
                await ssl.AuthenticateAsServerAsync(_certificate);
                stream = ssl;
            }

            await using (stream)
            {
                var head = await ReadHeadAsync(stream);
                if (head is null) return;
                var lines = head.Split("\r\n");
                var requestLine = lines[0].Split(' ');
                var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { [":method"] = requestLine[0], [":path"] = requestLine[1] };
                foreach (var line in lines.Skip(1).Where(l => l.Contains(':')))
                {
                    var colon = line.IndexOf(':');
                    headers[line[..colon].Trim().ToLowerInvariant()] = line[(colon + 1)..].Trim();
                }

                if (headers.TryGetValue("content-length", out var length) && int.Parse(length) is > 0 and var n)
                {
                    var body = new byte[n];
                    await stream.ReadExactlyAsync(body);
                }

                int status;
                lock (_requests)
                {
                    _requests.Add(headers);
                    status = _statuses.Count > 0 ? _statuses.Dequeue() : 200;
                }

                var payload = status >= 400 ? $"<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>Scripted{status}</Code><Message>scripted answer</Message></Error>" : "";
                var response = $"HTTP/1.1 {status} {((HttpStatusCode)status)}\r\nContent-Type: application/xml\r\nx-ms-approximate-messages-count: 7\r\nContent-Length: {Encoding.UTF8.GetByteCount(payload)}\r\nConnection: close\r\n\r\n{payload}";
                await stream.WriteAsync(Encoding.UTF8.GetBytes(response));
                await stream.FlushAsync();
            }
        }
    }

    private static async Task<string?> ReadHeadAsync(Stream stream)
    {
        var buffer = new List<byte>();
        var one = new byte[1];
        while (await stream.ReadAsync(one) == 1)
        {
            buffer.Add(one[0]);
            if (buffer.Count >= 4 && buffer[^1] == '\n' && buffer[^2] == '\r' && buffer[^3] == '\n' && buffer[^4] == '\r')
            {
                return Encoding.ASCII.GetString(buffer.ToArray(), 0, buffer.Count - 4);
            }
        }

        return null;
    }

    private static X509Certificate2 SelfSigned()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pfx), null);
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
        }

        _certificate?.Dispose();
        _stop.Dispose();
    }
}
