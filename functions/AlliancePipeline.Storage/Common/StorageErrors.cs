using System.Text.Json;
using System.Xml.Linq;
using Azure;

namespace AlliancePipeline.Storage.Common;

/// <summary>
/// Turns a refused request into a <see cref="RequestFailedException"/> carrying the status and the service's error
/// code (the <c>x-ms-error-code</c> header, else the code in the XML <c>&lt;Error&gt;</c> or JSON <c>odata.error</c> body).
/// </summary>
internal static class StorageErrors
{
    public static (string? Code, string? Message) Parse(Response response)
    {
        string? code = response.Headers.TryGetValue("x-ms-error-code", out var header) ? header : null;
        string? message = null;
        try
        {
            var content = response.Content?.ToString();
            if (!string.IsNullOrWhiteSpace(content))
            {
                var trimmed = content.TrimStart();
                if (trimmed.StartsWith('<'))
                {
                    var root = XDocument.Parse(trimmed).Root;
                    code ??= root?.Element("Code")?.Value;
                    message = root?.Element("Message")?.Value;
                }
                else if (trimmed.StartsWith('{'))
                {
                    using var doc = JsonDocument.Parse(trimmed);
                    if (doc.RootElement.TryGetProperty("odata.error", out var error) || doc.RootElement.TryGetProperty("error", out error))
                    {
                        if (error.TryGetProperty("code", out var c)) code ??= c.GetString();
                        if (error.TryGetProperty("message", out var m))
                        {
                            message = m.ValueKind == JsonValueKind.Object && m.TryGetProperty("value", out var v) ? v.GetString() : m.ValueKind == JsonValueKind.String ? m.GetString() : null;
                        }
                    }
                }
            }
        }
        catch (Exception e) when (e is JsonException or System.Xml.XmlException or InvalidOperationException)
        {
            // The body is not a storage error document: the status and header still say what happened.
        }

        return (code, message?.Split('\n')[0].Trim());
    }

    public static string Describe(string operation, Response response, string? code, string? message)
        => $"{operation} failed: {response.Status} {response.ReasonPhrase}"
           + (code is null ? "" : $" ({code})")
           + (string.IsNullOrWhiteSpace(message) ? "." : $": {message}");

    public static RequestFailedException Create(string operation, Response response)
    {
        var (code, message) = Parse(response);
        return new RequestFailedException(response.Status, Describe(operation, response, code, message), code, null);
    }
}
