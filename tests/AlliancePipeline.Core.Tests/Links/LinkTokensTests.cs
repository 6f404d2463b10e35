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

    private static LinkTokens Tokens(LinkSigningKey current, params LinkSigningKey[] others) => new(new LinkSigningKeys(current, others), LinkTokenKind.Questionnaire);

    private static LinkTokens PauseTokens(LinkSigningKey current) => new(new LinkSigningKeys(current, []), LinkTokenKind.Pause);

    [Fact]
    public void Round_trip_gives_back_assessment_version_expiry_and_key()
    {
        var tokens = Tokens(K1);
        var token = tokens.Issue("s1.d007.m2.practitioner", 3, Expiry);

        var valid = Assert.IsType<LinkVerification.Valid>(tokens.Verify(token, Now));
        Assert.Equal(new LinkVerification.Valid("s1.d007.m2.practitioner", 3, Expiry, "k1"), valid);
        Assert.Matches("^[A-Za-z0-9_-]+$", token);
    }

    // The token length depends only on the key id's: three key id lengths give the three possible token byte lengths
    // mod 3, so the last character carries 0, 4 or 2 unused bits.
    [Theory]
    [InlineData("k1")]
    [InlineData("k12")]
    [InlineData("k123")]
    public void Every_single_character_change_is_refused(string keyId)
    {
        var tokens = Tokens(Key(keyId, 1));
        var token = tokens.Issue("a-01", 0, Expiry);
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

    // Layout with key "k1": [0] format, [1] key id length, [2..4) key id, [4..16) nonce, [16..157) ciphertext, [157..173) tag.
    [Theory]
    [InlineData(5, 0x01)] // the nonce
    [InlineData(21, 0x10)] // the expiry, inside the ciphertext: a year later is refused, not extended
    [InlineData(27, 0x01)] // the link version, inside the ciphertext
    [InlineData(40, 0x01)] // the assessment id, inside the ciphertext
    [InlineData(120, 0x01)] // the padding, inside the ciphertext
    [InlineData(165, 0x80)] // the tag
    public void Changed_bits_fail_the_authentication_tag(int at, byte flip)
    {
        var tokens = Tokens(K1);
        var bytes = Convert.FromBase64String(Pad(tokens.Issue("a-01", 0, Expiry)));
        Assert.Equal(173, bytes.Length);
        bytes[at] ^= flip;
        Assert.IsType<LinkVerification.BadSignature>(tokens.Verify(Unpad(bytes), Now));
    }

    [Fact]
    public void The_clear_key_id_is_authenticated_too()
    {
        // "k1" → "k2", both known: the token is opened with k2's key and the header is other associated data.
        var tokens = Tokens(K1, K2);
        var bytes = Convert.FromBase64String(Pad(tokens.Issue("a-01", 0, Expiry)));
        bytes[3] = (byte)'2';
        Assert.IsType<LinkVerification.BadSignature>(tokens.Verify(Unpad(bytes), Now));
    }

    [Fact]
    public void A_format_1_token_or_another_format_byte_is_malformed()
    {
        var tokens = Tokens(K1);
        var bytes = Convert.FromBase64String(Pad(tokens.Issue("a-01", 0, Expiry)));
        foreach (var format in new byte[] { 0, 1, 3, 255 })
        {
            bytes[0] = format;
            Assert.IsType<LinkVerification.Malformed>(tokens.Verify(Unpad(bytes), Now));
        }
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
    public void Splicing_the_tag_or_nonce_of_another_assessment_fails()
    {
        var tokens = Tokens(K1);
        var a = Convert.FromBase64String(Pad(tokens.Issue("a-01", 0, Expiry)));
        var b = Convert.FromBase64String(Pad(tokens.Issue("a-02", 0, Expiry)));
        var tagOfB = a[..^16].Concat(b[^16..]).ToArray();
        Assert.IsType<LinkVerification.BadSignature>(tokens.Verify(Unpad(tagOfB), Now));
        var nonceOfB = a[..4].Concat(b[4..16]).Concat(a[16..]).ToArray();
        Assert.IsType<LinkVerification.BadSignature>(tokens.Verify(Unpad(nonceOfB), Now));
    }

    [Fact]
    public void A_token_of_one_kind_never_verifies_as_the_other_even_expired()
    {
        var questionnaires = Tokens(K1);
        var pauses = PauseTokens(K1);
        foreach (var expiry in new[] { Expiry, Now.AddDays(-1) })
        {
            var questionnaire = questionnaires.Issue("s1:a-01", 1, expiry);
            var pause = pauses.Issue("s1:a-01", 1, expiry);
            Assert.IsNotType<LinkVerification.BadSignature>(questionnaires.Verify(questionnaire, Now));
            Assert.IsNotType<LinkVerification.BadSignature>(pauses.Verify(pause, Now));
            Assert.IsType<LinkVerification.BadSignature>(pauses.Verify(questionnaire, Now));
            Assert.IsType<LinkVerification.BadSignature>(questionnaires.Verify(pause, Now));
        }
    }

    [Fact]
    public void Tokens_are_unique_and_carry_no_readable_personal_data()
    {
        var tokens = Tokens(K1);
        var issued = Enumerable.Range(0, 200).Select(_ => tokens.Issue("a-01", 0, Expiry)).ToHashSet();
        Assert.Equal(200, issued.Count);

        // Neither the id nor its length shows: every token of one key has the same length.
        foreach (var id in new[] { "s1:d-007-m2-client", "s1:d-007-m2-practitioner" })
        {
            var bytes = Convert.FromBase64String(Pad(tokens.Issue(id, 3, Expiry)));
            Assert.Equal(-1, bytes.AsSpan().IndexOf("client"u8));
            Assert.Equal(-1, bytes.AsSpan().IndexOf("practitioner"u8));
            Assert.Equal(-1, bytes.AsSpan().IndexOf("d-007"u8));
            Assert.Equal(issued.First().Length, Unpad(bytes).Length);
        }

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
            var bytes = RandomNumberGenerator.GetBytes(40 + (i % 160));
            Assert.IsNotType<LinkVerification.Valid>(tokens.Verify(Unpad(bytes), Now));

            // With a good header and the right length, random bytes reach the cipher, which refuses them.
            var shaped = RandomNumberGenerator.GetBytes(173);
            "\u0002\u0002k1"u8.CopyTo(shaped);
            Assert.IsType<LinkVerification.BadSignature>(tokens.Verify(Unpad(shaped), Now));
        }
    }

    [Fact]
    public void The_longest_token_fits_in_512_characters()
    {
        var longestKeyId = Key(new string('k', LinkSigningKey.MaxIdLength), 1);
        var tokens = Tokens(longestKeyId);
        var token = tokens.Issue(new string('a', LinkTokens.MaxAssessmentIdLength), int.MaxValue, DateTimeOffset.MaxValue);
        Assert.Equal(271, token.Length);
        Assert.True(token.Length <= LinkTokens.MaxTokenLength);
        Assert.IsType<LinkVerification.Valid>(tokens.Verify(token, Now));
        Assert.IsType<LinkVerification.Malformed>(tokens.Verify(new string('A', LinkTokens.MaxTokenLength + 4), Now));
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
