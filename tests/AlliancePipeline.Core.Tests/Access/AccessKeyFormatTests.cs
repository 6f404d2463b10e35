using System.Security.Cryptography;
using System.Text;
using AlliancePipeline.Core.Access;

namespace AlliancePipeline.Core.Tests.Access;

public sealed class AccessKeyFormatTests
{
    private const string KeyId = "0123456789abcdef";

    private static string Secret() => AccessKeyFormat.NewSecret();

    [Fact]
    public void A_new_key_is_ak_then_16_hex_then_43_base64url_and_parses_back_to_its_parts()
    {
        var id = AccessKeyFormat.NewKeyId();
        var secret = AccessKeyFormat.NewSecret();
        var key = AccessKeyFormat.Compose(id, secret);

        Assert.Matches("^ak_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$", key);
        Assert.Equal(AccessKeyFormat.KeyLength, key.Length);
        Assert.True(AccessKeyFormat.TryParse(key, out var parsed));
        Assert.Equal(id, parsed.KeyId);
        Assert.Equal(secret, parsed.Secret);
        Assert.DoesNotContain(secret, parsed.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Keys_and_ids_are_random()
    {
        var ids = Enumerable.Range(0, 200).Select(_ => AccessKeyFormat.NewKeyId()).ToHashSet();
        var secrets = Enumerable.Range(0, 200).Select(_ => AccessKeyFormat.NewSecret()).ToHashSet();
        Assert.Equal(200, ids.Count);
        Assert.Equal(200, secrets.Count);
    }

    [Fact]
    public void A_secret_with_underscores_still_splits_at_the_fixed_length_id()
    {
        var bytes = new byte[32];
        Array.Fill(bytes, (byte)0xff); // base64url "____…"
        var secret = Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        Assert.Contains('_', secret);
        Assert.True(AccessKeyFormat.TryParse($"ak_{KeyId}_{secret}", out var parsed));
        Assert.Equal(KeyId, parsed.KeyId);
        Assert.Equal(secret, parsed.Secret);
    }

    public static TheoryData<string?> Malformed()
    {
        var secret = new string('A', 43);
        return new TheoryData<string?>
        {
            null,
            "",
            "ak_",
            $"ak_{KeyId}_{secret}x",                        // too long
            $"ak_{KeyId}_{secret[..^1]}",                    // too short
            $"AK_{KeyId}_{secret}",                          // prefix case
            $"ak-{KeyId}_{secret}",                          // prefix
            $"ak_{KeyId.ToUpperInvariant()}_{secret}",       // id upper-case
            $"ak_0123456789abcdeg_{secret}",                 // id not hex
            $"ak_{KeyId}-{secret}",                          // separator
            $"ak_{KeyId}_{secret[..^1]}B",                   // last character has unused bits set: not canonical
            $"ak_{KeyId}_{secret[..^1]}=",                   // padding
            $"ak_{KeyId}_{secret[..^1]}+",                   // standard base64, not base64url
            $"ak_{KeyId}_{secret[..^1]} ",                   // space
            $" ak_{KeyId}_{secret[..^1]}",                   // leading space, same length
            $"ak_{KeyId}_{secret[..^1]}\u00e9",              // non-ASCII
            $"ak_{KeyId}_{secret[..20]}%2F{secret[23..]}",   // URL escape inside
            "ak_../../../etc/passwd_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        };
    }

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Anything_not_exactly_of_the_format_is_refused(string? text)
    {
        Assert.False(AccessKeyFormat.TryParse(text, out var parsed));
        Assert.Equal(default, parsed);
    }

    [Fact]
    public void The_stored_hash_is_sha256_of_the_secret_text_in_lower_hex_and_matches_only_that_secret()
    {
        var secret = Secret();
        var hash = AccessKeyFormat.HashSecret(secret);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret))), hash);
        Assert.Matches("^[0-9a-f]{64}$", hash);

        Assert.True(AccessKeyFormat.SecretMatches(secret, hash));
        Assert.True(AccessKeyFormat.SecretMatches(secret, hash.ToUpperInvariant()));
        Assert.False(AccessKeyFormat.SecretMatches(Secret(), hash));
        Assert.False(AccessKeyFormat.SecretMatches(secret[..^1] + (secret[^1] == 'A' ? 'Q' : 'A'), hash));
        Assert.False(AccessKeyFormat.SecretMatches(secret, null));
        Assert.False(AccessKeyFormat.SecretMatches(secret, ""));
        Assert.False(AccessKeyFormat.SecretMatches(secret, hash[..63]));
        Assert.False(AccessKeyFormat.SecretMatches(secret, hash[..63] + "z"));
        Assert.False(AccessKeyFormat.SecretMatches(secret, secret));
    }

    [Fact]
    public void Compose_refuses_parts_that_are_not_of_the_format()
    {
        Assert.Throws<ArgumentException>(() => AccessKeyFormat.Compose("ABC", Secret()));
        Assert.Throws<ArgumentException>(() => AccessKeyFormat.Compose(KeyId, "short"));
    }
}
