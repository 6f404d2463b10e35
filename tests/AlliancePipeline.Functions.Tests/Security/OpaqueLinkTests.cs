using System.Text;
using AlliancePipeline.Core.Studies;
using AlliancePipeline.Functions.Invitations;
using AlliancePipeline.Functions.Questionnaires;
using AlliancePipeline.Functions.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace AlliancePipeline.Functions.Tests.Security;

/// <summary>
/// Security finding 9, "links can be read": a questionnaire or pause link must not tell whoever sees its URL which
/// study, dyad, meeting or rater role it is for. Tokens are encrypted (format 2); a questionnaire token is no pause
/// token and the reverse; format-1 tokens (readable) are refused like any bad link.
/// </summary>
public sealed class OpaqueLinkTests
{
    private const string StudyId = "alliance-depression-trial";
    private const string DyadId = "dyad-0421";
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;

    private static (ILinkTokens Questionnaires, PauseLinks Pauses) Services()
    {
        var services = TestSettings.Read(TestSettings.Config(TestApp.Settings("UseDevelopmentStorage=true")));
        return (services.GetRequiredService<ILinkTokens>(), services.GetRequiredService<PauseLinks>());
    }

    private static byte[] Decode(string token) =>
        Convert.FromBase64String(token.Replace('-', '+').Replace('_', '/') + new string('=', (4 - (token.Length % 4)) % 4));

    private static bool Contains(byte[] haystack, string needle) => haystack.AsSpan().IndexOf(Encoding.UTF8.GetBytes(needle)) >= 0;

    [Fact]
    public void Neither_a_questionnaire_token_nor_a_pause_token_shows_the_study_dyad_meeting_or_role_or_their_length()
    {
        var (questionnaires, pauses) = Services();
        var lengths = new HashSet<int>();
        foreach (var role in new[] { "client", "practitioner" })
        {
            var assessmentId = EnrolmentPlan.AssessmentId(DyadId, 2, role);
            var tokens = new[]
            {
                questionnaires.Issue(new LinkClaims(StudyId, assessmentId, 1, Now.AddDays(30))),
                pauses.Issue(StudyId, assessmentId, 1, Now.AddDays(30)),
            };
            foreach (var token in tokens)
            {
                var bytes = Decode(token);
                foreach (var secret in new[] { $"{StudyId}:{assessmentId}", assessmentId, StudyId, DyadId, "-m2-", role })
                {
                    Assert.False(Contains(bytes, secret), $"The token's bytes show '{secret}'.");
                }

                lengths.Add(token.Length);
            }
        }

        // Nor does a token's length tell a client's link from a practitioner's, or a short id from a long one.
        lengths.Add(questionnaires.Issue(new LinkClaims("s", "a", 1, Now.AddDays(30))).Length);
        lengths.Add(pauses.Issue(new string('s', 63), new string('a', 63), 1, Now.AddDays(30)).Length);
        Assert.Single(lengths);
    }

    [Fact]
    public void A_questionnaire_token_is_no_pause_token_and_a_pause_token_no_questionnaire_token()
    {
        var (questionnaires, pauses) = Services();
        var assessmentId = EnrolmentPlan.AssessmentId(DyadId, 1, "client");
        var questionnaire = questionnaires.Issue(new LinkClaims(StudyId, assessmentId, 1, Now.AddDays(30)));
        var pause = pauses.Issue(StudyId, assessmentId, 1, Now.AddDays(30));

        Assert.NotNull(questionnaires.Validate(questionnaire, Now, out _));
        Assert.NotNull(pauses.Validate(pause, Now, out _));
        Assert.Null(pauses.Validate(questionnaire, Now, out var problem));
        Assert.Equal(LinkProblem.NotValid, problem);
        Assert.Null(questionnaires.Validate(pause, Now, out problem));
        Assert.Equal(LinkProblem.NotValid, problem);

        // Expired ones too: the kind is checked before the expiry, so an expired token of the other kind is not "expired".
        var expiredQuestionnaire = questionnaires.Issue(new LinkClaims(StudyId, assessmentId, 1, Now.AddDays(-1)));
        var expiredPause = pauses.Issue(StudyId, assessmentId, 1, Now.AddDays(-1));
        Assert.Null(pauses.Validate(expiredQuestionnaire, Now, out problem));
        Assert.Equal(LinkProblem.NotValid, problem);
        Assert.Null(questionnaires.Validate(expiredPause, Now, out problem));
        Assert.Equal(LinkProblem.NotValid, problem);
    }

    /// <summary>Made by the format-1 code (readable payload ‖ HMAC) with the test key "test", expiring in 2100.</summary>
    private const string FormatOneQuestionnaireToken = "AQAAAAD0hlcAAAAAAb_ShCQqHOoZqThEIPewVOEEdGVzdC1hbGxpYW5jZS1kZXByZXNzaW9uLXRyaWFsOmR5YWQtMDQyMS1tMS1jbGllbnTetcXHgHCSI-0EDnSfkg8AyXM7aojkVr7dkGXKorgh7g";

    [Fact]
    public void A_format_1_token_is_refused_as_not_valid()
    {
        var (questionnaires, _) = Services();
        Assert.Null(questionnaires.Validate(FormatOneQuestionnaireToken, Now, out var problem));
        Assert.Equal(LinkProblem.NotValid, problem);
    }
}
