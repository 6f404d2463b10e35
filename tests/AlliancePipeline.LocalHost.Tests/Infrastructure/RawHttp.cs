using System.Net.Sockets;
using System.Text;

namespace AlliancePipeline.LocalHost.Tests.Infrastructure;

/// <summary>Sends bytes that HttpClient would not send (bad chunk framing) and reads the answer's head and body as text.</summary>
public static class RawHttp
{
    /// <summary>Writes <paramref name="request"/> to <paramref name="server"/> and reads until the server closes or 5 s pass.</summary>
    public static async Task<string> SendAsync(Uri server, byte[] request)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(server.Host, server.Port);
        var stream = client.GetStream();
        await stream.WriteAsync(request);
        var answer = new MemoryStream();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        var buffer = new byte[8192];
        try
        {
            for (int read; (read = await stream.ReadAsync(buffer, timeout.Token)) > 0;)
            {
                answer.Write(buffer, 0, read);
                if (Encoding.Latin1.GetString(answer.ToArray()) is var text && text.Contains("\r\n\r\n", StringComparison.Ordinal) && text.Contains("\"status\"", StringComparison.Ordinal) && text.TrimEnd().EndsWith('}')) break;
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            // What came before the timeout or the reset is the answer.
        }
        return Encoding.Latin1.GetString(answer.ToArray());
    }
}

/// <summary>A raw request whose body is written while the answer is read, as a client that does not wait for 100-continue.</summary>
public static class RawUpload
{
    /// <summary>
    /// Writes <paramref name="head"/>, then <paramref name="bodyBytes"/> bytes of 'x' in the background, and reads the
    /// answer's head: the status line and how long it took (null status when none came within <paramref name="within"/>).
    /// </summary>
    public static async Task<(string? StatusLine, TimeSpan Took)> SendAsync(Uri server, byte[] head, long bodyBytes, TimeSpan within)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(server.Host, server.Port);
        var stream = client.GetStream();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await stream.WriteAsync(head);
        using var stop = new CancellationTokenSource(within);
        var upload = Task.Run(async () =>
        {
            var chunk = new byte[64 * 1024];
            Array.Fill(chunk, (byte)'x');
            try
            {
                for (long sent = 0; sent < bodyBytes; sent += chunk.Length)
                    await stream.WriteAsync(chunk.AsMemory(0, (int)Math.Min(chunk.Length, bodyBytes - sent)), stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException)
            {
                // The server may answer and close before the body is all sent.
            }
        });
        var answer = new MemoryStream();
        var buffer = new byte[8192];
        string? statusLine = null;
        try
        {
            for (int read; statusLine is null && (read = await stream.ReadAsync(buffer, stop.Token)) > 0;)
            {
                answer.Write(buffer, 0, read);
                var text = Encoding.Latin1.GetString(answer.ToArray());
                if (text.IndexOf("\r\n", StringComparison.Ordinal) is var end and > 0) statusLine = text[..end];
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            // No answer in time, or the connection was reset.
        }
        var took = clock.Elapsed;
        await stop.CancelAsync();
        client.Close();
        await upload;
        return (statusLine, took);
    }
}
