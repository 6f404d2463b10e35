using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using AlliancePipeline.Contracts.Storage;
using AlliancePipeline.Core.Access;
using AlliancePipeline.Functions.Infrastructure.Access;
using AlliancePipeline.Functions.Infrastructure.Http;
using AlliancePipeline.Functions.Tests.Dashboard;
using AlliancePipeline.Functions.Tests.Infrastructure;

namespace AlliancePipeline.Functions.Tests.Access;

/// <summary>
/// <c>/api/keys</c> with real keys on Azurite: an admin issues (the key answered once, only its hash stored), lists (no
/// secrets), revokes (refused from then on); every change audited with the acting key id; bad input is a 400 naming the
/// field; other keys 403; guessing is cut off with 429.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class KeyEndpointTests(AzuriteFixture azurite)
{
    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static HttpRequestMessage Send(HttpMethod method, string url, string? key, string? body = null)
    {
        var request = new HttpRequestMessage(method, url) { Content = body is null ? null : Json(body) };
        if (key is not null) request.Headers.Authorization = new("Bearer", key);
        request.Headers.Accept.ParseAdd("application/json");
        return request;
    }

    private async Task<(TestApp App, string Study, SeededKeys Keys)> StartAsync()
    {
        var app = await TestApp.StartAsync(azurite);
        var study = AzuriteFixture.UniqueName("keys");
        return (app, study, await DashboardSeed.SeedAsync(azurite.Tables, study, AzuriteFixture.UniqueName("keys-other")));
    }

    [Fact]
    public async Task An_admin_issues_a_site_key_once_which_then_opens_its_site_only_and_only_its_hash_is_stored()
    {
        var (app, study, keys) = await StartAsync();
        await using var _ = app;
        using var issued = await app.Client.SendAsync(Send(HttpMethod.Post, "/api/keys", keys.Admin,
            $$"""{"role":"site","studyId":"{{study}}","siteId":"site-north","label":"North coordinator","validDays":30}"""));
        Assert.Equal(HttpStatusCode.Created, issued.StatusCode);
        Assert.Equal("no-store", issued.Headers.CacheControl!.ToString());
        var body = JsonNode.Parse(await issued.Content.ReadAsStringAsync())!;
        var key = body["key"]!.GetValue<string>();
        Assert.True(AccessKeyFormat.TryParse(key, out var parsed));
        Assert.Equal($"keys/{parsed.KeyId}", issued.Headers.Location!.OriginalString);
        Assert.Equal(parsed.KeyId, body["info"]!["keyId"]!.GetValue<string>());
        Assert.Equal("active", body["info"]!["state"]!.GetValue<string>());
        Assert.Equal("key:" + keys.Admin.Substring(3, 16), body["info"]!["issuedBy"]!.GetValue<string>());

        var row = (await azurite.Tables.GetTableClient(StorageNames.AccessKeysTable).GetEntityAsync<Azure.Data.Tables.TableEntity>(AccessKeyEntity.Partition, parsed.KeyId)).Value;
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(parsed.Secret))), row.GetString("SecretHash"));
        Assert.DoesNotContain(row, p => p.Value is string text && text.Contains(parsed.Secret, StringComparison.Ordinal));
        var expires = row.GetDateTimeOffset("ExpiresAt")!.Value - row.GetDateTimeOffset("IssuedAt")!.Value;
        Assert.Equal(TimeSpan.FromDays(30), expires);

        var audit = azurite.Tables.GetTableClient(StorageNames.AuditTable)
            .Query<AuditEntity>(a => a.PartitionKey == StorageNames.SystemPartition && a.Subject == parsed.KeyId).ToList();
        var issuedRow = Assert.Single(audit);
        Assert.Equal("key.issued", issuedRow.Action);
        Assert.Equal("key:" + keys.Admin.Substring(3, 16), issuedRow.Actor);
        Assert.DoesNotContain(parsed.Secret, issuedRow.Details, StringComparison.Ordinal);
        // The key row as created, its label and secret hash named, never written (security finding 7).
        Assert.Equal(($"AccessKeys/{parsed.KeyId}", ""), (issuedRow.Record, issuedRow.Before));
        Assert.Contains("\"SecretHash\":\"(redacted)\"", issuedRow.After, StringComparison.Ordinal);
        Assert.Contains("\"Label\":\"(redacted)\"", issuedRow.After, StringComparison.Ordinal);
        Assert.Contains($"\"StudyId\":\"{study}\"", issuedRow.After, StringComparison.Ordinal);
        Assert.DoesNotContain(row.GetString("SecretHash"), issuedRow.After, StringComparison.Ordinal);

        using var own = await app.Client.SendAsync(DashboardSeed.Get($"/api/studies/{study}/completion", key));
        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        using var other = await app.Client.SendAsync(DashboardSeed.Get($"/api/studies/{study}/completion?site=site-south", key));
        Assert.Equal(HttpStatusCode.Forbidden, other.StatusCode);
    }

    [Fact]
    public async Task Listing_shows_every_key_without_secrets_or_hashes_and_revoking_refuses_the_key_from_then_on()
    {
        var (app, study, keys) = await StartAsync();
        await using var _ = app;
        using var list = await app.Client.SendAsync(Send(HttpMethod.Get, $"/api/keys?studyId={study}", keys.Admin));
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        var text = await list.Content.ReadAsStringAsync();
        Assert.DoesNotContain("secret", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("hash", text, StringComparison.OrdinalIgnoreCase);
        foreach (var k in new[] { keys.North, keys.Study, keys.Researcher }) Assert.DoesNotContain(k[20..], text, StringComparison.Ordinal);
        var listed = JsonNode.Parse(text)!["keys"]!.AsArray();
        Assert.Equal(6, listed.Count); // study, north, south, researcher, expired, revoked of this study
        Assert.Contains(listed, k => k!["state"]!.GetValue<string>() == "revoked");
        Assert.Contains(listed, k => k!["state"]!.GetValue<string>() == "expired");

        var northId = keys.North.Substring(3, 16);
        using var revoked = await app.Client.SendAsync(Send(HttpMethod.Delete, $"/api/keys/{northId}", keys.Admin));
        Assert.Equal(HttpStatusCode.OK, revoked.StatusCode);
        Assert.Equal("revoked", JsonNode.Parse(await revoked.Content.ReadAsStringAsync())!["state"]!.GetValue<string>());
        using var refused = await app.Client.SendAsync(DashboardSeed.Get($"/api/studies/{study}/completion", keys.North));
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Contains("revoked", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var again = await app.Client.SendAsync(Send(HttpMethod.Delete, $"/api/keys/{northId}", keys.Admin));
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        var audit = azurite.Tables.GetTableClient(StorageNames.AuditTable)
            .Query<AuditEntity>(a => a.PartitionKey == StorageNames.SystemPartition && a.Subject == northId && a.Action == "key.revoked").ToList();
        var revokedRow = Assert.Single(audit);
        Assert.Equal("key:" + keys.Admin.Substring(3, 16), revokedRow.Actor);
        Assert.Equal(($"AccessKeys/{northId}", "{\"RevokedAt\":null}"), (revokedRow.Record, revokedRow.Before));
        Assert.StartsWith("{\"RevokedAt\":\"", revokedRow.After, StringComparison.Ordinal);

        using var unknown = await app.Client.SendAsync(Send(HttpMethod.Delete, "/api/keys/0000000000000000", keys.Admin));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        using var malformed = await app.Client.SendAsync(Send(HttpMethod.Delete, "/api/keys/..%2F..%2Fetc", keys.Admin));
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.Equal("application/problem+json", malformed.Content.Headers.ContentType!.MediaType);
    }

    [Theory]
    [InlineData("Study")]
    [InlineData("North")]
    [InlineData("Researcher")]
    [InlineData(null)]
    public async Task Only_an_admin_key_reaches_the_key_routes(string? which)
    {
        var (app, study, keys) = await StartAsync();
        await using var _ = app;
        var key = which is null ? null : (string)typeof(SeededKeys).GetProperty(which)!.GetValue(keys)!;
        var expected = key is null ? HttpStatusCode.Unauthorized : HttpStatusCode.Forbidden;
        using var issue = await app.Client.SendAsync(Send(HttpMethod.Post, "/api/keys", key, $$"""{"role":"admin","label":"escalation"}"""));
        using var list = await app.Client.SendAsync(Send(HttpMethod.Get, "/api/keys", key));
        using var revoke = await app.Client.SendAsync(Send(HttpMethod.Delete, $"/api/keys/{keys.Admin.Substring(3, 16)}", key));
        Assert.Equal([expected, expected, expected], new[] { issue.StatusCode, list.StatusCode, revoke.StatusCode });
        Assert.Equal("application/problem+json", issue.Content.Headers.ContentType!.MediaType);
        Assert.Empty(azurite.Tables.GetTableClient(StorageNames.AccessKeysTable).Query<AccessKeyEntity>(k => k.Label == "escalation"));
        Assert.False(string.IsNullOrEmpty(study));
    }

    [Theory]
    [InlineData("not json", "The body is not valid JSON.")]
    [InlineData("[]", "The body is a JSON object")]
    [InlineData("""{"role":"admin","label":"x","studyID":"a"}""", "'studyID' is not a field of a key request; the fields are: role, studyId, siteId, label, validDays.")]
    [InlineData("""{"role":"owner","label":"x"}""", "role must be one of: admin, study, site, researcher.")]
    [InlineData("""{"role":"admin","studyId":"{study}","label":"x"}""", "an admin key takes no studyId or siteId.")]
    [InlineData("""{"role":"site","studyId":"{study}","label":"x"}""", "a site key needs a siteId.")]
    [InlineData("""{"role":"study","studyId":"no-such-study","label":"x"}""", "studyId 'no-such-study' is not a study.")]
    [InlineData("""{"role":"site","studyId":"{study}","siteId":"site-east","label":"x"}""", "siteId 'site-east' is not a site of study '{study}'.")]
    [InlineData("""{"role":"study","studyId":"{study}"}""", "label is required")]
    [InlineData("""{"role":"study","studyId":"{study}","label":"x","validDays":0}""", "validDays is 1 to 366 (default 90).")]
    [InlineData("""{"role":"study","studyId":"{study}","label":"x","validDays":"30"}""", "validDays is a whole number of days.")]
    [InlineData("""{"role":"study","studyId":"{study}","label":7}""", "label is a string.")]
    [InlineData("""{"role":"study","role":"admin","label":"x"}""", "'role' is given twice.")]
    public async Task Bad_key_requests_get_400_problem_details_naming_the_problem(string template, string detail)
    {
        var (app, study, keys) = await StartAsync();
        await using var _ = app;
        using var response = await app.Client.SendAsync(Send(HttpMethod.Post, "/api/keys", keys.Admin, template.Replace("{study}", study, StringComparison.Ordinal)));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.StartsWith(detail.Replace("{study}", study, StringComparison.Ordinal), problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    private static HttpRequestMessage From(string address, string url, string? key, string accept = "application/json")
    {
        var request = DashboardSeed.Get(url, key, accept);
        request.Headers.Add("X-Forwarded-For", address);
        return request;
    }

    [Fact]
    public async Task Guessed_keys_are_401_then_429_for_that_address_and_key_id_but_a_valid_key_is_never_refused_for_them()
    {
        var (app, study, keys) = await StartAsync();
        await using var _ = app;
        var completion = $"/api/studies/{study}/completion";
        var id = keys.North.Substring(3, 16);
        const string shared = "198.51.100.23"; // a site's NAT: the guesser and the coordinators share it
        var guesses = new List<string>
        {
            "ak_" + id + "_" + AccessKeyFormat.NewSecret(),                                   // right id, wrong secret
            AccessKeyFormat.Compose(AccessKeyFormat.NewKeyId(), AccessKeyFormat.NewSecret()),  // unknown id
            "ak_" + id,                                                                        // malformed
            "password",
            keys.North.ToUpperInvariant(),
        };
        while (guesses.Count < FailedAttemptLimiter.MaxFailures) guesses.Add(AccessKeyFormat.Compose(AccessKeyFormat.NewKeyId(), AccessKeyFormat.NewSecret()));
        foreach (var guess in guesses)
        {
            using var response = await app.Client.SendAsync(From(shared, completion, guess));
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal(AccessResults.NotValid, JsonNode.Parse(await response.Content.ReadAsStringAsync())!["detail"]!.GetValue<string>());
        }

        // The address has had its ten: its next guess is slowed (429 with Retry-After) ...
        using var blocked = await app.Client.SendAsync(From(shared, completion, AccessKeyFormat.Compose(AccessKeyFormat.NewKeyId(), AccessKeyFormat.NewSecret())));
        Assert.Equal((HttpStatusCode)429, blocked.StatusCode);
        Assert.InRange(blocked.Headers.RetryAfter!.Delta!.Value.TotalSeconds, 1, 60);
        using var blockedPage = await app.Client.SendAsync(From(shared, $"/api/studies/{study}/dashboard", "password", "text/html"));
        Assert.Equal((HttpStatusCode)429, blockedPage.StatusCode);
        Assert.Contains("Too many attempts", await blockedPage.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // ... but the coordinators behind it, and the admin, are not refused for the guesser's failures.
        using var good = await app.Client.SendAsync(From(shared, completion, keys.North));
        Assert.Equal(HttpStatusCode.OK, good.StatusCode);
        using var page = await app.Client.SendAsync(From(shared, $"/api/studies/{study}/dashboard", keys.North, "text/html"));
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        using var admin = await app.Client.SendAsync(From(shared, "/api/keys", keys.Admin));
        Assert.Equal(HttpStatusCode.OK, admin.StatusCode);

        // Guesses at one key id are counted across addresses: from ten fresh addresses, the south key's secret is
        // guessed ten times; the eleventh guess (from yet another address) is slowed, the south key itself still opens.
        var south = keys.South.Substring(3, 16);
        for (var i = 0; i < FailedAttemptLimiter.MaxFailures; i++)
        {
            using var response = await app.Client.SendAsync(From($"203.0.113.{i + 1}", completion, "ak_" + south + "_" + AccessKeyFormat.NewSecret()));
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }
        using var slowed = await app.Client.SendAsync(From("203.0.113.99", completion, "ak_" + south + "_" + AccessKeyFormat.NewSecret()));
        Assert.Equal((HttpStatusCode)429, slowed.StatusCode);
        using var otherId = await app.Client.SendAsync(From("203.0.113.99", completion, "ak_" + id + "_" + AccessKeyFormat.NewSecret()));
        Assert.Equal(HttpStatusCode.Unauthorized, otherId.StatusCode);
        using var southGood = await app.Client.SendAsync(From("203.0.113.99", completion, keys.South));
        Assert.Equal(HttpStatusCode.OK, southGood.StatusCode);
    }

    [Fact]
    public async Task A_request_without_a_key_is_401_with_a_page_that_asks_for_one_and_is_not_counted_as_a_guess()
    {
        var (app, study, _) = await StartAsync();
        await using var __ = app;
        for (var i = 0; i < FailedAttemptLimiter.MaxFailures + 2; i++)
        {
            using var response = await app.Client.SendAsync(DashboardSeed.Get($"/api/studies/{study}/dashboard", null, "text/html"));
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("text/html; charset=utf-8", response.Content.Headers.ContentType!.ToString());
            Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
            var html = await response.Content.ReadAsStringAsync();
            Assert.Contains("<input id=\"key\" name=\"key\" type=\"password\"", html, StringComparison.Ordinal);
            Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        }
    }
}
