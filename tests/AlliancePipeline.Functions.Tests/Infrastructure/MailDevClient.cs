using System.Net.Http.Json;
using System.Text.Json;

namespace AlliancePipeline.Functions.Tests.Infrastructure;

/// <summary>One mail as MailDev's REST API (2.2.1, <c>lib/routes.js</c>) lists it under <c>GET /email</c>.</summary>
/// <param name="Id">MailDev's id (for <c>/email/{id}/attachment/{generatedFileName}</c>).</param>
/// <param name="Subject">The decoded subject.</param>
/// <param name="Text">The plain-text part.</param>
/// <param name="Html">The HTML part, as sent (the list is not sanitized; <c>GET /email/{id}</c> would be).</param>
/// <param name="To">The header's recipients' addresses.</param>
/// <param name="Headers">Top-level headers by lower-case name (repeated ones joined by a new line).</param>
/// <param name="Attachments">The attachments.</param>
public sealed record MailDevMail(string Id, string Subject, string Text, string Html, IReadOnlyList<string> To, IReadOnlyDictionary<string, string> Headers, IReadOnlyList<MailDevAttachment> Attachments)
{
    public string Header(string name) => Headers.TryGetValue(name.ToLowerInvariant(), out var value) ? value : throw new KeyNotFoundException($"The mail has no {name} header (it has {string.Join(", ", Headers.Keys)}).");
}

/// <summary>An attachment as MailDev lists it.</summary>
public sealed record MailDevAttachment(string FileName, string ContentType, string GeneratedFileName);

/// <summary>
/// MailDev's REST API: <c>GET /email</c> lists every mail caught (subject, to, text, html, headers, attachments),
/// <c>DELETE /email/all</c> clears them, <c>GET /email/{id}/attachment/{file}</c> serves an attachment. MailDev answers
/// SMTP before it has parsed and stored the mail, so readers poll (<see cref="WaitForAsync"/>).
/// </summary>
public sealed class MailDevClient(Uri webAddress) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = webAddress, Timeout = TimeSpan.FromSeconds(10) };

    /// <summary>Every mail MailDev holds.</summary>
    public async Task<IReadOnlyList<MailDevMail>> ListAsync()
    {
        using var doc = JsonDocument.Parse(await _http.GetStringAsync("email"));
        return [.. doc.RootElement.EnumerateArray().Select(Read)];
    }

    /// <summary>The mails addressed to <paramref name="to"/>.</summary>
    public async Task<IReadOnlyList<MailDevMail>> ToAsync(string to) =>
        [.. (await ListAsync()).Where(m => m.To.Contains(to, StringComparer.OrdinalIgnoreCase))];

    /// <summary>Waits until at least <paramref name="count"/> mails to <paramref name="to"/> are there; returns them all.</summary>
    public async Task<IReadOnlyList<MailDevMail>> WaitForAsync(string to, int count = 1, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            var mails = await ToAsync(to);
            if (mails.Count >= count) return mails;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"MailDev holds {mails.Count} mail(s) to {to}, {count} expected.");
            await Task.Delay(100);
        }
    }

    /// <summary>An attachment's bytes.</summary>
    public Task<byte[]> AttachmentAsync(MailDevMail mail, MailDevAttachment attachment) =>
        _http.GetByteArrayAsync($"email/{mail.Id}/attachment/{attachment.GeneratedFileName}");

    /// <summary>Deletes every mail.</summary>
    public async Task DeleteAllAsync()
    {
        using var response = await _http.DeleteAsync("email/all");
        response.EnsureSuccessStatusCode();
        Assert.True(await response.Content.ReadFromJsonAsync<bool>());
    }

    /// <summary>Deletes one mail.</summary>
    public async Task DeleteAsync(MailDevMail mail)
    {
        using var response = await _http.DeleteAsync($"email/{mail.Id}");
        response.EnsureSuccessStatusCode();
    }

    public void Dispose() => _http.Dispose();

    private static MailDevMail Read(JsonElement e)
    {
        static string Text(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : "";
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (e.TryGetProperty("headers", out var h) && h.ValueKind == JsonValueKind.Object)
        {
            foreach (var p in h.EnumerateObject())
            {
                headers[p.Name.ToLowerInvariant()] = p.Value.ValueKind == JsonValueKind.Array
                    ? string.Join("\n", p.Value.EnumerateArray().Select(v => v.ToString()))
                    : p.Value.ToString();
            }
        }
        var to = e.TryGetProperty("to", out var t) && t.ValueKind == JsonValueKind.Array
            ? t.EnumerateArray().Select(a => Text(a, "address")).ToList()
            : [];
        var attachments = e.TryGetProperty("attachments", out var a) && a.ValueKind == JsonValueKind.Array
            ? a.EnumerateArray().Select(x => new MailDevAttachment(Text(x, "fileName"), Text(x, "contentType"), Text(x, "generatedFileName"))).ToList()
            : [];
        return new MailDevMail(Text(e, "id"), Text(e, "subject"), Text(e, "text"), Text(e, "html"), to, headers, attachments);
    }
}
