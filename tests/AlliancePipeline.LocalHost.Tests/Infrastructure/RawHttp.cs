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
