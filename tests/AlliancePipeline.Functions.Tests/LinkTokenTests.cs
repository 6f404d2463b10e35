using AlliancePipeline.Core.Links;
using AlliancePipeline.Functions.Questionnaires;

namespace AlliancePipeline.Functions.Tests;

/// <summary>The adapter over Core's link tokens: the study and assessment both come back; refusals say why.</summary>
public sealed class LinkTokenTests
{
    private static readonly CoreLinkTokens Tokens = new(LinkSigningKeys.FromSettings("k1=" + Infrastructure.TestApp.SigningKey, "k1"));
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_token_round_trips_study_assessment_and_version()
    {
        var claims = new LinkClaims("study-1", "dyad-01-m2-client", 3, Now.AddDays(30));
        Assert.Equal(claims, Tokens.Validate(Tokens.Issue(claims), Now, out var problem));
        Assert.Equal(LinkProblem.None, problem);
    }

    [Fact]
    public void A_changed_character_or_another_key_is_not_valid()
    {
        var token = Tokens.Issue(new LinkClaims("study-1", "a-1", 1, Now.AddDays(1)));
        var changed = token[..10] + (token[10] == 'x' ? 'y' : 'x') + token[11..];
        Assert.Null(Tokens.Validate(changed, Now, out var problem));
        Assert.Equal(LinkProblem.NotValid, problem);
        var other = new CoreLinkTokens(LinkSigningKeys.FromSettings("k1=" + Convert.ToBase64String(new byte[32]), "k1"));
        Assert.Null(other.Validate(token, Now, out problem));
        Assert.Equal(LinkProblem.NotValid, problem);
    }

    [Fact]
    public void An_expired_token_says_so()
    {
        var token = Tokens.Issue(new LinkClaims("study-1", "a-1", 1, Now));
        Assert.Null(Tokens.Validate(token, Now.AddSeconds(1), out var problem));
        Assert.Equal(LinkProblem.Expired, problem);
        Assert.NotNull(Tokens.Validate(token, Now.AddSeconds(-1), out _));
    }
}
