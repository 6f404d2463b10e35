using System.Security.Cryptography;
using AlliancePipeline.Core.Links;

namespace AlliancePipeline.Core.Tests.Links;

public class LinkTokensTests
{
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    private static readonly DateTimeOffset Now = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Expiry = Now.AddDays(14);

    private static LinkSigningKey Key(string id, byte fill) => new(id, Enumerable.Repeat(fill, 32).Select((b, i) => (byte)(b + i)).ToArray());

    private static readonly LinkSigningKey K1 = Key("k1", 1);
    private static readonly LinkSigningKey K2 = Key("k2", 100);

    private static LinkTokens Tokens(LinkSigningKey current, params LinkSigningKey[] others) => new(new LinkSigningKeys(current, others));

    [Fact]
    public void Round_trip_gives_back_assessment_version_expiry_and_key()
    {
        var tokens = Tokens(K1);
        var token = tokens.Issue("s1.d007.m2.practitioner", 3, Expiry);

        var valid = Assert.IsType<LinkVerification.Valid>(tokens.Verify(token, Now));
        Assert.Equal(new LinkVerification.Valid("s1.d007.m2.practitioner", 3, Expiry, "k1"), valid);
        Assert.Matches("^[A-Za-z0-9_-]+$", token);
    }

    // Three id lengths give the three possible token byte lengths mod 3, so the last character carries 0, 4 or 2 unused bits.
    [Theory]
    [InlineData("a-01")]
    [InlineData("a-012")]
    [InlineData("a-0123")]
    public void Every_single_character_change_is_refused(string assessmentId)
    {
        var tokens = Tokens(K1);
        var token = tokens.Issue(assessmentId, 0, Expiry);
        var tried = 0;
        for (var i = 0; i < token.Length; i++)
        {
            foreach (var c in Alphabet.Append('=').Append('.').Append('+').Append('/').Where(c => c != token[i]))
            {
                var changed = string.Concat(token.AsSpan(0, i), c.ToString(), token.AsSpan(i + 1));
                Assert.IsNotType<LinkVerification.Valid>(tokens.Verify(changed, Now));
                tried++;
            }

            Assert.IsNotType<LinkVerification.Valid>(tokens.Verify(token.Remove(i, 1), Now));
            Assert.IsNotType<LinkVerification.Valid>(tokens.Verify(token.Insert(i, "A"), Now));
        }

        Assert.Equal(token.Length * 67, tried);
        Assert.IsNotType<LinkVerification.Valid>(tokens.Verify(token + "A", Now));
        Assert.IsType<LinkVerification.Valid>(tokens.Verify(token, Now));
    }

    [Fact]
    public void Changed_payload_bits_fail_the_signature()
    {
        var tokens = Tokens(K1);
        var token = tokens.Issue("a-01", 0, Expiry);

        // Flip a bit in the nonce: still well-formed, but the MAC no longer matches.
        var bytes = Convert.FromBase64String(Pad(token));
        bytes[13] ^= 1;
        Assert.IsType<LinkVerification.BadSignature>(tokens.Verify(Unpad(bytes), Now));

        // Move the expiry a year later: refused, not extended.
        bytes[13] ^= 1;
        bytes[6] ^= 0x10;
        Assert.IsType<LinkVerification.BadSignature>(tokens.Verify(Unpad(bytes), Now));
    }

    [Fact]
    public void Expiry_boundary_is_exclusive_and_whole_seconds()
    {
        var tokens = Tokens(K1);
        var token = tokens.Issue("a-01", 0, Expiry.AddMilliseconds(900));

        Assert.IsType<LinkVerification.Valid>(tokens.Verify(token, Expiry.AddTicks(-1)));
        var expired = Assert.IsType<LinkVerification.Expired>(tokens.Verify(token, Expiry));
        Assert.Equal(new LinkVerification.Expired("a-01", Expiry), expired);
        Assert.IsType<LinkVerification.Expired>(tokens.Verify(token, Expiry.AddYears(1)));
    }

    [Fact]
    public void Rotation_old_key_verifies_until_removed()
    {
        var before = Tokens(K1);
        var oldToken = before.Issue("a-01", 0, Expiry);

        var rotated = Tokens(K2, K1);
        var newToken = rotated.Issue("a-01", 0, Expiry);
        Assert.Equal("k1", Assert.IsType<LinkVerification.Valid>(rotated.Verify(oldToken, Now)).KeyId);
        Assert.Equal("k2", Assert.IsType<LinkVerification.Valid>(rotated.Verify(newToken, Now)).KeyId);

        var removed = Tokens(K2);
        Assert.Equal(new LinkVerification.UnknownKey("k1"), removed.Verify(oldToken, Now));
        Assert.IsType<LinkVerification.Valid>(removed.Verify(newToken, Now));
    }

    [Fact]
    public void Same_key_id_with_another_secret_is_a_bad_signature()
    {
        var token = Tokens(K1).Issue("a-01", 0, Expiry);
        Assert.IsType<LinkVerification.BadSignature>(Tokens(Key("k1", 7)).Verify(token, Now));
    }

    [Fact]
    public void Token_is_bound_to_its_assessment_and_link_version()
    {
        var tokens = Tokens(K1);
        var valid = Assert.IsType<LinkVerification.Valid>(tokens.Verify(tokens.Issue("a-01", 2, Expiry), Now));

        Assert.True(valid.IsCurrent("a-01", 2));
        Assert.False(valid.IsCurrent("a-02", 2));
        Assert.False(valid.IsCurrent("a-01", 3)); // reissued: the old link is revoked
    }

    [Fact]
    public void Splicing_the_signature_of_another_assessment_fails()
    {
        var tokens = Tokens(K1);
        var nonce = new byte[16];
        var a = Convert.FromBase64String(Pad(tokens.Issue("a-01", 0, Expiry, nonce)));
        var b = Convert.FromBase64String(Pad(tokens.Issue("a-02", 0, Expiry, nonce)));
        var spliced = a[..^32].Concat(b[^32..]).ToArray();
        Assert.IsType<LinkVerification.BadSignature>(tokens.Verify(Unpad(spliced), Now));
    }

    [Fact]
    public void Tokens_are_unique_and_carry_no_readable_personal_data()
    {
        var tokens = Tokens(K1);
        var issued = Enumerable.Range(0, 200).Select(_ => tokens.Issue("a-01", 0, Expiry)).ToHashSet();
        Assert.Equal(200, issued.Count);
        Assert.Throws<ArgumentException>(() => tokens.Issue("someone@example.org", 0, Expiry));
        Assert.Throws<ArgumentException>(() => tokens.Issue("First Last", 0, Expiry));
        Assert.Throws<ArgumentOutOfRangeException>(() => tokens.Issue("a-01", -1, Expiry));
    }

    [Theory]
    [InlineData("")]
    [InlineData("A")]
    [InlineData("AAAA")]
    [InlineData("not a token")]
    [InlineData("%2F%2F")]
    public void Garbage_is_malformed_not_an_exception(string token) =>
        Assert.IsType<LinkVerification.Malformed>(Tokens(K1).Verify(token, Now));

    [Fact]
    public void Random_bytes_never_verify()
    {
        var tokens = Tokens(K1);
        for (var i = 0; i < 500; i++)
        {
            var bytes = RandomNumberGenerator.GetBytes(40 + (i % 80));
            Assert.IsNotType<LinkVerification.Valid>(tokens.Verify(Unpad(bytes), Now));
        }
    }

    private static string Pad(string token) =>
        token.Replace('-', '+').Replace('_', '/') + new string('=', (4 - (token.Length % 4)) % 4);

    private static string Unpad(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

public class LinkSigningKeysTests
{
    private static readonly string SecretA = Convert.ToBase64String(Enumerable.Range(0, 32).Select(i => (byte)i).ToArray());
    private static readonly string SecretB = Convert.ToBase64String(Enumerable.Range(100, 48).Select(i => (byte)i).ToArray());

    [Fact]
    public void Settings_give_current_key_and_older_keys()
    {
        var keys = LinkSigningKeys.FromSettings($"2026-11={SecretB}; 2026-05={SecretA}", "2026-11");
        Assert.Equal("2026-11", keys.Current.Id);
        Assert.Equal(["2026-05", "2026-11"], keys.KeyIds);
        Assert.True(keys.TryGet("2026-05", out _));
        Assert.Equal("LinkSigningKey(2026-11)", keys.Current.ToString());
    }

    [Fact]
    public void Url_safe_base64_secrets_are_accepted()
    {
        var urlSafe = SecretB.TrimEnd('=').Replace('+', '-').Replace('/', '_');
        Assert.Equal("k", LinkSigningKeys.FromSettings($"k={urlSafe}", "k").Current.Id);
    }

    [Theory]
    [InlineData("", "k", "LinkSigning:Keys is empty")]
    [InlineData("k=SECRET_A", "", "LinkSigning:CurrentKeyId is empty")]
    [InlineData("k=SECRET_A", "other", "names key 'other', which is not in LinkSigning:Keys (keys: k)")]
    [InlineData("k=SECRET_A;novalue", "k", "entry 2: expected id=BASE64")]
    [InlineData("k=SECRET_A;j=!!!notbase64", "k", "entry 2 (key 'j'): the secret is not base64")]
    [InlineData("k=AAAA", "k", "entry 1: The secret of key 'k' has 3 bytes; at least 32 are required.")]
    [InlineData("bad id=SECRET_A", "bad id", "entry 1: Key id 'bad id' is not allowed")]
    [InlineData("k=SECRET_A;k=SECRET_B", "k", "Key id 'k' appears twice.")]
    public void Bad_settings_name_the_problem_and_never_the_secret(string keys, string current, string expected)
    {
        var ex = Assert.Throws<FormatException>(() =>
            LinkSigningKeys.FromSettings(keys.Replace("SECRET_A", SecretA).Replace("SECRET_B", SecretB), current));
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(SecretA, ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(SecretB, ex.Message, StringComparison.Ordinal);
    }
}
