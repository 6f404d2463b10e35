using Azure.Core;
using Azure.Core.Pipeline;

namespace AlliancePipeline.Storage.Tests;

/// <summary>Records what went over the wire: request URIs and headers, and response bodies (a real pipeline, no mock).</summary>
public sealed class ResponseRecorder : HttpPipelineSynchronousPolicy
{
    private readonly List<string> _bodies = [];
    private readonly List<string> _uris = [];
    private readonly List<Dictionary<string, string>> _requestHeaders = [];

    public IReadOnlyList<string> Bodies { get { lock (_bodies) return _bodies.ToList(); } }

    public IReadOnlyList<string> Uris { get { lock (_bodies) return _uris.ToList(); } }

    public IReadOnlyList<Dictionary<string, string>> RequestHeaders { get { lock (_bodies) return _requestHeaders.ToList(); } }

    public override void OnSendingRequest(HttpMessage message)
    {
        lock (_bodies)
        {
            _uris.Add(message.Request.Uri.ToString());
            _requestHeaders.Add(message.Request.Headers.ToDictionary(h => h.Name, h => h.Value, StringComparer.OrdinalIgnoreCase));
        }
    }

    public override void OnReceivedResponse(HttpMessage message)
    {
        var body = message.Response.ContentStream is null ? "" : message.Response.Content.ToString();
        lock (_bodies) _bodies.Add(body);
    }
}
