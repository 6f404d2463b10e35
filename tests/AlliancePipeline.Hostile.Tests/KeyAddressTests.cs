using System.Net;
using AlliancePipeline.Functions.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Testing;

namespace AlliancePipeline.Hostile.Tests;

/// <summary>
/// Issue 17, finding 10 (keys in addresses), through the local host and the published worker: a page opened with
/// <c>?key=</c> is sent on to the address without it with the key in a cookie (which the host passes through), the page
/// opens by the cookie, and no log line of the worker (every category, as the host receives them) carries the key or an
/// address with it.
/// </summary>
[Collection(HostileCollection.Name)]
public sealed class KeyAddressTests(HostileFixture app)
{
    [Fact]
    public async Task A_page_opened_with_its_key_is_sent_on_without_it_opens_by_the_cookie_and_no_log_line_holds_the_key()
    {
        var key = app.Keys["site-a"];
        var secret = key[20..];
        using var browser = app.Client(null);
        using var opened = await browser.GetAsync($"api/studies/{HostileFixture.StudyId}/dashboard?site=site-a&key={Uri.EscapeDataString(key)}");
        Assert.Equal(HttpStatusCode.SeeOther, opened.StatusCode);
        Assert.Equal("./dashboard?site=site-a", opened.Headers.Location!.OriginalString);
        var setCookie = Assert.Single(opened.Headers.GetValues("Set-Cookie"));
        Assert.StartsWith($"__Host-alliance-key={key};", setCookie, StringComparison.Ordinal);
        foreach (var attribute in new[] { "path=/", "secure", "samesite=strict", "httponly" })
            Assert.Contains(attribute, setCookie.Split(';', StringSplitOptions.TrimEntries), StringComparer.OrdinalIgnoreCase);

        using var page = new HttpRequestMessage(HttpMethod.Get, $"api/studies/{HostileFixture.StudyId}/dashboard?site=site-a");
        page.Headers.Add("Cookie", $"__Host-alliance-key={key}");
        page.Headers.Accept.ParseAdd("text/html");
        using var shown = await browser.SendAsync(page);
        Assert.Equal(HttpStatusCode.OK, shown.StatusCode);
        Assert.Contains("p-a1", await shown.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // A refused key with an id of its own, last: once the worker's line about it has come, so have those before it.
        var marker = "ak_" + Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()[..8]) + "_" + new string('Q', 43);
        using (var guesser = app.Client(null, "203.0.113.90"))
        using (var refused = await guesser.GetAsync($"api/studies/{HostileFixture.StudyId}/dashboard?key={marker}"))
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.True(await app.Log.WaitForAsync(r => ForwardedFromWorker(r) && r.Says(marker[3..19]), HostileFixture.Patience), "the worker's line about the refused key never came");

        // Every line but the local host's own ASP.NET Core request lines: it stands for the Functions host, whose request
        // log is not the app's to decide (docs/functions.md), and its console and the demo's log leave them out.
        var lines = app.Log.GetSnapshot().Where(r => ForwardedFromWorker(r) || !r.Category!.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal)).Select(r => r.Text()).ToArray();
        foreach (var line in lines)
        {
            foreach (var held in new[] { secret, Uri.EscapeDataString(secret), marker[20..], "key=ak_" })
                Assert.False(line.Contains(held, StringComparison.OrdinalIgnoreCase), $"a log line holds '{held}': {line}");
        }
    }

    /// <summary>Whether the local host wrote the record for a log line of the worker (as it forwards them: the worker's category, its message as "{Message}").</summary>
    private static bool ForwardedFromWorker(FakeLogRecord record) =>
        record.StructuredState?.Any(p => p.Key == "{OriginalFormat}" && p.Value is not null && p.Value.StartsWith("{Message}", StringComparison.Ordinal)) == true;
}
