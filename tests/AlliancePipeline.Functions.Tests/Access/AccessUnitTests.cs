using System.Net;
using AlliancePipeline.Contracts.Storage;
using AlliancePipeline.Core.Access;
using AlliancePipeline.Functions.Infrastructure.Access;
using AlliancePipeline.Functions.Infrastructure.Http;
using Microsoft.AspNetCore.Http;

namespace AlliancePipeline.Functions.Tests.Access;

/// <summary>The key decision, the failed-attempt limiter, the client address rule and reading the presented key, without storage.</summary>
public sealed class AccessUnitTests
{
    private sealed class ManualClock(DateTimeOffset start) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = start;

        public override DateTimeOffset GetUtcNow() => Now;
    }

    private static readonly DateTimeOffset T0 = new(2026, 3, 18, 12, 0, 0, TimeSpan.Zero);

    private static (ParsedAccessKey Key, AccessKeyEntity Row) Key(string role = "site", string? study = "study-a", string? site = "site-a")
    {
        var secret = AccessKeyFormat.NewSecret();
        var id = AccessKeyFormat.NewKeyId();
        return (new ParsedAccessKey(id, secret), new AccessKeyEntity
        {
            RowKey = id,
            SecretHash = AccessKeyFormat.HashSecret(secret),
            Role = role,
            StudyId = study,
            SiteId = site,
            IssuedAt = T0.AddDays(-1),
            ExpiresAt = T0.AddDays(1),
            Label = "x",
            IssuedBy = "test",
        });
    }

    [Fact]
    public void A_key_is_checked_for_id_then_secret_then_revocation_then_expiry_then_its_scope()
    {
        var (key, row) = Key();
        var ok = AccessKeys.Check(key, row, T0);
        Assert.Equal(new Caller(key.KeyId, AccessScope.ForSite("study-a", "site-a")), ok.Caller);

        Assert.Equal(KeyRefusal.Unknown, AccessKeys.Check(key, null, T0).Refusal);
        Assert.Equal(KeyRefusal.WrongSecret, AccessKeys.Check(key with { Secret = AccessKeyFormat.NewSecret() }, row, T0).Refusal);
        Assert.Equal(KeyRefusal.Expired, AccessKeys.Check(key, row, row.ExpiresAt).Refusal);          // from ExpiresAt on
        Assert.NotNull(AccessKeys.Check(key, row, row.ExpiresAt.AddTicks(-1)).Caller);

        row.RevokedAt = T0.AddHours(-1);
        Assert.Equal(KeyRefusal.Revoked, AccessKeys.Check(key, row, T0).Refusal);
        // A wrong secret is never told that the key was revoked or expired.
        Assert.Equal(KeyRefusal.WrongSecret, AccessKeys.Check(key with { Secret = AccessKeyFormat.NewSecret() }, row, row.ExpiresAt).Refusal);

        var (k2, bad) = Key(role: "site", site: null);
        Assert.Equal(KeyRefusal.InvalidRow, AccessKeys.Check(k2, bad, T0).Refusal);
        var (k3, upper) = Key(role: "Admin", study: null, site: null);
        Assert.Equal(KeyRefusal.InvalidRow, AccessKeys.Check(k3, upper, T0).Refusal);
    }

    [Fact]
    public void The_limiter_slows_an_address_or_a_key_id_after_ten_refused_keys_in_a_minute_and_lets_it_go_as_they_age_out()
    {
        var clock = new ManualClock(T0);
        var limiter = new FailedAttemptLimiter(new AccessClock(clock));
        for (var i = 0; i < FailedAttemptLimiter.MaxFailures; i++)
        {
            Assert.False(limiter.IsLimited("203.0.113.9", null, out _));
            limiter.RecordFailure("203.0.113.9", null);
            clock.Now += TimeSpan.FromSeconds(2);
        }
        // Failures at 0, 2, …, 18 s; now 20 s: slowed until the first ages out at 60 s.
        Assert.True(limiter.IsLimited("203.0.113.9", null, out var retry));
        Assert.Equal(40, retry);
        Assert.False(limiter.IsLimited("203.0.113.10", null, out _));
        clock.Now = T0 + TimeSpan.FromSeconds(59.5);
        Assert.True(limiter.IsLimited("203.0.113.9", null, out retry));
        Assert.Equal(1, retry);
        clock.Now = T0 + TimeSpan.FromSeconds(60);
        Assert.False(limiter.IsLimited("203.0.113.9", null, out _));

        // One key id guessed at from ten addresses: the next guess at it is slowed from any address, other ids are not.
        for (var i = 0; i < FailedAttemptLimiter.MaxFailures; i++) limiter.RecordFailure($"198.51.100.{i}", "k1");
        Assert.True(limiter.IsLimited("198.51.100.200", "k1", out retry));
        Assert.Equal(60, retry);
        Assert.False(limiter.IsLimited("198.51.100.200", "k2", out _));
        Assert.False(limiter.IsLimited("198.51.100.200", null, out _));
    }

    [Theory]
    [InlineData(null, "198.51.100.7", "198.51.100.7")]
    [InlineData("203.0.113.5", "10.0.0.4", "203.0.113.5")]
    [InlineData("1.2.3.4, 203.0.113.5:51234", "10.0.0.4", "203.0.113.5")]           // the client wrote 1.2.3.4; the front end appended .5
    [InlineData("203.0.113.5, 10.1.2.3, 172.16.0.9", "127.0.0.1", "203.0.113.5")]    // internal hops skipped
    [InlineData("[2001:db8:1:2:aaaa::1]:443", "127.0.0.1", "2001:db8:1:2::/64")]     // IPv6 counted by /64
    [InlineData("not an address, 192.168.1.1", "127.0.0.1", "127.0.0.1")]
    [InlineData(null, "::ffff:198.51.100.7", "198.51.100.7")]
    public void The_client_address_is_the_rightmost_public_forwarded_address_else_the_connection(string? forwarded, string remote, string expected)
    {
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = IPAddress.Parse(remote);
        if (forwarded is not null) context.Request.Headers["X-Forwarded-For"] = forwarded;
        Assert.Equal(expected, ClientAddress.Of(context.Request));
    }

    [Theory]
    [InlineData("Bearer abc", null, "abc", null)]
    [InlineData("bearer   abc ", null, "abc", null)]
    [InlineData(null, "abc", "abc", null)]
    [InlineData(null, "", null, null)]
    [InlineData("Basic dXNlcg==", null, "Basic dXNlcg==", null)]
    [InlineData("Bearer abc", "abc", null, "Give the access key once: in the Authorization header or in ?key=, not both.")]
    public void The_presented_key_comes_from_one_place_only(string? header, string? query, string? key, string? problem)
    {
        var context = new DefaultHttpContext();
        if (header is not null) context.Request.Headers.Authorization = header;
        if (query is not null) context.Request.QueryString = new QueryString("?key=" + Uri.EscapeDataString(query));
        Assert.Equal((key, problem), KeyAuthentication.PresentedKey(context.Request));
    }
}
