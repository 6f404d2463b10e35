using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using AlliancePipeline.Functions.Infrastructure.Access;
using AlliancePipeline.Functions.Infrastructure.Http;

namespace AlliancePipeline.Hostile.Tests;

/// <summary>
/// Keys attacked through the host: another site's, another study's, revoked, expired, guessed (ten, then 429 with
/// Retry-After for further guesses from that address, while a good key from it still opens). A site key never sees a row of another site.
/// </summary>
[Collection(HostileCollection.Name)]
public sealed class KeyAttackTests(HostileFixture app)
{
    private const string Study = HostileFixture.StudyId;

    [Fact]
    public async Task A_site_key_never_sees_a_row_of_another_site_and_cannot_act_for_it()
    {
        using var siteA = app.Client(app.Keys["site-a"]);
        foreach (var path in new[] { $"api/studies/{Study}/completion?site=site-b", $"api/studies/{Study}/dashboard?site=site-b", $"api/studies/{Study}/completion?site=SITE-B",
            $"api/studies/{Study}/completion?site=site-b&site=site-a", $"api/studies/{Study}/export?format=csv", $"api/studies/{Study}/reports/latest/report.html" })
        {
            using var refused = await siteA.GetAsync(path);
            Assert.True(refused.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.BadRequest, $"{path}: {(int)refused.StatusCode}");
        }

        foreach (var path in new[] { $"api/studies/{Study}/completion", $"api/studies/{Study}/dashboard", $"api/studies/{Study}/completion?site=site-a" })
        {
            using var own = await siteA.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, own.StatusCode);
            var text = await own.Content.ReadAsStringAsync();
            Assert.Contains("p-a1", text, StringComparison.Ordinal); // site A's rater
            foreach (var other in HostileFixture.SiteBDyads.Append("site-b").Append("p-b1"))
                Assert.DoesNotContain(other, text, StringComparison.Ordinal);
            Assert.DoesNotContain("svg onload", WebUtility.HtmlDecode(text), StringComparison.Ordinal); // site B's name
        }

        // Acting for another site's dyads is answered as if they did not exist.
        using (var outcome = await siteA.PutAsync($"api/studies/{Study}/dyads/d-b1/outcome", new StringContent("{\"employed\":false}", Encoding.UTF8, "application/json")))
            Assert.Equal(HttpStatusCode.NotFound, outcome.StatusCode);
        using (var reissue = await siteA.PostAsync($"api/studies/{Study}/assessments/d-b2-m1-practitioner/reissue", null))
            Assert.Equal(HttpStatusCode.NotFound, reissue.StatusCode);
        using (var withdraw = await siteA.PostAsync($"api/studies/{Study}/dyads/d-b2/withdraw", null))
            Assert.Equal(HttpStatusCode.NotFound, withdraw.StatusCode);
        using (var close = await siteA.PostAsync($"api/studies/{Study}/alerts/d-b2-m1-practitioner/close", null))
            Assert.Equal(HttpStatusCode.NotFound, close.StatusCode);
        Assert.Equal("Pending", (await app.AssessmentAsync("d-b2-m1-practitioner")).Status);
        Assert.Equal(1, (await app.AssessmentAsync("d-b2-m1-practitioner")).LinkVersion);
    }

    [Fact]
    public async Task Another_studys_key_a_researcher_key_where_it_cannot_go_a_revoked_and_an_expired_key_are_refused()
    {
        using var other = app.Client(app.Keys["other-study"]);
        foreach (var path in new[] { "completion", "dashboard", "export", "reports/latest/report.html" })
        {
            using var refused = await other.GetAsync($"api/studies/{Study}/{path}");
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        }
        using (var refused = await other.PutAsync($"api/manage/studies/{Study}", new StringContent(HostileFixture.StudyFile(app.Enrolled), Encoding.UTF8, "application/json")))
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        using (var own = await other.GetAsync($"api/studies/{HostileFixture.OtherStudyId}/completion"))
            Assert.Equal(HttpStatusCode.OK, own.StatusCode);

        using var researcher = app.Client(app.Keys["researcher"]);
        using (var dashboard = await researcher.GetAsync($"api/studies/{Study}/dashboard"))
            Assert.Equal(HttpStatusCode.Forbidden, dashboard.StatusCode);
        using (var keys = await researcher.GetAsync("api/keys"))
            Assert.Equal(HttpStatusCode.Forbidden, keys.StatusCode);

        foreach (var (name, detail) in new[] { ("revoked", AccessResults.Revoked), ("expired", AccessResults.Expired) })
        {
            using var client = app.Client(app.Keys[name], address: "203.0.113.20");
            using var refused = await client.GetAsync("api/keys");
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            Assert.Contains("invalid_token", refused.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
            using var problem = JsonDocument.Parse(await refused.Content.ReadAsStringAsync());
            Assert.Equal(detail, problem.RootElement.GetProperty("detail").GetString());
        }
    }

    [Fact]
    public async Task Guessed_keys_are_401_ten_times_then_429_with_Retry_After_for_that_address_while_a_good_key_from_it_still_opens()
    {
        const string attacker = "203.0.113.50";
        var random = new Random(12);
        using var guesser = app.Client(null, attacker);
        for (var i = 0; i < FailedAttemptLimiter.MaxFailures; i++)
        {
            var guess = "ak_" + Convert.ToHexStringLower(Bytes(random, 8)) + "_" + Convert.ToBase64String(Bytes(random, 32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
            using var request = new HttpRequestMessage(HttpMethod.Get, $"api/studies/{Study}/completion");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", guess);
            using var refused = await guesser.SendAsync(request);
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        using (var blocked = await guesser.SendAsync(WithKey($"api/studies/{Study}/completion", "ak_0000000000000000_" + new string('A', 43))))
        {
            Assert.Equal((HttpStatusCode)429, blocked.StatusCode);
            var retryAfter = int.Parse(blocked.Headers.GetValues("Retry-After").Single(), CultureInfo.InvariantCulture);
            Assert.InRange(retryAfter, 1, 60);
            Assert.Equal("application/problem+json", blocked.Content.Headers.ContentType?.MediaType);
        }
        using (var page = await guesser.SendAsync(WithKey($"api/studies/{Study}/dashboard", "ak_0000000000000000_" + new string('B', 43))))
        {
            Assert.Equal((HttpStatusCode)429, page.StatusCode);
            Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        }

        // A good key from the same address (a coordinator behind the guesser's NAT) is never refused for those failures.
        using (var good = await guesser.SendAsync(WithKey($"api/studies/{Study}/completion", app.Keys["admin"])))
            Assert.Equal(HttpStatusCode.OK, good.StatusCode);
        using (var goodPage = await guesser.SendAsync(WithKey($"api/studies/{Study}/dashboard", app.Keys["admin"])))
            Assert.Equal(HttpStatusCode.OK, goodPage.StatusCode);

        // Other addresses are not held up.
        using var elsewhere = app.Client(app.Keys["admin"], "203.0.113.51");
        using (var fine = await elsewhere.GetAsync($"api/studies/{Study}/completion"))
            Assert.Equal(HttpStatusCode.OK, fine.StatusCode);
    }

    private static HttpRequestMessage WithKey(string path, string key)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return request;
    }

    private static byte[] Bytes(Random random, int count)
    {
        var bytes = new byte[count];
        random.NextBytes(bytes);
        return bytes;
    }
}
