using System.Net;
using AlliancePipeline.Core.Links;
using AlliancePipeline.Core.Studies;
using AlliancePipeline.Functions.Mail;
using AlliancePipeline.Functions.Reports;
using AlliancePipeline.Functions.Tests.Infrastructure;

namespace AlliancePipeline.Functions.Tests.Security;

/// <summary>Issue 17, finding 11: ids anchored at the very end (<c>\z</c>, not <c>$</c>), and HSTS on answers served over HTTPS.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class SmallFindingsTests(AzuriteFixture azurite)
{
    [Fact]
    public void A_run_id_or_another_checked_id_with_a_trailing_newline_is_refused()
    {
        Assert.True(RunIds.IsValid("20260101T000000Z-0123abcd"));
        Assert.False(RunIds.IsValid("20260101T000000Z-0123abcd\n"));
        Assert.True(MailIds.IsValid("invite.a-1"));
        Assert.False(MailIds.IsValid("invite.a-1\n"));
        Assert.Throws<ArgumentException>(() => new LinkSigningKey("k1\n", new byte[32]));
        Assert.True(StudyRules.IsEmail("a@example.org"));
        Assert.False(StudyRules.IsEmail("a@example.org\n"));
    }

    [Fact]
    public async Task Every_answer_served_over_HTTPS_carries_HSTS_and_none_over_plain_HTTP()
    {
        await using var app = await TestApp.StartAsync(azurite);
        foreach (var path in new[] { "/api/studies/no-such/completion", "/api/q/not-a-token", "/api/keys" })
        {
            using var secure = new HttpRequestMessage(HttpMethod.Get, path);
            secure.Headers.Add("X-Forwarded-Proto", "https");
            using (var response = await app.Client.SendAsync(secure))
            {
                Assert.True(response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.NotFound, $"{path}: {response.StatusCode}");
                Assert.Equal("max-age=31536000", Assert.Single(response.Headers.GetValues("Strict-Transport-Security")));
            }
            using var plain = await app.Client.GetAsync(path);
            Assert.False(plain.Headers.Contains("Strict-Transport-Security"), path);
        }
        // The 413 the request-limits middleware answers before the function carries it too.
        using var big = new HttpRequestMessage(HttpMethod.Post, "/api/studies/no-such/outcomes") { Content = new ByteArrayContent(new byte[3 * 1024 * 1024]) };
        big.Content.Headers.ContentType = new("text/csv");
        big.Headers.Add("X-Forwarded-Proto", "https");
        using var tooLarge = await app.Client.SendAsync(big);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLarge.StatusCode);
        Assert.True(tooLarge.Headers.Contains("Strict-Transport-Security"));
    }
}
