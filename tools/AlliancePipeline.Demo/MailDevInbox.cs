using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace AlliancePipeline.Demo;

/// <summary>One mail MailDev caught, as the demo reads it.</summary>
/// <param name="Id">MailDev's id.</param>
/// <param name="To">The recipient.</param>
/// <param name="Subject">The subject.</param>
/// <param name="Text">The plain-text part.</param>
/// <param name="MessageId">The <c>Message-Id</c> header (the app makes it from the mail id).</param>
public sealed record CaughtMail(string Id, string To, string Subject, string Text, string MessageId)
{
    /// <summary>The app's mail id, from the <c>Message-Id</c> (<c>&lt;{mailId}.{studyId}@…&gt;</c>).</summary>
    public string MailId => Regex.Match(MessageId, "^<?([a-z0-9-]+)\\.").Groups[1].Value;

    /// <summary>The first questionnaire link in the text, or null.</summary>
    public Uri? QuestionnaireLink => Regex.Match(Text, @"https?://[^\s""<>]+/api/q/[A-Za-z0-9_-]+") is { Success: true } m ? new Uri(m.Value) : null;
}

/// <summary>MailDev's web API (<c>GET /email</c>), read to answer the demo's invitations as raters would.</summary>
public sealed class MailDevInbox(Uri webAddress) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = webAddress, Timeout = TimeSpan.FromSeconds(30) };
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);

    /// <summary>MailDev's page.</summary>
    public Uri Page => webAddress;

    /// <summary>The mails caught since the last call.</summary>
    public async Task<IReadOnlyList<CaughtMail>> NewAsync(CancellationToken ct)
    {
        using var doc = await _http.GetFromJsonAsync<JsonDocument>("email", ct).ConfigureAwait(false);
        var fresh = new List<CaughtMail>();
        foreach (var e in doc!.RootElement.EnumerateArray())
        {
            var id = e.GetProperty("id").GetString()!;
            if (!_seen.Add(id)) continue;
            var to = e.TryGetProperty("to", out var t) && t.ValueKind == JsonValueKind.Array && t.GetArrayLength() > 0 ? t[0].GetProperty("address").GetString() ?? "" : "";
            var messageId = e.TryGetProperty("headers", out var h) && h.TryGetProperty("message-id", out var m) ? m.ToString() : "";
            fresh.Add(new CaughtMail(id, to, Str(e, "subject"), Str(e, "text"), messageId));
        }
        return fresh;
    }

    /// <summary>How many mails MailDev holds.</summary>
    public async Task<int> CountAsync(CancellationToken ct)
    {
        using var doc = await _http.GetFromJsonAsync<JsonDocument>("email", ct).ConfigureAwait(false);
        return doc!.RootElement.GetArrayLength();
    }

    private static string Str(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : "";

    /// <inheritdoc />
    public void Dispose() => _http.Dispose();
}
