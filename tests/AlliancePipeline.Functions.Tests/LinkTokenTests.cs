using AlliancePipeline.Functions.Services;

namespace AlliancePipeline.Functions.Tests;

public sealed class LinkTokenTests
{
    private static readonly HmacLinkTokens Tokens = new([.. Enumerable.Range(1, 32).Select(i => (byte)i)]);
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_token_round_trips_its_claims()
    {
        var claims = new LinkClaims("study-1", "dyad-01-m2-client", 3, Now.AddDays(30));
        Assert.Equal(claims, Tokens.Validate(Tokens.Issue(claims), Now, out var problem));
        Assert.Null(problem);
    }

    [Fact]
    public void Changing_any_character_or_the_key_invalidates_it()
    {
        var token = Tokens.Issue(new LinkClaims("study-1", "a-1", 1, Now.AddDays(1)));
        for (var i = 0; i < token.Length; i++)
        {
            var c = token[i] == 'x' ? 'y' : 'x';
            Assert.Null(Tokens.Validate(token[..i] + c + token[(i + 1)..], Now, out _));
        }
        Assert.Null(new HmacLinkTokens(new byte[32]).Validate(token, Now, out var problem));
        Assert.Equal("The link is not valid.", problem);
    }

    [Fact]
    public void An_expired_token_says_so()
    {
        var token = Tokens.Issue(new LinkClaims("study-1", "a-1", 1, Now));
        Assert.Null(Tokens.Validate(token, Now, out var problem));
        Assert.Equal("The link has expired.", problem);
        Assert.NotNull(Tokens.Validate(token, Now.AddSeconds(-1), out _));
    }
}
