using AlliancePipeline.Core.Links;
using AlliancePipeline.Core.Studies;

namespace AlliancePipeline.Functions.Questionnaires;

/// <summary>What a valid link names.</summary>
/// <param name="StudyId">The study.</param>
/// <param name="AssessmentId">The assessment.</param>
/// <param name="LinkVersion">The link version it was issued for (revocation: the assessment's version moved on).</param>
/// <param name="ExpiresAt">When it stops opening.</param>
public sealed record LinkClaims(string StudyId, string AssessmentId, int LinkVersion, DateTimeOffset ExpiresAt);

/// <summary>Why a link token was refused.</summary>
public enum LinkProblem
{
    /// <summary>Not refused.</summary>
    None,
    /// <summary>Malformed, altered, signed with an unknown key, or naming no assessment: the page answers 404.</summary>
    NotValid,
    /// <summary>Genuine but past its expiry: the page answers 410.</summary>
    Expired,
}

/// <summary>Issues and checks questionnaire link tokens.</summary>
public interface ILinkTokens
{
    /// <summary>A token for the claims.</summary>
    string Issue(LinkClaims claims);

    /// <summary>The claims of a well-formed, untampered, unexpired token; otherwise null and why.</summary>
    LinkClaims? Validate(string token, DateTimeOffset now, out LinkProblem problem);
}

/// <summary>
/// Link tokens by Core's <see cref="LinkTokens"/> of kind <see cref="LinkTokenKind.Questionnaire"/> (AES-256-GCM,
/// opaque, canonical base64url, key rotation; a pause token is refused as not valid, even expired). The token's
/// assessment id is the assessment's table address <c>{studyId}:{assessmentId}</c> (partition key / row key), so the
/// link finds its entity with one point read; study ids cannot contain ':' (<see cref="StudyIds.IsValid"/>).
/// </summary>
public sealed class CoreLinkTokens(LinkSigningKeys keys) : ILinkTokens
{
    private readonly LinkTokens _tokens = new(keys, LinkTokenKind.Questionnaire);

    /// <inheritdoc />
    public string Issue(LinkClaims claims) => _tokens.Issue($"{claims.StudyId}:{claims.AssessmentId}", claims.LinkVersion, claims.ExpiresAt);

    /// <inheritdoc />
    public LinkClaims? Validate(string token, DateTimeOffset now, out LinkProblem problem)
    {
        switch (_tokens.Verify(token, now))
        {
            case LinkVerification.Valid v when v.AssessmentId.Split(':') is [var study, var assessment] && StudyIds.IsValid(study) && assessment.Length > 0:
                problem = LinkProblem.None;
                return new LinkClaims(study, assessment, v.LinkVersion, v.ExpiresAt);
            case LinkVerification.Expired:
                problem = LinkProblem.Expired;
                return null;
            default:
                problem = LinkProblem.NotValid;
                return null;
        }
    }
}
