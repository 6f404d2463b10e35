using System.Security.Cryptography;
using System.Text;
using Azure.Core;
using Azure.Core.Pipeline;

namespace AlliancePipeline.Storage.Common;

/// <summary>
/// Signs requests with Shared Key, per "Authorize with Shared Key" (learn.microsoft.com/rest/api/storageservices/
/// authorize-with-shared-key). Blob and Queue sign the verb, the standard headers, the canonicalised <c>x-ms-*</c>
/// headers and the canonicalised resource with all query parameters; the Table service signs only
/// <c>VERB\nContent-MD5\nContent-Type\nDate\nCanonicalizedResource</c>, its resource carrying only <c>comp</c>.
/// </summary>
internal sealed class SharedKeyPolicy : HttpPipelineSynchronousPolicy
{
    private readonly StorageSharedKeyCredential _credential;
    private readonly byte[] _key;
    private readonly StorageService _service;

    public SharedKeyPolicy(StorageSharedKeyCredential credential, StorageService service)
    {
        _credential = credential;
        _key = Convert.FromBase64String(credential.AccountKey);
        _service = service;
    }

    public override void OnSendingRequest(HttpMessage message)
    {
        var toSign = _service == StorageService.Table ? TableStringToSign(message.Request) : BlobQueueStringToSign(message.Request);
        using var hmac = new HMACSHA256(_key);
        var signature = Convert.ToBase64String(hmac.ComputeHash(Encoding.UTF8.GetBytes(toSign)));
        message.Request.Headers.SetValue("Authorization", $"SharedKey {_credential.AccountName}:{signature}");
    }

    internal string TableStringToSign(Request request)
    {
        var uri = request.Uri.ToUri();
        var resource = new StringBuilder("/").Append(_credential.AccountName).Append(uri.AbsolutePath);
        var comp = QueryParameters(uri).FirstOrDefault(p => p.Name == "comp");
        if (comp.Name is not null) resource.Append("?comp=").Append(comp.Value);
        return string.Join('\n',
            request.Method.Method,
            Header(request, "Content-MD5"),
            Header(request, "Content-Type"),
            Header(request, "x-ms-date") is { Length: > 0 } date ? date : Header(request, "Date"),
            resource.ToString());
    }

    internal string BlobQueueStringToSign(Request request)
    {
        var uri = request.Uri.ToUri();
        var length = request.Content is { } content && content.TryComputeLength(out var l) && l > 0 ? l.ToString(System.Globalization.CultureInfo.InvariantCulture) : "";
        var sb = new StringBuilder();
        sb.Append(request.Method.Method).Append('\n')
            .Append(Header(request, "Content-Encoding")).Append('\n')
            .Append(Header(request, "Content-Language")).Append('\n')
            .Append(length).Append('\n')
            .Append(Header(request, "Content-MD5")).Append('\n')
            .Append(Header(request, "Content-Type")).Append('\n')
            .Append('\n') // Date: x-ms-date is sent instead
            .Append(Header(request, "If-Modified-Since")).Append('\n')
            .Append(Header(request, "If-Match")).Append('\n')
            .Append(Header(request, "If-None-Match")).Append('\n')
            .Append(Header(request, "If-Unmodified-Since")).Append('\n')
            .Append(Header(request, "Range")).Append('\n');

        foreach (var header in request.Headers
                     .Where(h => h.Name.StartsWith("x-ms-", StringComparison.OrdinalIgnoreCase))
                     .Select(h => (Name: h.Name.ToLowerInvariant(), Value: h.Value.Trim()))
                     .OrderBy(h => h.Name, StringComparer.Ordinal))
        {
            sb.Append(header.Name).Append(':').Append(header.Value).Append('\n');
        }

        sb.Append('/').Append(_credential.AccountName).Append(uri.AbsolutePath);
        foreach (var group in QueryParameters(uri)
                     .GroupBy(p => p.Name.ToLowerInvariant())
                     .OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            sb.Append('\n').Append(group.Key).Append(':')
                .Append(string.Join(',', group.Select(p => p.Value).OrderBy(v => v, StringComparer.Ordinal)));
        }

        return sb.ToString();
    }

    private static string Header(Request request, string name) => request.Headers.TryGetValue(name, out var value) ? value : "";

    private static IEnumerable<(string Name, string Value)> QueryParameters(Uri uri)
    {
        var query = uri.Query.TrimStart('?');
        if (query.Length == 0) yield break;
        foreach (var part in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.IndexOf('=');
            var name = Uri.UnescapeDataString(eq < 0 ? part : part[..eq]);
            var value = eq < 0 ? "" : Uri.UnescapeDataString(part[(eq + 1)..]);
            yield return (name, value);
        }
    }
}
